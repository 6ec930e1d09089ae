/**
 * How each layer type is written as PyTorch: one row per type, keyed by the spec's "type"
 * (nn/layers/), as the ONNX table (io/onnx/layers.ts). A row gives the Python expression that builds
 * the torch.nn module, the torch names of the layer's own tensors where they differ from descent's
 * (BatchNorm's runningMean is running_mean), the state_dict entries torch has that descent does not
 * keep (BatchNorm's num_batches_tracked), and the helper classes of model.py it uses. A recurrent
 * layer whose tensors already have PyTorch's names (weight_ih_l0 …) needs no renames: RNN, LSTM,
 * GRU and Embedding have their rows in recurrent.ts.
 * Every row is checked against PyTorch by tools/check_pytorch.py (fixtures: test/fixtures/pytorch.json).
 */
import { ExportError } from "../onnx/graph.js";
import type { LayerSpec } from "../../nn/module.js";
import { PYTORCH_RECURRENT_ROWS } from "./recurrent.js";

export interface PyTorchLayerContext {
  readonly spec: LayerSpec;
  /** The layer's path in the model ("layers.3"), for messages. */
  readonly where: string;
  /** The Python expression of a child module: descent's field `key` (e.g. "layers.0", "body"), which torch names `torchKey`. */
  child(key: string, torchKey: string): string;
  /** The descent keys of the children that are lists: Sequential's "layers" → ["layers.0", …]. */
  list(key: string): string[];
  /** An option of the spec as a Python literal (a number, true/false). */
  py(key: string, fallback?: number | boolean): string;
  /** Refuses the layer: ExportError naming it. */
  fail(why: string): never;
}

export interface PyTorchLayer {
  /** The Python expression building the module, e.g. "nn.Linear(784, 100, bias=True)". */
  module(c: PyTorchLayerContext): string;
  /** descent name of an own tensor → torch name, where they differ (for some layers it depends on the spec). */
  renames?: Record<string, string> | ((spec: LayerSpec) => Record<string, string>);
  /** Own state_dict entries torch keeps and descent does not (not float32 weights): accepted and dropped by import. */
  torchOnly?: string[];
  /** Helper classes of model.py this row uses (keys of PY_CLASSES in model-py.ts), or the spec's. */
  classes?: string[] | ((spec: LayerSpec) => string[]);
}

/** A Python literal for a spec value. */
export function pyLiteral(v: unknown, where: string): string {
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "number" && Number.isFinite(v)) return Number.isInteger(v) ? String(v) : String(v).replace(/^(-?)\./, "$10.");
  throw new ExportError(`${where}: ${JSON.stringify(v)} cannot be written as a Python number`);
}

const plain = (name: string): PyTorchLayer => ({ module: () => `nn.${name}()` });

const pool = (name: string): PyTorchLayer => ({
  // No padding and floor rounding, as descent's pools (PyTorch's defaults).
  module: (c) => `nn.${name}(kernel_size=${c.py("kernelSize")}, stride=${c.py("stride", c.spec.kernelSize as number)})`,
});

const batchNorm = (name: string): PyTorchLayer => ({
  // Same momentum convention as descent (new = (1 − m)·old + m·batch; the running variance unbiased).
  module: (c) => `nn.${name}(${c.py("numFeatures")}, eps=${c.py("eps", 1e-5)}, momentum=${c.py("momentum", 0.1)})`,
  renames: { runningMean: "running_mean", runningVar: "running_var" },
  torchOnly: ["num_batches_tracked"],
});

const ROWS: [string, PyTorchLayer][] = [
  // descent's Sequential keeps its layers in a field "layers"; nn.Sequential names them 0, 1, …
  ["Sequential", { module: (c) => `nn.Sequential(\n${c.list("layers").map((k) => `    ${c.child(k, k.slice("layers.".length)).replace(/\n/g, "\n    ")},`).join("\n")}\n)` }],
  ["Linear", { module: (c) => `nn.Linear(${c.py("inFeatures")}, ${c.py("outFeatures")}, bias=${c.py("bias", true)})` }],
  ["Conv2d", {
    module: (c) => `nn.Conv2d(${c.py("inChannels")}, ${c.py("outChannels")}, ${c.py("kernelSize")}, stride=${c.py("stride", 1)}, padding=${c.py("padding", 0)}, groups=${c.py("groups", 1)}, bias=${c.py("bias", true)})`,
  }],
  ["MaxPool2d", pool("MaxPool2d")],
  ["AvgPool2d", pool("AvgPool2d")],
  ["BatchNorm1d", batchNorm("BatchNorm1d")],
  ["BatchNorm2d", batchNorm("BatchNorm2d")],
  // nn.Flatten's default start_dim = 1, as descent's.
  ["Flatten", plain("Flatten")],
  // Inverted dropout in both; the masks come from each framework's own generator.
  ["Dropout", { module: (c) => `nn.Dropout(p=${c.py("p", 0.5)})` }],
  ["Identity", plain("Identity")],
  ["Residual", { module: (c) => `Residual(${c.child("body", "body")})`, classes: ["Residual"] }],
  ["Sigmoid", plain("Sigmoid")],
  ["Tanh", plain("Tanh")],
  ["ReLU", plain("ReLU")],
  ["LeakyReLU", { module: (c) => `nn.LeakyReLU(negative_slope=${c.py("negativeSlope", 0.01)})` }],
  ["Softmax", { module: (c) => `nn.Softmax(dim=${c.py("dim", -1)})` }],
  // The exact GELU (approximate="none", PyTorch's default), as descent's.
  ["GELU", plain("GELU")],
  ...PYTORCH_RECURRENT_ROWS,
];

const TABLE = new Map<string, PyTorchLayer>(ROWS);

/** The export table: layer type → row. A live view: registerPyTorchLayer adds to it. */
export const PYTORCH_LAYERS: ReadonlyMap<string, PyTorchLayer> = TABLE;

/**
 * Teaches the PyTorch export (and import) a layer type, e.g.
 *   registerPyTorchLayer("LSTM", { module: (c) => `nn.LSTM(${c.py("inputSize")}, ${c.py("hiddenSize")}, batch_first=True)`, classes: [...] });
 * A type has one row; registering a second one is refused.
 */
export function registerPyTorchLayer(type: string, row: PyTorchLayer): void {
  if (TABLE.has(type)) throw new Error(`registerPyTorchLayer: the layer type "${type}" already has a PyTorch row`);
  TABLE.set(type, row);
}
