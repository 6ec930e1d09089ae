/**
 * PyTorch export and import. Oracle: PyTorch 1.13 (Debian's python3-torch), through the fixtures
 * tools/check_pytorch.py writes (test/fixtures/pytorch.json): the state_dict() names and shapes of
 * each generated model.py, and PyTorch's outputs for formula weights on the check inputs, in each
 * direction. Also: train_ddp.py's DescentRng against src/rng.ts; hostile imports refused with the
 * tensor named; and — only where python3-torch is installed — that model.py and train_ddp.py import.
 */
import { describe, expect, test } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixture, expectClose, expectThrows } from "./helpers.js";
import { exportPytorch } from "../src/io/pytorch/export.js";
import { importPytorch } from "../src/io/pytorch/import.js";
import { torchModule } from "../src/io/pytorch/names.js";
import { encodeSafetensors, type StoredTensor } from "../src/io/safetensors.js";
import { ModelFileError } from "../src/errors.js";
import { PRESETS, presetConfig } from "../src/train/presets.js";
import { archTakesImages, buildArch } from "../src/nn/arch.js";
import { mlp } from "../src/nn/mlp.js";
import type { Module } from "../src/nn/module.js";
import { Sequential } from "../src/nn/layers/sequential.js";
import { Linear } from "../src/nn/layers/linear.js";
import { GRU, LSTM } from "../src/nn/layers/recurrent.js";
import { loadMnist } from "../src/node/mnist.js";
import { Tensor } from "../src/tensor.js";
import { noGrad } from "../src/autograd.js";
import { Rng } from "../src/rng.js";
import type { TablePrep } from "../src/data/table-prep.js";

interface PresetResult {
  state_dict: [string, number[], string][];
  descent_to_torch: { torch_outputs: number[]; shape: number[] };
  torch_to_descent: { torch_outputs: number[] };
}
const fx = fixture<{ examples: number; presets: Record<string, PresetResult>; shuffle: { seed: number; path: string; n: number; first: number[][]; checksum: number[]; state_after: number[]; other: { seed: number; path: string; u32: number[] } } }>("pytorch");
const N = fx.examples;

// As tools/pytorch-check.mjs builds them: the same networks, formula weights and inputs.
const ALL_LAYERS = "conv4x3p1,bn,leakyrelu,res(conv4x3p1;tanh),avgpool2,flatten,dropout0.3,fc16,gelu,bn,identity,fc10,softmax";
const unit = (t: number, i: number) => (((i + 1) * 2654435761 + (t + 1) * 40503) % 4294967296) / 4294967296;
function formulaValue(name: string, shape: readonly number[], t: number, i: number): number {
  const u = unit(t, i);
  if (/(runningVar|running_var)$/.test(name)) return 0.5 + u;
  if (shape.length >= 2) return (2 * u - 1) * Math.sqrt(3 / shape.slice(1).reduce((a, b) => a * b, 1));
  return (2 * u - 1) * 0.5;
}
// The sequence networks (RNN, LSTM, GRU, Embedding), as tools/pytorch-check.mjs lists and builds them.
const SEQUENCE_NETWORKS = ["lstm128,fc10", "gru64x2seq,fc10", "bilstm32,fc10", "rnnrelu32x2,fc10", "bigru16x2seq,fc10", "embed16v40,lstm32x2,fc40", "residual-bigru"];
const [SEQUENCE_LENGTH, VOCABULARY] = [24, 40];
type Kind = "mnist" | "table" | "ids";
function archInput(arch: string): { input: number[]; kind: Kind } {
  if (/^\s*(bi)?(rnn|lstm|gru)/.test(arch)) return { input: [28, 28], kind: "mnist" };
  if (/^\s*embed/.test(arch)) return { input: [SEQUENCE_LENGTH], kind: "ids" };
  return { input: archTakesImages(arch) ? [1, 28, 28] : [784], kind: "mnist" };
}
function presetModel(name: string): { model: Module; input: number[]; kind: Kind } {
  if (name === "all-layers") return { model: buildArch(ALL_LAYERS, { input: [1, 28, 28] }).model, input: [1, 28, 28], kind: "mnist" };
  if (name === "residual-bigru") {
    const gru = new GRU(28, 14, { numLayers: 3, bidirectional: true, residual: true, dropout: 0.2, bias: false, batchFirst: true, returnSequences: false });
    return { model: new Sequential(gru, new Linear(28, 10)), input: [28, 28], kind: "mnist" };
  }
  if (SEQUENCE_NETWORKS.includes(name)) {
    const { input, kind } = archInput(name);
    return { model: buildArch(name, { input, vocabulary: VOCABULARY }).model, input, kind };
  }
  const c = presetConfig(name);
  if (c.target !== undefined) return { model: c.arch !== undefined ? buildArch(c.arch, { input: [12] }).model : mlp(c.layers, { activation: c.activation, output: c.output, dropout: c.dropout }), input: [12], kind: "table" };
  if (c.arch === undefined) return { model: mlp(c.layers, { activation: c.activation, output: c.output, dropout: c.dropout }), input: [784], kind: "mnist" };
  const { input, kind } = archInput(c.arch);
  return { model: buildArch(c.arch, { input, vocabulary: VOCABULARY }).model, input, kind };
}
const PREP: TablePrep = {
  version: 1, impute: "mean", rows: 100, targets: [{ name: "y", mean: 0, std: 1 }],
  features: Array.from({ length: 12 }, (_, j) => ({ name: `f${j}`, kind: "numeric" as const })),
  mean: Array.from({ length: 12 }, (_, j) => j * 0.5), std: Array.from({ length: 12 }, (_, j) => 1 + j * 0.1),
};
const mnist = await loadMnist({ validation: 0 });
function inputs(kind: Kind): Float32Array {
  if (kind === "mnist") return mnist.test.features.slice(0, N * 784);
  if (kind === "ids") return Float32Array.from({ length: N * SEQUENCE_LENGTH }, (_, i) => Math.floor(unit(77, i) * VOCABULARY));
  const x = Float32Array.from({ length: N * 12 }, (_, i) => (unit(99, i) - 0.5) * 10 + (i % 12) * 0.5);
  x[5] = NaN;
  return Float32Array.from(x, (v, i) => ((Number.isNaN(v) ? PREP.mean[i % 12]! : v) - PREP.mean[i % 12]!) / PREP.std[i % 12]!);
}
function outputs(model: Module, x: Float32Array, input: number[]): Float32Array {
  model.eval();
  return noGrad(() => model.forward(new Tensor(x, [N, ...input])).data) as Float32Array;
}

