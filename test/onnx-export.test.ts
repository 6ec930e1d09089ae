/**
 * ONNX export, layer by layer and preset by preset. Oracle: ONNX Runtime (onnxruntime-node, an
 * independent implementation of every operator, installed by tools/ensure-onnxruntime.mjs) runs the
 * exported file; its outputs must equal descent's eval-mode outputs within float32 rounding, and a
 * classifier's predicted classes must be identical.
 */
import { describe, expect, test } from "vitest";
import { exportOnnx, type OnnxExportOptions } from "../src/io/onnx/export.js";
import { ExportError } from "../src/io/onnx/graph.js";
import { registerOnnxLayer } from "../src/io/onnx/layers.js";
import { loadOnnxRuntime } from "../src/node/onnx-runtime.js";
import { loadMnist } from "../src/node/mnist.js";
import { Module, type LayerSpec } from "../src/nn/module.js";
import { Linear } from "../src/nn/layers/linear.js";
import { Conv2d } from "../src/nn/layers/conv.js";
import { AvgPool2d, MaxPool2d } from "../src/nn/layers/pool.js";
import { BatchNorm1d, BatchNorm2d } from "../src/nn/layers/batchnorm.js";
import { Dropout } from "../src/nn/layers/dropout.js";
import { Flatten, Sequential } from "../src/nn/layers/sequential.js";
import { Identity, LeakyReLU, ReLU, Softmax } from "../src/nn/layers/activations.js";
import { Residual } from "../src/nn/layers/residual.js";
import { ACTIVATION_TABLE } from "../src/nn/activation-table.js";
import { buildModule, leaf, registerLayer } from "../src/nn/registry.js";
import { applyTablePrep, fitTablePrep } from "../src/data/table-prep.js";
import { TensorDataset } from "../src/data/dataset.js";
import { buildExperiment } from "../src/train/config.js";
import { PRESETS, presetConfig } from "../src/train/presets.js";
import { Tensor } from "../src/tensor.js";
import { noGrad } from "../src/autograd.js";
import { mul } from "../src/ops/elementwise.js";
import { Rng } from "../src/rng.js";
import { expectClose } from "./helpers.js";

const ort = loadOnnxRuntime();
if (!ort) throw new Error("onnxruntime-node is not installed: run `node tools/ensure-onnxruntime.mjs` (npm test does it first)");

/** n examples of `shape`, N(0, 1) × scale, seeded. */
function inputs(n: number, shape: readonly number[], seed: number, scale = 2): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n * shape.reduce((a, b) => a * b, 1) }, () => scale * rng.normal());
}

/** Non-trivial running statistics and affine parameters, so BatchNorm's inference form is really exercised. */
function randomiseBatchNorm(model: Module, seed: number): void {
  const rng = new Rng(seed);
  for (const [name, t] of Object.entries(model.stateDict())) {
    if (name.endsWith("runningVar")) t.data.forEach((_, i) => (t.data[i] = 0.2 + 2 * rng.uniform()));
    else if (/(runningMean)$/.test(name)) t.data.forEach((_, i) => (t.data[i] = rng.normal()));
  }
  for (const m of walk(model)) {
    if (m instanceof BatchNorm1d || m instanceof BatchNorm2d) {
      m.weight.data.forEach((_, i) => (m.weight.data[i] = 0.5 + rng.uniform()));
      m.bias.data.forEach((_, i) => (m.bias.data[i] = rng.normal()));
    }
  }
}
function* walk(m: Module): Generator<Module> {
  yield m;
  for (const [, c] of m.namedChildren()) yield* walk(c);
}

/** descent's eval-mode output. */
function descentOutput(model: Module, x: Float32Array, dims: number[]): Float32Array {
  model.eval();
  return noGrad(() => model.forward(new Tensor(x, dims)).data.slice() as Float32Array);
}

/** The exported file's output in ONNX Runtime, for input x of `dims` (fed as `onnxX` when the graph takes other values, e.g. a table's raw features). */
async function onnxOutput(model: Module, x: Float32Array, dims: number[], opts: Partial<OnnxExportOptions> = {}): Promise<{ data: Float32Array; dims: readonly number[]; operators: string[] }> {
  const exported = exportOnnx(model, { inputShape: dims.slice(1), ...opts });
  const session = await ort!.session(exported.bytes);
  try {
    const out = await session.run(exported.input.name, x, dims);
    return { ...out, operators: exported.operators };
  } finally {
    await session.release();
  }
}

