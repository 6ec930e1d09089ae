/**
 * Elementwise ops. Unary ones share one shape of code: the function and its derivative live in the
 * kernel table (`kernels/ref.ts` UNARY), so adding one is a row there and a line here.
 * Binary ops broadcast like NumPy; their gradients are summed back to each input's shape.
 */
import { allocate, fromOp, Tensor } from "../tensor.js";
import { kernelsFor } from "../kernels/index.js";
import type { BinaryOp, UnaryOp } from "../kernels/types.js";
import { broadcastShapes, broadcastStrides, sameShape, sizeOf } from "../shape.js";
import { sumToShape } from "./reduce.js";

function unaryOp(op: UnaryOp, x: Tensor, p = 0, q = 0): Tensor {
  const out = allocate(x.dtype, x.size);
  kernelsFor(x.data).unary[op](x.data, out, p, q);
  return fromOp(op, out, x.shape, [x], (g) => {
    const gx = allocate(x.dtype, x.size);
    kernelsFor(x.data).unaryBackward[op](x.data, out, g.data, gx, p, q);
    return [new Tensor(gx, x.shape)];
  });
}

export const neg = (x: Tensor) => unaryOp("neg", x);
export const exp = (x: Tensor) => unaryOp("exp", x);
export const log = (x: Tensor) => unaryOp("log", x);
export const log1p = (x: Tensor) => unaryOp("log1p", x);
export const sqrt = (x: Tensor) => unaryOp("sqrt", x);
export const abs = (x: Tensor) => unaryOp("abs", x);
/** −1, 0 or 1 (NaN stays NaN); its gradient is zero. */
export const sign = (x: Tensor) => unaryOp("sign", x);
export const tanh = (x: Tensor) => unaryOp("tanh", x);
export const relu = (x: Tensor) => unaryOp("relu", x);
/** max(x, 0) + slope·min(x, 0); PyTorch's default slope 0.01. */
export const leakyRelu = (x: Tensor, slope = 0.01) => unaryOp("leakyRelu", x, slope);
/** GELU, exact: x·Φ(x) with Φ the standard normal CDF (PyTorch's F.gelu, approximate="none"). */
export const gelu = (x: Tensor) => unaryOp("gelu", x);
/** log(1 + eˣ), computed without overflow; its derivative is σ(x). */
export const softplus = (x: Tensor) => unaryOp("softplus", x);
/** Limits values to [min, max]; the gradient passes where min ≤ x ≤ max. */
export const clamp = (x: Tensor, min: number, max: number) =>
  // float32 data is compared with float32 bounds, as PyTorch casts them (clamp(x, 0.8) at x = 0.8f).
  x.dtype === "float32" ? unaryOp("clamp", x, Math.fround(min), Math.fround(max)) : unaryOp("clamp", x, min, max);

/** σ(x) = 1 / (1 + e⁻ˣ). */
export const sigmoid = (x: Tensor) => unaryOp("sigmoid", x);

/** A number becomes a 0-d tensor of the other operand's dtype; mixed dtypes promote to float64. */
function operands(a: Tensor | number, b: Tensor | number): [Tensor, Tensor] {
  const like = a instanceof Tensor ? a : (b as Tensor);
  const ta = a instanceof Tensor ? a : Tensor.full([], a, { dtype: like.dtype });
  const tb = b instanceof Tensor ? b : Tensor.full([], b, { dtype: like.dtype });
  if (ta.dtype === tb.dtype) return [ta, tb];
  return [toFloat64(ta), toFloat64(tb)];
}

function toFloat64(x: Tensor): Tensor {
  if (x.dtype === "float64") return x;
  return fromOp("toFloat64", Float64Array.from(x.data), x.shape, [x], (g) => [new Tensor(Float32Array.from(g.data), x.shape)]);
}

/** Computes a ∘ b with broadcasting (no graph). */
function rawBinary(op: BinaryOp, a: Tensor, b: Tensor): Tensor {
  const shape = sameShape(a.shape, b.shape) ? a.shape : broadcastShapes(a.shape, b.shape, op);
  const out = allocate(a.dtype, sizeOf(shape));
  const k = kernelsFor(a.data).binary[op];
  if (a.size === out.length && b.size === out.length) {
    k(a.data, [1], b.data, [1], out, [out.length]); // same shape: one flat loop
  } else if (a.size === out.length && b.size === 1) {
    k(a.data, [1], b.data, [0], out, [out.length]); // tensor ∘ scalar
  } else {
    k(a.data, broadcastStrides(a.shape, shape), b.data, broadcastStrides(b.shape, shape), out, shape);
  }
  return new Tensor(out, shape);
}

function binaryOp(
  op: BinaryOp,
  a0: Tensor | number,
  b0: Tensor | number,
  grads: (g: Tensor, a: Tensor, b: Tensor, out: Tensor) => [Tensor | null, Tensor | null],
): Tensor {
  const [a, b] = operands(a0, b0);
  const out = rawBinary(op, a, b);
  return fromOp(op, out.data, out.shape, [a, b], (g) => {
    const [ga, gb] = grads(g, a, b, out);
    return [ga && a.requiresGrad ? sumToShape(ga, a.shape) : null, gb && b.requiresGrad ? sumToShape(gb, b.shape) : null];
  });
}

export const add = (a: Tensor | number, b: Tensor | number): Tensor => binaryOp("add", a, b, (g) => [g, g]);

export const sub = (a: Tensor | number, b: Tensor | number): Tensor =>
  binaryOp("sub", a, b, (g, _a, b) => [g, b.requiresGrad ? neg(g) : null]);

export const mul = (a: Tensor | number, b: Tensor | number): Tensor =>
  binaryOp("mul", a, b, (g, a, b) => [a.requiresGrad ? mul(g, b) : null, b.requiresGrad ? mul(g, a) : null]);

export const div = (a: Tensor | number, b: Tensor | number): Tensor =>
  binaryOp("div", a, b, (g, a, b, out) => [
    a.requiresGrad ? div(g, b) : null,
    b.requiresGrad ? neg(mul(g, div(out, b))) : null, // ∂(a/b)/∂b = −(a/b)/b
  ]);

/** aᵇ. ∂/∂a = b·aᵇ⁻¹; ∂/∂b = aᵇ·ln a (taken as 0 where a = 0, as PyTorch does). */
export const pow = (a: Tensor | number, b: Tensor | number): Tensor =>
  binaryOp("pow", a, b, (g, a, b, out) => [
    a.requiresGrad ? mul(g, mul(b, pow(a, sub(b, 1)))) : null,
    b.requiresGrad ? mul(g, mul(out, logOrZero(a))) : null,
  ]);

function logOrZero(a: Tensor): Tensor {
  const out = allocate(a.dtype, a.size);
  for (let i = 0; i < a.size; i++) out[i] = a.data[i] === 0 ? 0 : Math.log(a.data[i]!);
  return new Tensor(out, a.shape);
}

/** x² (through mul, so its gradient 2x comes for free). */
export const square = (x: Tensor) => mul(x, x);
