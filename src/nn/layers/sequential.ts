import { Module, type LayerSpec } from "../module.js";
import type { Tensor } from "../../tensor.js";
import type { LayerDefinition } from "../layer.js";
import { ReLU } from "./activations.js";
import { MaxPool2d } from "./pool.js";
import { Conv2d } from "./conv.js";

/**
 * The layers from i on that run as one, applied to y, and how many they were; null when layers[i]
 * runs alone. Each gives the values of the layers run one by one:
 *  - ReLU then max pooling run as pooling then ReLU: the ReLU and its gradient touch only the
 *    pooled values (a quarter, for 2×2 windows). ReLU keeps order, so each window's first maximum
 *    (or first NaN) is the same element, and where the maximum is ≤ 0 both give 0 and a zero
 *    gradient; only the sign of a zero can differ (test/relu-pool.test.ts).
 *  - A convolution then (ReLU and) 2×2 max pooling: one op that never writes the convolution's
 *    output or its gradient to memory (conv2dMaxPool, where it applies), then the ReLU.
 */
export function fused(layers: readonly Module[], i: number, end: number, y: Tensor): { y: Tensor; used: number } | null {
  const layer = layers[i]!;
  const next = i + 1 < end ? layers[i + 1] : undefined;
  const after = i + 2 < end ? layers[i + 2] : undefined;
  if (layer instanceof Conv2d) {
    if (next instanceof ReLU && after instanceof MaxPool2d) {
      const p = layer.forwardPooled(y, after);
      if (p) return { y: next.forward(p), used: 3 };
    } else if (next instanceof MaxPool2d) {
      const p = layer.forwardPooled(y, next);
      if (p) return { y: p, used: 2 };
    }
  }
  if (layer instanceof ReLU && next instanceof MaxPool2d) return { y: layer.forward(next.forward(y)), used: 2 };
  return null;
}

/** layers[0, end) applied to x in order, as Sequential does (with the fusions `fused` makes). */
export function forwardLayers(layers: readonly Module[], x: Tensor, end = layers.length): Tensor {
  let y = x;
  for (let i = 0; i < end; i++) {
    const f = fused(layers, i, end, y);
    if (f) {
      y = f.y;
      i += f.used - 1;
    } else {
      y = layers[i]!.forward(y);
    }
  }
  return y;
}

/** Applies its layers in order (some runs of layers as one op, see `fused`). Parameters are named "layers.<i>.<name>". */
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
