/**
 * A training run as plain data (CLI flags, presets and, later, the explorer's URL all map onto
 * this), and the one function that turns it into a model, an optimizer and a trainer.
 */
import { mlp, type OutputName } from "../nn/mlp.js";
import { archTakesImages, buildArch } from "../nn/arch.js";
import { objectiveFor } from "./objective.js";
import { weightsOnly } from "../nn/regularization.js";
import type { Module } from "../nn/module.js";
import { SGD } from "../optim/sgd.js";
import { RMSprop } from "../optim/rmsprop.js";
import { Adam, AdamW } from "../optim/adam.js";
import type { Optimizer } from "../optim/optimizer.js";
import { ReduceOnPlateau, cosineSchedule, cosineStepSchedule, exponentialSchedule, stepSchedule, type Schedule } from "../optim/schedule.js";
import { DataLoader, type TensorDataset } from "../data/dataset.js";
import { augmenter, expandByShifts } from "../data/augment.js";
import { Rng } from "../rng.js";
import { UsageError } from "../errors.js";
import { Trainer, type FitOptions } from "./trainer.js";

export { COSTS, OPTIMIZERS, SCHEDULES, DEFAULT_CONFIG, type CostName, type OptimizerName, type ScheduleName, type TrainConfig } from "./defaults.js";
import type { CostName, TrainConfig } from "./defaults.js";
import { checkSettings } from "../experiment/settings.js";

/**
 * Checks a config from anywhere — flags, a preset, a checkpoint, a link — against the settings
 * table (src/experiment/settings.ts), then the settings that depend on each other. Total over
 * unknown input: anything wrong is a UsageError naming the setting, never a TypeError.
 * With `arch`, the output kind comes from its last layer.
 */
export function validateConfig(input: unknown): TrainConfig {
  let c = checkSettings(input);
  if (c.arch !== undefined) {
    // Parsing builds the layers, which also checks every token and shape.
    const { last } = buildArch(c.arch, { input: dataInput(c), vocabulary: PROVISIONAL_VOCABULARY });
    c = { ...c, output: last === "softmax" ? "softmax" : last === "sigmoid" ? "sigmoid" : "identity" };
  }
  if (c.cost === "log-likelihood" && c.output !== "softmax") {
    throw new UsageError(`the log-likelihood cost needs a softmax output layer (${c.arch ? "end --arch with softmax" : "--output softmax"}), got "${c.output}"`);
  }
  if (c.optimizer === "nesterov" && (c.dampening ?? 0) !== 0) {
    throw new UsageError(`Nesterov momentum needs dampening 0 (PyTorch's rule), got dampening ${c.dampening}`);
  }
  if (c.schedule === "plateau" && c.validation === 0) {
    throw new UsageError("the plateau schedule watches validation accuracy: keep a validation set (--validation > 0)");
  }
  return c;
}

/** The input an architecture gets from MNIST: images [1, 28, 28] when it starts with a convolution. */
const mnistInput = (arch: string) => (archTakesImages(arch) ? [1, 28, 28] : [784]);

/**
 * Checking an architecture before the text is read: the vocabulary is not known yet, so token
 * layers (embed<D>, fcv) are sized with this stand-in; the run builds them with the real one.
 */
const PROVISIONAL_VOCABULARY = 96;

/** The default window of the sequence data sets (the adding problem's T, a language model's BPTT length). */
export const DEFAULT_STEPS = 100;

/** The shape of one example of the config's bundled data, as an architecture sees it. */
export function dataInput(c: TrainConfig): number[] {
  switch (c.data ?? "mnist") {
    case "mnist":
      return c.arch !== undefined ? mnistInput(c.arch) : [784];
    case "mnist-rows":
      return [28, 28];
    case "adding":
      return [c.steps ?? DEFAULT_STEPS, 2];
    case "sotu":
      return [c.steps ?? DEFAULT_STEPS];
  }
}

/**
 * Refuses, before any training, a network that does not end with one output per class.
 * @param output the model's output shape per example (buildArch's `output`, or [last layer size]).
 * @param classes how many classes the data has; `which` describes them ("digits 0–9").
 */
export function checkOutputWidth(c: TrainConfig, output: readonly number[], classes: number, which = `labels 0–${classes - 1}`): void {
  if (output.length === 1 && output[0] === classes) return;
  const ends = output.length === 1 ? `${output[0]} output${output[0] === 1 ? "" : "s"}` : `a [${output.join(", ")}] output`;
  const fix = c.arch !== undefined ? `end --arch with fc${classes}` : `end --layers with ${classes}`;
  throw new UsageError(`the network ends with ${ends}, but the data has ${classes} classes (${which}): ${fix}`);
}

/** The output shape per example of the network a config describes, for its data's input shape (builds an arch's layers to walk its shapes). */
export function mnistOutputShape(c: TrainConfig): number[] {
  return c.arch !== undefined ? buildArch(c.arch, { input: dataInput(c), vocabulary: PROVISIONAL_VOCABULARY }).output : [c.layers[c.layers.length - 1]!];
}