const names = [...Object.keys(PRESETS), "all-layers", ...SEQUENCE_NETWORKS];

test("the fixture covers every preset, the every-layer network and the sequence networks", () => {
  expect(Object.keys(fx.presets).sort()).toEqual([...names].sort());
});

describe("descent → PyTorch: exported names are model.py's state_dict(), and PyTorch computes descent's outputs", () => {
  test.each(names)("%s", (name) => {
    const { model, input, kind } = presetModel(name);
    const table = kind === "table";
    Object.entries(model.stateDict()).forEach(([k, t], ti) => t.data.forEach((_, i) => (t.data[i] = formulaValue(k, t.shape, ti, i))));
    const exported = exportPytorch(model, { inputShape: input, title: name, inputDoc: "", outputDoc: "", ...(table ? { tablePrep: PREP } : {}), pipeline: {} });
    const torchFloat = fx.presets[name]!.state_dict.filter(([, , dtype]) => dtype.startsWith("float"));
    // Every float tensor of PyTorch's state_dict, with its shape, and nothing else.
    expect([...exported.names.values()].sort()).toEqual(torchFloat.map(([k]) => k).sort());
    const own = model.stateDict();
    for (const [d, t] of exported.names) expect(own[d]!.shape, `${d} ↔ ${t}`).toEqual(torchFloat.find(([k]) => k === t)![1]);
    expect(exported.files.map((f) => f.name)).toEqual(["model.py", "model.safetensors", "pipeline.json", "train_ddp.py"]);
    const theirs = fx.presets[name]!.descent_to_torch;
    expectClose(outputs(model, inputs(kind), input), theirs.torch_outputs, { rtol: 1e-5, atol: 1e-6 }, `${name}: descent vs PyTorch`);
  });
});

/** Formula weights in PyTorch's state_dict order, as check_pytorch.py set them (int64 counters as PyTorch keeps them). */
function torchFile(name: string, edit: (tensors: StoredTensor[]) => StoredTensor[] = (t) => t): Uint8Array {
  const tensors: StoredTensor[] = [];
  const ints: string[] = [];
  fx.presets[name]!.state_dict.forEach(([k, shape, dtype], t) => {
    if (dtype !== "float32") return ints.push(k);
    const size = shape.reduce((a, b) => a * b, 1);
    tensors.push({ name: k, dtype: "F32", shape, data: Float32Array.from({ length: size }, (_, i) => Math.fround(formulaValue(k, shape, t, i))) });
  });
  const bytes = encodeSafetensors(edit(tensors), { format: "pt" });
  return ints.length ? withInt64(bytes, ints) : bytes;
}

