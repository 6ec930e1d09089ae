/**
 * A descent model as an ONNX file (onnx.ai): bytes out, no files. The graph takes a float32 batch
 * [N, …one example's shape] — N chosen at run time — and gives the model's output [N, …], computed
 * as descent's eval mode does (BatchNorm with its running statistics, Dropout dropped). A table
 * model's graph starts with its input standardisation, (x − mean) / std per encoded feature, and
 * with mean imputation, a NaN feature replaced by its training mean first; it takes the encoded
 * features (numbers as they are, categories one-hot), not the table's strings — see tableInputDoc.
 */
import type { Module } from "../../nn/module.js";
import { Tensor } from "../../tensor.js";
import { noGrad } from "../../autograd.js";
import { scope } from "../../memory.js";
import { featureNames, type TablePrep } from "../../data/table-prep.js";
import { VERSION } from "../../version.js";
import { encodeModelProto, type ValueDef } from "./proto.js";
import { OnnxGraph } from "./graph.js";
import { ONNX_LAYERS } from "./layers.js";

/**
 * Opset 21 (ONNX 1.16, IR version 10): new enough for Gelu (opset 20), old enough for every
 * ONNX Runtime since 1.18 (May 2024) and the servers that embed one (Triton's ONNX backend) —
 * descent uses no operator changed since. onnxruntime-node 1.31 runs it (the tests check every row).
 */
export const ONNX_OPSET = 21;
export const ONNX_IR_VERSION = 10;

/** The batch dimension's name in the file. */
export const BATCH = "N";

export interface OnnxExportOptions {
  /** The shape of one example: [784], [1, 28, 28], [features]. */
  inputShape: readonly number[];
  /** The graph's input: its name and what it holds (default "input"). */
  input?: { name: string; doc: string };
  /** The graph's output (default "output"). */
  output?: { name: string; doc: string };
  /** A table model's encoding: its standardisation (and mean imputation) become the graph's first nodes. */
  tablePrep?: TablePrep;
  /** metadata_props of the model (class names, feature names…). */
  metadata?: Record<string, string>;
  /** The model's doc_string. */
  doc?: string;
}

export interface OnnxExport {
  bytes: Uint8Array;
  input: ValueDef;
  output: ValueDef;
  /** Nodes in the graph, and the operators they use. */
  nodes: number;
  operators: string[];
}

/** What a table model's ONNX input holds, for its doc_string and the CLI's help. */
export function tableInputDoc(prep: TablePrep): string {
  const categorical = prep.features.filter((f) => f.kind === "categorical");
  return `float32 [N, ${featureNames(prep).length}]: the encoded features in this order: ${featureNames(prep).join(", ")}. ` +
    "A numeric column as it is in the table" +
    (categorical.length > 0 ? "; a categorical column one-hot over its training categories (1 for the row's category, 0 elsewhere; all 0 for a category not seen in training)" : "") +
    (prep.impute === "mean" ? "; a missing value as NaN (every one-hot slot of a missing category NaN): the graph fills in the training mean" : "") +
    ". The graph standardises them with the training mean and std.";
}

/** Encodes `model` (in eval mode) as an ONNX ModelProto. Throws an ExportError naming the first layer ONNX cannot express. */
export function exportOnnx(model: Module, opts: OnnxExportOptions): OnnxExport {
  const traced = trace(model, opts.inputShape);
  const graph = new OnnxGraph(ONNX_LAYERS, traced.inputs);
  const inputName = opts.input?.name ?? "input";
  const input: ValueDef = { name: graph.fresh(inputName), dims: [BATCH, ...opts.inputShape], ...(opts.input ? { doc: opts.input.doc } : {}) };
  const outputName = graph.fresh(opts.output?.name ?? "output");
  let x = input.name;
  if (opts.tablePrep) x = standardise(graph, x, opts.tablePrep);
  const y = graph.layer(model, "", x);

  const output: ValueDef = { name: outputName, dims: [BATCH, ...traced.output], ...(opts.output ? { doc: opts.output.doc } : {}) };
  nameOutput(graph, y, outputName);

  const bytes = encodeModelProto({
    irVersion: ONNX_IR_VERSION,
    opset: ONNX_OPSET,
    producerName: "descent",
    producerVersion: VERSION,
    ...(opts.doc ? { doc: opts.doc } : {}),
    graph: { name: "descent", nodes: graph.nodes, initializers: graph.initializers, inputs: [input], outputs: [output] },
    metadata: opts.metadata ?? {},
  });
  return { bytes, input, output, nodes: graph.nodes.length, operators: [...new Set(graph.nodes.map((n) => n.op))] };
}

/** (x − mean) / std per encoded feature; with mean imputation a NaN becomes the mean first (so standardises to 0, as in descent). */
function standardise(graph: OnnxGraph, x: string, prep: TablePrep): string {
  const width = prep.mean.length;
  const mean = graph.constant("table.mean", Float32Array.from(prep.mean), [width]);
  const std = graph.constant("table.std", Float32Array.from(prep.std), [width]);
  let filled = x;
  if (prep.impute === "mean") filled = graph.node("table", "Where", [graph.node("table", "IsNaN", [x])[0]!, mean, x])[0]!;
  return graph.node("table", "Div", [graph.node("table", "Sub", [filled, mean])[0]!, std])[0]!;
}

/**
 * One zero example through the model in eval mode (whatever layers it ends with): the shape of one
 * example of the output, and the shape arriving at each module on the way (for the rows that depend
 * on the rank). Each module's forward is wrapped for the call, then restored.
 */
function trace(model: Module, inputShape: readonly number[]): { output: number[]; inputs: Map<Module, readonly number[]> } {
  const inputs = new Map<Module, readonly number[]>();
  const modules: Module[] = [];
  const visit = (m: Module): void => {
    modules.push(m);
    for (const [, child] of m.namedChildren()) visit(child);
  };
  visit(model);
  for (const m of modules) {
    const forward = m.forward;
    m.forward = (x: Tensor) => {
      if (!inputs.has(m)) inputs.set(m, x.shape.slice(1));
      return forward.call(m, x);
    };
  }
  const wasTraining = model.training;
  model.eval();
  try {
    const output = scope(() => noGrad(() => model.forward(Tensor.zeros([1, ...inputShape])).shape.slice(1)));
    return { output, inputs };
  } finally {
    for (const m of modules) delete (m as { forward?: unknown }).forward;
    model.train(wasTraining);
  }
}

/** Gives the graph's last value its documented name: the node computing it is renamed, or — a model that computes nothing (all Identity/Dropout) — an Identity added. */
function nameOutput(graph: OnnxGraph, value: string, name: string): void {
  const producer = graph.nodes.find((n) => n.outputs.includes(value));
  if (!producer) {
    graph.node("", "Identity", [value]);
    graph.nodes.at(-1)!.outputs = [name];
    return;
  }
  for (const n of graph.nodes) {
    n.outputs = n.outputs.map((o) => (o === value ? name : o));
    n.inputs = n.inputs.map((i) => (i === value ? name : i));
  }
}
