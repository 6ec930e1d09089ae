/**
 * Losses: functions (prediction, target) → scalar tensor. Targets are one-hot/real tensors or
 * Int32Array class labels (turned into one-hot where the formula needs it).
 *
 * Reductions: "mean" averages over every element (PyTorch's default), "sum" adds everything, and
 * "batchmean" sums over each example's outputs then averages over the batch — the book's
 * convention, C = (1/n) Σ_x C_x, which its learning rates are tuned for.
 */
import { Tensor } from "../tensor.js";
import { abs, clamp, log, mul, sub } from "../ops/elementwise.js";
import { sum } from "../ops/reduce.js";
import { logSoftmax } from "../ops/softmax.js";
import { checkLabels, pointwiseLoss, softmaxCrossEntropy } from "../ops/loss.js";
import { ShapeError } from "../errors.js";
import { fmt, sameShape } from "../shape.js";

export type Reduction = "mean" | "sum" | "batchmean";
export type Target = Tensor | Int32Array;
export type LossFn = (pred: Tensor, target: Target) => Tensor;

/** Class labels → one-hot rows [N, classes]. */
export function oneHot(labels: Int32Array, classes: number, dtype: "float32" | "float64" = "float32"): Tensor {
  checkLabels(labels, labels.length, classes, "oneHot");
  const t = Tensor.zeros([labels.length, classes], { dtype });
  for (let i = 0; i < labels.length; i++) t.data[i * classes + labels[i]!] = 1;
  return t;
}

function targetTensor(pred: Tensor, target: Target, loss: string): Tensor {
  const t = target instanceof Tensor ? target : oneHot(target, pred.shape[pred.rank - 1] ?? 1, pred.dtype);
  if (!sameShape(t.shape, pred.shape)) {
    throw new ShapeError(`${loss}: target ${fmt(t.shape)} does not match prediction ${fmt(pred.shape)}`);
  }
  return t;
}

function reduce(elements: Tensor, reduction: Reduction): Tensor {
  const total = sum(elements);
  if (reduction === "sum") return total;
  const count = reduction === "mean" ? elements.size : (elements.shape[0] ?? 1);
  return total.mul(1 / count);
}

/** The divisor a reduction applies to a sum over `pred`'s elements. */
function reductionScale(pred: Tensor, reduction: Reduction): number {
  if (reduction === "sum") return 1;
  return 1 / (reduction === "mean" ? pred.size : (pred.shape[0] ?? 1));
}

/** The book's quadratic cost C = (1/2n) Σ ‖y − a‖² (Nielsen eq. 6); one fused op. */
export function quadraticCost(pred: Tensor, target: Target): Tensor {
  return pointwiseLoss("squared", pred, target, 0.5 * reductionScale(pred, "batchmean"));
}

/** Mean squared error over every element, as torch.nn.MSELoss; one fused op. */
export function mseLoss(pred: Tensor, target: Target, reduction: Reduction = "mean"): Tensor {
  return pointwiseLoss("squared", pred, target, reductionScale(pred, reduction));
}

/** Mean absolute error, as torch.nn.L1Loss. */
export function l1Loss(pred: Tensor, target: Target, reduction: Reduction = "mean"): Tensor {
  return reduce(abs(sub(pred, targetTensor(pred, target, "l1Loss"))), reduction);
}

/**
 * Binary cross-entropy from logits z: softplus(z) − y·z = −[y ln σ(z) + (1−y) ln(1−σ(z))],
 * exact for any z; its gradient is σ(z) − y.
 */
export function bceWithLogits(logits: Tensor, target: Target, reduction: Reduction = "mean"): Tensor {
  return pointwiseLoss("bceLogits", logits, target, reductionScale(logits, reduction));
}

/**
 * Binary cross-entropy on probabilities a: C = −Σ [y ln a + (1−y) ln(1−a)] (the book's chapter 3),
 * logs clamped at −100 like torch.nn.BCELoss. On a sigmoid's output prefer bceWithLogits on its
 * input: exact where σ(z) rounds to 0 or 1 (the experiment pairs them so, train/objective.ts).
 */
export function binaryCrossEntropy(pred: Tensor, target: Target, reduction: Reduction = "mean"): Tensor {
  const y = targetTensor(pred, target, "binaryCrossEntropy");
  const logA = clamp(log(pred), -100, Infinity);
  const log1mA = clamp(log(sub(1, pred)), -100, Infinity);
  return reduce(mul(-1, mul(y, logA).add(mul(sub(1, y), log1mA))), reduction);
}

/** Cross-entropy from logits [N, C] and class labels, mean over the batch (torch.nn.CrossEntropyLoss). */
export function crossEntropy(logits: Tensor, labels: Int32Array | Tensor): Tensor {
  return softmaxCrossEntropy(logits, labelsOf(labels, "crossEntropy"));
}

/** Negative log-likelihood of log-probabilities [N, C], mean over the batch (torch.nn.NLLLoss). */
export function nllLoss(logProbs: Tensor, labels: Int32Array | Tensor): Tensor {
  const t = targetTensor(logProbs, labelsOf(labels, "nllLoss"), "nllLoss");
  return reduce(mul(logProbs, t), "batchmean").mul(-1);
}

/**
 * The book's log-likelihood cost C = −ln a_y on probabilities (chapter 3), logs clamped at −100.
 * On a softmax's output prefer crossEntropy on its input (fused, stable; gradient a − y): the
 * experiment pairs them so (train/objective.ts).
 */
export function logLikelihood(probs: Tensor, labels: Int32Array | Tensor): Tensor {
  return nllLoss(clamp(log(probs), -100, Infinity), labels);
}

/** One-hot tensor targets → labels (argmax); labels pass through. */
function labelsOf(labels: Int32Array | Tensor, loss: string): Int32Array {
  if (labels instanceof Int32Array) return labels;
  if (labels.rank !== 2) throw new ShapeError(`${loss}: expected class labels or one-hot [N, C], got ${fmt(labels.shape)}`);
  return labels.argmax(1);
}

export { logSoftmax };
