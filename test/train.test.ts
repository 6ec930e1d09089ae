import { describe, expect, test } from "vitest";
import { loadMnist } from "../src/node/mnist.js";
import { buildExperiment, DEFAULT_CONFIG, type TrainConfig } from "../src/train/config.js";
import { presetConfig } from "../src/train/presets.js";
import { Trainer } from "../src/train/trainer.js";
import { TensorDataset, DataLoader } from "../src/data/dataset.js";
import { encodeModel } from "../src/io/model-file.js";
import { mlp } from "../src/nn/mlp.js";
import { bceWithLogits, crossEntropy, mseLoss, quadraticCost } from "../src/nn/losses.js";
import type { Sequential } from "../src/nn/layers/sequential.js";
import { l2Penalty, weightsOnly } from "../src/nn/regularization.js";
import { SGD } from "../src/optim/sgd.js";
import { Rng } from "../src/rng.js";
import { Tensor } from "../src/tensor.js";
import { expectClose } from "./helpers.js";

const mnist = await loadMnist();
const small = { train: mnist.train.slice(0, 3000), validation: mnist.validation.slice(0, 1000), test: mnist.test.slice(0, 2000) };

function run(config: Partial<TrainConfig>, data: Parameters<typeof buildExperiment>[1] = small) {
  const ex = buildExperiment({ ...DEFAULT_CONFIG, ...config }, data);
  const result = ex.trainer.fit(ex.loader, { ...ex.fitOptions });
  return { ...ex, result };
}

describe("training on a seeded MNIST subset", () => {
  // Oracle: the book's chapter-3 network learns MNIST; on 3,000 images for 3 epochs it is well past
  // chance (10 %). Seeds 1–6 reach 84.6–86.6 %; the threshold sits under the worst of them.
  test("nielsen-ch3 on 3,000 images, 3 epochs, reaches ≥ 82 % on 2,000 test images", () => {
    const { trainer, result } = run({ ...presetConfig("nielsen-ch3"), epochs: 3 });
    expect(result.history).toHaveLength(3);
    expect(result.history[2]!.trainLoss).toBeLessThan(result.history[0]!.trainLoss);
    expect(trainer.evaluate(small.test).accuracy).toBeGreaterThanOrEqual(0.82);
  });

  // Oracle: determinism — the same seed must give the same bytes; another seed must not.
  test("same seed ⇒ bit-identical model file; another seed ⇒ different weights", () => {
    const cfg = { ...presetConfig("nielsen-ch1"), epochs: 1, dropout: 0.2 };
    const bytes = (seed: number) => encodeModel(run({ ...cfg, seed }).model, { training: {} });
    const a = bytes(42);
    const b = bytes(42);
    expect(Buffer.compare(Buffer.from(a), Buffer.from(b))).toBe(0);
    expect(Buffer.compare(Buffer.from(a), Buffer.from(bytes(43)))).not.toBe(0);
  });
});

describe("the cost reads the logits of a sigmoid or softmax output (train/objective.ts)", () => {
  // Oracle: bceWithLogits / crossEntropy on the layer's input, computed by hand from z. With weights
  // this large σ(z) rounds to 0 or 1 in float32, so the cost on the probabilities would be clamped
  // (ln 0 → −100) and its gradient zero; on the logits it stays exact.
  for (const output of ["sigmoid", "softmax"] as const) {
    test(`${output} output, cross-entropy: evaluate's cost and the step's gradient come from z`, () => {
      const ex = buildExperiment({ ...DEFAULT_CONFIG, layers: [784, 10], output, cost: "cross-entropy", epochs: 1 }, { train: small.train.slice(0, 20) });
      const fc = ex.model.parameters()[0]!;
      for (let i = 0; i < fc.size; i++) fc.data[i] = fc.data[i]! * 400;
      const data = small.train.slice(0, 20);
      const x = new Tensor(data.features, [20, 784]);
      const z = (ex.model as Sequential).layers[0]!.forward(x);
      const byHand = output === "sigmoid" ? bceWithLogits(z, data.labels, "batchmean") : crossEntropy(z, data.labels);
      expect(Math.abs(byHand.item())).toBeGreaterThan(100); // saturated: σ(z) is 0 or 1 for most outputs
      expect(ex.trainer.evaluate(data).loss).toBeCloseTo(byHand.item(), 2);
      const r = ex.trainer.step({ x, y: data.labels });
      expect(r.loss).toBeCloseTo(byHand.item(), 2);
    });
  }
});

