/**
 * What the explorer's worker does, without the worker: one model, trained a mini-batch at a time
 * by the same Trainer as the CLI — on MNIST, or on the house-price table (web/src/houses.ts) — and
 * read out for the views (activations for a digit, first-layer weights, the last step's largest
 * gradients, confusion and mistakes on the test set; for house prices, MAE/RMSE/R² and the test
 * rows' predictions). Plain core code — test/web-session.test.ts runs it in Node.
 */
import { noGrad } from "../../src/autograd.js";
import { intoScope, scope } from "../../src/memory.js";
import { Tensor } from "../../src/tensor.js";
import type { Module } from "../../src/nn/module.js";
import { Linear } from "../../src/nn/layers/linear.js";
import { Conv2d } from "../../src/nn/layers/conv.js";
import { Sequential } from "../../src/nn/layers/sequential.js";
import { Dropout } from "../../src/nn/layers/dropout.js";
import { layerDefinition } from "../../src/nn/registry.js";
import type { TensorDataset } from "../../src/data/dataset.js";
import { buildExperiment, type Experiment, type TrainConfig } from "../../src/train/config.js";
import { inferScored, objectiveFor, type Objective } from "../../src/train/objective.js";
import { infer } from "../../src/nn/infer.js";
import type { TrainingRun } from "../../src/train/trainer.js";
import { argmaxRows, type RegressionScores } from "../../src/train/metrics.js";
import { defaultEvalBatch, evaluate } from "../../src/train/evaluate.js";
import { decodeModel } from "../../src/io/model-file.js";
import { validateConfig } from "../../src/train/config.js";
import { buildModule } from "../../src/nn/registry.js";
import type { LayerSpec } from "../../src/nn/module.js";
import type { StopReason } from "../../src/train/trainer.js";

/** The data a session trains on: MNIST's digits, or the house-price table's rows. */
export interface DataSplit {
  train: TensorDataset;
  validation: TensorDataset;
  test: TensorDataset;
}

/** Mean cost and accuracy over the mini-batches of one training chunk. */
export interface TrainPoint {
  step: number;
  epoch: number;
  loss: number;
  /** NaN for a regression (there is nothing to be right or wrong about). */
  accuracy: number;
  examples: number;
}

/** A regression model scored on its three parts of the table, and its test predictions for the scatter. */
export interface RegressionReport {
  step: number;
  /** Mean cost (MSE) over the validation rows, for the cost curve. */
  valLoss: number;
  train: RegressionScores;
  validation: RegressionScores;
  test: RegressionScores;
  /** The test rows' predictions and true values (first target), in the target's units. */
  predicted: Float32Array;
  actual: Float32Array;
}

export interface EvalReport {
  step: number;
  valLoss: number;
  valAccuracy: number;
  testLoss: number;
  testAccuracy: number;
  /** counts[actual · 10 + predicted] over the test set. */
  confusion: number[];
  /** The first test digits the model gets wrong: index into the test set, label, prediction. */
  mistakes: { index: number; label: number; predicted: number }[];
}

/** One weight's gradient after a step: layer = index among the Linear layers (0 = first). */
export interface Nudge {
  layer: number;
  /** Neuron the weight feeds (row of the weight matrix). */
  to: number;
  /** Neuron or pixel it comes from (column); -1 for a bias. */
  from: number;
  grad: number;
  weight: number;
}

/** One layer for the network picture: its spec, the shape it outputs for one input (no batch), its parameter count. */
export interface LayerBlock {
  spec: LayerSpec;
  out: number[];
  params: number;
}

/** A run the Trainer stopped (a non-finite cost, …): the stop's facts, for the page to word. */
export class RunStopped extends Error {
  constructor(readonly stop: StopReason) {
    super(stop.message);
  }
}

/** A model file's contents as the explorer uses them. */
export interface LoadedFile {
  name: string;
  /** The settings the file records (null when it records none, or ones this version cannot read). */
  config: TrainConfig | null;
  testAccuracy: number | null;
}

/** A stack of Linear layers and element-wise activations: what the network picture can draw. */
export interface Dense {
  sizes: number[];
  linears: Linear[];
}

/** An elementwise activation, by its layer definition. */
const isActivation = (layer: Module) => layerDefinition(layer.spec().type)?.activation === true;

/** The model's Linear layers and sizes when it is a plain fully connected net (dropout allowed), else null. */
export function denseView(model: Module | null): Dense | null {
  if (!(model instanceof Sequential)) return null;
  const linears: Linear[] = [];
  for (const layer of model.layers) {
    if (layer instanceof Linear) linears.push(layer);
    else if (!isActivation(layer) && !(layer instanceof Dropout)) return null;
  }
  if (linears.length === 0) return null;
  return { sizes: [linears[0]!.inFeatures, ...linears.map((l) => l.outFeatures)], linears };
}

