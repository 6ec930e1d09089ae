/**
 * Nielsen's chapter-5 experiment and its fixes: train a network while measuring every layer's
 * speed of learning on a fixed probe (the first 1,000 training images), then the same run, same
 * seed, with one change each — ReLU, Xavier or He init, batch norm, residual connections — and the
 * exploding case (ReLU with N(0, 1) weights) without and with gradient clipping.
 */
import { buildExperiment, type Experiment, type TrainConfig } from "../train/config.js";
import type { TrainingRun } from "../train/trainer.js";
import { objectiveFor } from "../train/objective.js";
import type { TensorDataset } from "../data/dataset.js";
import { speedsCallback, weightedLayers, type SpeedRecord } from "./gradients.js";
import type { Callback } from "../train/callbacks.js";
import { UsageError } from "../errors.js";

/** A change to the base run, by name. */
export const VARIANTS = ["base", "relu", "xavier", "he", "batchnorm", "residual", "exploding", "clipped"] as const;
export type VariantName = (typeof VARIANTS)[number];

export const VARIANT_HELP: Record<VariantName, string> = {
  base: "the network as given (the book: sigmoid, N(0, 1/n_in) weights)",
  relu: "ReLU hidden units, same init",
  xavier: "Xavier/Glorot normal init (zero biases)",
  he: "ReLU with He normal init (zero biases)",
  batchnorm: "batch norm before every hidden activation",
  residual: "residual connections around every hidden layer after the first",
  exploding: "ReLU with N(0, 1) weights: gradients explode",
  clipped: "the exploding case with gradients clipped to global norm 1",
};

/** The hidden sizes and activation of an MLP config (variants rebuild it as an arch). */
function mlpShape(c: TrainConfig): { sizes: number[]; activation: string; output: string } {
  if (c.arch !== undefined) throw new UsageError("analyze gradients' variants rebuild a fully connected network: give --layers (or an MLP preset), not --arch");
  return { sizes: c.layers, activation: c.activation, output: c.output };
}

/** The arch string of an MLP with `extra` inserted before each hidden activation, and hidden layers after the first optionally residual. */
function archOf(sizes: readonly number[], act: string, output: string, opts: { bn?: boolean; residual?: boolean }): string {
  const tokens: string[] = [];
  for (let i = 1; i < sizes.length; i++) {
    const last = i === sizes.length - 1;
    if (last) tokens.push(`fc${sizes[i]}`, output);
    else {
      const block = [`fc${sizes[i]}`, ...(opts.bn ? ["bn"] : []), act];
      if (opts.residual && sizes[i] === sizes[i - 1] && i > 1) tokens.push(`res(${block.join(";")})`);
      else tokens.push(...block);
    }
  }
  return tokens.join(",");
}

/**
 * The changes the explorer's vanishing-gradient view toggles one by one, all off in the base run.
 * Each variant is one combination of them (VARIANT_TOGGLES).
 */
export interface SpeedToggles {
  /** ReLU hidden units instead of the base activation. */
  relu?: boolean;
  /** Another weight initialisation (e.g. "normal" for N(0, 1), "xavier-normal", "he-normal"). */
  init?: TrainConfig["init"];
  /** Batch norm before every hidden activation. */
  batchnorm?: boolean;
  /** Residual connections around every hidden layer after the first (same widths). */
  residual?: boolean;
  /** Clip the gradients to this global norm. */
  clipNorm?: number;
}

/** Each variant as toggles of the base run. */
export const VARIANT_TOGGLES: Record<VariantName, SpeedToggles> = {
  base: {},
  relu: { relu: true },
  xavier: { init: "xavier-normal" },
  he: { relu: true, init: "he-normal" },
  batchnorm: { batchnorm: true },
  residual: { residual: true },
  exploding: { relu: true, init: "normal" },
  clipped: { relu: true, init: "normal", clipNorm: 1 },
};

/** The config of `base` (a fully connected network: --layers, not --arch) with the toggles applied (an arch string when batch norm or residual connections are on). */
export function toggledConfig(base: TrainConfig, t: SpeedToggles): TrainConfig {
  const { sizes, output } = mlpShape(base);
  let c: TrainConfig = t.relu ? { ...base, activation: "relu" } : base;
  if (t.init !== undefined) c = { ...c, init: t.init };
  if (t.clipNorm !== undefined) c = { ...c, clipNorm: t.clipNorm };
  if (t.batchnorm || t.residual) c = { ...c, arch: archOf(sizes, c.activation, output, { bn: Boolean(t.batchnorm), residual: Boolean(t.residual) }) };
  return c;
}

