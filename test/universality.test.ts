/**
 * Universality (Nielsen ch. 4). Oracles: the book's formulas — a step at s = −b/w, a bump of
 * height h from output weights ±h, σ⁻¹∘f as the weighted output — written out here independently,
 * the book's challenge (≤ 0.40 with 5 bumps), and the CLI's plot read back against its JSON.
 */
import { describe, expect, test } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bookGoal, bump, bumpDeviation, bumpNetwork, logit, networkOutput, stepNeuron, tower, weightedOutput } from "../src/analysis/universality.js";
import { fitWidth, startFit } from "../src/analysis/universality-fit.js";
import { averageDeviation, grid } from "../src/analysis/universality.js";
import { mlp } from "../src/nn/mlp.js";
import { mseLoss } from "../src/nn/losses.js";
import { Adam } from "../src/optim/adam.js";
import { Trainer } from "../src/train/trainer.js";
import { Rng } from "../src/rng.js";
import { Tensor } from "../src/tensor.js";
import { noGrad } from "../src/autograd.js";
import { readSvg } from "./svg-read.js";

const sigma = (z: number) => 1 / (1 + Math.exp(-z));

describe("the bump construction", () => {
  test("a step neuron with w = 1000 steps at s = −b/w: ½ there, within 5e-5 of 0 and 1 a hundredth away", () => {
    for (const s of [0.1, 0.37, 0.9]) {
      const { w, b } = stepNeuron(s);
      expect(w).toBe(1000);
      expect(-b / w).toBeCloseTo(s, 12);
      expect(sigma(w * s + b)).toBeCloseTo(0.5, 12);
      expect(sigma(w * (s - 0.01) + b)).toBeLessThan(5e-5);
      expect(sigma(w * (s + 0.01) + b)).toBeGreaterThan(1 - 5e-5);
    }
  });

  test("a pair with output weights +h and −h is a bump of height h on [s1, s2), ≈ 0 elsewhere", () => {
    const net = bump(0.4, 0.6, -1.3);
    expect(net.v).toEqual([-1.3, 1.3]);
    for (const x of [0.1, 0.39, 0.61, 0.95]) expect(Math.abs(weightedOutput(net, x))).toBeLessThan(1e-4);
    for (const x of [0.41, 0.5, 0.59]) expect(weightedOutput(net, x)).toBeCloseTo(-1.3, 3);
    // The formula itself: h·σ(w(x − s1)) − h·σ(w(x − s2)).
    for (const x of [0.4, 0.4005, 0.6]) expect(weightedOutput(net, x)).toBeCloseTo(-1.3 * sigma(1000 * (x - 0.4)) + 1.3 * sigma(1000 * (x - 0.6)), 12);
  });

  test("N bumps: bump j's height is the mean of σ⁻¹∘f over [j/N, (j+1)/N), so the output follows f", () => {
    const n = 5;
    const net = bumpNetwork(bookGoal, n);
    expect(net.w.length).toBe(2 * n);
    for (let j = 0; j < n; j++) {
      // The mean by the trapezoid rule on 20,001 points (the construction uses 64 midpoints).
      const m = 20_000;
      let s = 0;
      for (let i = 0; i <= m; i++) s += (i === 0 || i === m ? 0.5 : 1) * logit(bookGoal((j + i / m) / n));
      expect(net.v[2 * j]!).toBeCloseTo(s / m, 3);
      expect(net.v[2 * j + 1]).toBe(-net.v[2 * j]!);
      const mid = (j + 0.5) / n;
      expect(networkOutput(net, mid)).toBeCloseTo(sigma(net.v[2 * j]!), 6);
    }
  });

  test("the book's challenge: 5 bumps bring the average deviation from σ⁻¹∘f to ≤ 0.40; more bumps do better", () => {
    const d = [1, 5, 20, 50].map((n) => bumpDeviation(bookGoal, n).deviation);
    expect(d[1]!).toBeLessThanOrEqual(0.4);
    for (let i = 1; i < d.length; i++) expect(d[i]!).toBeLessThan(d[i - 1]!);
  });

  test("a tower: ≈ 1 over its rectangle, ≈ 0 on the arms and outside", () => {
    const r = { x0: 0.2, x1: 0.5, y0: 0.6, y1: 0.8 };
    expect(tower(0.35, 0.7, r)).toBeGreaterThan(0.99);
    expect(tower(0.35, 0.2, r)).toBeLessThan(0.01); // the x-bump's arm
    expect(tower(0.9, 0.7, r)).toBeLessThan(0.01); // the y-bump's arm
    expect(tower(0.9, 0.1, r)).toBeLessThan(1e-6);
  });
});

