export { encodeSafetensors, decodeSafetensors, type StoredTensor } from "./safetensors.js";
export { encodeModel, decodeModel, type ModelMeta } from "./model-file.js";
export { parseJsonStrict } from "./json-strict.js";
export { crc32 } from "./crc32.js";
export { FieldError } from "./fields.js";
export * as onnx from "./onnx/index.js";