/** The config of a variant of `base`. */
export function variantConfig(base: TrainConfig, v: VariantName): TrainConfig {
  return v === "base" ? base : toggledConfig(base, VARIANT_TOGGLES[v]);
}

export interface SpeedRun {
  variant: VariantName;
  seed: number;
  /** The weighted layers' names, input side first. */
  layers: string[];
  /** Epoch 0 (initialisation), then after every epoch trained. */
  speeds: SpeedRecord[];
  /** Test accuracy after the last epoch (undefined when not trained). */
  testAccuracy?: number;
  /** Validation accuracy after the last epoch (Nielsen's ch. 5 figures are network2's accuracy on validation_data). */
  validationAccuracy?: number;
  /** Why training stopped early (e.g. a non-finite cost in the exploding case). */
  stopped?: string;
}

export interface SpeedOptions {
  /** Examples of the probe set: the first `probe` training images (the book: 1,000). */
  probe: number;
  /** Measure at initialisation only (no training). */
  initOnly?: boolean;
  /** Called after every epoch of every run (progress). */
  callbacks?: Callback[];
}

/** A speed run in progress (startSpeedRun): drive `run.next()`; `speeds` grows by one record per epoch. */
export interface LiveSpeedRun {
  run: TrainingRun;
  /** The weighted layers' names, input side first. */
  layers: string[];
  /** Epoch 0 (initialisation) once started, then one record after every epoch trained. */
  speeds: SpeedRecord[];
  experiment: Experiment;
}

/**
 * The training run of speedRun, driven one mini-batch at a time (the explorer's worker steps it
 * a few batches per slice; speedRun runs it to the end): the same arithmetic either way.
 */
export function startSpeedRun(config: TrainConfig, data: { train: TensorDataset; validation?: TensorDataset; test?: TensorDataset }, opts: SpeedOptions): LiveSpeedRun {
  const ex = buildExperiment(config, data, { fuseUpdates: false });
  const n = Math.min(opts.probe, data.train.length);
  const probe = ex.data.train.range(0, n);
  const objective = objectiveFor(config.cost, config.output);
  const layers = weightedLayers(ex.model).map((l) => l.layer);
  const speeds: SpeedRecord[] = [];
  const cb = speedsCallback(ex.model, objective, probe, speeds);
  const run = ex.trainer.start(ex.loader, { ...ex.fitOptions, callbacks: [cb, ...(opts.callbacks ?? [])] });
  return { run, layers, speeds, experiment: ex };
}

/** One run of a config: speeds at init and after every epoch, and the final test accuracy. */
export function speedRun(config: TrainConfig, variant: VariantName, data: { train: TensorDataset; validation?: TensorDataset; test?: TensorDataset }, opts: SpeedOptions): SpeedRun {
  if (opts.initOnly) {
    const ex = buildExperiment(config, data, { fuseUpdates: false });
    const probe = ex.data.train.range(0, Math.min(opts.probe, data.train.length));
    const speeds: SpeedRecord[] = [];
    ex.model.train();
    speedsCallback(ex.model, objectiveFor(config.cost, config.output), probe, speeds).onTrainStart!({ epoch: 0 } as Parameters<NonNullable<Callback["onTrainStart"]>>[0]);
    return { variant, seed: config.seed, layers: weightedLayers(ex.model).map((l) => l.layer), speeds };
  }
  const { run, layers, speeds, experiment: ex } = startSpeedRun(config, data, opts);
  while (run.next());
  const r = run.result!;
  const test = ex.data.test ? ex.trainer.evaluate(ex.data.test) : undefined;
  const val = r.history[r.history.length - 1]?.valAccuracy;
  return {
    variant, seed: config.seed, layers, speeds,
    ...(val !== undefined ? { validationAccuracy: val } : {}),
    ...(test && !test.regression ? { testAccuracy: test.accuracy } : {}),
    ...(r.stopped ? { stopped: r.stopped.message } : {}),
  };
}

/**
 * The book's ratio: speed of the first hidden layer over the last hidden layer's (bias gradients;
 * the output layer is not a hidden layer). Undefined with fewer than two hidden layers.
 */
export function firstLastRatio(record: SpeedRecord): number | undefined {
  const hidden = record.bias.slice(0, -1);
  return hidden.length >= 2 ? hidden[0]! / hidden[hidden.length - 1]! : undefined;
}
