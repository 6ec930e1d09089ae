// The explorer worker's session, run in Node on the real MNIST and the bundled house prices.
// Oracles: a second identical run (bit-identical), the core's evaluate(), a brute-force sort of every
// gradient, the model's own forward; for house prices, the CLI's own split and encoding built here
// from its pieces (buildExperiment + Trainer.step), the model `descent train --preset house-prices`
// saves, and the baselines the CLI prints.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { HOUSE_SPLIT, houseData, parseHousePrices } from "../web/src/houses.js";
import { bostonHousingPath, loadBostonHousing } from "../src/node/csv.js";
import { DEFAULT_SPLIT, HOUSE_PRICES, baselines as cliBaselines } from "../src/cli/table-run.js";
import { splitIndices } from "../src/data/split.js";
import { applyTablePrep, fitTablePrep } from "../src/data/table-prep.js";
import { TensorDataset } from "../src/data/dataset.js";
import { Rng } from "../src/rng.js";
import { buildExperiment } from "../src/train/config.js";
import { presetConfig } from "../src/train/presets.js";
import { regressionMetrics } from "../src/train/regression-metrics.js";
import { decodeModel } from "../src/io/model-file.js";
import { Session, denseView } from "../web/src/session.js";
import { settingsFromPreset, toTrainConfig } from "../web/src/state.js";
import { loadMnist } from "../src/node/mnist.js";
import { evaluate } from "../src/train/evaluate.js";
import { encodeModel } from "../src/io/model-file.js";
import { Tensor } from "../src/tensor.js";
import { noGrad } from "../src/autograd.js";
import { ModelFileError } from "../src/errors.js";

const mnist = await loadMnist();
const data = { train: mnist.train, validation: mnist.validation, test: mnist.test };
const config3b1b = toTrainConfig(settingsFromPreset("3b1b"));

function freshSession(config = config3b1b): Session {
  const s = new Session(null, "none");
  s.setData(data);
  s.reset(config);
  return s;
}

function weights(s: Session): number[][] {
  return s.model!.parameters().map((p) => Array.from(p.data));
}

