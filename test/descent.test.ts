/**
 * src/analysis/descent.ts. Oracles: the mean gradient against the four backprop equations worked
 * in float64 by hand (analysis/backprop.ts, no autograd) averaged over the examples; the
 * learning-rate curve against evaluate() on weights moved by hand; the zones against a curve
 * written out by hand.
 */
import { describe, expect, test } from "vitest";
import { learningRateCurve, logspace, meanGradient, rateZones, zoneOf } from "../src/analysis/descent.js";
import { backpropByHand } from "../src/analysis/backprop.js";
import { denseLayersOf } from "../src/analysis/backprop-check.js";
import { TensorDataset } from "../src/data/dataset.js";
import { buildExperiment, DEFAULT_CONFIG, type TrainConfig } from "../src/train/config.js";
import { objectiveFor } from "../src/train/objective.js";
import { evaluate } from "../src/train/evaluate.js";
import { Rng } from "../src/rng.js";

/** 40 examples of 6 features in 3 classes. */
function toyData(n = 40, seed = 5): TensorDataset {
  const rng = new Rng(seed);
  const x = new Float32Array(n * 6);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 6; k++) x[i * 6 + k] = rng.normal();
    y[i] = x[i * 6]! > 0.5 ? 2 : x[i * 6 + 1]! > 0 ? 1 : 0;
  }
  return new TensorDataset(x, [6], y);
}

/** The 3b1b network's recipe on a small scale: sigmoid layers, sigmoid output, quadratic cost. */
const CONFIG: TrainConfig = {
  ...DEFAULT_CONFIG, layers: [6, 5, 4, 3], activation: "sigmoid", output: "sigmoid", cost: "quadratic",
  init: "scaled-normal", optimizer: "sgd", lr: 3, batchSize: 10, epochs: 1, validation: 0, seed: 11,
};

function setup() {
  const data = toyData();
  const ex = buildExperiment(CONFIG, { train: data });
  return { ex, data, objective: objectiveFor(CONFIG.cost, CONFIG.output) };
}

describe("meanGradient", () => {
  test("equals backprop's four equations by hand, averaged over every example (batches of 7 summed in float64)", () => {
    const { ex, data, objective } = setup();
    const g = meanGradient(ex.model, data, objective, 7);
    const net = denseLayersOf(ex.model, "toy");
    const sumW = net.map((l) => new Float64Array(l.w.length));
    const sumB = net.map((l) => new Float64Array(l.b.length));
    for (let i = 0; i < data.length; i++) {
      const hand = backpropByHand(net, data.features.subarray(i * 6, i * 6 + 6), data.labels[i]!, "quadratic");
      hand.gradW.forEach((gw, l) => gw.forEach((v, k) => (sumW[l]![k]! += v / data.length)));
      hand.gradB.forEach((gb, l) => gb.forEach((v, k) => (sumB[l]![k]! += v / data.length)));
    }
    // parameters() order: W1, b1, W2, b2, W3, b3. float32 forward vs float64 by hand: ~1e-6 relative.
    net.forEach((_, l) => {
      const gw = g[2 * l]!, gb = g[2 * l + 1]!;
      gw.forEach((v, k) => expect(v).toBeCloseTo(sumW[l]![k]!, 6));
      gb.forEach((v, k) => expect(v).toBeCloseTo(sumB[l]![k]!, 6));
    });
  });

  test("leaves the weights and the parameters' .grad as they were", () => {
    const { ex, data, objective } = setup();
    const before = ex.model.parameters().map((p) => Float32Array.from(p.data));
    meanGradient(ex.model, data, objective);
    ex.model.parameters().forEach((p, k) => {
      expect(p.data).toEqual(before[k]);
      expect(p.grad).toBeNull();
    });
  });
});

describe("learningRateCurve", () => {
  test("C(θ − η∇C) equals evaluate() on weights moved by hand; the weights come back bit for bit", () => {
    const { ex, data, objective } = setup();
    const g = meanGradient(ex.model, data, objective);
    const etas = [0.5, 3, 40];
    const curve = learningRateCurve(ex.model, data, objective, g, etas);
    const base = ex.model.parameters().map((p) => Float32Array.from(p.data));
    etas.forEach((eta, i) => {
      ex.model.parameters().forEach((p, k) => p.data.forEach((_, j) => (p.data[j] = base[k]![j]! - eta * g[k]![j]!)));
      expect(curve[i]).toBe(evaluate(ex.model, data, { loss: objective.loss }).loss);
      ex.model.parameters().forEach((p, k) => p.data.set(base[k]!));
    });
    const c0 = evaluate(ex.model, data, { loss: objective.loss }).loss;
    expect(curve[0]).toBeLessThan(c0); // a small step down the gradient lowers the cost
  });

  test("logspace: 0.01 … 100 in 5 points is the powers of ten", () => {
    logspace(0.01, 100, 5).forEach((v, i) => expect(v).toBeCloseTo(10 ** (i - 2), 12));
  });
});

describe("rateZones", () => {
  test("a curve written out by hand: too small, about right around the best, too large, divergent above C(w)", () => {
    // C(w) = 1; decreases 0.05, 0.2, 0.5, 0.8, 0.3, 0.1, −0.4: best decrease 0.8 (index 3), half of it 0.4.
    const costs = [0.95, 0.8, 0.5, 0.2, 0.7, 0.9, 1.4];
    expect(rateZones(costs, 1)).toEqual({ zones: ["too-small", "too-small", "about-right", "about-right", "too-large", "too-large", "divergent"], best: 3 });
    expect(zoneOf(Number.NaN, 1, 0.2, 1)).toBe("divergent");
    expect(zoneOf(1, 1, 1, -1)).toBe("too-small"); // a flat curve: nothing to gain
  });
});
