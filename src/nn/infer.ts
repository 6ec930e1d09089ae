/**
 * Inference without the tape: a model's forward pass in eval mode that records nothing and makes
 * one output array per Linear layer, with the bias and the following activation fused into the
 * product (the kernels' linearForward: rows on both threads, zero-skipping on sparse inputs).
 * The outputs are bit-identical to `model.eval()` + `noGrad(() => model.forward(x))`: the fused
 * kernel performs each value's float operations exactly as the separate ops do. Layers it has no
 * shortcut for (convolutions, pooling, batch normalisation, softmax, …) run their own forward,
 * untaped.
 */
import { noGrad } from "../autograd.js";
import { kernelsFor } from "../kernels/index.js";
import type { LinearActivation } from "../kernels/types.js";
import { allocate, Tensor } from "../tensor.js";
import type { Module } from "./module.js";
import { Linear } from "./layers/linear.js";
import { fused, Sequential } from "./layers/sequential.js";
import { LeakyReLU, ReLU, Sigmoid, Tanh } from "./layers/activations.js";

/** The activation a Linear layer can take into its epilogue, if `layer` is one. */
function fusable(layer: Module | undefined): { act: LinearActivation; slope: number } | null {
  if (layer instanceof ReLU) return { act: "relu", slope: 0 };
  if (layer instanceof LeakyReLU) return { act: "leakyRelu", slope: layer.negativeSlope };
  if (layer instanceof Sigmoid) return { act: "sigmoid", slope: 0 };
  if (layer instanceof Tanh) return { act: "tanh", slope: 0 };
  return null;
}

/** act(x·Wᵀ + b) in one kernel call; null when the input does not fit (the layer's forward then says why). */
function linearAct(layer: Linear, x: Tensor, act: LinearActivation, slope: number): Tensor | null {
  if (x.rank !== 2 || x.shape[1] !== layer.inFeatures || x.dtype !== layer.weight.dtype) return null;
  const m = x.shape[0]!;
  const y = allocate(x.dtype, m * layer.outFeatures);
  kernelsFor(x.data).linearForward(x.data, layer.weight.data, layer.bias?.data ?? null, y, m, layer.inFeatures, layer.outFeatures, act, slope);
  return new Tensor(y, [m, layer.outFeatures]);
}

function run(layers: readonly Module[], x: Tensor): Tensor {
  let y = x;
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i]!;
    if (layer instanceof Sequential) {
      y = run(layer.layers, y);
    } else if (layer instanceof Linear) {
      const next = fusable(layers[i + 1]);
      const out = linearAct(layer, y, next?.act ?? "none", next?.slope ?? 0);
      if (!out) y = layer.forward(y);
      else {
        y = out;
        if (next) i++;
      }
    } else {
      const f = fused(layers, i, layers.length, y);
      if (f) {
        y = f.y;
        i += f.used - 1;
      } else {
        y = layer.forward(y);
      }
    }
  }
  return y;
}

/**
 * The model's output for x in eval mode, without recording anything for backward (the model's
 * train/eval mode is restored afterwards). Same bytes as the taped forward in eval mode.
 *   const probs = nn.infer(model, x);   // x: [N, features] or [N, C, H, W]
 */
export function infer(model: Module, x: Tensor): Tensor {
  const wasTraining = model.training;
  if (wasTraining) model.eval();
  try {
    return noGrad(() => (model instanceof Sequential ? run(model.layers, x) : model.forward(x)));
  } finally {
    if (wasTraining) model.train();
  }
}