describe("stopping", () => {
  // Oracle: an identity output with MSE and a huge rate overflows to Inf/NaN within a few steps.
  test("a non-finite cost stops training, reports step and rate, and keeps the last good weights", () => {
    const data = { train: small.train.slice(0, 200), validation: small.validation.slice(0, 100) };
    const ex = buildExperiment({ ...DEFAULT_CONFIG, layers: [784, 10, 10], output: "identity", cost: "mse", lr: 1e4, epochs: 3 }, data);
    const before = ex.model.parameters().map((p) => p.data.slice());
    const r = ex.trainer.fit(ex.loader, ex.fitOptions);
    expect(r.stopped?.kind).toBe("non-finite-loss");
    if (r.stopped?.kind !== "non-finite-loss") return;
    expect(r.stopped.message).toMatch(/step \d+/);
    expect(r.stopped.message).toContain("learning rate 10000");
    expect(r.stopped.restoredEpoch).toBe(0);
    ex.model.parameters().forEach((p, i) => expect(Array.from(p.data)).toEqual(Array.from(before[i]!)));
  });

  // Oracle: the weights of the best epoch, captured by a callback as training ran.
  test("early stopping ends after `patience` epochs without a better validation accuracy and restores the best", () => {
    const data = { train: small.train.slice(0, 300), validation: small.validation.slice(0, 300) };
    const ex = buildExperiment({ ...DEFAULT_CONFIG, layers: [784, 30, 10], lr: 3, epochs: 40, earlyStopping: 2 }, data);
    const seen: { acc: number; weights: Float32Array[] }[] = [];
    const r = ex.trainer.fit(ex.loader, {
      ...ex.fitOptions,
      callbacks: [{ onEpochEnd: (log) => seen.push({ acc: log.valAccuracy!, weights: ex.model.parameters().map((p) => p.data.slice() as Float32Array) }) }],
    });
    expect(r.stopped?.kind).toBe("early-stopping");
    const bestIndex = seen.reduce((b, s, i) => (s.acc > seen[b]!.acc ? i : b), 0);
    expect(r.history.length).toBe(bestIndex + 1 + 2);
    expect(r.finalEpoch).toBe(bestIndex + 1);
    ex.model.parameters().forEach((p, i) => expect(Array.from(p.data)).toEqual(Array.from(seen[bestIndex]!.weights[i]!)));
  });

  // Oracle: fit itself — the same loop driven a batch at a time must give the same history and bytes.
  test("Trainer.start driven one mini-batch at a time equals fit, bit for bit", () => {
    const data = { train: small.train.slice(0, 300), validation: small.validation.slice(0, 200) };
    const cfg = { ...DEFAULT_CONFIG, layers: [784, 20, 10], epochs: 3, schedule: "step" as const, lrStep: 1, lrGamma: 0.5 };
    const a = buildExperiment(cfg, data);
    const fitted = a.trainer.fit(a.loader, a.fitOptions);
    const b = buildExperiment(cfg, data);
    const run = b.trainer.start(b.loader, b.fitOptions);
    const steps: number[] = [];
    for (let r = run.next(); r; r = run.next()) steps.push(r.loss);
    expect(run.done).toBe(true);
    expect(run.next()).toBeNull();
    expect(steps).toHaveLength(3 * b.loader.length);
    expect(run.result!.history.map((h) => [h.trainLoss, h.valAccuracy, h.lr])).toEqual(fitted.history.map((h) => [h.trainLoss, h.valAccuracy, h.lr]));
    expect(Buffer.from(encodeModel(b.model, { training: {} }))).toEqual(Buffer.from(encodeModel(a.model, { training: {} })));
  });

  // Oracle: the weights of the last complete epoch, copied by a callback as training ran.
  test("a non-finite cost after an epoch puts back that epoch's weights (the rollback callback)", () => {
    const data = { train: small.train.slice(0, 200) };
    const ex = buildExperiment({ ...DEFAULT_CONFIG, layers: [784, 10, 10], output: "identity", cost: "mse", lr: 0.01, epochs: 3 }, data);
    let epoch1: Float32Array[] = [];
    const blowUp = {
      onEpochEnd: (_l: unknown, ctx: { epoch: number; setLr(lr: number): void }) => {
        if (ctx.epoch !== 1) return;
        epoch1 = ex.model.parameters().map((p) => p.data.slice() as Float32Array);
        ctx.setLr(1e5);
      },
    };
    const r = ex.trainer.fit(ex.loader, { ...ex.fitOptions, callbacks: [blowUp] });
    expect(r.stopped?.kind).toBe("non-finite-loss");
    if (r.stopped?.kind !== "non-finite-loss") return;
    expect(r.stopped.epoch).toBe(2);
    expect(r.stopped.restoredEpoch).toBe(1);
    expect(r.finalEpoch).toBe(1);
    expect(r.history).toHaveLength(1);
    expect(r.stopped.message).toContain("kept the weights from epoch 1");
    ex.model.parameters().forEach((p, i) => expect(Array.from(p.data)).toEqual(Array.from(epoch1[i]!)));
  });

  test("a callback can stop training", () => {
    const data = { train: small.train.slice(0, 100) };
    const ex = buildExperiment({ ...DEFAULT_CONFIG, epochs: 5 }, data);
    const r = ex.trainer.fit(ex.loader, { ...ex.fitOptions, callbacks: [{ onEpochEnd: (_l, ctx) => void (ctx.epoch === 2 && (ctx.stop = true)) }] });
    expect(r.history).toHaveLength(2);
    expect(r.stopped?.kind).toBe("callback");
  });
});