function takesImages(model: Module): boolean {
  const first = model instanceof Sequential ? model.layers[0] : model;
  return first instanceof Conv2d;
}

export class Session {
  /** Null until a model is loaded or a run is reset. */
  model: Module | null;
  /** Where the current weights came from, for the page to say. */
  origin: string;
  private exp: Experiment | null = null;
  private config: TrainConfig | null = null;
  /** The data the session trains and evaluates on (null until the files arrive). */
  data: DataSplit | null = null;
  /** The Trainer's own loop, driven a few mini-batches at a time (evaluation is the page's call). */
  private run: TrainingRun | null = null;
  private batchInEpoch = 0;
  steps = 0;
  epoch = 0;

  constructor(model: Module | null, origin: string) {
    this.model = model;
    this.origin = origin;
  }

  /** A model from a model file's bytes (validated by decodeModel; nothing in the file is run). */
  static fromModelFile(bytes: Uint8Array, name: string): Session {
    const { model, meta } = decodeModel(bytes, name);
    const acc = meta.training["testAccuracy"];
    const session = new Session(model, `${name}${typeof acc === "number" ? ` (test accuracy ${(acc * 100).toFixed(2)} %)` : ""}`);
    let config: TrainConfig | null = null;
    try {
      config = meta.training["config"] === undefined ? null : validateConfig(meta.training["config"]);
    } catch {
      config = null; // settings from another version: the weights still load, the form keeps its own
    }
    session.file = { name, config, testAccuracy: typeof acc === "number" ? acc : null };
    return session;
  }

  /** The file the model came from (null for a run trained here from the settings). */
  file: LoadedFile | null = null;

  setData(data: DataSplit): void {
    this.data = data;
  }

  get hasData(): boolean {
    return this.data !== null;
  }

  /** What the data asks of the model: class labels (digits) or values (house prices). */
  get task(): "classification" | "regression" {
    return this.data?.train.task ?? "classification";
  }

  /** Mini-batches per pass over the training data (0 before reset). */
  get stepsPerEpoch(): number {
    return this.exp?.loader.length ?? 0;
  }

  /** Whether the current model is the one `config` describes (trained from it, not loaded). */
  get training(): boolean {
    return this.exp !== null;
  }

  /** A fresh network for `config`, initialised from its seed: step 0 of the experiment. */
  reset(config: TrainConfig): void {
    this.start(config, null);
  }

  /**
   * Keeps training the model on screen (a loaded file) with `config`, from a fresh optimizer: the
   * experiment `config` describes, with this model's weights in place of its initial ones. Throws
   * when the settings build a network of another shape.
   */
  continueWith(config: TrainConfig): void {
    if (!this.model) throw new Error("no model to continue");
    const name = this.file?.name ?? "the model";
    this.start(config, this.model);
    this.origin = `${name}, trained further here`;
  }

  private start(config: TrainConfig, from: Module | null): void {
    if (!this.data) throw new Error("the data is still loading");
    const exp = buildExperiment(config, this.data, { fuseUpdates: false });
    if (from) exp.model.loadStateDict(from.stateDict(), "the loaded model");
    this.exp = exp;
    this.config = config;
    this.model = exp.model;
    this.origin = "trained here from the settings";
    this.batchInEpoch = 0;
    this.steps = 0;
    this.epoch = 0;
    // The CLI's loop and its rollback on a non-finite cost, without its end-of-epoch evaluation (the
    // page evaluates on its own cadence) or schedule (Play runs until paused: no horizon).
    const follow = { onBatchEnd: (ctx: { step: number; epoch: number; batch: number }) => {
      this.steps = ctx.step;
      this.epoch = ctx.epoch - 1;
      this.batchInEpoch = ctx.batch;
    } };
    this.run = exp.trainer.start(exp.loader, { epochs: Infinity, callbacks: [follow] });
  }

