/**
 * descent's public API (Node, browsers and workers alike — nothing here touches the file system).
 *   import { Tensor, nn, optim, data, Trainer } from "descent";
 * File helpers (MNIST from disk, model files, PNG) live in "descent/node".
 */
export { Tensor, tensor, fromOp, type DType, type NestedArray, type TensorOptions } from "./tensor.js";
export { noGrad, isGradEnabled, type Vjp, type GradNode } from "./autograd.js";
export { gradcheck, type GradcheckOptions } from "./gradcheck.js";
export { scope } from "./memory.js";
export { Rng, checkRngState, type RngState } from "./rng.js";
export { setBackend, getBackend, backendInfo, setThreads, getThreads, registerSpawner, setKernelOptions, kernelOptions, type BackendName, type Spawner, type KernelOptions } from "./kernels/index.js";
export * from "./errors.js";
export { limits, setLimits, DEFAULT_LIMITS, LIMIT_VARIABLES, type Limits } from "./limits.js";
export * as ops from "./ops/index.js";
export * as nn from "./nn/index.js";
export * as optim from "./optim/index.js";
export * as data from "./data/index.js";
export * as io from "./io/index.js";
export { Trainer, evaluate, buildExperiment, PRESETS, presetConfig, DEFAULT_CONFIG, type TrainConfig, type Callback, type EpochLog, type FitResult } from "./train/index.js";
export * as train from "./train/index.js";
export { VERSION } from "./version.js";