describe("regularisation and schedules inside the trainer", () => {
  // Oracle: autograd through l2Penalty (gradchecked separately) — the trainer's fused gradient path
  // must give the same update as adding (λ/2n)Σw² to the cost.
  test("L2 via the trainer equals L2 added to the cost", () => {
    const rng = new Rng(5);
    const x = Tensor.randn([8, 6], rng);
    const y = new Int32Array([0, 1, 2, 0, 1, 2, 0, 1]);
    const lambda = 0.3;
    const a = mlp([6, 5, 3], { rng: new Rng(1) });
    const b = mlp([6, 5, 3], { rng: new Rng(1) });
    const ta = new Trainer(a, { loss: quadraticCost, optimizer: new SGD(a.parameters(), { lr: 0.5 }), regularization: { l2: lambda, params: weightsOnly(a.namedParameters()) } });
    ta.step({ x, y });
    const opt = new SGD(b.parameters(), { lr: 0.5 });
    const cost = quadraticCost(b.forward(x), y).add(l2Penalty(weightsOnly(b.namedParameters()), lambda));
    cost.backward();
    opt.step();
    a.parameters().forEach((p, i) => expectClose(p, b.parameters()[i]!, {}, `param ${i}`));
    expect(ta.penalty()).toBeCloseTo((lambda / 2) * weightsOnly(a.namedParameters()).reduce((s, w) => s + Array.from(w.data).reduce((t, v) => t + v * v, 0), 0), 5);
  });

  // Oracle: the step schedule's closed form lr·γ^⌊epoch/step⌋, read back from the epoch logs.
  test("a step schedule sets each epoch's learning rate", () => {
    const data = { train: small.train.slice(0, 50) };
    const { result } = run({ lr: 1, epochs: 5, schedule: "step", lrStep: 2, lrGamma: 0.5 }, data);
    expect(result.history.map((h) => h.lr)).toEqual([1, 1, 0.5, 0.5, 0.25]);
  });

  // Oracle: the steps' own pre-clipping norms (StepResult.gradNorm), read from the run batch by batch.
  test("with clipNorm each epoch logs the gradient norm before clipping: mean, max and the share clipped", () => {
    const data = { train: small.train.slice(0, 400) };
    const ex = buildExperiment({ ...DEFAULT_CONFIG, layers: [784, 30, 10], lr: 3, epochs: 2, clipNorm: 0.5 }, data);
    const run = ex.trainer.start(ex.loader, ex.fitOptions);
    const norms: number[] = [];
    for (let r = run.next(); r; r = run.next()) norms.push(r.gradNorm!);
    const per = ex.loader.length;
    run.result!.history.forEach((h, e) => {
      const mine = norms.slice(e * per, (e + 1) * per);
      expect(h.gradNorm!.mean).toBeCloseTo(mine.reduce((a, b) => a + b, 0) / per, 10);
      expect(h.gradNorm!.max).toBe(Math.max(...mine));
      expect(h.gradNorm!.clipped).toBe(mine.filter((n) => n > 0.5).length / per);
    });
    expect(run.result!.history[0]!.gradNorm!.clipped).toBeGreaterThan(0);
  });

  // Oracle: gradient clipping bounds the global norm that reaches the optimizer.
  test("clipNorm reports the pre-clipping norm and bounds the update", () => {
    const rng = new Rng(9);
    const model = mlp([4, 3], { output: "identity", rng });
    const t = new Trainer(model, { loss: (p, y) => mseLoss(p, y), optimizer: new SGD(model.parameters(), { lr: 1 }), clipNorm: 0.01 });
    const before = model.parameters().map((p) => p.data.slice());
    const r = t.step({ x: Tensor.randn([5, 4], rng).mul(100), y: Tensor.randn([5, 3], rng) as never });
    expect(r.gradNorm).toBeGreaterThan(0.01);
    let moved = 0;
    model.parameters().forEach((p, i) => p.data.forEach((v, j) => (moved += (v - before[i]![j]!) ** 2)));
    expect(Math.sqrt(moved)).toBeLessThanOrEqual(0.01 * (1 + 1e-4));
  });
});

