/**
 * Regression metrics and the two baselines. Oracles: values worked out by hand in the comments;
 * numpy (tools/make_table_fixtures.py → test/fixtures/table_*.json): the metrics written out in
 * numpy, np.quantile, and np.linalg.lstsq (LAPACK gelsd) on handmade, random, ill-conditioned,
 * rank-deficient and underdetermined problems and on Boston itself.
 */
import { describe, expect, test } from "vitest";
import { applyTablePrep, BOSTON_HOUSING, featureNames, fitTablePrep } from "../src/data/table-prep.js";
import { splitIndices } from "../src/data/split.js";
import { ShapeError } from "../src/errors.js";
import { loadBostonHousing } from "../src/node/csv.js";
import { Rng } from "../src/rng.js";
import { leastSquares, meanBaseline, predictConstant, predictLinear } from "../src/train/baselines.js";
import { quantile, regressionMetrics, residualSummary, type TargetMetrics } from "../src/train/regression-metrics.js";
import { expectClose, expectThrows, fixture } from "./helpers.js";

interface MetricCase { name: string; targets: number; yTrue: number[]; yPred: number[]; perTarget: TargetMetrics[]; residuals: Record<string, number>[] }
interface LstsqCase { name: string; n: number; features: number; targets: number; x: number[]; y: number[]; weight: number[]; bias: number[]; rank: number; pred: number[]; perTarget: TargetMetrics[] }
interface Boston extends Omit<LstsqCase, "x" | "y"> { featureNames: string[]; meanBaseline: TargetMetrics[] }

const F64 = { atol: 1e-12, rtol: 1e-10 };

describe("metrics by hand", () => {
  test("y = 1,2,3,4, ŷ = 2,2,2,6: MSE 6/4, RMSE √1.5, MAE 4/4, R² = 1 − 6/5", () => {
    // residuals −1, 0, 1, −2: SS_res 6, Σ|r| 4; ȳ = 2.5, SS_tot = 2.25+.25+.25+2.25 = 5
    const m = regressionMetrics([1, 2, 3, 4], [2, 2, 2, 6]);
    expect(m.mse).toBe(1.5);
    expect(m.rmse).toBe(Math.sqrt(1.5));
    expect(m.mae).toBe(1);
    expect(m.r2).toBeCloseTo(-0.2, 15);
    expect(m.n).toBe(4);
    expect(m.perTarget).toEqual([{ mse: m.mse, rmse: m.rmse, mae: m.mae, r2: m.r2 }]);
  });

  test("two targets: per target, and the plain mean over targets (scikit-learn's uniform_average)", () => {
    // target 0: y 0,2 ŷ 0,2 → all 0, R² 1; target 1: y 1,3 ŷ 3,3 → MSE 2, RMSE √2, MAE 1, R² 1 − 4/2 = −1
    const m = regressionMetrics([0, 1, 2, 3], [0, 3, 2, 3], 2);
    expect(m.perTarget).toEqual([{ mse: 0, rmse: 0, mae: 0, r2: 1 }, { mse: 2, rmse: Math.SQRT2, mae: 1, r2: -1 }]);
    expect([m.mse, m.rmse, m.mae, m.r2]).toEqual([1, Math.SQRT2 / 2, 0.5, 0]);
    expect(m.n).toBe(2);
  });

  test("constant true values: R² is 1 for exact predictions, 0 otherwise (never NaN or −∞)", () => {
    expect(regressionMetrics([5, 5, 5], [5, 5, 5]).r2).toBe(1);
    expect(regressionMetrics([5, 5, 5], [5, 5, 6]).r2).toBe(0);
    expect(regressionMetrics([7], [8]).r2).toBe(0);
  });

  test("residuals y − ŷ: mean, population std, max |r|, linear quantiles", () => {
    // r = 3, 1, −2, 0, −1, 5 (sorted −2, −1, 0, 1, 3, 5): mean 1; deviations 2, 0, −3, −1, −2, 4
    const [s] = residualSummary([3, 1, -2, 0, -1, 5], [0, 0, 0, 0, 0, 0]);
    expect(s!.mean).toBe(1);
    expect(s!.std).toBeCloseTo(Math.sqrt((4 + 0 + 9 + 1 + 4 + 16) / 6), 14);
    expect(s!.maxAbs).toBe(5);
    // positions q·5: 0.25 → −2 + 0.25·1; 2.5 → (0 + 1)/2; 4.75 → 3 + 0.75·2
    expect([s!.q05, s!.q50, s!.q95]).toEqual([-1.75, 0.5, 4.5]);
    expect(quantile([4], 0.95)).toBe(4);
  });

  test("float32 inputs near 1e4 with small errors: R² exact to 1e-12 (float64 accumulation)", () => {
    const n = 100_000;
    const y = Float32Array.from({ length: n }, (_, i) => 10_000 + (i % 2));
    const p = Float32Array.from(y, (v, i) => v + (i % 4 === 0 ? 0.25 : 0));
    // SS_tot = n · 0.25, SS_res = (n/4) · 0.0625 → R² = 1 − 0.0625/1 = 0.9375
    expect(regressionMetrics(y, p).r2).toBeCloseTo(0.9375, 12);
  });

  test("shapes are checked", () => {
    expectThrows(ShapeError, () => regressionMetrics([1, 2], [1]), "regressionMetrics: 1 predictions for 2 true values");
    expectThrows(ShapeError, () => regressionMetrics([1, 2, 3], [1, 2, 3], 2), "3 values do not make rows of 2 targets");
    expectThrows(ShapeError, () => regressionMetrics([], []), "regressionMetrics: no rows");
  });
});

