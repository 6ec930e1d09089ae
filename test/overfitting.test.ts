/**
 * The overfitting view's measures (analysis/overfitting.ts). Oracles: histograms counted by hand;
 * the training set scored by a plain loop over the model's outputs.
 */
import { describe, expect, test } from "vitest";
import { modelWeightHistogram, trainingScoreCallback, weightHistogram, type TrainingScore } from "../src/analysis/overfitting.js";
import { mlp } from "../src/nn/mlp.js";
import { Rng } from "../src/rng.js";
import { Tensor } from "../src/tensor.js";
import { noGrad } from "../src/autograd.js";
import { TensorDataset } from "../src/data/dataset.js";
import { buildExperiment, DEFAULT_CONFIG, type TrainConfig } from "../src/train/config.js";

describe("weightHistogram", () => {
  test("counts by hand: bins, the ends folded into the outer bins, exact and near zeros", () => {
    const h = weightHistogram([{ data: [0, 0, -0.005, 0.02, -1, 0.99, 1, 5, -7] }, { data: new Float32Array([0.5, -0.5]) }], { bins: 4, range: 1, near: 0.01 });
    // Bins [-1,-0.5) [-0.5,0) [0,0.5) [0.5,1): -7, -1 | -0.5, -0.005 | 0, 0, 0.02 | 0.99, 1, 5, 0.5
    expect(h.counts).toEqual([2, 2, 3, 4]);
    expect(h).toMatchObject({ lo: -1, width: 0.5, total: 11, zeros: 2, nearZeros: 3, near: 0.01, maxAbs: 7 });
  });

  test("a model's weights only, not its biases", () => {
    const model = mlp([3, 2, 2], { rng: new Rng(1) });
    const h = modelWeightHistogram(model, { bins: 10, range: 3, near: 0 });
    expect(h.total).toBe(3 * 2 + 2 * 2);
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(10);
  });

  test("refuses meaningless bins", () => {
    expect(() => weightHistogram([], { bins: 0, range: 1, near: 0 })).toThrow(/bins must be a positive integer/);
    expect(() => weightHistogram([], { bins: 2, range: 0, near: 0 })).toThrow(/range > 0/);
  });
});

describe("trainingScoreCallback", () => {
  test("scores the training set after every epoch in eval mode (dropout off), as a plain argmax loop does", () => {
    const rng = new Rng(8);
    const n = 40;
    const x = Float32Array.from({ length: n * 6 }, () => rng.uniform());
    const y = Int32Array.from({ length: n }, (_, i) => (x[i * 6]! > 0.5 ? 1 : 0));
    const train = new TensorDataset(x, [6], y);
    const c: TrainConfig = { ...DEFAULT_CONFIG, layers: [6, 8, 2], cost: "cross-entropy", lr: 1, epochs: 2, batchSize: 5, dropout: 0.5, validation: 0, seed: 4 };
    const ex = buildExperiment(c, { train });
    const scores: TrainingScore[] = [];
    let last = -1;
    const check = { onEpochEnd: () => {
      // After the callback under test has run: the model in eval mode, outputs' argmax against the labels.
      ex.model.eval();
      const out = noGrad(() => ex.model.forward(new Tensor(x, [n, 6])));
      ex.model.train();
      let right = 0;
      for (let i = 0; i < n; i++) if ((out.data[i * 2 + 1]! > out.data[i * 2]! ? 1 : 0) === y[i]) right++;
      last = right / n;
    } };
    ex.trainer.fit(ex.loader, { ...ex.fitOptions, callbacks: [trainingScoreCallback(ex.trainer, train, scores), check] });
    expect(scores.map((s) => s.epoch)).toEqual([1, 2]);
    expect(scores[1]!.accuracy).toBe(last);
    expect(scores.every((s) => Number.isFinite(s.loss) && s.loss > 0)).toBe(true);
  });
});