describe("explorer session", () => {
  it("the same settings train bit-identically, however the steps are sliced", () => {
    const a = freshSession();
    const b = freshSession();
    const pa = a.train(300);
    const pb = [b.train(100), b.train(150), b.train(50)];
    expect(a.steps).toBe(300);
    expect(b.steps).toBe(300);
    expect(weights(a)).toEqual(weights(b));
    const meanB = pb.reduce((s, p) => s + p.loss * p.examples, 0) / pb.reduce((s, p) => s + p.examples, 0);
    expect(pa.loss).toBeCloseTo(meanB, 10);
  });

  // Oracle: the weights before the first step (the last complete epoch is "before training").
  it("a diverging run stops with the step and rate named, and goes back to the last good weights", () => {
    const s = freshSession({ ...config3b1b, lr: 1e4, output: "identity", cost: "mse" });
    const before = weights(s);
    expect(() => s.train(500)).toThrow(/^the cost became (NaN|-?Infinity) at step \d+ \(learning rate 10000\); the model went back to the weights from before training — reset/);
    expect(weights(s)).toEqual(before);
    expect(() => s.train(1)).toThrow(/cost became/);
  });

  it("the cost falls over a few hundred steps of the 3b1b net", () => {
    const s = freshSession();
    const first = s.train(50).loss;
    s.train(200);
    const later = s.train(50).loss;
    expect(later).toBeLessThan(first * 0.7);
  });

  it("crosses epochs: 5,000 batches of 10 make one epoch of the 50,000 training digits", () => {
    const s = freshSession();
    const p = s.train(5001);
    expect(s.epoch).toBe(1);
    expect(p.epoch).toBeCloseTo(1 + 1 / 5000, 10);
  });

  it("evaluation agrees with the core's evaluate() and lists real mistakes", () => {
    const s = freshSession();
    s.train(500);
    const r = s.evaluate();
    const core = evaluate(s.model!, data.test);
    expect(r.testAccuracy).toBe(core.accuracy);
    expect(r.confusion).toEqual(Array.from(core.confusion.counts));
    expect(r.confusion.reduce((a, b) => a + b, 0)).toBe(10000);
    expect(r.valAccuracy).toBe(evaluate(s.model!, data.validation).accuracy);
    expect(r.mistakes.length).toBe(48);
    for (const m of r.mistakes) {
      expect(m.label).toBe(data.test.labels[m.index]);
      expect(m.predicted).not.toBe(m.label);
    }
  });

  it("nudges are the last step's largest |∂C/∂w|, largest first", () => {
    const s = freshSession();
    expect(s.nudges()).toEqual([]);
    s.train(1);
    const got = s.nudges(20);
    const all: { grad: number; weight: number; layer: number; to: number; from: number }[] = [];
    denseView(s.model!)!.linears.forEach((lin, layer) => {
      const g = lin.weight.grad!.data;
      for (let k = 0; k < g.length; k++) all.push({ layer, to: Math.floor(k / lin.inFeatures), from: k % lin.inFeatures, grad: g[k]!, weight: lin.weight.data[k]! });
      lin.bias!.grad!.data.forEach((v, j) => all.push({ layer, to: j, from: -1, grad: v, weight: lin.bias!.data[j]! }));
    });
    all.sort((x, y) => Math.abs(y.grad) - Math.abs(x.grad));
    expect(got).toEqual(all.slice(0, 20));
    expect(got.every((n) => n.grad !== 0)).toBe(true);
    // One layer at a time, weights only: the first layer's largest (far smaller than the output layer's).
    const first = all.filter((n) => n.layer === 0 && n.from >= 0).slice(0, 4);
    expect(s.nudges(4, 0)).toEqual(first);
    const report = s.nudgeReport(12, 4);
    expect(report.overall).toEqual(all.slice(0, 12));
    expect(report.byLayer.map((l) => l.length)).toEqual([4, 4, 4]);
    expect(report.byLayer[0]).toEqual(first);
    expect(Math.abs(first[0]!.grad)).toBeLessThan(Math.abs(all[0]!.grad));
  });

  it("predict gives the input, each layer's activations and the model's own output", () => {
    const s = freshSession();
    s.train(100);
    const digit = data.test.get(0).x as Float32Array;
    const values = s.predict(digit);
    expect(values.map((v) => v.length)).toEqual([784, 16, 16, 10]);
    const direct = noGrad(() => s.model!.eval().forward(new Tensor(Float32Array.from(digit), [1, 784])).data);
    s.model!.train();
    expect(Array.from(values[3]!)).toEqual(Array.from(direct));
    expect(s.model!.training).toBe(true);
  });

  it("a convolutional preset trains and predicts from 28×28 images", () => {
    const config = { ...toTrainConfig(settingsFromPreset("handbook-cnn")), arch: "conv4x5,relu,maxpool2,fc10,softmax" };
    const s = freshSession(config);
    s.train(3);
    const values = s.predict(data.test.get(0).x as Float32Array);
    expect(values.map((v) => v.length)).toEqual([784, 10]);
    expect(s.firstLayerImages()).toMatchObject({ count: 4, width: 5, height: 5 });
    expect(s.denseWeights()).toBeNull();
    expect(s.nudges()).toEqual([]);
  });

  it("loads a model file (and reports its accuracy) and rejects anything else with the file's name", () => {
    const s = freshSession();
    s.train(100);
    const bytes = encodeModel(s.model!, { training: { testAccuracy: 0.9123 } });
    const loaded = Session.fromModelFile(bytes, "mine.safetensors");
    expect(loaded.origin).toBe("mine.safetensors (test accuracy 91.23 %)");
    expect(loaded.describe()).toBe("784-16-16-10 network, 13,002 parameters");
    expect(weights(loaded)).toEqual(weights(s));
    expect(() => Session.fromModelFile(new Uint8Array([1, 2, 3]), "junk.bin")).toThrow(ModelFileError);
    expect(() => Session.fromModelFile(new Uint8Array([1, 2, 3]), "junk.bin")).toThrow(/junk\.bin/);
  });
});

