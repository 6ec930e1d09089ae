/**
 * How each layer type is written in ONNX: one row per type, keyed by the spec's "type" (nn/layers/).
 * RNN, LSTM, GRU (ONNX's own operators: LSTM's gates in the order i, o, f, c and GRU's z, r, h with
 * linear_before_reset = 1, which is PyTorch's formula) and Embedding (Gather) have their rows in
 * recurrent.ts. A new layer is one row here, or registerOnnxLayer from outside. Operators are those of ONNX_OPSET (export.ts); every row
 * is checked against ONNX Runtime by test/onnx-export.test.ts.
 */
import { float, int, ints, type Attribute } from "./proto.js";
import type { OnnxLayer, OnnxLayerContext } from "./graph.js";
import { RECURRENT_ROWS } from "./recurrent.js";

/** A row for an activation: the operator on x, with attributes read from the spec. */
const unary = (op: string, attributes: (c: OnnxLayerContext) => Record<string, Attribute> = () => ({})): OnnxLayer =>
  (x, c) => c.node(op, [x], attributes(c));

/** An integer option of the spec (the model file was validated when loaded; the row still refuses what ONNX cannot say). */
function option(c: OnnxLayerContext, key: string, fallback: number): number {
  const v = c.spec[key] ?? fallback;
  if (typeof v !== "number" || !Number.isInteger(v)) c.fail(`"${key}" is ${JSON.stringify(v)}, expected an integer`);
  return v;
}

/** Kernel and stride of a square window (pools, convolutions): ONNX lists one value per spatial axis. */
const window = (c: OnnxLayerContext) => {
  const [k, s] = [option(c, "kernelSize", 1), option(c, "stride", option(c, "kernelSize", 1))];
  return { kernel_shape: ints([k, k]), strides: ints([s, s]) };
};

const ROWS: [string, OnnxLayer][] = [
  ["Sequential", (x, c) => c.children().reduce((y, name) => c.child(name, y), x)],
  // y = x·Wᵀ + b: Gemm with transB = 1 takes the [out, in] weight as stored. Gemm takes only
  // [N, in]; a Linear applied per step ([N, T, in]) is MatMul on the transposed weight, then Add.
  ["Linear", (x, c) => {
    if ((c.inputShape?.length ?? 1) === 1) return c.node("Gemm", [x, c.weight("weight"), ...(c.has("bias") ? [c.weight("bias")] : [])], { transB: int(1) });
    const y = c.node("MatMul", [x, c.node("Transpose", [c.weight("weight")], { perm: ints([1, 0]) })]);
    return c.has("bias") ? c.node("Add", [y, c.weight("bias")]) : y;
  }],
  ["Conv2d", (x, c) => {
    const p = option(c, "padding", 0);
    return c.node("Conv", [x, c.weight("weight"), ...(c.has("bias") ? [c.weight("bias")] : [])], {
      ...window(c), pads: ints([p, p, p, p]), group: int(option(c, "groups", 1)),
    });
  }],
  // No padding and floor rounding (ceil_mode 0), as descent's pools: ONNX's defaults.
  ["MaxPool2d", (x, c) => c.node("MaxPool", [x], window(c))],
  ["AvgPool2d", (x, c) => c.node("AveragePool", [x], window(c))],
  // Inference form: (x − running mean) / √(running var + ε) · γ + β, as descent's eval mode.
  ...["BatchNorm1d", "BatchNorm2d"].map((type): [string, OnnxLayer] => [type, (x, c) => c.node("BatchNormalization",
    [x, c.weight("weight"), c.weight("bias"), c.weight("runningMean"), c.weight("runningVar")],
    { epsilon: float(c.spec.eps as number) })]),
  ["Flatten", unary("Flatten", () => ({ axis: int(1) }))],
  // Inverted dropout is the identity at inference: no node.
  ["Dropout", (x) => x],
  ["Identity", (x) => x],
  ["Residual", (x, c) => c.node("Add", [x, c.child("body", x)])],
  ["Sigmoid", unary("Sigmoid")],
  ["Tanh", unary("Tanh")],
  ["ReLU", unary("Relu")],
  ["LeakyReLU", unary("LeakyRelu", (c) => ({ alpha: float(c.spec.negativeSlope as number) }))],
  // Since opset 13 Softmax normalises along one axis, as PyTorch's dim.
  ["Softmax", unary("Softmax", (c) => ({ axis: int(option(c, "dim", -1)) }))],
  // The exact GELU, x·Φ(x) (opset 20's Gelu, approximate = "none"), as descent's.
  ["GELU", unary("Gelu")],
  ...RECURRENT_ROWS,
];

const TABLE = new Map<string, OnnxLayer>(ROWS);

/** The export table: layer type → row. A live view: registerOnnxLayer adds to it. */
export const ONNX_LAYERS: ReadonlyMap<string, OnnxLayer> = TABLE;

/**
 * Teaches the exporter a layer type (a user's registered layer, or a new built-in): its row appends
 * the ONNX nodes computing the layer and returns the name of their output, e.g.
 *   registerOnnxLayer("Scale", (x, c) => c.node("Mul", [x, c.constant("factor", Float32Array.of(2), [])]));
 * A type has one row; registering a second one is refused.
 */
export function registerOnnxLayer(type: string, row: OnnxLayer): void {
  if (TABLE.has(type)) throw new Error(`registerOnnxLayer: the layer type "${type}" already has an ONNX row`);
  TABLE.set(type, row);
}
