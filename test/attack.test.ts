/**
 * Adversarial examples (fast gradient sign). Oracles: central finite differences of the cost for
 * the sign of ∂C/∂x (dense and convolutional models); the definition clip(x ± ε, 0, 1) checked pixel
 * by pixel; ε = 0 against evaluate()'s clean accuracy; and the attack lowering a trained model's
 * accuracy. The PNG pictures are read back with pngjs.
 */
import { describe, expect, test } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PNG } from "pngjs";
import { attackSweep, fgsm, inputGradient } from "../src/analysis/attack.js";
import { buildArch } from "../src/nn/arch.js";
import { mlp } from "../src/nn/mlp.js";
import { Tensor } from "../src/tensor.js";
import { noGrad } from "../src/autograd.js";
import { Rng } from "../src/rng.js";
import { objectiveFor, forwardScored, type Objective } from "../src/train/objective.js";
import { buildExperiment } from "../src/train/config.js";
import { presetConfig } from "../src/train/presets.js";
import { evaluate } from "../src/train/evaluate.js";
import { loadMnist } from "../src/node/mnist.js";
import type { Module } from "../src/nn/module.js";
import { readSvg } from "./svg-read.js";

function cost(model: Module, x: Float32Array, shape: number[], labels: Int32Array, o: Objective): number {
  return noGrad(() => o.loss(forwardScored(model, new Tensor(x, shape), o.lossOnLogits).scored, labels).item());
}

function checkSigns(model: Module, shape: number[], o: Objective, seed: number) {
  model.eval();
  const rng = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const x = Float32Array.from({ length: n }, () => 0.2 + 0.6 * rng.uniform());
  const labels = Int32Array.from({ length: shape[0]! }, () => rng.int(3));
  const g = inputGradient(model, x, shape, labels, o);
  let checked = 0;
  for (let i = 0; i < n; i++) {
    const h = 1e-2;
    const plus = x.slice();
    const minus = x.slice();
    plus[i]! += h;
    minus[i]! -= h;
    const fd = (cost(model, plus, shape, labels, o) - cost(model, minus, shape, labels, o)) / (2 * h);
    if (Math.abs(fd) < 1e-3) continue; // too flat for float32 differences to give a sign
    expect(Math.sign(g[i]!), `pixel ${i}: autograd ${g[i]}, finite difference ${fd}`).toBe(Math.sign(fd));
    expect(g[i]!).toBeCloseTo(fd, 2);
    checked++;
  }
  expect(checked).toBeGreaterThan(n / 2);
}

describe("the input gradient", () => {
  test("its sign (and value) matches central finite differences: sigmoid MLP with the book's cross-entropy", () => {
    const model = mlp([6, 5, 3], { activation: "sigmoid", output: "sigmoid", init: "normal", rng: new Rng(1) });
    checkSigns(model, [4, 6], objectiveFor("cross-entropy", "sigmoid"), 2);
  });

  test("… and a convolutional network with a softmax output and log-likelihood", () => {
    const { model } = buildArch("conv2x3,relu,fc3,softmax", { input: [1, 6, 6], init: "he-normal", rng: new Rng(3) });
    checkSigns(model, [2, 1, 6, 6], objectiveFor("log-likelihood", "softmax"), 4);
  });
});