  /** Trains `count` mini-batches (or until `deadline`, a performance.now() time); returns their mean cost and accuracy. */
  train(count: number, deadline = Infinity, now: () => number = () => performance.now()): TrainPoint {
    const exp = this.exp;
    const run = this.run;
    if (!exp || !run) throw new Error("reset() before training");
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    for (let i = 0; i < count && (i === 0 || now() < deadline); i++) {
      const r = run.next();
      const stop = run.result?.stopped;
      if (stop?.kind === "non-finite-loss") {
        const kept = stop.restoredEpoch === 0 ? "the weights from before training" : `the weights of epoch ${stop.restoredEpoch}`;
        const e = new RunStopped(stop);
        e.message = `the cost became ${stop.loss} at step ${stop.step} (learning rate ${stop.lr}); the model went back to ${kept} — reset and try a smaller learning rate`;
        throw e;
      }
      if (stop) throw new RunStopped(stop);
      if (!r) break;
      lossSum += r.loss * r.size;
      correct += r.correct;
      seen += r.size;
    }
    const accuracy = this.task === "regression" ? NaN : correct / seen;
    return { step: this.steps, epoch: this.epoch + this.batchInEpoch / exp.loader.length, loss: lossSum / seen, accuracy, examples: seen };
  }

  /**
   * The network's values for one 28×28 digit: the input and each layer's output (after its
   * activation) for fully connected nets, just input and output otherwise.
   */
  predict(pixels: Float32Array): Float32Array[] {
    const model = this.net();
    const wasTraining = model.training;
    model.eval();
    try {
      return noGrad(() =>
        scope(() => {
          const shape = takesImages(model) ? [1, 1, 28, 28] : [1, pixels.length];
          let x = intoScope(new Tensor(Float32Array.from(pixels), shape));
          const values: Float32Array[] = [Float32Array.from(pixels)];
          if (denseView(model) && model instanceof Sequential) {
            const layers = model.layers;
            for (let i = 0; i < layers.length; i++) {
              x = layers[i]!.forward(x);
              const next = layers[i + 1];
              if (!next || next instanceof Linear) values.push(Float32Array.from(x.data));
            }
          } else {
            values.push(Float32Array.from(model.forward(x).data));
          }
          return values;
        }),
      );
    } finally {
      model.train(wasTraining);
    }
  }

  /** Cost, accuracy, confusion and mistakes on the validation and test sets (all at once: see beginEvaluation). */
  evaluate(maxMistakes = 48): EvalReport {
    const e = this.beginEvaluation(maxMistakes);
    while (!e.advance(Infinity));
    return e.report();
  }

  /**
   * An evaluation of the weights as they are now, done a few mini-batches at a time (advance()) on a
   * copy of the model, so training can go on meanwhile: its report is stamped with this step.
   */
  beginEvaluation(maxMistakes = 48): Evaluation {
    if (!this.data) throw new Error("the MNIST files are still loading");
    if (this.task === "regression") throw new Error("a regression is scored by evaluateRegression()");
    const model = this.net();
    const copy = buildModule(model.spec(), "the model");
    copy.loadStateDict(model.stateDict());
    return new Evaluation(copy, [this.data.validation, this.data.test], this.objective(), this.steps, maxMistakes);
  }

  /**
   * A regression model on the training, validation and test rows (the core's evaluate(), in eval
   * mode), and its predictions for the test rows.
   */
  evaluateRegression(): RegressionReport {
    if (!this.data) throw new Error("the table is still loading");
    const model = this.net();
    const objective = this.objective();
    const score = (ds: TensorDataset) => evaluate(model, ds, objective ?? {});
    const [train, validation, test] = [score(this.data.train), score(this.data.validation), score(this.data.test)];
    const ds = this.data.test;
    const k = ds.targetWidth;
    const wasTraining = model.training;
    model.eval();
    let out: Float32Array;
    try {
      out = noGrad(() => scope(() => Float32Array.from(infer(model, intoScope(new Tensor(ds.features, [ds.length, ds.featureSize]))).data)));
    } finally {
      model.train(wasTraining);
    }
    const predicted = new Float32Array(ds.length);
    const actual = new Float32Array(ds.length);
    for (let i = 0; i < ds.length; i++) {
      predicted[i] = out[i * k]!;
      actual[i] = ds.targets[i * k]!;
    }
    return { step: this.steps, valLoss: validation.loss, train: train.regression!, validation: validation.regression!, test: test.regression!, predicted, actual };
  }

  /** The cost the run trains on (a loaded model's recorded one; none if it records none). */
  private objective(): Objective | null {
    const c = this.training ? this.config : (this.file?.config ?? null);
    return c ? objectiveFor(c.cost, c.output) : null;
  }

