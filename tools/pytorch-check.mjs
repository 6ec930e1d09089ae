// The descent side of tools/check_pytorch.py (runs dist/: `npm run build` first).
//   node tools/pytorch-check.mjs export DIR   every preset's network with formula weights, exported
//                                             to DIR/<preset>/ (descent export's exporter), and
//                                             descent's outputs on the check inputs (descent.json)
//   node tools/pytorch-check.mjs import DIR   DIR/<preset>/torch.safetensors (saved by PyTorch)
//                                             imported (descent import's importer), outputs → imported.json
// The network, weights and inputs are built as test/pytorch-export.test.ts builds them.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PRESETS, presetConfig } from "../dist/train/presets.js";
import { buildArch, archTakesImages } from "../dist/nn/arch.js";
import { mlp } from "../dist/nn/mlp.js";
import { Sequential } from "../dist/nn/layers/sequential.js";
import { Linear } from "../dist/nn/layers/linear.js";
import { GRU } from "../dist/nn/layers/recurrent.js";
import { loadMnist } from "../dist/node/mnist.js";
import { exportPytorch } from "../dist/io/pytorch/export.js";
import { importPytorch } from "../dist/io/pytorch/import.js";
import { Tensor } from "../dist/tensor.js";
import { noGrad } from "../dist/autograd.js";

export const EXAMPLES = 16;

/** A deterministic value in [0, 1) for element i of the t-th tensor (exact integer arithmetic, as in check_pytorch.py). */
const unit = (t, i) => (((i + 1) * 2654435761 + (t + 1) * 40503) % 4294967296) / 4294967296;

/** Formula weights: the t-th tensor of the list by name and shape (running variances positive). */
function formulaValue(name, shape, t, i) {
  const u = unit(t, i);
  if (/(runningVar|running_var)$/.test(name)) return 0.5 + u;
  if (shape.length >= 2) return (2 * u - 1) * Math.sqrt(3 / (shape.slice(1).reduce((a, b) => a * b, 1)));
  return (2 * u - 1) * 0.5;
}

/** Besides the presets: one network with every layer type the table has (Residual, AvgPool, BatchNorm1d/2d, LeakyReLU, GELU, Tanh, Identity, Dropout), and the sequence networks below. */
export const ALL_LAYERS = "conv4x3p1,bn,leakyrelu,res(conv4x3p1;tanh),avgpool2,flatten,dropout0.3,fc16,gelu,bn,identity,fc10,softmax";

/**
 * Sequence networks (RNN, LSTM, GRU, Embedding): MNIST read row by row ([28, 28]), or token ids
 * ([24] ids below 40), and one built through the API for what tokens cannot say (residual, no bias).
 */
export const SEQUENCE_NETWORKS = ["lstm128,fc10", "gru64x2seq,fc10", "bilstm32,fc10", "rnnrelu32x2,fc10", "bigru16x2seq,fc10", "embed16v40,lstm32x2,fc40", "residual-bigru"];
export const SEQUENCE_LENGTH = 24;
export const VOCABULARY = 40;

/** What an architecture reads: a recurrent layer first reads MNIST rows, an embedding token ids. */
function archInput(arch) {
  if (/^\s*(bi)?(rnn|lstm|gru)/.test(arch)) return { input: [28, 28], kind: "mnist" };
  if (/^\s*embed/.test(arch)) return { input: [SEQUENCE_LENGTH], kind: "ids" };
  return { input: archTakesImages(arch) ? [1, 28, 28] : [784], kind: "mnist" };
}

function presetModel(name) {
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

/** A table preset's encoding for the check: 12 numeric features, mean imputation. */
const TABLE_PREP = {
  version: 1, impute: "mean", rows: 100, targets: [{ name: "y", mean: 0, std: 1 }],
  features: Array.from({ length: 12 }, (_, j) => ({ name: `f${j}`, kind: "numeric" })),
  mean: Array.from({ length: 12 }, (_, j) => j * 0.5), std: Array.from({ length: 12 }, (_, j) => 1 + j * 0.1),
};

async function inputs(kind) {
  if (kind === "table") {
    const x = Float32Array.from({ length: EXAMPLES * 12 }, (_, i) => (unit(99, i) - 0.5) * 10 + (i % 12) * 0.5);
    x[5] = NaN; // a missing value: filled with the training mean
    return x;
  }
  if (kind === "ids") return Float32Array.from({ length: EXAMPLES * SEQUENCE_LENGTH }, (_, i) => Math.floor(unit(77, i) * VOCABULARY));
  const mnist = await loadMnist({ validation: 0 });
  return mnist.test.features.slice(0, EXAMPLES * 784);
}

function standardise(x) {
  return Float32Array.from(x, (v, i) => ((Number.isNaN(v) ? TABLE_PREP.mean[i % 12] : v) - TABLE_PREP.mean[i % 12]) / TABLE_PREP.std[i % 12]);
}

function outputs(model, x, input, kind) {
  const table = kind === "table";
  model.eval();
  const y = noGrad(() => model.forward(new Tensor(table ? standardise(x) : x, [EXAMPLES, ...input])));
  return { shape: y.shape, data: Array.from(y.data) };
}

const [mode, dir] = process.argv.slice(2);
if (!["export", "import"].includes(mode) || !dir) {
  process.stderr.write("usage: node tools/pytorch-check.mjs export|import DIR\n");
  process.exit(2);
}
for (const name of [...Object.keys(PRESETS), "all-layers", ...SEQUENCE_NETWORKS]) {
  const { model, input, kind } = presetModel(name);
  const table = kind === "table";
  const x = await inputs(kind);
  const out = join(dir, name);
  if (mode === "export") {
    Object.entries(model.stateDict()).forEach(([k, t], ti) => t.data.forEach((_, i) => (t.data[i] = formulaValue(k, t.shape, ti, i))));
    const exported = exportPytorch(model, {
      inputShape: input, title: `check_pytorch: ${name}`, inputDoc: "check inputs", outputDoc: "outputs",
      ...(table ? { tablePrep: TABLE_PREP } : {}), pipeline: { check: name },
    });
    mkdirSync(out, { recursive: true });
    for (const f of exported.files) writeFileSync(join(out, f.name), f.bytes);
    writeFileSync(join(out, "descent.json"), JSON.stringify({ inputs: kind !== "mnist" ? Array.from(x, (v) => (Number.isNaN(v) ? null : v)) : null, outputs: outputs(model, x, input, kind) }));
  } else {
    const file = join(out, "torch.safetensors");
    const r = importPytorch(model, new Uint8Array(readFileSync(file)), file);
    writeFileSync(join(out, "imported.json"), JSON.stringify({ notes: r.notes, outputs: outputs(model, x, input, kind) }));
  }
  process.stdout.write(`${mode} ${name}\n`);
}