describe("DataLoader", () => {
  const ds = new TensorDataset(Float32Array.from({ length: 20 }, (_, i) => i), [2], Int32Array.from({ length: 10 }, (_, i) => i));
  // Oracle: counting — every example appears exactly once per epoch; batch sizes as documented.
  test("shuffles with the seed, covers every example once, keeps or drops the last batch", () => {
    const epoch = (seed: number, dropLast = false) => [...new DataLoader(ds, { batchSize: 4, shuffle: true, rng: new Rng(seed), dropLast })];
    const labels = epoch(1).flatMap((b) => Array.from(b.y as Int32Array));
    expect([...labels].sort((p, q) => p - q)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(labels).toEqual(epoch(1).flatMap((b) => Array.from(b.y as Int32Array)));
    expect(labels).not.toEqual(epoch(2).flatMap((b) => Array.from(b.y as Int32Array)));
    expect(epoch(1).map((b) => (b.y as Int32Array).length)).toEqual([4, 4, 2]);
    expect(epoch(1, true).map((b) => (b.y as Int32Array).length)).toEqual([4, 4]);
    const first = epoch(1)[0]!;
    (first.y as Int32Array).forEach((label, r) => expect(Array.from(first.x.data.subarray(r * 2, r * 2 + 2))).toEqual([2 * label, 2 * label + 1]));
  });
});

describe("SGD fused into backward", () => {
  // Oracle: the two-pass path (gradient stored, then the optimizer's update), itself checked
  // against PyTorch — fusing must change nothing, bit for bit.
  test("fused and unfused steps give identical weights; fused weights get no .grad", () => {
    const data = { train: small.train.slice(0, 300) };
    const run = (fuseUpdates: boolean) => {
      const ex = buildExperiment({ ...presetConfig("nielsen-ch3"), epochs: 1, batchSize: 10 }, data);
      const t = new Trainer(ex.model, { ...ex.trainer.opts, fuseUpdates });
      for (const b of ex.loader) t.step(b);
      return ex.model;
    };
    const fused = run(true);
    const plain = run(false);
    fused.parameters().forEach((p, i) => expect(Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength).equals(Buffer.from(plain.parameters()[i]!.data.slice().buffer))).toBe(true));
    expect(fused.namedParameters().filter(([n]) => n.endsWith("weight")).every(([, p]) => p.grad === null)).toBe(true);
    expect(plain.parameters().every((p) => p.grad !== null)).toBe(true);
  });
});

describe("ensembles", () => {
  // Oracle: hand-counted votes and averages for three linear "models" with chosen weights.
  test("vote and average combine members as counted by hand", async () => {
    const { evaluateEnsemble } = await import("../src/train/ensemble.js");
    const { Linear } = await import("../src/nn/layers/linear.js");
    const make = (w: number[]) => {
      const l = new Linear(2, 2, { bias: false });
      l.weight.data.set(w);
      return l;
    };
    const identity = make([1, 0, 0, 1]); // predicts argmax(x)
    const swapped = make([0, 1, 1, 0]); // predicts the other class
    const loud = make([0, 5, 5, 0]); // swapped, with large outputs
    // Rows: x = [2, 1] (label 0), [1, 3] (label 1), [0, 1] (label 1).
    const ds = new TensorDataset(Float32Array.of(2, 1, 1, 3, 0, 1), [2], Int32Array.of(0, 1, 1));
    const r = evaluateEnsemble([identity, swapped, loud], ds);
    expect(r.members).toEqual([1, 0, 0]);
    // Votes: two of three say "swapped" on every row → 0 correct. Averages: the loud member's
    // outputs dominate → also swapped → 0 correct.
    expect(r.vote.accuracy).toBe(0);
    expect(r.average.accuracy).toBe(0);
    const r2 = evaluateEnsemble([identity, swapped, identity], ds);
    expect(r2.vote.accuracy).toBe(1); // 2 votes to 1 for the right class on each row
    // Average of [x, swap(x), x] = (2x + swap(x))/3 → argmax(x) wins: all correct.
    expect(r2.average.accuracy).toBe(1);
  });
});

