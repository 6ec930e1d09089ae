// descent's WebAssembly kernels: one module, every export a kernel on raw f32 addresses.
// No data segments and no allocator: the host (src/kernels/wasm) owns all memory, so a second
// instance on the same shared memory (the helper thread) starts without touching it.
export { gemmNN, gemmNT, gemmTT, setPackBuffer } from "./gemm";
export { runChunk } from "./chunks";
export { linearRows } from "./infer";
export { zeroSkipRuns } from "./sparse";
export { sigmoid, sigmoidBackward, tanh, tanhBackward, exp, relu, leakyRelu, leakyReluBackward, binarySame, binaryScalar, binaryRow, clamp } from "./elementwise";
export { sumAxis, sumSquares, scale, softmaxRows, softmaxCrossEntropy } from "./reduce";
export { sgdStep, adamStep, penaltyGrad } from "./optim";
export { im2col, col2im, swapAxes, maxPool, maxPoolBackward, avgPool, avgPoolBackward } from "./conv";
export { batchNormForward, channelAffine, batchNormBackward } from "./norm";
export { wgData, wgDataAdjoint, wgGradTiles, wgFilters, wgOutput, wgWeights, padPlanes, cropPlanes, gemmBatch, gemmBatchBackward } from "./winograd";
export { convProduct, convWeightRows, transposeInto } from "./conv-products";
export { convPoolImages, convPoolWeightRows } from "./conv-pool";
export { recurrentForward, recurrentBackward } from "./recurrent";
