export { Optimizer, type ParamGroup, type ParamState, type OptimizerState } from "./optimizer.js";
export { SGD, type SgdOptions } from "./sgd.js";
export { RMSprop, type RmspropOptions } from "./rmsprop.js";
export { Adam, AdamW, type AdamOptions } from "./adam.js";
export { clipGradNorm, clipGradValue } from "./clip.js";
export { stepInBackward } from "./in-backward.js";
export * from "./schedule.js";
