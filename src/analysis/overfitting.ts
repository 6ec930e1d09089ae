/**
 * Nielsen's chapter-3 overfitting experiment, measured as the explorer shows it: a network trained
 * on the first 1,000 MNIST images, its accuracy on those 1,000 (scored after every epoch, in eval
 * mode: no dropout, as the book's `accuracy(training_data)`) beside its validation accuracy, and
 * the distribution of its weights — L1 drives the ones the data does not need towards zero.
 */
import type { Module } from "../nn/module.js";
import { weightsOnly } from "../nn/regularization.js";
import type { TensorDataset } from "../data/dataset.js";
import type { Trainer } from "../train/trainer.js";
import type { Callback } from "../train/callbacks.js";
import { DEFAULT_CONFIG, type TrainConfig } from "../train/defaults.js";

/**
 * The book's run (network2): `net.large_weight_initializer()`, then
 * `net.SGD(training_data[:1000], 400, 10, 0.5, evaluation_data=test_data)` — [784, 30, 10] sigmoid
 * neurons, cross-entropy, N(0, 1) weights, η = 0.5, mini-batches of 10, the first 1,000 training
 * images, 400 epochs. The book then adds L2 with λ = 0.1. (Not a preset: the explorer's training
 * page would train a preset on all 50,000 images.) From the CLI: `descent train --layers 784,30,10
 * --cost cross-entropy --init normal --lr 0.5 --train-size 1000 --epochs 400`.
 */
export const OVERFITTING_CONFIG: TrainConfig = {
  ...DEFAULT_CONFIG,
  layers: [784, 30, 10], activation: "sigmoid", output: "sigmoid", cost: "cross-entropy",
  init: "normal", optimizer: "sgd", lr: 0.5, batchSize: 10, epochs: 400, trainSize: 1000,
};

/** The training set scored after an epoch (eval mode), as the book's monitor_training_accuracy. */
export interface TrainingScore {
  epoch: number;
  /** Share of the training examples classified right. */
  accuracy: number;
  /** Mean cost per example, without the penalty term. */
  loss: number;
}

/** A callback that scores `train` with the trainer's cost after every epoch, into `into`. */
export function trainingScoreCallback(trainer: Trainer, train: TensorDataset, into: TrainingScore[]): Callback {
  return {
    onEpochEnd: (log) => {
      const r = trainer.evaluate(train);
      into.push({ epoch: log.epoch, accuracy: r.accuracy, loss: r.loss });
    },
  };
}

export interface WeightHistogram {
  /** Lower edge of the first bin; the bins are `width` wide and cover [lo, lo + counts.length·width). */
  lo: number;
  width: number;
  /** Weights per bin; values below lo count in the first bin, values at or above the top in the last. */
  counts: number[];
  /** Weights in all. */
  total: number;
  /** Weights exactly 0. */
  zeros: number;
  /** Weights with |w| < `near` (exact zeros included). */
  nearZeros: number;
  near: number;
  /** Largest |w|. */
  maxAbs: number;
}

/**
 * A histogram of the values of `tensors` (weights) over [−range, range) in `bins` equal bins,
 * with the counts of exact zeros and of |w| < near.
 */
export function weightHistogram(tensors: readonly { data: ArrayLike<number> }[], opts: { bins: number; range: number; near: number }): WeightHistogram {
  const { bins, range, near } = opts;
  if (!(bins >= 1 && Number.isInteger(bins)) || !(range > 0) || !(near >= 0)) {
    throw new RangeError(`weightHistogram: bins must be a positive integer, range > 0 and near ≥ 0, got bins=${bins}, range=${range}, near=${near}`);
  }
  const lo = -range;
  const width = (2 * range) / bins;
  const counts = new Array<number>(bins).fill(0);
  let total = 0, zeros = 0, nearZeros = 0, maxAbs = 0;
  for (const t of tensors) {
    const d = t.data;
    for (let i = 0; i < d.length; i++) {
      const w = d[i]!;
      const a = Math.abs(w);
      total++;
      if (w === 0) zeros++;
      if (a < near) nearZeros++;
      if (a > maxAbs) maxAbs = a;
      const b = Math.floor((w - lo) / width);
      counts[b < 0 ? 0 : b >= bins ? bins - 1 : b]!++;
    }
  }
  return { lo, width, counts, total, zeros, nearZeros, near, maxAbs };
}

/** The histogram of a model's weights (every tensor named "weight": biases are not penalised, so not shown). */
export function modelWeightHistogram(model: Module, opts: { bins: number; range: number; near: number }): WeightHistogram {
  return weightHistogram(weightsOnly(model.namedParameters()), opts);
}
