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

/** Regression scores: mean over examples and targets, and R² averaged over targets. */
export interface RegressionScores {
  mse: number;
  /** Each target's √MSE, averaged over targets. */
  rmse: number;
  mae: number;
  /**
   * 1 − SS_res/SS_tot per target (about that target's own mean), averaged over targets; for a
   * constant target 1 if exact, else 0 (scikit-learn's convention, as regressionMetrics).
   */
  r2: number;
  /** Examples scored. */
  total: number;
}

/**
 * Streams predictions [N, k] against targets [N, k] in float64 sums (squared and absolute errors,
 * and each target's Σy and Σy² for R²), so an evaluation never holds all predictions at once.
 */
export class RegressionMeter {
  private sse: Float64Array;
  private sae = 0;
  private sy: Float64Array;
  private syy: Float64Array;
  private n = 0;

  constructor(readonly targets: number) {
    this.sse = new Float64Array(targets);
    this.sy = new Float64Array(targets);
    this.syy = new Float64Array(targets);
  }

  add(pred: ArrayLike<number>, target: ArrayLike<number>, rows: number): void {
    const k = this.targets;
    if (pred.length !== rows * k || target.length !== rows * k) {
      throw new RangeError(`RegressionMeter: ${pred.length} predictions and ${target.length} targets for ${rows} rows of ${k}`);
    }
    for (let i = 0; i < rows * k; i++) {
      const t = i % k;
      const y = target[i]!;
      const e = pred[i]! - y;
      this.sse[t]! += e * e;
      this.sae += Math.abs(e);
      this.sy[t]! += y;
      this.syy[t]! += y * y;
    }
    this.n += rows;
  }

  result(): RegressionScores {
    const { n, targets: k } = this;
    if (n === 0) return { mse: NaN, rmse: NaN, mae: NaN, r2: NaN, total: 0 };
    let sse = 0;
    let r2 = 0;
    let rmse = 0; // the mean of each target's RMSE, as scikit-learn averages several outputs
    for (let t = 0; t < k; t++) {
      sse += this.sse[t]!;
      rmse += Math.sqrt(this.sse[t]! / n);
      const ssTot = this.syy[t]! - (this.sy[t]! * this.sy[t]!) / n;
      r2 += ssTot > 0 ? 1 - this.sse[t]! / ssTot : this.sse[t] === 0 ? 1 : 0;
    }
    const mse = sse / (n * k);
    return { mse, rmse: rmse / k, mae: this.sae / (n * k), r2: r2 / k, total: n };
  }
}