/** Appends int64 scalars (num_batches_tracked) to a safetensors file, as PyTorch writes them. */
function withInt64(bytes: Uint8Array, names: string[]): Uint8Array {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, { data_offsets: number[] }>;
  let end = bytes.length - 8 - n;
  for (const k of names) {
    header[k] = { dtype: "I64", shape: [], data_offsets: [end, end + 8] } as never;
    end += 8;
  }
  const text = new TextEncoder().encode(JSON.stringify(header).padEnd(Math.ceil(JSON.stringify(header).length / 8) * 8 + 8, " "));
  const out = new Uint8Array(8 + text.length + end);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  out.set(bytes.subarray(8 + n), 8 + text.length);
  return out; // the counters' 8 bytes each stay zero
}

describe("PyTorch → descent: weights saved in PyTorch's names give PyTorch's outputs", () => {
  test.each(names)("%s", (name) => {
    const { model, input, kind } = presetModel(name);
    const r = importPytorch(model, torchFile(name), `${name}.safetensors`);
    const counters = fx.presets[name]!.state_dict.filter(([, , d]) => d === "int64").length;
    expect(r.notes.some((n) => n.includes("num_batches_tracked"))).toBe(counters > 0);
    expectClose(outputs(model, inputs(kind), input), fx.presets[name]!.torch_to_descent.torch_outputs, { rtol: 1e-5, atol: 1e-6 }, `${name}: PyTorch vs descent`);
  });
});