describe("explorer session: house prices", () => {
  const bytes = readFileSync(bostonHousingPath());
  const table = parseHousePrices(bytes);
  const houseConfig = toTrainConfig(settingsFromPreset("house-prices"));

  /** The CLI's table run, from its pieces (src/cli/table-run.ts): its loader, split, drops and preset. */
  async function cliRun(seed: number) {
    const t = await loadBostonHousing();
    const split = splitIndices(t.rows.length, DEFAULT_SPLIT, new Rng(seed).fork("split"));
    const prep = fitTablePrep(t, { targets: ["cmedv"], drop: [...HOUSE_PRICES.drop], rows: split.train });
    const enc = applyTablePrep(t, prep);
    const all = new TensorDataset(enc.x, [enc.featureNames.length], enc.y!, 1);
    const data = { train: all.select(split.train), validation: all.select(split.val), test: all.select(split.test) };
    return { data, exp: buildExperiment({ ...presetConfig("house-prices"), seed }, data) };
  }

  function houseSession(config = houseConfig): Session {
    const s = new Session(null, "none");
    s.setData(houseData(table, config));
    s.reset(config);
    return s;
  }

  it("splits and encodes the table as the CLI does: 354/76/76 rows, 12 standardised features, cmedv in $1000s", async () => {
    expect(HOUSE_SPLIT).toEqual(DEFAULT_SPLIT);
    const d = houseData(table, houseConfig);
    const { data } = await cliRun(1);
    expect([d.train.length, d.validation.length, d.test.length]).toEqual([354, 76, 76]);
    expect(d.train.featureSize).toBe(12);
    expect(d.prep.features.map((f) => f.name)).not.toContain("b");
    expect(d.prep.features.map((f) => f.name)).not.toContain("medv");
    for (const part of ["train", "validation", "test"] as const) {
      expect(Array.from(d[part].features), part).toEqual(Array.from(data[part].features));
      expect(Array.from(d[part].targets), part).toEqual(Array.from(data[part].targets));
    }
    expect(d.train.task).toBe("regression");
  });

  it("its first 60 steps (across an epoch boundary) give bit for bit the weights of buildExperiment + Trainer.step in Node", async () => {
    const s = houseSession();
    expect(s.stepsPerEpoch).toBe(23); // ceil(354 / 16)
    const points = [s.train(7), s.train(20), s.train(33)];
    expect(s.steps).toBe(60);
    expect(points.every((p) => Number.isNaN(p.accuracy))).toBe(true);
    const { exp } = await cliRun(1);
    const steps: { loss: number; size: number }[] = [];
    while (steps.length < 60) {
      for (const idx of exp.loader.indices()) {
        if (steps.length === 60) break;
        steps.push(exp.trainer.step(() => exp.loader.gather(idx)));
      }
    }
    expect(weights(s)).toEqual(exp.model.parameters().map((p) => Array.from(p.data)));
    // A slice's cost is its batches' mean per row (the last batch of an epoch holds 354 − 22·16 = 2 rows).
    const part = steps.slice(27, 60);
    expect(part.map((p) => p.size)).toContain(2);
    const mean = part.reduce((a, p) => a + p.loss * p.size, 0) / part.reduce((a, p) => a + p.size, 0);
    expect(points[2]!.loss).toBeCloseTo(mean, 9);
  });

  // The page keeps 76 validation rows for its curve (the preset trains on them): --split says so.
  it("2 epochs in the session equal the model `descent train --preset house-prices --split 0.7,0.15,0.15 --epochs 2` saves", () => {
    const dir = mkdtempSync(join(tmpdir(), "descent-web-houses-"));
    const out = join(dir, "houses.safetensors");
    const bin = fileURLToPath(new URL("../bin/descent.js", import.meta.url));
    const r = spawnSync(process.execPath, [bin, "train", "--preset", "house-prices", "--split", "0.7,0.15,0.15", "--epochs", "2", "--seed", "5", "--out", out], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
    expect(r.status, r.stderr).toBe(0);
    const saved = decodeModel(readFileSync(out), out).model;
    const s = houseSession({ ...houseConfig, seed: 5 });
    s.train(46);
    expect(s.epoch + 1).toBe(2); // the second epoch's last batch taken (epochs advance when the next one starts)
    expect(weights(s)).toEqual(saved.parameters().map((p) => Array.from(p.data)));
  });

  it("shows the CLI's baselines on the same test rows, once per split; another seed is another split", async () => {
    const d = houseData(table, houseConfig);
    const { data } = await cliRun(1);
    const cli = cliBaselines(data.train, data.test);
    expect(d.baselines).toEqual({ mean: cli.mean, leastSquares: cli.linear });
    // What `descent train --preset house-prices` prints for seed 1: training mean MAE 6.76, least squares MAE 3.83, R² 0.583.
    expect(d.baselines.mean.mae).toBeCloseTo(6.76, 2);
    expect(d.baselines.leastSquares.mae).toBeCloseTo(3.83, 2);
    const other = houseData(table, { ...houseConfig, seed: 2 });
    expect(Array.from(other.test.targets)).not.toEqual(Array.from(d.test.targets));
    expect(houseData(table, { ...houseConfig, seed: 2 }).baselines).toEqual(other.baselines);
  });

  it("evaluateRegression: the core's evaluate() on each part, and the 76 test predictions the scatter draws", () => {
    const s = houseSession();
    s.train(50);
    const r = s.evaluateRegression();
    const data = s.data!;
    expect(r.step).toBe(50);
    expect(r.test).toEqual(evaluate(s.model!, data.test).regression);
    expect(r.validation).toEqual(evaluate(s.model!, data.validation).regression);
    expect(r.train).toEqual(evaluate(s.model!, data.train).regression);
    expect(r.predicted.length).toBe(76);
    expect(Array.from(r.actual)).toEqual(Array.from(data.test.targets));
    const direct = noGrad(() => s.model!.forward(new Tensor(Float32Array.from(data.test.features), [76, 12])).data);
    expect(Array.from(r.predicted)).toEqual(Array.from(direct));
    // The metrics of those very predictions (float64, regression-metrics.ts) agree with the meter's.
    const m = regressionMetrics(r.actual, r.predicted);
    expect(m.mae).toBeCloseTo(r.test.mae, 10);
    expect(m.r2).toBeCloseTo(r.test.r2, 10);
    expect(r.valLoss).toBeCloseTo(r.validation.mse, 4); // the MSE cost is the validation MSE
    expect(() => s.evaluate()).toThrow(/evaluateRegression/);
  });

  it("the preset's 200 epochs (4,600 steps) beat least squares on the test rows, as the CLI's run does", () => {
    const s = houseSession();
    const d = s.data as ReturnType<typeof houseData>;
    const first = s.evaluateRegression().test.mae;
    s.train(4600);
    const r = s.evaluateRegression();
    expect(first).toBeGreaterThan(d.baselines.mean.mae); // an untrained net predicts ~0: worse than the mean
    expect(r.test.mae).toBeLessThan(d.baselines.leastSquares.mae);
    expect(r.test.r2).toBeGreaterThan(d.baselines.leastSquares.r2);
    // `descent train --preset house-prices` (seed 1) ends at test MAE 2.70, R² 0.792.
    expect(r.test.mae).toBeCloseTo(2.70, 2);
    expect(r.test.r2).toBeCloseTo(0.792, 3);
    expect(s.describe()).toBe("12-64-64-1 network, 5,057 parameters");
  });
});