describe("per-step schedules", () => {
  // Oracle: the cosine closed form lr·(1 + cos(π·t/T))/2 at t = epoch + batch/batches.
  test("cosine-step sets the rate before every step from the fractional epoch", () => {
    const data = { train: small.train.slice(0, 40) };
    const ex = buildExperiment({ ...DEFAULT_CONFIG, lr: 1, epochs: 2, batchSize: 10, schedule: "cosine-step" }, data);
    const seen: number[] = [];
    ex.trainer.fit(ex.loader, { ...ex.fitOptions, callbacks: [{ onBatchEnd: () => void seen.push(ex.trainer.lr) }] });
    const want = [0, 1, 2, 3, 4, 5, 6, 7].map((s) => (1 + Math.cos((Math.PI * (s / 4)) / 2)) / 2);
    expectClose(seen, want, { atol: 1e-12, rtol: 0 });
  });
});

describe("fitAsync: the same loop, interruptible", () => {
  const cfg = { ...presetConfig("nielsen-ch3"), epochs: 2, dropout: 0.1, trainSize: 1000 };
  const weights = (ex: ReturnType<typeof buildExperiment>) => ex.model.parameters().map((p) => Array.from(p.data));

  // Oracle: fit itself — pausing for the event loop must change no arithmetic.
  test("gives bit-identical weights and history to fit", async () => {
    const a = buildExperiment({ ...DEFAULT_CONFIG, ...cfg }, small);
    const ra = a.trainer.fit(a.loader, a.fitOptions);
    const b = buildExperiment({ ...DEFAULT_CONFIG, ...cfg }, small);
    const rb = await b.trainer.fitAsync(b.loader, { ...b.fitOptions, yieldEveryMs: 0 });
    expect(weights(b)).toEqual(weights(a));
    expect(rb.history.map((h) => h.trainLoss)).toEqual(ra.history.map((h) => h.trainLoss));
    expect(rb.stopped).toBeUndefined();
  });

  // Oracle: a one-epoch fit — aborting in epoch 2 must give back exactly the epoch-1 weights.
  test("an abort during epoch 2 drops that epoch and keeps the weights of epoch 1", async () => {
    const one = buildExperiment({ ...DEFAULT_CONFIG, ...cfg, epochs: 1 }, small);
    one.trainer.fit(one.loader, one.fitOptions);
    const ex = buildExperiment({ ...DEFAULT_CONFIG, ...cfg }, small);
    const controller = new AbortController();
    const completed: number[] = [];
    const r = await ex.trainer.fitAsync(ex.loader, {
      ...ex.fitOptions, signal: controller.signal, yieldEveryMs: 0,
      onEpochComplete: (s) => void completed.push(s.epoch),
      callbacks: [{ onBatchEnd: (ctx) => void (ctx.epoch === 2 && ctx.batch === 7 && controller.abort()) }],
    });
    expect(r.stopped?.kind).toBe("interrupted");
    expect(r.stopped?.message).toMatch(/interrupted during epoch 2; the model holds the weights of epoch 1/);
    expect(r.finalEpoch).toBe(1);
    expect(r.history).toHaveLength(1);
    expect(completed).toEqual([1]);
    expect(weights(ex)).toEqual(weights(one));
  });

  test("an abort before the first batch trains nothing", async () => {
    const ex = buildExperiment({ ...DEFAULT_CONFIG, ...cfg }, small);
    const before = weights(ex);
    const controller = new AbortController();
    controller.abort();
    const r = await ex.trainer.fitAsync(ex.loader, { ...ex.fitOptions, signal: controller.signal });
    expect(r.stopped?.kind).toBe("interrupted");
    expect(r.finalEpoch).toBe(0);
    expect(weights(ex)).toEqual(before);
  });
});

