/**
 * The two baselines a regression model is printed beside, computed by descent itself in float64:
 * predicting the training mean, and least-squares linear regression in closed form.
 *
 * leastSquares: the intercept is handled by centring (as scikit-learn's LinearRegression does):
 * with column means x̄, ȳ the weights solve min ‖(X − x̄)w − (y − ȳ)‖ and the bias is ȳ − x̄·w.
 * The centred problem is solved by Householder QR (X − x̄ = QR; no normal equations, so the
 * condition number is not squared), then a one-sided Jacobi SVD of the small triangular R
 * (Hestenes 1958; the "R-SVD" of Chan 1982): singular values below eps · max(n, F) · σ_max (numpy
 * lstsq's default cut-off) are dropped, which gives the minimum-norm solution when the features are
 * collinear — a full set of one-hot columns always is, with an intercept — instead of a blow-up.
 * For full-rank X it equals numpy's lstsq([1, X], y).
 */
import { ShapeError } from "../errors.js";
import { regressionMetrics, type RegressionMetrics } from "./regression-metrics.js";

/** y ≈ x · weightᵀ + bias, in PyTorch Linear's layout. */
export interface LinearModel {
  /** [targets, features], row-major. */
  weight: Float64Array;
  /** [targets]. */
  bias: Float64Array;
  features: number;
  targets: number;
  /** Singular values of the centred features kept (above the cut-off). */
  rank: number;
  /** Singular values of the centred feature matrix, largest first. */
  singularValues: Float64Array;
}

/** Per-target means of y [n, targets]: the mean baseline's prediction for every row. */
export function meanBaseline(yTrain: ArrayLike<number>, targets = 1): Float64Array {
  const n = rowsOf(yTrain.length, targets, "meanBaseline: y");
  const mean = new Float64Array(targets);
  for (let i = 0; i < n; i++) for (let t = 0; t < targets; t++) mean[t]! += yTrain[i * targets + t]!;
  for (let t = 0; t < targets; t++) mean[t]! /= n;
  return mean;
}

/** The same prediction `value` [targets] for n rows: [n, targets]. */
export function predictConstant(value: ArrayLike<number>, n: number): Float64Array {
  const t = value.length;
  const out = new Float64Array(n * t);
  for (let i = 0; i < n; i++) for (let j = 0; j < t; j++) out[i * t + j] = value[j]!;
  return out;
}

/** Least squares with an intercept: x [n, features], y [n, targets] → the linear model. */
export function leastSquares(x: ArrayLike<number>, y: ArrayLike<number>, features: number, targets = 1): LinearModel {
  const n = rowsOf(x.length, features, "leastSquares: x");
  if (rowsOf(y.length, targets, "leastSquares: y") !== n) throw new ShapeError(`leastSquares: x has ${n} rows, y has ${y.length / targets}`);
  const f = features;
  // Centred copies, column-major (each column contiguous: Householder works column by column).
  const xm = columnMeans(x, n, f);
  const ym = columnMeans(y, n, targets);
  const a = new Float64Array(n * f);
  for (let i = 0; i < n; i++) for (let j = 0; j < f; j++) a[j * n + i] = x[i * f + j]! - xm[j]!;
  const b = new Float64Array(n * targets);
  for (let i = 0; i < n; i++) for (let t = 0; t < targets; t++) b[t * n + i] = y[i * targets + t]! - ym[t]!;

  const m = Math.min(n, f);
  householderQr(a, b, n, f, targets, m);
  // R: the upper m × f block of a (column-major, stride n); c: the first m rows of Qᵀb.
  const { sigma, u, v } = jacobiSvd(a, n, m, f);
  const sigmaMax = sigma.reduce((s, x) => Math.max(s, x), 0);
  const cutoff = Number.EPSILON * Math.max(n, f) * sigmaMax;
  const weight = new Float64Array(targets * f);
  let rank = 0;
  for (let k = 0; k < f; k++) {
    if (!(sigma[k]! > cutoff)) continue;
    rank++;
    for (let t = 0; t < targets; t++) {
      let uc = 0; // u_kᵀ c_t
      for (let i = 0; i < m; i++) uc += u[k * m + i]! * b[t * n + i]!;
      const s = uc / sigma[k]!;
      for (let j = 0; j < f; j++) weight[t * f + j]! += v[k * f + j]! * s;
    }
  }
  const bias = new Float64Array(targets);
  for (let t = 0; t < targets; t++) {
    let dot = 0;
    for (let j = 0; j < f; j++) dot += xm[j]! * weight[t * f + j]!;
    bias[t] = ym[t]! - dot;
  }
  const singularValues = Float64Array.from(sigma).sort().reverse();
  return { weight, bias, features: f, targets, rank, singularValues };
}

/** x [n, features] → predictions [n, targets] in float64. */
export function predictLinear(model: LinearModel, x: ArrayLike<number>): Float64Array {
  const { features: f, targets } = model;
  const n = rowsOf(x.length, f, "predictLinear: x");
  const out = new Float64Array(n * targets);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < targets; t++) {
      let s = model.bias[t]!;
      for (let j = 0; j < f; j++) s += x[i * f + j]! * model.weight[t * f + j]!;
      out[i * targets + t] = s;
    }
  }
  return out;
}

