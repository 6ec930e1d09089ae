export * from "./elementwise.js";
export * from "./reduce.js";
export * from "./movement.js";
export * from "./linalg.js";
export * from "./softmax.js";
export * from "./loss.js";
export * from "./conv.js";
export { setConvAlgorithm, getConvAlgorithm, CONV_ALGORITHMS, type ConvAlgorithm } from "./conv-winograd.js";
export * from "./norm.js";
