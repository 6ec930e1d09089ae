import { Module, type LayerSpec } from "../module.js";
import type { Tensor } from "../../tensor.js";
import { flatten } from "../../ops/movement.js";

/** Applies its layers in order. Parameters are named "layers.<i>.<name>". */
export class Sequential extends Module {
  readonly layers: Module[];

  constructor(...layers: Module[]) {
    super();
    this.layers = layers;
  }

  forward(x: Tensor): Tensor {
    let y = x;
    for (const layer of this.layers) y = layer.forward(y);
    return y;
  }

  spec(): LayerSpec {
    return { type: "Sequential", layers: this.layers.map((l) => l.spec()) };
  }
}

/** [N, ...] → [N, prod(...)]: the bridge from images to fully connected layers. */
export class Flatten extends Module {
  forward(x: Tensor): Tensor { return flatten(x, 1); }
  spec(): LayerSpec { return { type: "Flatten" }; }
}
