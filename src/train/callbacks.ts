/** Training callbacks: synchronous, optional hooks; set `ctx.stop = true` to end training. */

export interface EpochLog {
  /** 1-based epoch number. */
  epoch: number;
  /** Mean training cost over the epoch's mini-batches (penalty included when regularised). */
  trainLoss: number;
  /** Classification: accuracy on the training batches as they were seen (during the epoch, with dropout on). */
  trainAccuracy?: number;
  valLoss?: number;
  /** Classification: accuracy on the validation set. */
  valAccuracy?: number;
  /** Regression: the validation set's scores. */
  valMetrics?: EpochRegressionMetrics;
  testLoss?: number;
  testAccuracy?: number;
  testMetrics?: EpochRegressionMetrics;
  /** Learning rate used during this epoch. */
  lr: number;
  /** Wall-clock seconds of the epoch's training steps (evaluation excluded). */
  seconds: number;
  /** Wall-clock seconds of the evaluation after the epoch (validation and test sets), when there was one. */
  evalSeconds?: number;
  steps: number;
}

/** A regression set's scores after an epoch (see train/metrics.ts RegressionMetrics). */
export interface EpochRegressionMetrics {
  mse: number;
  rmse: number;
  mae: number;
  r2: number;
}

export interface TrainContext {
  epoch: number;
  epochs: number;
  /** Global step count (mini-batches since training started). */
  step: number;
  /** Batch index within the epoch and batches per epoch. */
  batch: number;
  batches: number;
  /** Loss of the last batch. */
  loss: number;
  lr: number;
  /** Set to true to stop after the current batch. */
  stop: boolean;
}

export interface Callback {
  onTrainStart?(ctx: TrainContext): void;
  onEpochStart?(ctx: TrainContext): void;
  onBatchEnd?(ctx: TrainContext): void;
  /** Before the validation or test set is evaluated at the end of an epoch. */
  onEvaluate?(what: "validation" | "test", ctx: TrainContext): void;
  onEpochEnd?(log: EpochLog, ctx: TrainContext): void;
  onTrainEnd?(ctx: TrainContext): void;
}