  /**
   * The last step's largest gradients, largest |∂C/∂w| first — the "nudges" that step gave the
   * weights (each moved by −η·∂C/∂w). Empty before the first step. `onlyLayer` keeps one layer's
   * (0 = first) and only its weights, not biases: with sigmoid neurons the first layer's gradients
   * are far smaller than the last layer's — the vanishing gradient — so an overall ranking rarely
   * reaches the pixels.
   */
  nudges(count = 20, onlyLayer?: number): Nudge[] {
    const dense = denseView(this.model);
    if (!dense || !this.training) return [];
    const best: Nudge[] = [];
    let floor = 0;
    const consider = (n: Nudge) => {
      if (best.length === count && Math.abs(n.grad) <= floor) return;
      best.push(n);
      best.sort((a, b) => Math.abs(b.grad) - Math.abs(a.grad));
      if (best.length > count) best.pop();
      floor = Math.abs(best[best.length - 1]!.grad);
    };
    dense.linears.forEach((lin, layer) => {
      if (onlyLayer !== undefined && layer !== onlyLayer) return;
      const g = lin.weight.grad?.data;
      const w = lin.weight.data;
      if (g) {
        const cols = lin.inFeatures;
        for (let k = 0; k < g.length; k++) {
          const v = g[k]!;
          if (best.length < count || Math.abs(v) > floor) consider({ layer, to: Math.floor(k / cols), from: k % cols, grad: v, weight: w[k]! });
        }
      }
      const gb = onlyLayer === undefined ? lin.bias?.grad?.data : undefined;
      if (gb && lin.bias) for (let j = 0; j < gb.length; j++) consider({ layer, to: j, from: -1, grad: gb[j]!, weight: lin.bias.data[j]! });
    });
    return best;
  }

  /** The `count` largest overall (weights and biases), and the `perLayer` largest weights of each layer. */
  nudgeReport(count = 12, perLayer = 4): { overall: Nudge[]; byLayer: Nudge[][] } {
    const layers = denseView(this.model)?.linears.length ?? 0;
    return { overall: this.nudges(count), byLayer: Array.from({ length: layers }, (_, l) => this.nudges(perLayer, l)).filter((l) => l.length) };
  }

  /** The first layer's filters as images: fully connected rows of 784 as 28×28, or 1-channel conv kernels. */
  firstLayerImages(max = 64): { count: number; width: number; height: number; data: Float32Array } | null {
    const first = this.model instanceof Sequential ? this.model.layers[0] : null;
    if (first instanceof Linear && first.inFeatures === 784) {
      const count = Math.min(max, first.outFeatures);
      return { count, width: 28, height: 28, data: Float32Array.from(first.weight.data.subarray(0, count * 784)) };
    }
    if (first instanceof Conv2d && first.weight.shape[1] === 1) {
      const [out, , kh, kw] = first.weight.shape as [number, number, number, number];
      const count = Math.min(max, out);
      return { count, width: kw, height: kh, data: Float32Array.from(first.weight.data.subarray(0, count * kh * kw)) };
    }
    return null;
  }

  /** Weights and biases of a fully connected net, copied (for the network picture). */
  denseWeights(maxHidden = 64): { sizes: number[]; weights: Float32Array[]; biases: Float32Array[] } | null {
    const dense = denseView(this.model);
    if (!dense || dense.sizes.slice(1, -1).some((n) => n > maxHidden) || dense.sizes[0] !== 784) return null;
    return {
      sizes: dense.sizes,
      weights: dense.linears.map((l) => Float32Array.from(l.weight.data)),
      biases: dense.linears.map((l) => (l.bias ? Float32Array.from(l.bias.data) : new Float32Array(l.outFeatures))),
    };
  }

  /**
   * The model's layers (a Sequential's children, or the model as one block) with the shape each
   * outputs for one input — found by running one zero input through them, so any layer type works.
   */
  layerBlocks(): LayerBlock[] {
    const model = this.model;
    if (!model) return [];
    const layers = model instanceof Sequential ? model.layers : [model];
    const inputShape = takesImages(model) ? [1, 1, 28, 28] : [1, this.inputWidth(model)];
    const wasTraining = model.training;
    model.eval();
    try {
      return noGrad(() => scope(() => {
        let x = intoScope(Tensor.zeros(inputShape));
        return layers.map((layer) => {
          x = layer.forward(x);
          return { spec: layer.spec(), out: x.shape.slice(1), params: layer.numParameters() };
        });
      }));
    } finally {
      model.train(wasTraining);
    }
  }

  private inputWidth(model: Module): number {
    const first = denseView(model)?.sizes[0];
    return first ?? this.data?.train.featureSize ?? 784;
  }