/**
 * A regression run: one output per target value, a cost that compares values (mse, or the book's
 * quadratic), and no softmax (it would force the outputs to sum to 1).
 */
export function checkRegression(c: TrainConfig, output: readonly number[], targets: number): void {
  if (c.cost !== "mse" && c.cost !== "quadratic") {
    throw new UsageError(`the ${c.cost} cost scores class labels, but this data has numeric targets (a regression): use --cost mse`);
  }
  if (c.output === "softmax") throw new UsageError("a softmax output makes the outputs sum to 1, which numeric targets do not: use --output identity for a regression");
  if (output.length === 1 && output[0] === targets) return;
  const ends = output.length === 1 ? `${output[0]} output${output[0] === 1 ? "" : "s"}` : `a [${output.join(", ")}] output`;
  const fix = c.arch !== undefined ? `end --arch with fc${targets}` : `end --layers with ${targets}`;
  throw new UsageError(`the network ends with ${ends}, but the data has ${targets} target value${targets === 1 ? "" : "s"} per example: ${fix}`);
}

/** Classes in the data: as the data fixes them (a vocabulary), or the largest label + 1 over every split given. */
function classCount(data: { train: TensorDataset; validation?: TensorDataset; test?: TensorDataset }): number {
  if (data.train.classes !== undefined) return data.train.classes;
  let max = -1;
  for (const d of [data.train, data.validation, data.test]) {
    if (d) for (const y of d.labels) if (y > max) max = y;
  }
  return max + 1;
}

/**
 * The book's L2 term adds (λ/n)·w to each weight's gradient — exactly a coupled weight decay, so for
 * every optimizer whose weight decay is coupled (all but AdamW) it is folded into the optimizer's
 * update instead of a separate pass.
 */
const l2InOptimizer = (c: TrainConfig) => c.optimizer !== "adamw";

/** Adam's betas and ε from the settings (PyTorch's defaults where unset). */
const adamOptions = (c: TrainConfig) => ({
  ...(c.beta1 !== undefined || c.beta2 !== undefined ? { betas: [c.beta1 ?? 0.9, c.beta2 ?? 0.999] as [number, number] } : {}),
  ...(c.eps !== undefined ? { eps: c.eps } : {}),
});

export function makeOptimizer(c: TrainConfig, model: Module, n: number): Optimizer<{ lr: number }> {
  const named = model.namedParameters();
  const weights = weightsOnly(named);
  const others = named.map(([, p]) => p).filter((p) => !weights.includes(p));
  const decay = c.weightDecay + (l2InOptimizer(c) ? c.l2 / n : 0);
  const groups = [{ params: weights, weightDecay: decay }, { params: others, weightDecay: 0 }];
  switch (c.optimizer) {
    case "gd":
    case "sgd":
      return new SGD(groups, { lr: c.lr });
    case "momentum":
      return new SGD(groups, { lr: c.lr, momentum: c.momentum, ...(c.dampening !== undefined ? { dampening: c.dampening } : {}) });
    case "nesterov":
      return new SGD(groups, { lr: c.lr, momentum: c.momentum, nesterov: true });
    case "rmsprop":
      return new RMSprop(groups, { lr: c.lr, ...(c.alpha !== undefined ? { alpha: c.alpha } : {}), ...(c.eps !== undefined ? { eps: c.eps } : {}), ...(c.centered ? { centered: true } : {}) });
    case "adam":
      return new Adam(groups, { lr: c.lr, ...adamOptions(c) });
    case "adamw":
      return new AdamW(groups, { lr: c.lr, ...adamOptions(c) });
  }
}

function makeSchedule(c: TrainConfig): Schedule | undefined {
  switch (c.schedule) {
    case "constant":
    case "plateau":
      return undefined;
    case "step":
      return stepSchedule(c.lr, c.lrStep ?? 10, c.lrGamma ?? 0.1);
    case "exponential":
      return exponentialSchedule(c.lr, c.lrGamma ?? 0.95);
    case "cosine":
      return cosineSchedule(c.lr, c.lrStep ?? c.epochs);
    case "cosine-step":
      return cosineStepSchedule(c.lr, c.lrStep ?? c.epochs);
  }
}

export interface Experiment {
  /** The datasets as the model sees them (images [1, 28, 28] for convolutional architectures). */
  data: { train: TensorDataset; validation?: TensorDataset; test?: TensorDataset };
  model: Module;
  trainer: Trainer;
  loader: DataLoader;
  fitOptions: FitOptions;
  rng: Rng;
}

