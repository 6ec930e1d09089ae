/**
 * What a run minimises, paired with the output layer it reads. The book's cross-entropy on a
 * sigmoid output and its log-likelihood on a softmax output are computed from the last layer's
 * input z (the logits): softplus(z) − y·z and log-softmax, exact for any z, with the output error
 * exactly a − y (Nielsen eq. 66) — computing them from a = σ(z) would saturate (ln 0) once σ(z)
 * rounds to 1 in float32. So when the experiment pairs such a cost with such an output, the Trainer
 * and evaluate run the network up to its last layer, score z, and apply the last layer only for the
 * predictions. Library users get the same by passing `lossOnLogits: true` with bceWithLogits or
 * crossEntropy, as PyTorch users pair BCEWithLogitsLoss with a network that ends before its sigmoid.
 */
import type { Tensor } from "../tensor.js";
import { noGrad } from "../autograd.js";
import { infer } from "../nn/infer.js";
import type { Module } from "../nn/module.js";
import { forwardLayers, Sequential } from "../nn/layers/sequential.js";
import { Sigmoid, Softmax } from "../nn/layers/activations.js";
import { bceWithLogits, crossEntropy, mseLoss, quadraticCost, type LossFn } from "../nn/losses.js";
import type { OutputName } from "../nn/mlp.js";
import type { CostName } from "./defaults.js";

export interface Objective {
  loss: LossFn;
  /** The loss reads the input of the model's last layer (a Sigmoid, or a Softmax over the last axis), not its output. */
  lossOnLogits: boolean;
}

/**
 * The cost for an output layer, with the book's conventions: quadratic ½‖y−a‖² and cross-entropy
 * summed over outputs, averaged over the batch. Cross-entropy is the binary form on sigmoid outputs
 * and the categorical one (log-likelihood) on softmax outputs or raw logits; both read the logits.
 */
export function objectiveFor(cost: CostName, output: OutputName): Objective {
  switch (cost) {
    case "quadratic":
      return { loss: quadraticCost, lossOnLogits: false };
    case "mse":
      return { loss: (a, y) => mseLoss(a, y), lossOnLogits: false };
    case "log-likelihood":
      // validateConfig refuses log-likelihood without a softmax output.
      return { loss: (z, y) => crossEntropy(perLabel(z), y as Int32Array), lossOnLogits: true };
    case "cross-entropy":
      if (output === "sigmoid") return { loss: (z, y) => bceWithLogits(z, y, "batchmean"), lossOnLogits: true };
      return { loss: (z, y) => crossEntropy(perLabel(z), y as Int32Array), lossOnLogits: output === "softmax" };
  }
}

/**
 * Scores [B, T, C] (a class at every step, e.g. the next character) as [B·T, C] rows, one per
 * label: the cost is then the mean over every label (nats per character for a language model).
 */
const perLabel = (z: Tensor): Tensor => (z.rank > 2 ? z.reshape([-1, z.shape[z.rank - 1]!]) : z);

/** The model's last layer when it is a squashing output (Sigmoid, or Softmax over the last axis) that a cost can read through. */
export function squashingOutput(model: Module): Module | null {
  if (!(model instanceof Sequential)) return null;
  const last = model.layers[model.layers.length - 1];
  if (last instanceof Sigmoid) return last;
  if (last instanceof Softmax) return last;
  return null;
}

/**
 * Runs the model on x: `out` is its output (for predictions and accuracy), `scored` what the loss
 * reads — the same tensor, or with `lossOnLogits` the input of the last layer.
 */
export function forwardScored(model: Module, x: Tensor, lossOnLogits: boolean): { out: Tensor; scored: Tensor } {
  if (!lossOnLogits) {
    const out = model.forward(x);
    return { out, scored: out };
  }
  const squash = squashingOutput(model);
  if (!squash) throw new TypeError("lossOnLogits: the model must be a Sequential ending with Sigmoid or Softmax (over the last axis)");
  const layers = (model as Sequential).layers;
  const z = forwardLayers(layers, x, layers.length - 1);
  if (squash instanceof Softmax && squash.dim !== -1 && squash.dim !== z.rank - 1) {
    throw new TypeError(`lossOnLogits: the model's Softmax normalises axis ${squash.dim}, not the last one of its ${z.rank}-axis input`);
  }
  return { out: squash.forward(z), scored: z };
}

/**
 * forwardScored for evaluation: the lean inference path (nn.infer: no tape, bias and activation
 * fused into the products), with the same bytes as the taped forward in eval mode.
 */
export function inferScored(model: Module, x: Tensor, lossOnLogits: boolean): { out: Tensor; scored: Tensor } {
  if (!lossOnLogits) {
    const out = infer(model, x);
    return { out, scored: out };
  }
  const squash = squashingOutput(model);
  if (!squash) throw new TypeError("lossOnLogits: the model must be a Sequential ending with Sigmoid or Softmax (over the last axis)");
  const body = new Sequential(...(model as Sequential).layers.slice(0, -1));
  body.training = model.training; // infer toggles eval mode only when the model is training, and puts it back
  const z = infer(body, x);
  return { out: noGrad(() => squash.forward(z)), scored: z };
}
