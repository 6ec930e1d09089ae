import { Module, type LayerSpec } from "../module.js";
import type { Tensor } from "../../tensor.js";
import type { LayerDefinition } from "../layer.js";

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

export const sequentialLayer: LayerDefinition = {
  type: "Sequential",
  fromSpec: (r) => {
    const plans = r.layers("layers");
    return { params: plans.reduce((n, p) => n + p.params, 0), make: () => new Sequential(...plans.map((p) => p.make())) };
  },
  children: (s) => (Array.isArray(s.layers) ? (s.layers as LayerSpec[]) : []),
};

// Flatten has its own file; importable from here as before.
export { Flatten } from "./flatten.js";
