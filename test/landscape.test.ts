/**
 * The cost landscape (Li et al. 2018). Oracles: filter normalisation against a small case worked
 * by hand; the loss at grid point (0, 0) against evaluate's loss on the same examples (and the
 * weights put back bit for bit); a grid point against evaluate on weights set by hand; the rebuilt
 * θ₀ against the run's own initial weights, bit for bit.
 */
import { describe, expect, test } from "vitest";
import { filterNormalize, interpolationLine, landscapeDirections, lossLandscape, rebuildInit } from "../src/analysis/landscape.js";
import { TensorDataset } from "../src/data/dataset.js";
import { buildExperiment, DEFAULT_CONFIG, type TrainConfig } from "../src/train/config.js";
import { objectiveFor } from "../src/train/objective.js";
import { evaluate } from "../src/train/evaluate.js";
import { Rng } from "../src/rng.js";

/** 90 examples of 6 features in 3 classes that a 6-5-3 net can partly learn (class = sign pattern of two features). */
function toyData(n = 90, seed = 3): TensorDataset {
  const rng = new Rng(seed);
  const x = new Float32Array(n * 6);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 6; k++) x[i * 6 + k] = rng.normal();
    y[i] = x[i * 6]! > 0.5 ? 2 : x[i * 6 + 1]! > 0 ? 1 : 0;
  }
  return new TensorDataset(x, [6], y);
}

const CONFIG: TrainConfig = {
  ...DEFAULT_CONFIG, layers: [6, 5, 3], activation: "tanh", output: "softmax", cost: "log-likelihood",
  optimizer: "adam", lr: 0.05, batchSize: 10, epochs: 3, validation: 0, seed: 7,
};

function trained() {
  const data = { train: toyData(), test: toyData(60, 4) };
  const ex = buildExperiment(CONFIG, data);
  const init = ex.model.parameters().map((p) => Float32Array.from(p.data));
  ex.trainer.fit(ex.loader, ex.fitOptions);
  return { ex, data, init, objective: objectiveFor(CONFIG.cost, CONFIG.output) };
}

describe("filter normalisation", () => {
  test("each output row of a Linear weight is scaled to the weight row's norm (worked by hand); a bias gets 0", () => {
    // w rows (3, 4) and (0, 1): norms 5 and 1. d rows (1, 0) and (2, 2): norms 1 and 2√2.
    const d = filterNormalize(Float64Array.from([1, 0, 2, 2]), [3, 4, 0, 1], [2, 2]);
    const r = Math.SQRT1_2;
    [5, 0, r, r].forEach((v, i) => expect(d[i]).toBeCloseTo(v, 14));
    expect(Array.from(filterNormalize(Float64Array.from([1, -2]), [3, 4], [2]))).toEqual([0, 0]);
  });

  test("a convolution's filter is an output channel: [2, 1, 1, 2] normalises as the rows above", () => {
    const d = filterNormalize(Float64Array.from([1, 0, 2, 2]), [3, 4, 0, 1], [2, 1, 1, 2]);
    const r = Math.SQRT1_2;
    [5, 0, r, r].forEach((v, i) => expect(d[i]).toBeCloseTo(v, 14));
  });

  test("a zero direction row stays zero; a zero weight row makes its direction row zero", () => {
    expect(Array.from(filterNormalize(Float64Array.from([0, 0, 1, 1]), [3, 4, 0, 0], [2, 2]))).toEqual([0, 0, 0, 0]);
  });

  test("random directions: every filter has its weight filter's norm, biases are 0, the same seed gives the same directions", () => {
    const { ex } = trained();
    const params = ex.model.parameters();
    const [dx, dy] = landscapeDirections(ex.model, 11);
    for (const dir of [dx, dy]) {
      params.forEach((p, k) => {
        if (p.rank < 2) return expect(dir[k]!.every((v) => v === 0)).toBe(true);
        const cols = p.shape[1]!;
        for (let r = 0; r < p.shape[0]!; r++) {
          let wn = 0;
          let dn = 0;
          for (let c = 0; c < cols; c++) {
            wn += p.data[r * cols + c]! ** 2;
            dn += dir[k]![r * cols + c]! ** 2;
          }
          expect(Math.sqrt(dn)).toBeCloseTo(Math.sqrt(wn), 10);
        }
      });
    }
    expect(dx.map((a) => Array.from(a))).toEqual(landscapeDirections(ex.model, 11)[0].map((a) => Array.from(a)));
    expect(dx[0]![0]).not.toBe(dy[0]![0]);
  });
});