describe("metrics against numpy", () => {
  for (const c of fixture<{ cases: MetricCase[] }>("table_metrics").cases) {
    test(c.name, () => {
      const m = regressionMetrics(c.yTrue, c.yPred, c.targets);
      c.perTarget.forEach((want, t) => {
        const got = m.perTarget[t]!;
        expectClose([got.mse, got.rmse, got.mae, got.r2], [want.mse, want.rmse, want.mae, want.r2], F64, `target ${t}`);
      });
      const avg = (k: keyof TargetMetrics) => c.perTarget.reduce((s, v) => s + v[k], 0) / c.targets;
      expectClose([m.mse, m.rmse, m.mae, m.r2], [avg("mse"), avg("rmse"), avg("mae"), avg("r2")], F64, "averages");
      residualSummary(c.yTrue, c.yPred, c.targets).forEach((s, t) => {
        const want = c.residuals[t]!;
        expectClose([s.mean, s.std, s.maxAbs, s.q05, s.q50, s.q95], [want.mean!, want.std!, want.maxAbs!, want.q05!, want.q50!, want.q95!], F64, `residuals ${t}`);
      });
    });
  }
});

describe("least squares against numpy's lstsq", () => {
  const { cases, boston } = fixture<{ cases: LstsqCase[]; boston: Boston }>("table_lstsq");

  for (const c of cases) {
    test(c.name, () => {
      const model = leastSquares(c.x, c.y, c.features, c.targets);
      expect(model.rank).toBe(Math.min(c.rank, c.features));
      // Coefficients: numpy's minimum-norm solution. Tolerances relative to the largest coefficient.
      const scale = Math.max(...c.weight.map(Math.abs), ...c.bias.map(Math.abs));
      expectClose(model.weight, c.weight, { atol: 1e-8 * scale, rtol: 1e-7 }, "weight");
      expectClose(model.bias, c.bias, { atol: 1e-8 * scale, rtol: 1e-7 }, "bias");
      expectClose(predictLinear(model, c.x), c.pred, { atol: 1e-9, rtol: 1e-9 }, "predictions");
    });
  }

  test("Boston, 12 default features, target cmedv: coefficients within 1e-6 relative; R² ≈ 0.738 as the literature's ≈ 0.74", async () => {
    const table = await loadBostonHousing();
    const cols = boston.featureNames.map((c) => table.columns.indexOf(c));
    const n = table.rows.length;
    const x = Float64Array.from({ length: n * cols.length }, (_, k) => Number(table.rows[Math.floor(k / cols.length)]![cols[k % cols.length]!]));
    const y = Float64Array.from(table.rows, (r) => Number(r[table.columns.indexOf("cmedv")]));
    const model = leastSquares(x, y, cols.length);
    expect(model.rank).toBe(12);
    expectClose(model.weight, boston.weight, { atol: 0, rtol: 1e-6 }, "weight");
    expectClose(model.bias, boston.bias, { atol: 0, rtol: 1e-6 }, "bias");
    const m = regressionMetrics(y, predictLinear(model, x));
    expectClose([m.r2, m.mae, m.rmse], [boston.perTarget[0]!.r2, boston.perTarget[0]!.mae, boston.perTarget[0]!.rmse], F64);
    expect(m.r2).toBeCloseTo(0.7382, 4);
    expect(m.mae).toBeCloseTo(3.3227, 4);
    // The mean baseline on the same rows: R² exactly 0, MAE as numpy says.
    const mean = regressionMetrics(y, predictConstant(meanBaseline(y), n));
    expect(mean.r2).toBeCloseTo(0, 12);
    expectClose([mean.mae, mean.mse], [boston.meanBaseline[0]!.mae, boston.meanBaseline[0]!.mse], F64);
  });

  test("the same fit on descent's standardised float32 features predicts the same (least squares is affine-invariant)", async () => {
    const table = await loadBostonHousing();
    const prep = fitTablePrep(table, BOSTON_HOUSING);
    expect(featureNames(prep)).toEqual(boston.featureNames);
    const d = applyTablePrep(table, prep);
    const model = leastSquares(d.x, d.y!, 12);
    // float32 features carry ~1e-7 relative error: predictions agree to ~1e-5 of their size (≈ 20).
    expectClose(predictLinear(model, d.x), boston.pred, { atol: 1e-4, rtol: 1e-5 }, "predictions");
  });

  test("seeded 70/15/15 split (seed 1, stream \"split\"): the linear baseline beats the mean baseline on the test rows", async () => {
    const table = await loadBostonHousing();
    const s = splitIndices(table.rows.length, [0.7, 0.15, 0.15], new Rng(1).fork("split"));
    const prep = fitTablePrep(table, { ...BOSTON_HOUSING, rows: s.train });
    const train = applyTablePrep(table, prep, { rows: s.train });
    const testRows = applyTablePrep(table, prep, { rows: s.test });
    const linear = regressionMetrics(testRows.y!, predictLinear(leastSquares(train.x, train.y!, 12), testRows.x));
    const mean = regressionMetrics(testRows.y!, predictConstant(meanBaseline(train.y!), testRows.n));
    expect(linear.r2).toBeGreaterThan(0.5); // 0.583 on these 76 rows (0.738 on all 506: small test sets vary)
    expect(linear.mae).toBeLessThan(mean.mae);
    expect(Math.abs(mean.r2)).toBeLessThan(0.1); // the training mean is about the test mean
  });

  test("two targets are fitted independently: each equals its single-target fit", () => {
    const c = cases.find((k) => k.targets === 2)!;
    const both = leastSquares(c.x, c.y, c.features, 2);
    for (let t = 0; t < 2; t++) {
      const one = leastSquares(c.x, c.y.filter((_, i) => i % 2 === t), c.features, 1);
      expectClose(both.weight.subarray(t * c.features, (t + 1) * c.features), one.weight, F64);
      expectClose([both.bias[t]!], one.bias, F64);
    }
  });

  test("shapes are checked", () => {
    expectThrows(ShapeError, () => leastSquares([1, 2, 3], [1, 2], 2), "leastSquares: x: 3 values do not make rows of 2");
    expectThrows(ShapeError, () => leastSquares([1, 2, 3, 4], [1, 2, 3], 2), "leastSquares: x has 2 rows, y has 3");
    expectThrows(ShapeError, () => predictLinear(leastSquares([1, 2, 3, 4], [1, 2], 2), [1, 2, 3]), "predictLinear: x: 3 values do not make rows of 2");
  });
});