describe("trained fits", () => {
  test("a 1-30-1 network trained by Adam gets closer to f than 5 hand-made bumps (10 neurons)", () => {
    const fit = fitWidth(bookGoal, 30, { epochs: 300 });
    expect(fit.steps).toBe(300 * 10);
    expect(fit.deviation).toBeLessThan(bumpDeviation(bookGoal, 5).outputDeviation);
  });
});

/** The oracle: the fit written out with Trainer.fit on plain arrays (how the book's experiment is usually run). */
function fitByTrainer(width: number, epochs: number, seed: number): number {
  const xs = grid(200);
  const rng = new Rng(seed);
  const model = mlp([1, width, 1], { activation: "sigmoid", output: "identity", init: "normal", rng });
  const init = rng.fork("steps");
  const [w, b] = model.parameters();
  for (let j = 0; j < width; j++) {
    const wj = (init.uniform() < 0.5 ? -1 : 1) * 30;
    w!.data[j] = wj;
    b!.data[j] = -wj * init.uniform();
  }
  new Trainer(model, { loss: (a, y) => mseLoss(a, y), optimizer: new Adam(model.parameters(), { lr: 0.01 }) }).fit(xs, xs.map(bookGoal), { epochs, batchSize: 20, seed });
  model.eval();
  const pred = noGrad(() => Array.from(model.forward(new Tensor(Float32Array.from(grid(1000)), [1000, 1])).data));
  return averageDeviation((x) => pred[Math.min(999, Math.floor(x * 1000))]!, bookGoal);
}

describe("a fit driven step by step (the explorer's animation)", () => {
  test("k steps of startFit are Trainer.fit's k steps: the same deviation, bit for bit; it falls", () => {
    const fit = startFit(bookGoal, 8, { seed: 3, epochs: 25 });
    expect(fit.totalSteps).toBe(250);
    const before = fit.deviation();
    for (let k = 0; k < 50; k++) expect(fit.step()).toBe(true);
    expect(fit.steps).toBe(50);
    expect(fit.deviation()).toBe(fitByTrainer(8, 5, 3));
    while (fit.step());
    expect(fit.steps).toBe(250);
    expect(fit.deviation()).toBe(fitByTrainer(8, 25, 3));
    expect(fit.deviation()).toBeLessThan(before);
    expect(fit.step()).toBe(false);
  });
});

describe("descent universality", () => {
  test("prints its numbers as JSON and draws them: the error panel reads back as the JSON's deviations", () => {
    const dir = mkdtempSync(join(tmpdir(), "descent-univ-"));
    const bin = fileURLToPath(new URL("../bin/descent.js", import.meta.url));
    const r = spawnSync(process.execPath, [bin, "universality", "--bumps", "2,5,20", "--widths", "3,8", "--epochs", "40", "--json", "--plot", "u.svg"], { cwd: dir, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout) as { bumps: { neurons: number; deviation: number; outputDeviation: number }[]; fits: { width: number; deviation: number }[] };
    expect(res.bumps.map((b) => b.neurons)).toEqual([4, 10, 40]);
    expect(res.bumps[1]!.deviation).toBeCloseTo(bumpDeviation(bookGoal, 5).deviation, 12);
    const panels = readSvg(readFileSync(join(dir, "u.svg"), "utf8"));
    expect(panels.length).toBe(3);
    const [hand] = panels[2]!.series.get("bumps (by hand)")!;
    hand!.forEach((p, i) => {
      expect(p.x).toBeCloseTo(res.bumps[i]!.neurons, 2);
      expect(Math.abs(p.y - res.bumps[i]!.outputDeviation) / res.bumps[i]!.outputDeviation).toBeLessThan(1e-3);
    });
    const [trained] = panels[2]!.series.get("trained")!;
    expect(trained!.map((p) => Math.round(p.x))).toEqual([3, 8]);
    trained!.forEach((p, i) => expect(Math.abs(p.y - res.fits[i]!.deviation) / res.fits[i]!.deviation).toBeLessThan(1e-3));
  });
});
