export { Trainer, type TrainerOptions, type StepResult, type FitOptions, type FitResult, type FitState, type StopReason, type EarlyStopping, type Regularization } from "./trainer.js";
export type { Callback, EpochLog, TrainContext } from "./callbacks.js";
export { ConfusionMatrix, argmaxRows, countCorrect } from "./metrics.js";
export { evaluate, type EvalResult } from "./evaluate.js";
export { buildExperiment, validateConfig, lossFor, DEFAULT_CONFIG, COSTS, OPTIMIZERS, SCHEDULES, type TrainConfig, type Experiment, type CostName, type OptimizerName, type ScheduleName } from "./config.js";
export { PRESETS, presetConfig, type Preset } from "./presets.js";
export { encodeCheckpoint, decodeCheckpoint, experimentRngs, CHECKPOINT_FORMAT, type Checkpoint } from "./checkpoint.js";
export { evaluateEnsemble, type EnsembleResult, type Combine } from "./ensemble.js";