describe("lossLandscape", () => {
  test("the loss at (0, 0) is evaluate's loss on the same examples; the weights are put back bit for bit", () => {
    const { ex, data, objective } = trained();
    const before = ex.model.parameters().map((p) => Array.from(p.data));
    const ref = evaluate(ex.model, data.test, { loss: objective.loss, lossOnLogits: objective.lossOnLogits });
    const land = lossLandscape(ex.model, data.test, objective, { grid: 5, span: 1, seed: 2 });
    expect(land.xs).toEqual([-1, -0.5, 0, 0.5, 1]);
    expect(land.loss[2 * 5 + 2]).toBe(ref.loss);
    expect(land.accuracy[2 * 5 + 2]).toBe(ref.accuracy);
    expect(ex.model.parameters().map((p) => Array.from(p.data))).toEqual(before);
    // A trained minimum: the centre is lower than every corner.
    for (const c of [0, 4, 20, 24]) expect(land.loss[c]!).toBeGreaterThan(land.loss[12]!);
  });

  test("grid point (α, β) = (0.5, −1) is evaluate's loss with the weights set by hand to θ + 0.5δ − η", () => {
    const { ex, data, objective } = trained();
    const land = lossLandscape(ex.model, data.test, objective, { grid: 5, seed: 2 });
    const [dx, dy] = landscapeDirections(ex.model, 2);
    const params = ex.model.parameters();
    params.forEach((p, k) => {
      for (let i = 0; i < p.size; i++) p.data[i] = p.data[i]! + 0.5 * dx[k]![i]! - dy[k]![i]!;
    });
    const ref = evaluate(ex.model, data.test, { loss: objective.loss, lossOnLogits: objective.lossOnLogits });
    // Row j = 0 is β = −1, column i = 3 is α = 0.5.
    expect(land.loss[0 * 5 + 3]).toBeCloseTo(ref.loss, 6);
  });
});

describe("the line from θ₀ to θ*", () => {
  test("the training record's config rebuilds θ₀ bit for bit (buildExperiment draws it first from the seed)", () => {
    const { ex, data, init } = trained();
    const rebuilt = rebuildInit(ex.model, CONFIG, data);
    expect(rebuilt).not.toBeNull();
    rebuilt!.forEach((w, k) => expect(Array.from(w)).toEqual(Array.from(init[k]!)));
    // Another seed draws other weights; another shape is refused.
    expect(Array.from(rebuildInit(ex.model, { ...CONFIG, seed: 8 }, data)![0]!)).not.toEqual(Array.from(init[0]!));
    expect(rebuildInit(ex.model, { ...CONFIG, layers: [6, 4, 3] }, data)).toBeNull();
  });

  test("t = 0 is evaluate's loss at θ₀, t = 1 at θ*; training went down the line", () => {
    const { ex, data, init, objective } = trained();
    const trainedLoss = evaluate(ex.model, data.test, { loss: objective.loss, lossOnLogits: objective.lossOnLogits }).loss;
    const line = interpolationLine(ex.model, init, data.test, objective, 31);
    const at = (t: number) => line.loss[line.ts.findIndex((v) => Math.abs(v - t) < 1e-12)]!;
    expect(at(1)).toBe(trainedLoss);
    const saved = ex.model.parameters().map((p) => Float32Array.from(p.data));
    ex.model.parameters().forEach((p, k) => p.data.set(init[k]!));
    expect(at(0)).toBe(evaluate(ex.model, data.test, { loss: objective.loss, lossOnLogits: objective.lossOnLogits }).loss);
    ex.model.parameters().forEach((p, k) => p.data.set(saved[k]!));
    expect(at(1)).toBeLessThan(at(0));
  });
});
