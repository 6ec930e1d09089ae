/** The one loss that needs its own kernel: softmax + cross-entropy fused (forward and gradient). */
import { allocate, fromOp, Tensor } from "../tensor.js";
import { kernelsFor } from "../kernels/index.js";
import { fmt } from "../shape.js";
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
