/**
 * The export rows of RNN, LSTM, GRU and Embedding: ONNX's own RNN, LSTM and GRU operators, one per
 * stacked layer, and Gather. What differs between descent (PyTorch's layout) and ONNX:
 *   - gate order: PyTorch stores LSTM gates i, f, g, o and ONNX wants i, o, f, c; GRU r, z, n
 *     against ONNX's z, r, h — the weight blocks are reordered when written;
 *   - GRU's candidate: PyTorch's n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)) is ONNX's
 *     linear_before_reset = 1;
 *   - biases: ONNX's B [D, 2·G·H] is the input biases then the recurrence biases, per direction;
 *   - layout: ONNX's Y is [T, D, B, H]; descent's sequence is [T, B, D·H] (or [B, T, D·H] with
 *     batchFirst: Transposes around the stack — ONNX Runtime's CPU kernels take only layout = 0).
 * Dropout between layers is dropped (inference). A stateful layer is exported stateless: each run
 * of the file starts from zero states, as descent's does after resetStates().
 */
import { int, ints, string, strings } from "./proto.js";
import type { OnnxLayer, OnnxLayerContext } from "./graph.js";

/** ONNX's gate blocks, each given as the index of descent's (PyTorch's) block it takes. */
const GATE_ORDER: Record<string, readonly number[]> = {
  RNN: [0],
  LSTM: [0, 3, 1, 2], // ONNX i, o, f, c ← PyTorch i (0), o (3), f (1), g (2)
  GRU: [1, 0, 2], // ONNX z, r, h ← PyTorch z (1), r (0), n (2)
};

/** A positive integer option of the spec. */
function size(c: OnnxLayerContext, key: string, fallback?: number): number {
  const v = c.spec[key] ?? fallback;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1) c.fail(`"${key}" is ${JSON.stringify(v)}, expected a positive integer`);
  return v;
}

/** A boolean option of the spec. */
function flag(c: OnnxLayerContext, key: string, fallback: boolean): boolean {
  const v = c.spec[key] ?? fallback;
  if (typeof v !== "boolean") c.fail(`"${key}" is ${JSON.stringify(v)}, expected true or false`);
  return v;
}

/** An int64 constant (Reshape's shape, Gather's and Slice's indices): a Constant node, so the initializers stay float32. */
const int64s = (c: OnnxLayerContext, values: readonly number[]) => c.node("Constant", [], { value_ints: ints(values) });
const int64 = (c: OnnxLayerContext, value: number) => c.node("Constant", [], { value_int: int(value) });

/**
 * The tensors `names` (one per direction, each [G·H, …] in PyTorch's gate order) as one ONNX input
 * [D, G·H, …] in ONNX's: block k of a direction is PyTorch's block order[k] (H rows each).
 */
function stacked(c: OnnxLayerContext, key: string, names: string[], order: readonly number[], H: number): string {
  const first = c.tensor(names[0]!);
  const block = first.size / order.length; // H rows × row length
  const out = new Float32Array(names.length * first.size);
  names.forEach((name, d) => {
    const t = c.tensor(name);
    if (t.shape[0] !== order.length * H) c.fail(`${name} has ${t.shape[0]} rows, expected ${order.length}·${H}`);
    order.forEach((from, k) => out.set(t.data.subarray(from * block, (from + 1) * block), d * first.size + k * block));
  });
  return c.constant(key, out, [names.length, ...first.shape]);
}

/** ONNX's B [D, 2·G·H]: per direction, the input biases then the recurrence biases, each in ONNX's gate order. */
function biases(c: OnnxLayerContext, key: string, suffixes: string[], l: number, order: readonly number[], H: number): string {
  const GH = order.length * H;
  const out = new Float32Array(suffixes.length * 2 * GH);
  suffixes.forEach((sfx, d) => {
    ["bias_ih", "bias_hh"].forEach((kind, j) => {
      const t = c.tensor(`${kind}_l${l}${sfx}`);
      order.forEach((from, k) => out.set(t.data.subarray(from * H, (from + 1) * H), d * 2 * GH + j * GH + k * H));
    });
  });
  return c.constant(key, out, [suffixes.length, 2 * GH]);
}

/** descent's last step of a sequence [T, B, D·H]: the forward direction at T − 1 beside the reverse one at step 0 → [B, D·H]. */
function lastStep(c: OnnxLayerContext, seq: string, D: number, H: number): string {
  const last = c.node("Gather", [seq, int64(c, -1)], { axis: int(0) });
  if (D === 1) return last;
  const first = c.node("Gather", [seq, int64(c, 0)], { axis: int(0) });
  const axes = int64s(c, [1]);
  const forward = c.node("Slice", [last, int64s(c, [0]), int64s(c, [H]), axes]);
  const reverse = c.node("Slice", [first, int64s(c, [H]), int64s(c, [2 * H]), axes]);
  return c.node("Concat", [forward, reverse], { axis: int(1) });
}

const recurrent = (type: "RNN" | "LSTM" | "GRU"): OnnxLayer => (x, c) => {
  const order = GATE_ORDER[type]!;
  const [F, H, L] = [size(c, "inputSize"), size(c, "hiddenSize"), size(c, "numLayers", 1)];
  const D = flag(c, "bidirectional", false) ? 2 : 1;
  const batchFirst = flag(c, "batchFirst", false);
  const residual = flag(c, "residual", false);
  const suffixes = D === 2 ? ["", "_reverse"] : [""];
  const attributes = {
    hidden_size: int(H),
    direction: string(D === 2 ? "bidirectional" : "forward"),
    ...(type === "GRU" ? { linear_before_reset: int(1) } : {}),
    ...(type === "RNN" && c.spec.nonlinearity === "relu" ? { activations: strings(suffixes.map(() => "Relu")) } : {}),
  };
  let seq = batchFirst ? c.node("Transpose", [x], { perm: ints([1, 0, 2]) }) : x; // [T, B, F]
  for (let l = 0; l < L; l++) {
    const inF = l === 0 ? F : D * H;
    const W = stacked(c, `W_l${l}`, suffixes.map((s) => `weight_ih_l${l}${s}`), order, H);
    const R = stacked(c, `R_l${l}`, suffixes.map((s) => `weight_hh_l${l}${s}`), order, H);
    const B = flag(c, "bias", true) ? [biases(c, `B_l${l}`, suffixes, l, order, H)] : [];
    const Y = c.node(type, [seq, W, R, ...B], attributes); // [T, D, B, H]
    // → [T, B, D, H] → [T, B, D·H]; T and B are chosen at run time: Reshape's 0 keeps T, −1 finds B.
    const y = c.node("Reshape", [D === 2 ? c.node("Transpose", [Y], { perm: ints([0, 2, 1, 3]) }) : Y, int64s(c, [0, -1, D * H])]);
    seq = residual && inF === D * H ? c.node("Add", [y, seq]) : y;
  }
  if (!flag(c, "returnSequences", true)) return lastStep(c, seq, D, H);
  return batchFirst ? c.node("Transpose", [seq], { perm: ints([1, 0, 2]) }) : seq;
};

export const RECURRENT_ROWS: [string, OnnxLayer][] = [
  ["RNN", recurrent("RNN")],
  ["LSTM", recurrent("LSTM")],
  ["GRU", recurrent("GRU")],
  // Token ids arrive as float32 (the graph's one input type): Cast to int64, then rows of the table.
  ["Embedding", (x, c) => c.node("Gather", [c.weight("weight"), c.node("Cast", [x], { to: int(7) })], { axis: int(0) })],
];