describe("fast gradient sign", () => {
  test("every pixel moves by exactly ±ε, or is clipped to [0, 1], or stays where the gradient is 0", () => {
    const x = Float32Array.from([0, 0.05, 0.5, 0.97, 1, 0.3, 0.3]);
    const g = Float32Array.from([-1, -2, 3, 0.5, 1, 0, -1e-30]);
    const eps = 0.1;
    const adv = fgsm(x, g, eps);
    adv.forEach((v, i) => {
      const want = g[i] === 0 ? x[i]! : Math.min(1, Math.max(0, x[i]! + eps * Math.sign(g[i]!)));
      expect(v).toBe(Math.fround(want));
    });
    expect(Array.from(adv).map((v) => Number(v.toFixed(6)))).toEqual([0, 0, 0.6, 1, 1, 0.3, 0.2]);
  });

  test("on a trained model: ε = 0 is evaluate()'s accuracy, and accuracy falls as ε grows", async () => {
    const data = await loadMnist({ validation: 1000 });
    const ex = buildExperiment({ ...presetConfig("nielsen-ch3"), epochs: 1, trainSize: 5000, validation: 1000 }, data);
    ex.trainer.fit(ex.loader, { epochs: 1 });
    const test = data.test.slice(0, 1000);
    const o = objectiveFor("cross-entropy", "sigmoid");
    const { points, examples } = attackSweep(ex.model, test, o, [0, 0.05, 0.1, 0.2], { keep: 5, showEpsilon: 0.1, batchSize: 250 });
    expect(points[0]!.accuracy).toBe(evaluate(ex.model, test).accuracy);
    expect(points[0]!.accuracy).toBeGreaterThan(0.8); // one epoch on 5,000 images
    for (let k = 1; k < points.length; k++) expect(points[k]!.accuracy).toBeLessThan(points[k - 1]!.accuracy);
    expect(points[3]!.accuracy).toBeLessThan(0.5);
    expect(examples).toHaveLength(5);
    for (const e of examples) {
      expect(e.clean).toBe(e.label);
      expect(e.attacked).not.toBe(e.label);
      e.adversarial.forEach((v, i) => {
        const d = Math.abs(v - e.original[i]!);
        expect(d < 1e-6 || Math.abs(d - 0.1) < 1e-6 || v === 0 || v === 1).toBe(true);
      });
    }
  }, 60_000);
});

describe("descent attack (spawned)", () => {
  test("prints accuracy against ε, writes the PNG examples and the plot of the numbers it printed", () => {
    const bin = fileURLToPath(new URL("../bin/descent.js", import.meta.url));
    const dir = mkdtempSync(join(tmpdir(), "descent-attack-"));
    const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
    const train = run("train", "--arch", "conv4x5,relu,maxpool2,fc10,softmax", "--cost", "log-likelihood", "--optimizer", "adam", "--lr", "0.003", "--batch-size", "32", "--epochs", "1", "--train-size", "3000", "--validation", "1000", "--out", "m.safetensors");
    expect(train.status, train.stderr).toBe(0);
    const r = run("attack", "m.safetensors", "--epsilons", "0,0.1,0.25", "--limit", "500", "--images", "adv", "--count", "2", "--plot", "a.svg", "--json");
    expect(r.status, r.stderr).toBe(0);
    const o = JSON.parse(r.stdout) as { points: { epsilon: number; accuracy: number }[]; examples: string[] };
    expect(o.points.map((p) => p.epsilon)).toEqual([0, 0.1, 0.25]);
    expect(o.points[2]!.accuracy).toBeLessThan(o.points[0]!.accuracy);
    const files = readdirSync(join(dir, "adv"));
    expect(files).toHaveLength(2);
    for (const f of files) {
      const m = /^\d{5}-label-(\d)-clean-(\d)-attacked-(\d)\.png$/.exec(f)!;
      expect(m[1]).toBe(m[2]);
      expect(m[3]).not.toBe(m[1]);
      const png = PNG.sync.read(readFileSync(join(dir, "adv", f)));
      expect([png.width, png.height]).toEqual([3 * 112 + 8, 112]);
      // The perturbation panel: white where a pixel rose by ε, black where it fell by ε.
      const middle = new Set<number>();
      for (let y = 0; y < png.height; y++) for (let x = 116; x < 228; x++) middle.add(png.data[(y * png.width + x) * 4]!);
      expect(middle.has(0) && middle.has(255)).toBe(true);
    }
    const [panel] = readSvg(readFileSync(join(dir, "a.svg"), "utf8"));
    const drawn = panel!.series.get("FGSM")!.flat();
    drawn.forEach((p, i) => {
      expect(p.x).toBeCloseTo(o.points[i]!.epsilon, 3);
      expect(p.y).toBeCloseTo(o.points[i]!.accuracy * 100, 1);
    });
  }, 120_000);
});
