export { exportOnnx, tableInputDoc, ONNX_OPSET, ONNX_IR_VERSION, type OnnxExport, type OnnxExportOptions } from "./export.js";
export { ONNX_LAYERS, registerOnnxLayer } from "./layers.js";
export { ExportError, type OnnxLayer, type OnnxLayerContext } from "./graph.js";