/** Builds everything a run needs from a config and its data; all randomness forks from `seed`. */
export function buildExperiment(
  config: TrainConfig,
  data: { train: TensorDataset; validation?: TensorDataset; test?: TensorDataset },
  opts: { fuseUpdates?: boolean } = {},
): Experiment {
  const c = validateConfig(config);
  const rng = new Rng(c.seed);
  const base = c.trainSize > 0 ? data.train.slice(0, Math.min(c.trainSize, data.train.length)) : data.train;
  const train = c.expand ? expandByShifts(base) : base;
  if (c.arch === undefined && train.featureSize !== c.layers[0]) {
    throw new UsageError(`the first layer takes ${c.layers[0]} inputs, but the data has ${train.featureSize} features per example (use --layers ${train.featureSize},…)`);
  }
  const images = c.arch !== undefined && archTakesImages(c.arch);
  // Sequences keep their [steps, features] (or, for token ids, [steps]) shape; everything else is a flat vector or an image.
  const sequence = train.featureShape.length === 2 || train.classes !== undefined;
  const input = images ? imageShape(train) : sequence ? [...train.featureShape] : [train.featureSize];
  const built = c.arch !== undefined
    ? buildArch(c.arch, {
      input, init: c.init, rng, ...(c.biasInit ? { biasInit: c.biasInit } : {}), ...(train.classes !== undefined ? { vocabulary: train.classes } : {}),
    })
    : {
      model: mlp(c.layers, {
        activation: c.activation, output: c.output, init: c.init, dropout: c.dropout, rng,
        ...(c.biasInit ? { biasInit: c.biasInit } : {}),
      }),
      output: [c.layers[c.layers.length - 1]!],
    };
  if (train.task === "regression") checkRegression(c, built.output, train.targetWidth);
  else if (train.targetWidth > 1) checkPerStepOutput(c, built.output, train.targetWidth, classCount(data));
  else checkOutputWidth(c, built.output, classCount(data));
  const model = built.model;
  // A network of --layers reads flat vectors, whatever shape the examples have (MNIST rows: 784 values).
  const flat = c.arch === undefined && train.featureShape.length > 1;
  const view = (d: TensorDataset | undefined) => (d && images ? d.withFeatureShape(imageShape(d)) : d && flat ? d.withFeatureShape([d.featureSize]) : d);
  const prepared = { train: view(train)!, validation: view(data.validation), test: view(data.test) };
  const n = train.length;
  const trainer = new Trainer(model, {
    ...objectiveFor(c.cost, c.output),
    optimizer: makeOptimizer(c, model, n),
    ...(c.l1 || c.l2
      ? { regularization: { l1: c.l1 / n, l2: c.l2 / n, params: weightsOnly(model.namedParameters()), l2InOptimizer: l2InOptimizer(c) } }
      : {}),
    ...(c.clipNorm !== undefined ? { clipNorm: c.clipNorm } : {}),
    ...(c.clipValue !== undefined ? { clipValue: c.clipValue } : {}),
    ...(opts.fuseUpdates !== undefined ? { fuseUpdates: opts.fuseUpdates } : {}),
  });
  const batchSize = c.optimizer === "gd" ? n : c.batchSize;
  const augment = c.augment && Object.values(c.augment).some((v) => v) ? augmenter(c.augment) : undefined;
  // Streams (a language model's text): batches in order, all full, so each continues the previous one row by row.
  const streams = prepared.train.streams;
  if (streams !== undefined && streams !== batchSize) {
    throw new UsageError(`the training text is cut into ${streams} parallel streams but the batch size is ${batchSize}: build the data with streams = --batch-size`);
  }
  const loader = new DataLoader(prepared.train, {
    batchSize, shuffle: streams === undefined, rng: rng.fork("shuffle"), ...(streams !== undefined ? { dropLast: true } : {}),
    ...(augment ? { augment, augmentRng: rng.fork("augment") } : {}),
  });
  const schedule = makeSchedule(c);
  const fitOptions: FitOptions = {
    epochs: c.epochs,
    ...(prepared.validation ? { validation: prepared.validation } : {}),
    ...(prepared.test ? { test: prepared.test } : {}),
    ...(schedule ? { schedule } : {}),
    ...(c.schedule === "plateau" ? { plateau: new ReduceOnPlateau(c.lr, { patience: c.plateauPatience ?? 10 }) } : {}),
    ...(c.earlyStopping > 0 ? { earlyStopping: { patience: c.earlyStopping } } : {}),
  };
  return { data: prepared, model, trainer, loader, fitOptions, rng };
}

/** A per-step classification (a language model): one score per class at each of the `steps` steps. */
function checkPerStepOutput(c: TrainConfig, output: readonly number[], steps: number, classes: number): void {
  if (output.length === 2 && output[0] === steps && output[1] === classes) return;
  throw new UsageError(
    `the network ends with a [${output.join(", ")}] output per example, but the data has a label per step: it needs [${steps}, ${classes}] ` +
      `(${classes} classes at each of ${steps} steps) — end --arch with a sequence layer ("seq") then fc${classes} (or fcv), softmax`,
  );
}

/** A flat dataset of square single-channel images seen as [1, side, side]. */
function imageShape(d: TensorDataset): number[] {
  if (d.featureShape.length === 3) return [...d.featureShape];
  const side = Math.round(Math.sqrt(d.featureSize));
  if (side * side !== d.featureSize) throw new UsageError(`a convolutional --arch needs square images; examples have ${d.featureSize} values`);
  return [1, side, side];
}
