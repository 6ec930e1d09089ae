/**
 * Perceptrons and the MNIST baselines (Nielsen ch. 1). Oracles: the perceptron rule's first two
 * epochs on NAND worked out by hand; the truth tables; a brute-force search over a grid of lines
 * (one separates NAND, none separates XOR); Novikoff's bound; the average-darkness classifier
 * recomputed naively on a subset, and the book's 2,225 / 10,000 on the full test set.
 */
import { describe, expect, test } from "vitest";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { NAND, NAND_DATA, XOR_DATA, perceptron, ruleStep, separableSet, trainPerceptron, type LabelledPoint } from "../src/analysis/perceptron.js";
import { fitDarkness, predictDarkness } from "../src/analysis/darkness.js";
import { loadMnist } from "../src/node/mnist.js";
import { Rng } from "../src/rng.js";

describe("the perceptron", () => {
  test("the book's NAND weights (−2, −2, bias 3) compute NAND", () => {
    expect(NAND_DATA.map((p) => perceptron(NAND.w, NAND.b, p.x))).toEqual([1, 1, 1, 0]);
    expect(NAND_DATA.map((p) => p.y)).toEqual([1, 1, 1, 0]);
  });

  test("the rule's first two epochs on NAND from zero weights, as worked by hand", () => {
    // Epoch 1: 00 → z = 0, ŷ = 0, y = 1: b = 1. 01, 10 → z = 1: right. 11 → z = 1, y = 0: w = (−1, −1), b = 0.
    // Epoch 2: 00 → z = 0, wrong: b = 1. 01 → z = 0, wrong: w = (−1, 0), b = 2. 10 → z = 1: right. 11 → z = 1, wrong: w = (−2, −1), b = 1.
    let s = { w: [0, 0], b: 0 };
    const states = [];
    for (let e = 0; e < 2; e++) for (const p of NAND_DATA) states.push((s = ruleStep(s, p, 1)));
    expect(states).toEqual([
      { w: [0, 0], b: 1 }, { w: [0, 0], b: 1 }, { w: [0, 0], b: 1 }, { w: [-1, -1], b: 0 },
      { w: [-1, -1], b: 1 }, { w: [-1, 0], b: 2 }, { w: [-1, 0], b: 2 }, { w: [-2, -1], b: 1 },
    ]);
    expect(trainPerceptron(NAND_DATA, { maxEpochs: 2 })).toMatchObject({ w: [-2, -1], b: 1, mistakes: [2, 3], converged: false });
    // η scales every update: η = 0.5 gives half the weights after the same mistakes.
    expect(ruleStep({ w: [0, 0], b: 0 }, NAND_DATA[0]!, 0.5)).toEqual({ w: [0, 0], b: 0.5 });
  });

  const separates = (data: LabelledPoint[], w: number[], b: number) => data.every((p) => perceptron(w, b, p.x) === p.y);
  const grid = Array.from({ length: 41 }, (_, i) => -5 + i * 0.25);
  const anyLine = (data: LabelledPoint[]) => grid.some((w1) => grid.some((w2) => grid.some((b) => separates(data, [w1, w2], b))));

  test("NAND is learned; XOR is not separable (no line on a grid separates it) and the rule cycles forever", () => {
    const nand = trainPerceptron(NAND_DATA);
    expect(nand.converged).toBe(true);
    expect(separates(NAND_DATA, nand.w, nand.b)).toBe(true);
    expect(anyLine(NAND_DATA)).toBe(true);
    expect(anyLine(XOR_DATA)).toBe(false);
    const xor = trainPerceptron(XOR_DATA, { maxEpochs: 500 });
    expect(xor.converged).toBe(false);
    expect(xor.mistakes.every((m) => m > 0)).toBe(true);
    expect(xor.cycle).toBeDefined();
  });

  test("on a separable set the rule converges within Novikoff's bound of (R/γ)² mistakes", () => {
    for (const seed of [1, 2, 3]) {
      const set = separableSet(200, new Rng(seed), { w: [1, -1], b: 0.1 }, 0.01);
      const r = trainPerceptron(set.data, { maxEpochs: 100_000 });
      expect(r.converged).toBe(true);
      expect(separates(set.data, r.w, r.b)).toBe(true);
      expect(r.totalMistakes).toBeLessThanOrEqual(set.bound);
    }
  });
});

describe("average darkness", () => {
  test("equals a naive recomputation on a subset, and gives the book's 2,225 of 10,000 on the full test set", async () => {
    const d = await loadMnist();
    const n = 2000;
    const x = d.train.features.subarray(0, n * 784);
    const y = d.train.labels.subarray(0, n);
    // Naive: per digit, the list of its images' sums; the mean of the list; the closest mean by sorting.
    const sums: number[][] = Array.from({ length: 10 }, () => []);
    for (let i = 0; i < n; i++) sums[y[i]!]!.push(Array.from(x.subarray(i * 784, (i + 1) * 784)).reduce((a, b) => a + b, 0));
    const means = sums.map((s) => s.reduce((a, b) => a + b, 0) / s.length);
    const model = fitDarkness(x, y, 784);
    means.forEach((m, k) => expect(model.averages[k]).toBeCloseTo(m, 8));
    const tx = d.test.features.subarray(0, 300 * 784);
    const got = predictDarkness(model, tx, 784);
    for (let i = 0; i < 300; i++) {
      const dark = Array.from(tx.subarray(i * 784, (i + 1) * 784)).reduce((a, b) => a + b, 0);
      const order = means.map((m, k) => ({ k, dist: Math.abs(m - dark) })).sort((a, b) => a.dist - b.dist || a.k - b.k);
      expect(got[i]).toBe(order[0]!.k);
    }
    const full = predictDarkness(fitDarkness(d.train.features, d.train.labels, 784), d.test.features, 784);
    expect(full.reduce((c, p, i) => c + (p === d.test.labels[i] ? 1 : 0), 0)).toBe(2225);
  });
});

describe("descent baselines (spawned)", () => {
  test("prints the perceptrons and the three MNIST baselines", () => {
    const bin = fileURLToPath(new URL("../bin/descent.js", import.meta.url));
    const r = spawnSync(process.execPath, [bin, "baselines", "--epochs", "1", "--json"], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const o = JSON.parse(r.stdout) as { perceptrons: { xor: { converged: boolean }; nand: { converged: boolean } }; baselines: { accuracy: number; correct: number }[] };
    expect([o.perceptrons.nand.converged, o.perceptrons.xor.converged]).toEqual([true, false]);
    const [untrained, darkness, softmax] = o.baselines;
    expect(untrained!.accuracy).toBeGreaterThan(0.03); // chance is 10 %; an untrained network sits near it
    expect(untrained!.accuracy).toBeLessThan(0.2);
    expect(darkness!.correct).toBe(2225);
    expect(softmax!.accuracy).toBeGreaterThan(0.88); // one epoch of a linear classifier
  }, 60_000);
});
