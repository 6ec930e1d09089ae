/**
 * ONNX export of RNN, LSTM, GRU and Embedding. Oracle: ONNX Runtime (onnxruntime-node, its own
 * implementation of ONNX's RNN/LSTM/GRU operators with their gate orders i, o, f, c and z, r, h)
 * runs the exported file on random sequences; its outputs must equal descent's eval-mode outputs
 * within float32 rounding, for every option the rows translate (nonlinearity, batchFirst,
 * bidirectional, numLayers, dropout, bias, residual, returnSequences, stateful).
 */
import { describe, expect, test } from "vitest";
import { exportOnnx } from "../src/io/onnx/export.js";
import { loadOnnxRuntime } from "../src/node/onnx-runtime.js";
import { loadMnist } from "../src/node/mnist.js";
import type { Module } from "../src/nn/module.js";
import { Linear } from "../src/nn/layers/linear.js";
import { Sequential } from "../src/nn/layers/sequential.js";
import { Embedding } from "../src/nn/layers/embedding.js";
import { GRU, LSTM, RNN, type RecurrentBase, type RecurrentOptions } from "../src/nn/layers/recurrent.js";
import { buildArch } from "../src/nn/arch.js";
import { Tensor } from "../src/tensor.js";
import { noGrad } from "../src/autograd.js";
import { Rng } from "../src/rng.js";
import { expectClose } from "./helpers.js";

const ort = loadOnnxRuntime();
if (!ort) throw new Error("onnxruntime-node is not installed: run `node tools/ensure-onnxruntime.mjs` (npm test does it first)");

function descentOutput(model: Module, x: Float32Array, dims: number[]): Float32Array {
  model.eval();
  return noGrad(() => model.forward(new Tensor(x, dims)).data.slice() as Float32Array);
}

/** ONNX Runtime's output for x, and the operators of the exported graph. */
async function onnxOutput(model: Module, x: Float32Array, dims: number[]): Promise<{ data: Float32Array; dims: readonly number[]; operators: string[] }> {
  const exported = exportOnnx(model, { inputShape: dims.slice(1) });
  const session = await ort!.session(exported.bytes);
  try {
    return { ...(await session.run(exported.input.name, x, dims)), operators: exported.operators };
  } finally {
    await session.release();
  }
}

/** descent and ONNX Runtime agree on x (tolerance: float32 rounding over `reduction` terms); returns the operators. */
async function agree(model: Module, x: Float32Array, dims: number[], reduction = 64): Promise<string[]> {
  const ours = descentOutput(model, x, dims);
  const theirs = await onnxOutput(model, x, dims);
  expect(theirs.dims).toEqual(outputDims(model, dims));
  expectClose(theirs.data, ours, { reduction }, "ONNX Runtime vs descent");
  return theirs.operators;
}

function outputDims(model: Module, dims: number[]): number[] {
  model.eval();
  return noGrad(() => [...model.forward(new Tensor(new Float32Array(dims.reduce((a, b) => a * b, 1)), dims)).shape]);
}

const normal = (n: number, seed: number) => {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => 1.5 * rng.normal());
};

type Make = (inputSize: number, hiddenSize: number, opts: RecurrentOptions) => RecurrentBase;
const TYPES: [string, Make][] = [
  ["RNN tanh", (i, h, o) => new RNN(i, h, o)],
  ["RNN relu", (i, h, o) => new RNN(i, h, { ...o, nonlinearity: "relu" })],
  ["LSTM", (i, h, o) => new LSTM(i, h, o)],
  ["GRU", (i, h, o) => new GRU(i, h, o)],
];
// Each combination exercises a different path of the row: Transposes for batchFirst, the
// [T, D, B, H] → [T, B, D·H] rearrangement for two directions, stacked operators, Add for residual
// (from layer 0 too when inputSize = D·H), both forms of the last step, B omitted without bias.
const OPTIONS: [string, number, RecurrentOptions][] = [
  ["defaults: [T, B, F], one layer, whole sequence", 5, {}],
  ["batchFirst, bidirectional, 2 layers with dropout 0.3 (dropped), last step", 5, { batchFirst: true, bidirectional: true, numLayers: 2, dropout: 0.3, returnSequences: false }],
  ["bidirectional, 3 layers, residual, without bias, whole sequence", 5, { bidirectional: true, numLayers: 3, residual: true, bias: false }],
  ["batchFirst, residual from the first layer (inputSize = hiddenSize), 2 layers, last step", 6, { batchFirst: true, residual: true, numLayers: 2, returnSequences: false }],
  ["bidirectional, one layer, last step (forward at T − 1 beside reverse at step 0)", 5, { bidirectional: true, returnSequences: false }],
];

