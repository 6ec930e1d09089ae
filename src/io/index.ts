export { encodeSafetensors, decodeSafetensors, type StoredTensor } from "./safetensors.js";
export { encodeModel, decodeModel, type ModelMeta } from "./model-file.js";
export { parseJsonStrict } from "./json-strict.js";
