/**
 * A training run as plain data — the TrainConfig type, its defaults and the names each option
 * accepts. No runtime imports beyond the plain-data activation table, so the explorer's page can
 * read presets and defaults without pulling in the kernels (building the run is config.ts's job).
 */
import type { ActivationName, OutputName } from "../nn/activation-table.js";
import type { InitName } from "../nn/init.js";
import type { AugmentOptions } from "../data/augment.js";

/** The hidden activations and output layers by name: nn/activation-table.ts, plain data that pulls in no layers. */
export { ACTIVATION_NAMES, OUTPUT_NAMES } from "../nn/activation-table.js";
export const COSTS = ["quadratic", "cross-entropy", "log-likelihood", "mse"] as const;
export type CostName = (typeof COSTS)[number];
export const OPTIMIZERS = ["gd", "sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw"] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];
/**
 * The bundled data a run trains on: MNIST images (flat or, for convolutions, [1, 28, 28]), MNIST
 * read row by row ([28, 28]: 28 steps of 28 pixels), the adding problem generated from the seed,
 * or the State of the Union addresses as characters (a language model).
 */
export const DATA_NAMES = ["mnist", "mnist-rows", "adding", "sotu"] as const;
export type DataName = (typeof DATA_NAMES)[number];
export const SCHEDULES = ["constant", "step", "exponential", "cosine", "cosine-step", "plateau"] as const;
export type ScheduleName = (typeof SCHEDULES)[number];

export interface TrainConfig {
  /**
   * A whole architecture in one line (see nn/arch.ts), e.g.
   * "conv20x5,relu,maxpool2,conv40x5,relu,maxpool2,fc100,relu,fc10". When set it replaces
   * layers/activation/output/dropout; the output kind comes from its last layer.
   */
  arch?: string;
  /** Layer sizes, input first: [784, 30, 10]. */
  layers: number[];
  activation: ActivationName;
  output: OutputName;
  cost: CostName;
  init: InitName;
  /** Bias init; by default follows `init` (nn.defaultBiasInit). */
  biasInit?: InitName;
  optimizer: OptimizerName;
  lr: number;
  /** Momentum coefficient for "momentum"/"nesterov". */
  momentum: number;
  /** SGD with momentum: dampening of the gradient added to the momentum buffer (PyTorch's; default 0). */
  dampening?: number;
  /** Adam/AdamW: decay rates of the running means of g and g² (default 0.9, 0.999). */
  beta1?: number;
  beta2?: number;
  /** Adam/AdamW/RMSProp: the ε added to the denominator (default 1e-8). */
  eps?: number;
  /** RMSProp: smoothing constant of the running mean of g² (default 0.99). */
  alpha?: number;
  /** RMSProp: divide by an estimate of the variance instead of the raw second moment (default false). */
  centered?: boolean;
  batchSize: number;
  epochs: number;
  /** The book's L1 λ: the cost gains (λ/n)·Σ|w| over weights, n = training examples. */
  l1: number;
  /** The book's L2 λ: the cost gains (λ/2n)·Σw² over weights. */
  l2: number;
  /** The optimizer's own weight_decay (decoupled for adamw, coupled otherwise), on weights. */
  weightDecay: number;
  /** Dropout probability after each hidden layer. */
  dropout: number;
  clipNorm?: number;
  clipValue?: number;
  schedule: ScheduleName;
  /** step: epochs between decays; cosine: period (default: epochs). */
  lrStep?: number;
  /** step/exponential: decay factor. */
  lrGamma?: number;
  /** plateau: epochs without a better validation accuracy before halving η (the book: 10). */
  plateauPatience?: number;
  /** Stop after this many epochs without a better validation accuracy (0 = never). */
  earlyStopping: number;
  /** Training examples held out for validation (the book: the last 10,000). */
  validation: number;
  /** Use only the first N training examples (quick experiments); 0 = all. */
  trainSize: number;
  /** Nielsen's "expanded" training data: each image plus its 1-pixel shifts up, down, left, right (5×). */
  expand?: boolean;
  /** Random augmentation of every training batch (seeded): rotation, zoom, translation, elastic. */
  augment?: AugmentOptions;
  /** Members of an ensemble (`descent train --ensemble n`): nets trained with seeds seed, seed+1, … that vote. */
  ensemble?: number;
  seed: number;
  /**
   * Tables (a CSV file, or the bundled house prices): the target column(s). Setting it makes the
   * run a table run; numeric targets make it a regression, class names a classification (see `task`).
   */
  target?: string[];
  /** Tables: the feature columns (default: every column but the targets and the table's default drops). */
  features?: string[];
  /** Tables: train/validation/test fractions of the rows, split with the seed (default 0.7, 0.15, 0.15). */
  split?: [number, number, number];
  /** Tables: k-fold cross-validation instead of one split (train k models, report each fold and the mean). */
  folds?: number;
  /** Tables: what to do with missing cells — refuse them (none, the default) or fill in the training rows' mean. */
  impute?: "none" | "mean";
  /**
   * Tables: what the target is — numbers to predict (regression) or classes (classification).
   * Default: inferred from the training rows' target cells (all numbers: regression, none: classification).
   */
  task?: "regression" | "classification";
  /** The bundled data to train on (default mnist; tables come with --target). */
  data?: DataName;
  /** Sequence data: steps per example — the adding problem's length (default 100), a language model's window (default 100). */
  steps?: number;
  /**
   * The State of the Union text: train on the addresses from this year on (the held-out ones stay
   * the most recent); default: every address since 1790.
   */
  since?: number;
}

export const DEFAULT_CONFIG: TrainConfig = {
  layers: [784, 30, 10],
  activation: "sigmoid",
  output: "sigmoid",
  cost: "quadratic",
  init: "scaled-normal",
  optimizer: "sgd",
  lr: 3,
  momentum: 0.9,
  batchSize: 10,
  epochs: 30,
  l1: 0,
  l2: 0,
  weightDecay: 0,
  dropout: 0,
  schedule: "constant",
  earlyStopping: 0,
  validation: 10000,
  trainSize: 0,
  seed: 1,
};
