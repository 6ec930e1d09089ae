/** Training callbacks: synchronous, optional hooks; set `ctx.stop = true` to end training. */
import type { FitState, Snapshot, StopReason } from "./trainer.js";

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
  /**
   * With gradient clipping by norm: the global gradient norm before clipping over the epoch's
   * steps (mean and largest) and the share of steps it was clipped — exploding gradients made visible.
   */
  gradNorm?: { mean: number; max: number; clipped: number };
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
  /** Sets the learning rate from now on (schedules, the plateau rule). */
  setLr(lr: number): void;
  /**
   * Ends the run with a reason (the first reason given wins): after this epoch when given at its
   * end, at once when given during a mini-batch (the epoch in progress is then not logged — restore
   * lastGood(), and give a reason with `restoredEpoch`).
   */
  stopWith(reason: StopReason): void;
  /** Whether the run is ending (a reason was given, or ctx.stop was set). */
  stopped(): boolean;
  /** The weights of the last complete epoch, and helpers to keep and put back weights (early stopping). */
  lastGood(): Snapshot;
  snapshotFrom(named: Record<string, Float32Array | Float64Array>): Snapshot;
  namedCopy(snap: Snapshot): Record<string, Float32Array | Float64Array>;
  restoreSnapshot(snap: Snapshot): void;
  /** The epoch lastGood() holds (0: before training). */
  lastGoodEpoch: number;
  /** At onTrainEnd: the epoch whose weights the model holds; a callback that restores others updates it. */
  finalEpoch: number;
}

export interface Callback {
  onTrainStart?(ctx: TrainContext): void;
  onEpochStart?(ctx: TrainContext): void;
  /** Before every mini-batch (ctx.batch: batches done so far this epoch). */
  onBatchStart?(ctx: TrainContext): void;
  onBatchEnd?(ctx: TrainContext): void;
  /** Before the validation or test set is evaluated at the end of an epoch. */
  onEvaluate?(what: "validation" | "test", ctx: TrainContext): void;
  onEpochEnd?(log: EpochLog, ctx: TrainContext): void;
  onTrainEnd?(ctx: TrainContext): void;
  /** After every completed epoch, with everything needed to continue later (checkpoints). */
  onEpochComplete?(state: FitState): void;
  /** This callback's part of a checkpoint (e.g. the best epoch, the plateau rule's state). */
  fitState?(ctx: TrainContext): Partial<FitState>;
  /** Resuming: takes its part back from a checkpoint's state. */
  restoreFitState?(state: FitState, ctx: TrainContext): void;
}
