/** Classification metrics over predicted scores [N, C] and labels. */

/** Index of the largest score in each row of a row-major [rows, cols] array. */
export function argmaxRows(scores: ArrayLike<number>, rows: number, cols: number): Int32Array {
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = -Infinity;
    let at = 0;
    for (let c = 0; c < cols; c++) {
      const v = scores[r * cols + c]!;
      if (v > best) {
        best = v;
        at = c;
      }
    }
    out[r] = at;
  }
  return out;
}

/** Number of rows whose argmax equals the label. */
export function countCorrect(scores: ArrayLike<number>, labels: Int32Array, cols: number): number {
  const pred = argmaxRows(scores, labels.length, cols);
  let n = 0;
  for (let i = 0; i < labels.length; i++) if (pred[i] === labels[i]) n++;
  return n;
}

/** Confusion matrix: counts[actual · classes + predicted]. */
export class ConfusionMatrix {
  readonly counts: Int32Array;
  constructor(readonly classes: number) {
    this.counts = new Int32Array(classes * classes);
  }
  add(scores: ArrayLike<number>, labels: Int32Array): void {
    const pred = argmaxRows(scores, labels.length, this.classes);
    for (let i = 0; i < labels.length; i++) this.counts[labels[i]! * this.classes + pred[i]!]!++;
  }
  get total(): number {
    return this.counts.reduce((a, b) => a + b, 0);
  }
  get correct(): number {
    let n = 0;
    for (let c = 0; c < this.classes; c++) n += this.counts[c * this.classes + c]!;
    return n;
  }
  /** Rows: actual class; columns: predicted. */
  toRows(): number[][] {
    return Array.from({ length: this.classes }, (_, r) => Array.from(this.counts.subarray(r * this.classes, (r + 1) * this.classes)));
  }
}
