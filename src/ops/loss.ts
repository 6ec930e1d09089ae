/** The one loss that needs its own kernel: softmax + cross-entropy fused (forward and gradient). */
import { allocate, fromOp, Tensor } from "../tensor.js";
import { kernelsFor } from "../kernels/index.js";
import { fmt, sameShape } from "../shape.js";
import type { FloatArray, PointwiseLoss } from "../kernels/types.js";
import { ShapeError } from "../errors.js";

/** Checks that labels are integers in [0, classes) and match the batch size. */
export function checkLabels(labels: Int32Array, rows: number, classes: number, op: string): void {
  if (labels.length !== rows) throw new ShapeError(`${op}: ${labels.length} labels for a batch of ${rows}`);
  for (let i = 0; i < rows; i++) {
    const c = labels[i]!;
    if (c < 0 || c >= classes) throw new ShapeError(`${op}: label ${c} at row ${i} is outside [0, ${classes})`);
  }
}

/**
 * Mean over rows of −log softmax(logits)[label]. logits: [N, C], labels: N class indices.
 * Gradient: (softmax − onehot) / N, from the probabilities the forward pass kept.
 */
export function softmaxCrossEntropy(logits: Tensor, labels: Int32Array): Tensor {
  if (logits.rank !== 2) throw new ShapeError(`crossEntropy: expected logits [N, C], got ${fmt(logits.shape)}`);
  const [rows, cols] = logits.shape as [number, number];
  checkLabels(labels, rows, cols, "crossEntropy");
  const probs = allocate(logits.dtype, logits.size);
  const total = kernelsFor(logits.data).softmaxCrossEntropy(logits.data, labels, rows, cols, probs);
  const loss = allocate(logits.dtype, 1);
  loss[0] = rows === 0 ? NaN : total / rows;
  return fromOp("softmaxCrossEntropy", loss, [], [logits], (g) => {
    const scale = g.data[0]! / rows;
    const gx = allocate(logits.dtype, logits.size);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) gx[r * cols + c] = probs[r * cols + c]! * scale;
      gx[r * cols + labels[r]!]! -= scale;
    }
    return [new Tensor(gx, logits.shape)];
  });
}

/**
 * scale · Σ loss(pred, target) for the fused pointwise losses (see Kernels.pointwiseLoss): one op
 * for the whole cost, its gradient computed in the same pass. `target` is a tensor of pred's shape
 * or class labels (one-hot over the last axis).
 */
export function pointwiseLoss(kind: PointwiseLoss, pred: Tensor, target: Tensor | Int32Array, scale: number): Tensor {
  const cols = pred.shape[pred.rank - 1] ?? 1;
  const rows = pred.rank === 0 ? 1 : pred.size / cols;
  let targetData: FloatArray | null = null;
  let labels: Int32Array | null = null;
  if (target instanceof Int32Array) {
    checkLabels(target, rows, cols, kind === "squared" ? "quadratic cost" : "cross-entropy");
    labels = target;
  } else {
    if (!sameShape(target.shape, pred.shape)) {
      throw new ShapeError(`${kind === "squared" ? "squared-error cost" : "cross-entropy"}: target ${fmt(target.shape)} does not match prediction ${fmt(pred.shape)}`);
    }
    targetData = target.dtype === pred.dtype ? target.data : pred.dtype === "float64" ? Float64Array.from(target.data) : Float32Array.from(target.data);
  }
  const grad = allocate(pred.dtype, pred.size);
  const total = kernelsFor(pred.data).pointwiseLoss(kind, pred.data, targetData, labels, rows, cols, grad);
  const out = allocate(pred.dtype, 1);
  out[0] = total * scale;
  return fromOp(kind === "squared" ? "squaredError" : "bceWithLogits", out, [], [pred], (g) => {
    const gx = allocate(pred.dtype, pred.size);
    const k = g.data[0]! * scale;
    for (let i = 0; i < gx.length; i++) gx[i] = grad[i]! * k;
    return [new Tensor(gx, pred.shape)];
  });
}
