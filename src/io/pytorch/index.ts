export { exportPytorch, PIPELINE_FORMAT, PIPELINE_VERSION, type PyTorchExport, type PyTorchExportOptions } from "./export.js";
export { importPytorch, type PyTorchImport } from "./import.js";
export { torchModule, type TorchModule } from "./names.js";
export { PYTORCH_LAYERS, registerPyTorchLayer, type PyTorchLayer, type PyTorchLayerContext } from "./layers.js";
export { torchOptimizerState, torchOptimizerClass, type TorchOptimizerState } from "./optimizer.js";