  /**
   * A convolutional net's first convolution for one 28×28 digit: its feature maps (after the
   * activation that follows it, if any) — null for other nets.
   */
  featureMaps(pixels: Float32Array, max = 32): { count: number; width: number; height: number; data: Float32Array } | null {
    const model = this.model;
    if (!(model instanceof Sequential) || !takesImages(model)) return null;
    const wasTraining = model.training;
    model.eval();
    try {
      return noGrad(() => scope(() => {
        let x = intoScope(new Tensor(Float32Array.from(pixels), [1, 1, 28, 28]));
        const layers = model.layers;
        for (let i = 0; i < layers.length; i++) {
          x = layers[i]!.forward(x);
          if (!(layers[i] instanceof Conv2d)) continue;
          const next = layers[i + 1];
          if (next && isActivation(next)) x = next.forward(x);
          const [, c, h, w] = x.shape as [number, number, number, number];
          const count = Math.min(max, c);
          return { count, width: w, height: h, data: Float32Array.from(x.data.subarray(0, count * h * w)) };
        }
        return null;
      }));
    } finally {
      model.train(wasTraining);
    }
  }

  /** "784-16-16-10, 13,002 parameters" or the layer types for other nets. */
  describe(): string {
    if (!this.model) return "no model yet";
    const dense = denseView(this.model);
    const params = this.model.numParameters().toLocaleString("en-US");
    if (dense) return `${dense.sizes.join("-")} network, ${params} parameters`;
    return `${this.model instanceof Sequential && this.model.layers.some((l) => l instanceof Conv2d) ? "convolutional network" : "network"}, ${params} parameters`;
  }

  private net(): Module {
    if (!this.model) throw new Error("no model yet: press play or step to train one");
    return this.model;
  }
}

/** Validation then test, a batch at a time, on a frozen copy of the model (see Session.beginEvaluation). */
export class Evaluation {
  private part = 0;
  private start = 0;
  private readonly parts: { lossSum: number; correct: number; confusion: number[]; mistakes: EvalReport["mistakes"] }[] = [];
  private readonly images: boolean;
  private readonly total: number;
  private seen = 0;

  constructor(
    private readonly model: Module,
    private readonly sets: [TensorDataset, TensorDataset],
    private readonly objective: Objective | null,
    /** The step whose weights are evaluated. */
    readonly step: number,
    private readonly maxMistakes: number,
  ) {
    model.eval();
    this.images = takesImages(model);
    this.total = sets[0].length + sets[1].length;
    for (let i = 0; i < 2; i++) this.parts.push({ lossSum: 0, correct: 0, confusion: new Array<number>(100).fill(0), mistakes: [] });
  }

  /** The fraction of the digits scored so far. */
  get done(): number {
    return this.seen / this.total;
  }

  /** Scores mini-batches (at least one) until `deadline` (a performance.now() time); true once both sets are done. */
  advance(deadline: number, now: () => number = () => performance.now()): boolean {
    do {
      if (this.part > 1) return true;
      const ds = this.sets[this.part as 0 | 1];
      const acc = this.parts[this.part]!;
      const batch = defaultEvalBatch(ds.withFeatureShape(this.images ? [1, 28, 28] : [ds.featureSize]));
      const start = this.start;
      const end = Math.min(start + batch, ds.length);
      noGrad(() => scope(() => {
        const part = ds.slice(start, end);
        const x = new Tensor(part.features, this.images ? [end - start, 1, 28, 28] : [end - start, part.featureSize]);
        const { out, scored } = inferScored(this.model, intoScope(x), this.objective?.lossOnLogits ?? false);
        const cols = out.shape[out.rank - 1]!;
        if (this.objective) acc.lossSum += this.objective.loss(scored, part.labels).item() * (end - start);
        const pred = argmaxRows(out.data, end - start, cols);
        const keep = this.part === 1 ? this.maxMistakes : 0;
        for (let i = 0; i < end - start; i++) {
          const label = part.labels[i]!;
          acc.confusion[label * 10 + pred[i]!]!++;
          if (pred[i] === label) acc.correct++;
          else if (acc.mistakes.length < keep) acc.mistakes.push({ index: start + i, label, predicted: pred[i]! });
        }
      }));
      this.seen += end - start;
      this.start = end;
      if (end >= ds.length) {
        this.part++;
        this.start = 0;
      }
    } while (now() < deadline);
    return this.part > 1;
  }

  report(): EvalReport {
    const [val, test] = this.parts as [Evaluation["parts"][0], Evaluation["parts"][0]];
    const [vs, ts] = this.sets;
    const loss = (p: typeof val, n: number) => (this.objective ? p.lossSum / n : NaN);
    return {
      step: this.step, valLoss: loss(val, vs.length), valAccuracy: val.correct / vs.length, testLoss: loss(test, ts.length), testAccuracy: test.correct / ts.length,
      confusion: test.confusion, mistakes: test.mistakes,
    };
  }
}
