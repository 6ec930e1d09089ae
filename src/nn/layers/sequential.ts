import { Module, type LayerSpec } from "../module.js";
import type { Tensor } from "../../tensor.js";
import type { LayerDefinition } from "../layer.js";
import { ReLU } from "./activations.js";
import { MaxPool2d } from "./pool.js";

/**
 * Whether a layer and the next are ReLU then max pooling, which run as pooling then ReLU: the
 * ReLU and its gradient then touch only the pooled values (a quarter, for 2×2 windows). The same
 * values and gradients: ReLU keeps order, so each window's first maximum (or first NaN) is the
 * same element, and where the maximum is ≤ 0 both give 0 and a zero gradient. Only the sign of a
 * zero can differ (test/relu-pool.test.ts).
 */
export function poolsFirst(layer: Module, next: Module | undefined): next is MaxPool2d {
  return layer instanceof ReLU && next instanceof MaxPool2d;
}

/** layers[0, end) applied to x in order, as Sequential does (ReLU then max pooling as poolsFirst says). */
export function forwardLayers(layers: readonly Module[], x: Tensor, end = layers.length): Tensor {
  let y = x;
  for (let i = 0; i < end; i++) {
    const layer = layers[i]!;
    const next = i + 1 < end ? layers[i + 1] : undefined;
    if (poolsFirst(layer, next)) {
      y = layer.forward(next.forward(y));
      i++;
      continue;
    }
    y = layer.forward(y);
  }
  return y;
}

/** Applies its layers in order (ReLU then max pooling as pooling then ReLU, see poolsFirst). Parameters are named "layers.<i>.<name>". */
export class Sequential extends Module {
  readonly layers: Module[];

  constructor(...layers: Module[]) {
    super();
    this.layers = layers;
  }

  forward(x: Tensor): Tensor {
    return forwardLayers(this.layers, x);
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
