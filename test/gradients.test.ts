/**
 * Speeds of learning (analysis/gradients.ts). Oracles: the book's four backprop equations written
 * out by hand in float64, and central finite differences of the cost; and measuring must leave
 * training bit-identical.
 */
import { describe, expect, test } from "vitest";
import { mlp } from "../src/nn/mlp.js";
import { Rng } from "../src/rng.js";
import { Tensor } from "../src/tensor.js";
import { buildExperiment, DEFAULT_CONFIG, type TrainConfig } from "../src/train/config.js";
import { forwardScored, objectiveFor } from "../src/train/objective.js";
import { layerSpeeds, weightedLayers } from "../src/analysis/gradients.js";
import { speedRun, startSpeedRun, toggledConfig, variantConfig, firstLastRatio, VARIANTS } from "../src/analysis/gradient-experiment.js";
import { TensorDataset } from "../src/data/dataset.js";
import { noGrad } from "../src/autograd.js";

const sig = (z: number) => 1 / (1 + Math.exp(-z));

/** A probe of n examples with `inputs` features in [0, 1) and labels < classes. */
function probe(n: number, inputs: number, classes: number, seed = 7) {
  const rng = new Rng(seed);
  const x = Float32Array.from({ length: n * inputs }, () => rng.uniform());
  const y = Int32Array.from({ length: n }, (_, i) => i % classes);
  return { x: new Tensor(x, [n, inputs]), y };
}