/** ONNX Runtime and descent agree on `n` random examples; returns the operators used. Tolerance: float32 rounding over reductions of length `reduction`. */
async function agree(model: Module, shape: readonly number[], opts: { n?: number; seed?: number; reduction?: number } = {}): Promise<string[]> {
  const n = opts.n ?? 5;
  const dims = [n, ...shape];
  const x = inputs(n, shape, opts.seed ?? 1);
  const ours = descentOutput(model, x, dims);
  const theirs = await onnxOutput(model, x, dims);
  expect(theirs.dims.length).toBeGreaterThan(0);
  expect(theirs.dims[0]).toBe(n);
  expectClose(theirs.data, ours, { reduction: opts.reduction ?? 64 }, "ONNX Runtime vs descent");
  return theirs.operators;
}

describe("each layer type against ONNX Runtime", () => {
  test.each(ACTIVATION_TABLE.map((row) => [row.name, row.spec] as const))("activation %s (every row of the activation table)", async (_name, spec) => {
    const model = new Sequential(new Linear(6, 5, { rng: new Rng(3) }), buildModule(spec));
    await agree(model, [6]);
  });

  test("LeakyReLU with its own slope; Softmax over dim 0 and dim 1", async () => {
    const ops = await agree(new Sequential(new Linear(4, 4), new LeakyReLU(0.2)), [4]);
    expect(ops).toEqual(["Gemm", "LeakyRelu"]);
    await agree(new Sequential(new Linear(4, 3), new Softmax(0)), [4]);
    await agree(new Sequential(new Linear(4, 3), new Softmax(1)), [4]);
  });

  test("Linear is one Gemm (transB = 1 on the stored [out, in] weight), with or without bias", async () => {
    expect(await agree(new Linear(7, 3, { rng: new Rng(5) }), [7])).toEqual(["Gemm"]);
    await agree(new Linear(7, 3, { bias: false, rng: new Rng(6) }), [7]);
  });

  test.each([
    ["3×3, padding 1, stride 2, 2 groups", 4, 6, 3, { padding: 1, stride: 2, groups: 2 }],
    ["5×5, no padding", 2, 3, 5, {}],
    ["depthwise 3×3, padding 2, stride 3", 4, 4, 3, { padding: 2, stride: 3, groups: 4 }],
    ["1×1 without bias", 3, 5, 1, { bias: false }],
  ] as const)("Conv2d %s", async (_label, cin, cout, k, options) => {
    const conv = new Conv2d(cin, cout, k, { ...options, rng: new Rng(7) });
    expect(await agree(conv, [cin, 9, 9], { reduction: cin * k * k })).toEqual(["Conv"]);
  });

  test.each([
    ["MaxPool2d 2 (7×7: the last row and column dropped, floor mode)", () => new MaxPool2d(2)],
    ["MaxPool2d 3 stride 2", () => new MaxPool2d(3, 2)],
    ["AvgPool2d 2", () => new AvgPool2d(2)],
    ["AvgPool2d 3 stride 1", () => new AvgPool2d(3, 1)],
  ])("%s", async (_label, make) => {
    await agree(make(), [3, 7, 7], { reduction: 9 });
  });

  test("BatchNorm2d and BatchNorm1d export their inference form (running statistics, ε), whatever mode the model is in", async () => {
    const bn2 = new BatchNorm2d(3, 1e-3);
    randomiseBatchNorm(bn2, 11);
    bn2.train(); // the exporter must not use batch statistics
    expect(await agree(bn2, [3, 4, 4])).toEqual(["BatchNormalization"]);
    const bn1 = new Sequential(new Linear(5, 4), new BatchNorm1d(4));
    randomiseBatchNorm(bn1, 12);
    await agree(bn1, [5]);
  });

  test("Residual is x + body(x), nested too", async () => {
    const block = () => new Residual(new Sequential(new Conv2d(3, 3, 3, { padding: 1, rng: new Rng(13) }), new BatchNorm2d(3), new ReLU(), new Conv2d(3, 3, 3, { padding: 1, rng: new Rng(14) })));
    const model = new Sequential(block(), new Residual(new Sequential(block(), new ReLU())));
    randomiseBatchNorm(model, 15);
    const ops = await agree(model, [3, 6, 6], { reduction: 27 * 4 });
    expect(ops).toEqual(["Conv", "BatchNormalization", "Relu", "Add"]);
  });

  test("Dropout adds no node and Flatten bridges a convolution to Linear", async () => {
    const model = new Sequential(new Conv2d(1, 2, 3, { rng: new Rng(16) }), new ReLU(), new Dropout(0.5), new Flatten(), new Dropout(0.3), new Linear(2 * 4 * 4, 3, { rng: new Rng(17) }));
    model.train(); // a training-mode Dropout is still dropped: ONNX files are for inference
    const ops = await agree(model, [1, 6, 6], { reduction: 32 });
    expect(ops).toEqual(["Conv", "Relu", "Flatten", "Gemm"]);
  });

  test("a model that computes nothing (Identity, Dropout) still has its output: an Identity node", async () => {
    expect(await agree(new Sequential(new Identity(), new Dropout(0.1)), [3])).toEqual(["Identity"]);
  });

  test("the batch dimension is chosen at run time: one file runs 1 and 13 examples", async () => {
    const model = new Sequential(new Linear(4, 3, { rng: new Rng(18) }), new Softmax());
    const exported = exportOnnx(model, { inputShape: [4] });
    expect(exported.input.dims).toEqual(["N", 4]);
    expect(exported.output.dims).toEqual(["N", 3]);
    const session = await ort.session(exported.bytes);
    try {
      for (const n of [1, 13]) {
        const x = inputs(n, [4], n);
        expectClose((await session.run("input", x, [n, 4])).data, descentOutput(model, x, [n, 4]), {}, `batch of ${n}`);
      }
    } finally {
      await session.release();
    }
  });
});