function rowsOf(length: number, cols: number, what: string): number {
  if (!Number.isSafeInteger(cols) || cols < 1) throw new ShapeError(`${what}: the number of columns must be a positive integer, got ${cols}`);
  if (length % cols !== 0 || length === 0) throw new ShapeError(`${what}: ${length} values do not make rows of ${cols}`);
  return length / cols;
}

function columnMeans(x: ArrayLike<number>, n: number, f: number): Float64Array {
  const mean = new Float64Array(f);
  for (let i = 0; i < n; i++) for (let j = 0; j < f; j++) mean[j]! += x[i * f + j]!;
  for (let j = 0; j < f; j++) mean[j]! /= n;
  return mean;
}

/**
 * In place: a (n × f, column-major) becomes R in its upper triangle, and b (n × targets,
 * column-major) becomes Qᵀb, by m Householder reflections (Golub & Van Loan, Algorithm 5.2.1).
 */
function householderQr(a: Float64Array, b: Float64Array, n: number, f: number, targets: number, m: number): void {
  const w = new Float64Array(n);
  for (let k = 0; k < m; k++) {
    const col = k * n;
    let norm = 0;
    for (let i = k; i < n; i++) norm = Math.hypot(norm, a[col + i]!);
    if (norm === 0) continue; // a zero column: nothing to eliminate
    const alpha = a[col + k]! > 0 ? -norm : norm; // the sign that avoids cancellation
    // w = column − alpha·e_k, reflection H = I − 2wwᵀ/(wᵀw)
    for (let i = k; i < n; i++) w[i] = a[col + i]!;
    w[k]! -= alpha;
    let ww = 0;
    for (let i = k; i < n; i++) ww += w[i]! * w[i]!;
    if (ww === 0) continue;
    const reflect = (data: Float64Array, start: number) => {
      let d = 0;
      for (let i = k; i < n; i++) d += w[i]! * data[start + i]!;
      const s = (2 * d) / ww;
      for (let i = k; i < n; i++) data[start + i]! -= s * w[i]!;
    };
    a[col + k] = alpha;
    for (let i = k + 1; i < n; i++) a[col + i] = 0;
    for (let j = k + 1; j < f; j++) reflect(a, j * n);
    for (let t = 0; t < targets; t++) reflect(b, t * n);
  }
}

/**
 * One-sided Jacobi SVD of the m × f matrix R held in the top m rows of `a` (column-major, stride n):
 * rotates pairs of columns until all are orthogonal, so R·V = U·Σ. Returns σ (one per column, not
 * sorted), U's columns (k·m + i) and V's columns (k·f + j).
 */
function jacobiSvd(a: Float64Array, n: number, m: number, f: number): { sigma: Float64Array; u: Float64Array; v: Float64Array } {
  const w = new Float64Array(f * m); // columns of R (then of U·Σ)
  for (let j = 0; j < f; j++) for (let i = 0; i < Math.min(m, j + 1); i++) w[j * m + i] = a[j * n + i]!;
  const v = new Float64Array(f * f);
  for (let j = 0; j < f; j++) v[j * f + j] = 1;
  const dot = (data: Float64Array, stride: number, p: number, q: number) => {
    let s = 0;
    for (let i = 0; i < stride; i++) s += data[p * stride + i]! * data[q * stride + i]!;
    return s;
  };
  const rotate = (data: Float64Array, stride: number, p: number, q: number, c: number, s: number) => {
    for (let i = 0; i < stride; i++) {
      const x = data[p * stride + i]!;
      const y = data[q * stride + i]!;
      data[p * stride + i] = c * x - s * y;
      data[q * stride + i] = s * x + c * y;
    }
  };
  for (let sweep = 0; sweep < 60; sweep++) {
    let rotated = false;
    for (let p = 0; p < f - 1; p++) {
      for (let q = p + 1; q < f; q++) {
        const alpha = dot(w, m, p, p);
        const beta = dot(w, m, q, q);
        const gamma = dot(w, m, p, q);
        if (gamma === 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        // The rotation that zeroes the (p, q) entry of WᵀW (Golub & Van Loan, §8.5.2).
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        rotate(w, m, p, q, c, s);
        rotate(v, f, p, q, c, s);
      }
    }
    if (!rotated) break;
  }
  const sigma = new Float64Array(f);
  const u = new Float64Array(f * m);
  for (let k = 0; k < f; k++) {
    sigma[k] = Math.sqrt(dot(w, m, k, k));
    if (sigma[k]! > 0) for (let i = 0; i < m; i++) u[k * m + i] = w[k * m + i]! / sigma[k]!;
  }
  return { sigma, u, v };
}

/** The two baselines a network must beat, fitted on `train` and scored on `test`: the training mean and least squares. */
export function scoreBaselines(
  train: { features: Float32Array; targets: ArrayLike<number>; featureSize: number; targetWidth: number },
  test: { features: Float32Array; targets: ArrayLike<number>; length: number },
): { mean: RegressionMetrics; leastSquares: RegressionMetrics } {
  const k = train.targetWidth;
  return {
    mean: regressionMetrics(test.targets, predictConstant(meanBaseline(train.targets, k), test.length), k),
    leastSquares: regressionMetrics(test.targets, predictLinear(leastSquares(train.features, train.targets, train.featureSize, k), test.features), k),
  };
}
