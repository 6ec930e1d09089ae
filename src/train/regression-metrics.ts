/**
 * Regression metrics over predictions and true values, row-major [n, targets], accumulated in
 * float64 whatever the input type. Definitions follow scikit-learn's (mean_squared_error,
 * root_mean_squared_error, mean_absolute_error, r2_score with multioutput="uniform_average"):
 * each metric per target, and their plain mean over targets.
 */
import { ShapeError } from "../errors.js";

export interface TargetMetrics {
  /** Mean squared error. */
  mse: number;
  /** √MSE, in the target's units. */
  rmse: number;
  /** Mean absolute error. */
  mae: number;
  /**
   * Coefficient of determination 1 − SS_res/SS_tot, SS_tot taken about the true values' mean:
   * 1 is perfect, 0 is what predicting that mean scores, below 0 is worse. For constant true values
   * (SS_tot = 0) it is 1 if the predictions are exact and 0 otherwise (scikit-learn's force_finite).
   */
  r2: number;
}

export interface RegressionMetrics extends TargetMetrics {
  /** One entry per target; the fields above are their means. */
  perTarget: TargetMetrics[];
  n: number;
}

export interface ResidualSummary {
  /** Residuals are true − predicted (positive: the model guessed too low). */
  mean: number;
  /** Population standard deviation. */
  std: number;
  maxAbs: number;
  /** 5 %, 50 % and 95 % quantiles, interpolated linearly between order statistics (numpy's default method). */
  q05: number;
  q50: number;
  q95: number;
}

function checkShapes(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, targets: number, what: string): number {
  if (!Number.isSafeInteger(targets) || targets < 1) throw new ShapeError(`${what}: targets must be a positive integer, got ${targets}`);
  if (yTrue.length !== yPred.length) throw new ShapeError(`${what}: ${yPred.length} predictions for ${yTrue.length} true values`);
  if (yTrue.length % targets !== 0) throw new ShapeError(`${what}: ${yTrue.length} values do not make rows of ${targets} targets`);
  const n = yTrue.length / targets;
  if (n === 0) throw new ShapeError(`${what}: no rows`);
  return n;
}

/** MSE, RMSE, MAE and R² per target and averaged. yTrue, yPred: [n, targets]. */
export function regressionMetrics(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, targets = 1): RegressionMetrics {
  const n = checkShapes(yTrue, yPred, targets, "regressionMetrics");
  const perTarget: TargetMetrics[] = [];
  for (let t = 0; t < targets; t++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += yTrue[i * targets + t]!;
    mean /= n;
    let ss = 0;
    let sa = 0;
    let st = 0;
    for (let i = 0; i < n; i++) {
      const y = yTrue[i * targets + t]!;
      const d = y - yPred[i * targets + t]!;
      ss += d * d;
      sa += Math.abs(d);
      st += (y - mean) ** 2;
    }
    const r2 = st > 0 ? 1 - ss / st : ss === 0 ? 1 : 0;
    perTarget.push({ mse: ss / n, rmse: Math.sqrt(ss / n), mae: sa / n, r2 });
  }
  const avg = (k: keyof TargetMetrics) => perTarget.reduce((s, m) => s + m[k], 0) / targets;
  return { mse: avg("mse"), rmse: avg("rmse"), mae: avg("mae"), r2: avg("r2"), perTarget, n };
}

/** Summary of the residuals true − predicted, one per target. */
export function residualSummary(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, targets = 1): ResidualSummary[] {
  const n = checkShapes(yTrue, yPred, targets, "residualSummary");
  const out: ResidualSummary[] = [];
  for (let t = 0; t < targets; t++) {
    const r = new Float64Array(n);
    for (let i = 0; i < n; i++) r[i] = yTrue[i * targets + t]! - yPred[i * targets + t]!;
    let mean = 0;
    for (const v of r) mean += v;
    mean /= n;
    let ss = 0;
    let maxAbs = 0;
    for (const v of r) {
      ss += (v - mean) ** 2;
      maxAbs = Math.max(maxAbs, Math.abs(v));
    }
    r.sort();
    out.push({ mean, std: Math.sqrt(ss / n), maxAbs, q05: quantile(r, 0.05), q50: quantile(r, 0.5), q95: quantile(r, 0.95) });
  }
  return out;
}

/** The q-quantile of sorted values: numpy's "linear" method, position q·(n−1) between order statistics. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const frac = pos - lo;
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * frac;
}