describe("a layer without an ONNX row", () => {
  class Scale extends Module {
    constructor(readonly factor: number) { super(); }
    forward(x: Tensor): Tensor { return mul(x, Tensor.full(x.shape, this.factor)); }
    spec(): LayerSpec { return { type: "OnnxTestScale", factor: this.factor }; }
  }
  registerLayer({ type: "OnnxTestScale", fromSpec: (r) => { const f = r.num("factor", -1e6, 1e6); return leaf(() => new Scale(f)); } });

  test("is refused, naming where it sits and its type, and saying how to add a row; with its row registered it exports", async () => {
    const model = new Sequential(new Linear(3, 3), new Residual(new Sequential(new Scale(3))));
    let caught: unknown;
    try {
      exportOnnx(model, { inputShape: [3] });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ExportError);
    const message = (caught as Error).message;
    expect(message).toContain('layer "layers.1.body.layers.0" ("OnnxTestScale")');
    expect(message).toContain("has no ONNX mapping");
    expect(message).toContain('registerOnnxLayer("OnnxTestScale"');

    registerOnnxLayer("OnnxTestScale", (x, c) => c.node("Mul", [x, c.constant("factor", Float32Array.of(c.spec.factor as number), [])]));
    expect(await agree(model, [3])).toEqual(["Gemm", "Mul", "Add"]);
    expect(() => registerOnnxLayer("OnnxTestScale", (x) => x)).toThrow(/already has an ONNX row/);
  });
});