describe("regression", () => {
  // Oracle: regressionMetrics (checked against numpy fixtures) on the whole arrays at once.
  test("the streaming RegressionMeter equals regressionMetrics, over uneven batches, with two targets and a constant one", async () => {
    const { RegressionMeter } = await import("../src/train/metrics.js");
    const { regressionMetrics } = await import("../src/train/regression-metrics.js");
    const rng = new Rng(4);
    for (const [k, constant] of [[1, false], [2, false], [2, true]] as const) {
      const n = 37;
      const y = Float64Array.from({ length: n * k }, (_, i) => (constant && i % k === 1 ? 5 : rng.normal() * 3 + 1));
      const p = Float64Array.from(y, (v) => v + rng.normal());
      const meter = new RegressionMeter(k);
      for (const [a, b] of [[0, 10], [10, 11], [11, 37]]) meter.add(p.subarray(a! * k, b! * k), y.subarray(a! * k, b! * k), b! - a!);
      const got = meter.result();
      const want = regressionMetrics(y, p, k);
      for (const key of ["mse", "rmse", "mae", "r2"] as const) expect(got[key]).toBeCloseTo(want[key], 12);
      expect(got.total).toBe(n);
    }
  });

  // Oracle: the function itself — sin on [−π, π] is smooth; a small tanh net fits it to MSE < 0.01.
  test("fit(x, y) on plain arrays learns y = sin(x), as the README shows", () => {
    const rng = new Rng(1);
    const x = Array.from({ length: 1000 }, () => (rng.uniform() * 2 - 1) * Math.PI);
    const y = x.map(Math.sin);
    const model = mlp([1, 32, 32, 1], { activation: "tanh", output: "identity", init: "xavier-normal", rng });
    const trainer = new Trainer(model, { loss: (a, t) => mseLoss(a, t), optimizer: new SGD(model.parameters(), { lr: 0.05, momentum: 0.9 }) });
    const { history } = trainer.fit(x, y, { epochs: 60, batchSize: 32, validationSplit: 0.2, seed: 1 });
    const last = history[history.length - 1]!;
    expect(last.valMetrics!.mse).toBeLessThan(0.01);
    expect(last.valMetrics!.r2).toBeGreaterThan(0.98);
    expect(last.trainAccuracy).toBeUndefined();
  });
});

describe("fit is a stepper with callbacks", () => {
  const data = { train: small.train.slice(0, 300), validation: small.validation.slice(0, 200) };

  // Oracle: the book's rule applied by hand to the run's own validation accuracies.
  test("the plateau rule (a built-in callback) halves η after `patience` epochs without a better validation accuracy", () => {
    const ex = buildExperiment({ ...DEFAULT_CONFIG, layers: [784, 10, 10], lr: 0.5, epochs: 8, schedule: "plateau", plateauPatience: 1 }, data);
    const r = ex.trainer.fit(ex.loader, ex.fitOptions);
    let [lr, best, waited] = [0.5, -Infinity, 0];
    for (const h of r.history) {
      expect(h.lr).toBe(lr);
      if (h.valAccuracy! > best) [best, waited] = [h.valAccuracy!, 0];
      else if (++waited >= 1) [lr, waited] = [lr * 0.5, 0];
    }
  });

  // Oracle: the callback's own requests, read back from the history and the stop reason.
  test("a callback sets η before each step and stops the run with its own reason", () => {
    const ex = buildExperiment({ ...DEFAULT_CONFIG, layers: [784, 10, 10], lr: 0.5, epochs: 5 }, data);
    const seen: number[] = [];
    const r = ex.trainer.fit(ex.loader, {
      ...ex.fitOptions,
      callbacks: [{
        onBatchStart: (ctx) => ctx.setLr(0.1 * ctx.epoch),
        onBatchEnd: (ctx) => void seen.push(ctx.lr),
        onEpochEnd: (log, ctx) => void (log.epoch === 2 && ctx.stopWith({ kind: "callback", epoch: 2, message: "enough" })),
      }],
    });
    expect(r.history.map((h) => h.lr)).toEqual([0.1, 0.2]);
    expect(new Set(seen)).toEqual(new Set([0.1, 0.2]));
    expect(r.stopped).toEqual({ kind: "callback", epoch: 2, message: "enough" });
  });
});