describe("import refuses weights that do not fit, naming the tensor", () => {
  const make = () => presetModel("handbook-cnn").model;
  const file = (edit: (t: StoredTensor[]) => StoredTensor[]) => torchFile("handbook-cnn", edit);
  test("a missing tensor", () => {
    expectThrows(ModelFileError, () => importPytorch(make(), file((t) => t.filter((x) => x.name !== "layers.1.running_var")), "w.safetensors"), `"layers.1.running_var"`, "missing");
  });
  test("an extra tensor", () => {
    expectThrows(ModelFileError, () => importPytorch(make(), file((t) => [...t, { name: "layers.99.weight", dtype: "F32", shape: [1], data: new Float32Array(1) }]), "w.safetensors"), `"layers.99.weight"`, "not part of the architecture");
  });
  test("descent's own names instead of PyTorch's", () => {
    expectThrows(ModelFileError, () => importPytorch(make(), file((t) => t.map((x) => ({ ...x, name: x.name.replace("running_mean", "runningMean") }))), "w.safetensors"), `"layers.1.running_mean"`, "missing", `"layers.1.runningMean"`);
  });
  test("a wrong shape", () => {
    expectThrows(ModelFileError, () => importPytorch(make(), file((t) => t.map((x) => (x.name === "layers.0.bias" ? { ...x, shape: [2, 16], data: new Float32Array(32) } : x))), "w.safetensors"), `"layers.0.bias"`, "[2, 16]", "[32]");
  });
  test("a wrong dtype (float16), while float64 is converted with a note", () => {
    const f64 = importPytorch(make(), file((t) => t.map((x) => (x.name === "layers.0.bias" ? { ...x, dtype: "F64", data: Float64Array.from(x.data) } : x))), "w.safetensors");
    expect(f64.notes.join(" ")).toContain("float64");
    // Same byte size: a [32] float32 bias becomes a [64] float16 one (the header edited in place, same length).
    const f16 = file((t) => t);
    const n = Number(new DataView(f16.buffer).getBigUint64(0, true));
    const header = new TextDecoder().decode(f16.subarray(8, 8 + n)).replace(/"layers\.0\.bias":\{"dtype":"F32","shape":\[32\]/, `"layers.0.bias":{"dtype":"F16","shape":[64]`);
    f16.set(new TextEncoder().encode(header), 8);
    expectThrows(ModelFileError, () => importPytorch(make(), f16, "w.safetensors"), `"layers.0.bias"`, "F16", "float32");
  });
});

test("train_ddp.py's DescentRng draws descent's shuffles (src/rng.ts)", () => {
  const s = fx.shuffle;
  const rng = new Rng(s.seed).fork(s.path);
  for (let e = 0; e < s.first.length; e++) {
    const p = rng.permutation(s.n);
    expect(Array.from(p.subarray(0, 32))).toEqual(s.first[e]);
    let sum = 0n;
    p.forEach((v, i) => (sum += BigInt(i) * BigInt(v)));
    expect(Number(sum % 4294967296n)).toBe(s.checksum[e]);
  }
  expect(rng.state().s).toEqual(s.state_after);
  // A seed above 2^31 and a stream name beyond ASCII (FNV-1a over UTF-16 code units).
  expect(new Rng(s.other.seed, s.other.path).nextU32()).toBe(s.other.u32[0]);
});

test("torch names: nested Sequential loses its field name, BatchNorm's buffers take PyTorch's", () => {
  const { names: map } = torchModule(buildArch(ALL_LAYERS, { input: [1, 28, 28] }).model);
  expect(map.get("layers.3.body.layers.0.weight")).toBe("layers.3.body.0.weight");
  expect(map.get("layers.1.runningVar")).toBe("layers.1.running_var");
});

test("torch names of recurrent layers: PyTorch's own, except a residual stack's layer l, which is its own torch module", () => {
  const { names: plain, classes } = torchModule(presetModel("bilstm32,fc10").model);
  expect(plain.get("layers.0.weight_hh_l0_reverse")).toBe("layers.0.weight_hh_l0_reverse");
  expect([...classes]).toEqual(["Recurrent"]);
  const stack = torchModule(presetModel("residual-bigru").model);
  expect(stack.names.get("layers.0.weight_ih_l2_reverse")).toBe("layers.0.layers.2.weight_ih_l0_reverse");
  expect(stack.names.has("layers.0.bias_ih_l0")).toBe(false); // bias: false
  expect([...stack.classes].sort()).toEqual(["Recurrent", "ResidualStack"]);
  expect(stack.code).toContain("ResidualStack([");
});

test("import refuses a residual stack's weights under descent's flat names, naming the tensor", () => {
  const file = torchFile("residual-bigru", (t) => t.map((x) => ({ ...x, name: x.name.replace("layers.0.layers.1.weight_hh_l0", "layers.0.weight_hh_l1") })));
  expectThrows(ModelFileError, () => importPytorch(presetModel("residual-bigru").model, file, "w.safetensors"), `"layers.0.layers.1.weight_hh_l0"`, "missing", `"layers.0.weight_hh_l1"`);
});

// The one test that needs Python: skipped, with the reason printed, where python3-torch is missing.
const python = spawnSync("/usr/bin/python3", ["-c", "import torch"], { encoding: "utf8" });
const hasTorch = python.status === 0;
if (!hasTorch) console.log(`skipping "model.py and train_ddp.py import": /usr/bin/python3 with torch is not available (${(python.stderr || String(python.error ?? "")).trim().split("\n").pop()}) — install python3-torch to run it`);
test.skipIf(!hasTorch)("the generated model.py and train_ddp.py are valid Python that imports (python3-torch)", () => {
  const dir = mkdtempSync(join(tmpdir(), "descent-pytorch-"));
  try {
    // A table model: model.py's standardisation step and the network behind it.
    const { model, input } = presetModel("house-prices");
    const exported = exportPytorch(model, { inputShape: input, title: "t", inputDoc: "", outputDoc: "", tablePrep: PREP, pipeline: {} });
    for (const f of exported.files) writeFileSync(join(dir, f.name), f.bytes);
    const script = "import sys; sys.path.insert(0, sys.argv[1]); import model, train_ddp, torch; m = model.build(); " +
      "m.load_state_dict(model.load_safetensors(sys.argv[1] + '/model.safetensors')); m.eval(); print(tuple(m(torch.zeros(2, *model.INPUT_SHAPE)).shape)); print(train_ddp.DescentRng(1, 'shuffle').next_u32())";
    const r = spawnSync("/usr/bin/python3", ["-c", script, dir], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.stdout.trim().split("\n")).toEqual(["(2, 1)", String(new Rng(1, "shuffle").nextU32())]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.skipIf(!hasTorch)("train_ddp.py refuses a stateful recurrent model and non-MNIST data with a message saying why (python3-torch)", () => {
  const dir = mkdtempSync(join(tmpdir(), "descent-pytorch-"));
  try {
    const model = new Sequential(new LSTM(28, 8, { batchFirst: true, stateful: true, returnSequences: false }), new Linear(8, 10));
    const run = (data: Record<string, unknown>) => {
      const exported = exportPytorch(model, { inputShape: [28, 28], title: "t", inputDoc: "", outputDoc: "", pipeline: { config: { seed: 1 }, data } });
      for (const f of exported.files) writeFileSync(join(dir, f.name), f.bytes);
      return spawnSync("/usr/bin/python3", [join(dir, "train_ddp.py"), "--dir", dir], { encoding: "utf8" });
    };
    const stateful = run({ kind: "mnist" });
    expect(stateful.status).toBe(1);
    expect(stateful.stderr).toContain("stateful recurrent layer");
    const text = run({ kind: "text" });
    expect(text.status).toBe(1);
    expect(text.stderr).toContain("this model was trained on text data");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
