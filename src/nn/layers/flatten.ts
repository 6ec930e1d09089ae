import { Module, type LayerSpec } from "../module.js";
import type { Tensor } from "../../tensor.js";
import { flatten } from "../../ops/movement.js";
import { leaf, type LayerDefinition } from "../layer.js";

/** [N, ...] → [N, prod(...)]: the bridge from images to fully connected layers. */
export class Flatten extends Module {
  forward(x: Tensor): Tensor { return flatten(x, 1); }
  spec(): LayerSpec { return { type: "Flatten" }; }
}

export const flattenLayer: LayerDefinition = {
  type: "Flatten",
  fromSpec: () => leaf(() => new Flatten()),
  transparent: true,
  tokens: [{
    pattern: /^flatten$/, syntax: "flatten",
    plan: (_m, ctx) => {
      ctx.add(() => new Flatten());
      return [ctx.shape.reduce((a, b) => a * b, 1)];
    },
  }],
};
