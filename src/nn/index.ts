export { Module, Parameter, type LayerSpec } from "./module.js";
export { Linear, type LinearOptions } from "./layers/linear.js";
export * from "./layers/activations.js";
export { Dropout } from "./layers/dropout.js";
export { Sequential } from "./layers/sequential.js";
export { Flatten } from "./layers/flatten.js";
export { Conv2d, type Conv2dLayerOptions } from "./layers/conv.js";
export { MaxPool2d, AvgPool2d } from "./layers/pool.js";
export { BatchNorm1d, BatchNorm2d } from "./layers/batchnorm.js";
export { Residual } from "./layers/residual.js";
export { RNN, LSTM, GRU, RecurrentBase, type RecurrentOptions, type RecurrentState } from "./layers/recurrent.js";
export { Embedding } from "./layers/embedding.js";
export { infer } from "./infer.js";
export { initialize, fans, INIT_NAMES, type InitName } from "./init.js";
export { mlp, activationModule, defaultBiasInit, ACTIVATIONS, OUTPUTS, type MlpOptions, type ActivationName, type OutputName } from "./mlp.js";
export { ACTIVATION_TABLE, type ActivationRow } from "./activation-table.js";
export {
  buildModule, specParameters, LAYER_TYPES, registerLayer, layerDefinition, leaf, SpecReader,
  type LayerDefinition, type LayerPlan, type ArchToken, type ArchContext,
} from "./registry.js";
export { buildArch, archTokenSyntax, type ArchOptions } from "./arch.js";
export { flatLayers, layerLabel, type LayerInput } from "./layer.js";
export * from "./losses.js";
export * from "./regularization.js";