describe.each(TYPES)("%s against ONNX Runtime", (_type, make) => {
  test.each(OPTIONS)("%s", async (_label, F, opts) => {
    const [T, B, H] = [7, 3, 6];
    const layer = make(F, H, { ...opts, rng: new Rng(31) });
    const dims = opts.batchFirst ? [B, T, F] : [T, B, F];
    // The batch axis is the graph's first input axis: a batch-first layer's N is B, otherwise it is T.
    await agree(layer, normal(T * B * F, 32), dims, 4 * H);
  });
});

test("the operators: LSTM's row is one LSTM node per layer, its output rearranged; ONNX names its weights per layer", async () => {
  const lstm = new LSTM(4, 3, { numLayers: 2, bidirectional: true, batchFirst: true, rng: new Rng(33) });
  const exported = exportOnnx(lstm, { inputShape: [5, 4] });
  expect(exported.operators).toEqual(["Transpose", "LSTM", "Constant", "Reshape"]);
  expect(exported.nodes).toBe(1 + 2 * 4 + 1); // Transpose in, per layer LSTM/Transpose/Constant/Reshape, Transpose out
  const gru = exportOnnx(new GRU(4, 3, { returnSequences: false }), { inputShape: [5, 4] });
  expect(gru.operators).toEqual(["GRU", "Constant", "Reshape", "Gather"]);
});

test("a stateful layer is exported stateless: the file equals descent after resetStates()", async () => {
  const lstm = new LSTM(3, 4, { stateful: true, batchFirst: true, rng: new Rng(34) });
  const dims = [2, 5, 3];
  const x = normal(30, 35);
  const fresh = descentOutput(lstm, x, dims);
  const carried = descentOutput(lstm, x, dims); // starts from the first call's final state
  expect(Array.from(carried)).not.toEqual(Array.from(fresh));
  lstm.resetStates();
  const theirs = await onnxOutput(lstm, x, dims);
  expectClose(theirs.data, fresh, { reduction: 16 }, "ONNX Runtime vs descent from zero states");
});

describe("Embedding: token ids arrive as float32, are Cast to int64 and Gathered", () => {
  const ids = (n: number, vocab: number, seed: number) => {
    const rng = new Rng(seed);
    return Float32Array.from({ length: n }, () => Math.floor(rng.uniform() * vocab));
  };

  test("alone: [N, T] ids → [N, T, E]", async () => {
    const embed = new Embedding(11, 4, { rng: new Rng(36) });
    const ops = await agree(embed, ids(3 * 6, 11, 37), [3, 6], 1);
    expect(ops).toEqual(["Cast", "Gather"]);
  });

  test("an embedding, a 2-layer LSTM and a classifier (--arch embed8v40,lstm16x2,fc5)", async () => {
    const { model } = buildArch("embed8v40,lstm16x2,fc5", { input: [9] });
    await agree(model, ids(4 * 9, 40, 38), [4, 9], 64);
  });

  test("a char-LM shape: embed, LSTM sequence, a Linear per step (MatMul + Add on [N, T, H], Gemm takes only rank 2)", async () => {
    // descent's Linear takes [N, in]; this one applies it per step, as a language model's output layer does.
    class PerStepLinear extends Linear {
      override forward(x: Tensor): Tensor {
        if (x.rank !== 3) return super.forward(x);
        const [n, t, f] = x.shape as [number, number, number];
        return super.forward(x.reshape([n * t, f])).reshape([n, t, this.outFeatures]);
      }
    }
    const model = new Sequential(new Embedding(40, 8, { rng: new Rng(39) }), new LSTM(8, 16, { batchFirst: true, rng: new Rng(40) }), new PerStepLinear(16, 40, { rng: new Rng(41) }));
    const ops = await agree(model, ids(3 * 10, 40, 42), [3, 10], 64);
    expect(ops).toContain("MatMul");
    expect(ops).not.toContain("Gemm");
  });
});

test("lstm128,fc10 on MNIST read row by row ([28, 28]): ONNX Runtime gives descent's outputs and classes", async () => {
  const mnist = await loadMnist({ validation: 0 });
  const n = 50;
  const images = mnist.test.features.slice(0, n * 784);
  const { model } = buildArch("lstm128,fc10", { input: [28, 28] });
  const ours = descentOutput(model, images, [n, 28, 28]);
  const theirs = await onnxOutput(model, images, [n, 28, 28]);
  expectClose(theirs.data, ours, { reduction: 28 * 128 }, "ONNX Runtime vs descent");
  const argmax = (a: Float32Array, r: number) => {
    const row = Array.from(a.subarray(r * 10, r * 10 + 10));
    return row.indexOf(Math.max(...row));
  };
  for (let r = 0; r < n; r++) expect(argmax(theirs.data, r), `class of test image ${r}`).toBe(argmax(ours, r));
});