describe("layerSpeeds", () => {
  test("equal the four backprop equations (BP1–BP4) computed by hand in float64", () => {
    const sizes = [5, 4, 3, 2];
    const model = mlp(sizes, { activation: "sigmoid", output: "sigmoid", init: "normal", rng: new Rng(3) });
    const p = probe(6, 5, 2);
    const got = layerSpeeds(model, objectiveFor("cross-entropy", "sigmoid"), p);
    const layers = weightedLayers(model);
    const W = layers.map((l) => Array.from(l.weight.data));
    const B = layers.map((l) => Array.from(l.bias!.data));
    const n = 6;
    const gb = sizes.slice(1).map((k) => new Float64Array(k));
    const gw = sizes.slice(1).map((k, l) => new Float64Array(k * sizes[l]!));
    for (let e = 0; e < n; e++) {
      const as: number[][] = [Array.from(p.x.data.subarray(e * 5, e * 5 + 5))];
      for (let l = 0; l < W.length; l++) {
        const [out, inp] = [sizes[l + 1]!, sizes[l]!];
        as.push(Array.from({ length: out }, (_, j) => sig(B[l]![j]! + as[l]!.reduce((s, a, k) => s + W[l]![j * inp + k]! * a, 0))));
      }
      // BP1 for the cross-entropy cost with sigmoid outputs: δᴸ = aᴸ − y (one-hot y).
      let delta = as[W.length]!.map((a, j) => a - (j === p.y[e] ? 1 : 0));
      for (let l = W.length - 1; l >= 0; l--) {
        const inp = sizes[l]!;
        delta.forEach((d, j) => {
          gb[l]![j]! += d / n; // BP3
          for (let k = 0; k < inp; k++) gw[l]![j * inp + k]! += (d * as[l]![k]!) / n; // BP4
        });
        // BP2: δˡ = (Wˡ⁺¹ᵀ δˡ⁺¹) ⊙ σ'(zˡ), σ' = a(1 − a).
        if (l > 0) delta = as[l]!.map((a, k) => delta.reduce((s, d, j) => s + W[l]![j * inp + k]! * d, 0) * a * (1 - a));
      }
    }
    const norm = (v: Float64Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    got.forEach((g, l) => {
      expect(g.bias).toBeCloseTo(norm(gb[l]!), 5);
      expect(g.weight).toBeCloseTo(norm(gw[l]!), 5);
      expect(Math.abs(g.bias - norm(gb[l]!)) / norm(gb[l]!)).toBeLessThan(1e-4);
    });
  });

  test("equal central finite differences of the cost, bias by bias", () => {
    const model = mlp([6, 5, 5, 3], { activation: "sigmoid", output: "sigmoid", rng: new Rng(11) });
    const objective = objectiveFor("cross-entropy", "sigmoid");
    const p = probe(8, 6, 3);
    const got = layerSpeeds(model, objective, p);
    const cost = () => noGrad(() => objective.loss(forwardScored(model, p.x, objective.lossOnLogits).scored, p.y).item());
    const h = 1e-2;
    weightedLayers(model).forEach(({ bias }, l) => {
      let sq = 0;
      for (let j = 0; j < bias!.size; j++) {
        const b0 = bias!.data[j]!;
        bias!.data[j] = b0 + h;
        const up = cost();
        bias!.data[j] = b0 - h;
        const down = cost();
        bias!.data[j] = b0;
        sq += ((up - down) / (2 * h)) ** 2;
      }
      const fd = Math.sqrt(sq);
      expect(Math.abs(got[l]!.bias - fd) / fd, `layer ${l}: autograd ${got[l]!.bias}, differences ${fd}`).toBeLessThan(3e-3);
    });
  });

  test("measuring during training changes nothing: same weights with and without it; batch-norm statistics kept", () => {
    const rng = new Rng(5);
    const n = 200;
    const x = Float32Array.from({ length: n * 12 }, () => rng.uniform());
    const y = Int32Array.from({ length: n }, (_, i) => (x[i * 12]! > 0.5 ? 1 : 0));
    const data = { train: new TensorDataset(x, [12], y), test: new TensorDataset(x.slice(0, 480), [12], y.slice(0, 40)) };
    const base: TrainConfig = { ...DEFAULT_CONFIG, layers: [12, 8, 8, 2], cost: "cross-entropy", lr: 0.5, epochs: 2, batchSize: 10, validation: 0, seed: 9 };
    for (const variant of ["batchnorm", "residual", "clipped"] as const) {
      const c = variantConfig(base, variant);
      const run = speedRun(c, variant, data, { probe: 50 });
      expect(run.speeds.map((s) => s.epoch)).toEqual([0, 1, 2]);
      const plain = buildExperiment(c, data, { fuseUpdates: false });
      plain.trainer.fit(plain.loader, plain.fitOptions);
      // Retrain with measurement and compare every tensor (weights and running statistics).
      const measured = buildExperiment(c, data, { fuseUpdates: false });
      const objective = objectiveFor(c.cost, c.output);
      const pr = measured.data.train.range(0, 50);
      measured.trainer.fit(measured.loader, { ...measured.fitOptions, callbacks: [{ onEpochEnd: () => void layerSpeeds(measured.model, objective, pr) }] });
      const a = Object.values(plain.model.stateDict()).map((t) => Array.from(t.data));
      const b = Object.values(measured.model.stateDict()).map((t) => Array.from(t.data));
      expect(b, variant).toEqual(a);
    }
  });

  test("the book's ratio reads hidden layers only", () => {
    expect(firstLastRatio({ epoch: 0, bias: [0.012, 0.06, 0.283, 1.2], weight: [] })).toBeCloseTo(0.012 / 0.283, 12);
    expect(firstLastRatio({ epoch: 0, bias: [0.07, 1.2], weight: [] })).toBeUndefined();
  });
});

describe("toggledConfig and startSpeedRun (the explorer's vanishing-gradient view)", () => {
  const base: TrainConfig = { ...DEFAULT_CONFIG, layers: [784, 30, 30, 30, 10], cost: "cross-entropy", lr: 0.1, seed: 3 };

  test("each variant is the change its help text names (configs written out by hand)", () => {
    const expected: Record<(typeof VARIANTS)[number], TrainConfig> = {
      base,
      relu: { ...base, activation: "relu" },
      xavier: { ...base, init: "xavier-normal" },
      he: { ...base, activation: "relu", init: "he-normal" },
      batchnorm: { ...base, arch: "fc30,bn,sigmoid,fc30,bn,sigmoid,fc30,bn,sigmoid,fc10,sigmoid" },
      residual: { ...base, arch: "fc30,sigmoid,res(fc30;sigmoid),res(fc30;sigmoid),fc10,sigmoid" },
      exploding: { ...base, activation: "relu", init: "normal" },
      clipped: { ...base, activation: "relu", init: "normal", clipNorm: 1 },
    };
    for (const v of VARIANTS) expect(variantConfig(base, v), v).toEqual(expected[v]);
  });

  test("toggles combine: ReLU, He init, batch norm, residual connections and clipping at once", () => {
    expect(toggledConfig(base, { relu: true, init: "he-normal", batchnorm: true, residual: true, clipNorm: 1 })).toEqual({
      ...base, activation: "relu", init: "he-normal", clipNorm: 1,
      arch: "fc30,bn,relu,res(fc30;bn;relu),res(fc30;bn;relu),fc10,sigmoid",
    });
    expect(toggledConfig(base, {})).toEqual(base);
  });

  test("driven one mini-batch at a time, it records what speedRun records", () => {
    const rng = new Rng(4);
    const n = 60;
    const x = Float32Array.from({ length: n * 10 }, () => rng.uniform());
    const y = Int32Array.from({ length: n }, (_, i) => i % 3);
    const data = { train: new TensorDataset(x, [10], y) };
    const c: TrainConfig = { ...DEFAULT_CONFIG, layers: [10, 6, 6, 3], cost: "cross-entropy", lr: 0.3, optimizer: "gd", epochs: 4, validation: 0, seed: 2 };
    const whole = speedRun(c, "base", data, { probe: 40 });
    const live = startSpeedRun(c, data, { probe: 40 });
    const lengths: number[] = [];
    while (live.run.next()) lengths.push(live.speeds.length);
    // Full-batch descent: one step per epoch; the record of epoch k arrives before step k + 1.
    expect(lengths).toEqual([1, 2, 3, 4]);
    expect(live.speeds).toEqual(whole.speeds);
    expect(live.layers).toEqual(whole.layers);
  });
});