describe("a table model's input standardisation", () => {
  // Handmade rows: a numeric column, a categorical one (3 categories), and a missing cell in each.
  const table = {
    name: "handmade.csv",
    columns: ["area", "kind", "price"],
    rows: [["50", "flat", "100"], ["120", "house", "300"], ["80", "flat", "170"], ["", "loft", "210"], ["95", "NA", "190"], ["60", "house", "160"]],
  };
  const prep = fitTablePrep(table, { targets: ["price"], impute: "mean" });

  test("(x − mean) / std and mean imputation run in the graph: raw features (NaN for missing, one-hot categories) give descent's outputs", async () => {
    expect(prep.features.map((f) => f.kind)).toEqual(["numeric", "categorical"]);
    const width = prep.mean.length; // area + 3 one-hot columns
    expect(width).toBe(4);
    const model = new Sequential(new Linear(width, 8, { rng: new Rng(19) }), new ReLU(), new Linear(8, 1, { rng: new Rng(20) }));
    const scaled = applyTablePrep(table, prep, { targets: false }).x;
    // What a user passes: area as is (NaN when missing), the kind one-hot (flat, house, loft), all NaN when missing.
    const raw = Float32Array.from([
      50, 1, 0, 0, 120, 0, 1, 0, 80, 1, 0, 0, NaN, 0, 0, 1, 95, NaN, NaN, NaN, 60, 0, 1, 0,
    ]);
    const n = table.rows.length;
    const ours = descentOutput(model, scaled, [n, width]);
    const theirs = await onnxOutput(model, raw, [n, width], { tablePrep: prep });
    expect(theirs.operators.slice(0, 4)).toEqual(["IsNaN", "Where", "Sub", "Div"]);
    expectClose(theirs.data, ours, { reduction: 8 }, "ONNX Runtime on raw features vs descent on standardised ones");
  });

  test("without imputation the graph only subtracts and divides", async () => {
    const strict = fitTablePrep({ ...table, rows: table.rows.filter((r) => r[0] !== "" && r[1] !== "NA") }, { targets: ["price"] });
    const model = new Linear(strict.mean.length, 2, { rng: new Rng(21) });
    const x = Float32Array.from([70, 1, 0, 100, 0, 1]);
    const theirs = await onnxOutput(model, x, [2, 3], { tablePrep: strict });
    expect(theirs.operators).toEqual(["Sub", "Div", "Gemm"]);
    const scaled = x.map((v, i) => (v - strict.mean[i % 3]!) / strict.std[i % 3]!);
    expectClose(theirs.data, descentOutput(model, Float32Array.from(scaled), [2, 3]), {}, "standardised by hand");
  });
});

describe("every preset's architecture (random weights) on MNIST test images", async () => {
  const mnist = await loadMnist({ validation: 0 });
  const n = 200;
  const images = mnist.test.features.slice(0, n * 784);
  // One training example per digit: buildExperiment only needs data to build the model.
  const tiny = new TensorDataset(images.slice(0, 10 * 784), [784], Int32Array.from({ length: 10 }, (_, i) => i));
  // MNIST as images, flat or read row by row; the adding problem and char-lm read other data (their
  // layers' exports are checked in test/onnx-export-recurrent.test.ts).
  const mnistPresets = Object.keys(PRESETS).filter((name) => {
    const c = presetConfig(name);
    return c.target === undefined && (c.data === undefined || c.data === "mnist" || c.data === "mnist-rows");
  });

  test("the presets checked here are the MNIST ones (house-prices, a table, is checked by test/onnx.cli.test.ts)", () => {
    expect(mnistPresets).toEqual(expect.arrayContaining(["quick", "nielsen-ch3", "nielsen-ch6-dropout", "handbook-cnn", "w3"]));
    expect(mnistPresets).not.toContain("house-prices");
  });

  test.each(mnistPresets)("%s", async (name) => {
    const rows = presetConfig(name).data === "mnist-rows"; // 28 steps of 28 pixels
    const { model, data } = buildExperiment({ ...presetConfig(name), expand: false }, { train: rows ? tiny.withFeatureShape([28, 28]) : tiny });
    randomiseBatchNorm(model, 22);
    const shape = [...data.train.featureShape];
    const dims = [n, ...shape];
    const ours = descentOutput(model, images, dims);
    const theirs = await onnxOutput(model, images, dims);
    expectClose(theirs.data, ours, { reduction: 1000 }, `${name}: ONNX Runtime vs descent`);
    // The predicted classes are identical wherever descent's top two outputs are further apart than
    // float32 rounding (random N(0, 1) weights saturate sigmoids at exactly 1.0: such ties are no class).
    const k = ours.length / n;
    let decided = 0;
    for (let r = 0; r < n; r++) {
      const row = Array.from(ours.subarray(r * k, (r + 1) * k));
      const best = row.indexOf(Math.max(...row));
      const second = Math.max(...row.filter((_, i) => i !== best));
      if (row[best]! - second <= 1e-5) continue;
      decided++;
      const theirRow = Array.from(theirs.data.subarray(r * k, (r + 1) * k));
      expect(theirRow.indexOf(Math.max(...theirRow)), `${name}: class of test image ${r}`).toBe(best);
    }
    expect(decided, `${name}: test images with a clear class`).toBeGreaterThanOrEqual(n / 2);
  });
});
