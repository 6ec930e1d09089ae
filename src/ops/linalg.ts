/** Matrix products. Backprop's transposed products read operands in place — no transpose copies. */
import { allocate, fromOp, Tensor } from "../tensor.js";
import { SUNK, TAKEN } from "../autograd.js";
import { kernelsFor } from "../kernels/index.js";
import { fmt } from "../shape.js";
import { ShapeError } from "../errors.js";
import { reshape } from "./movement.js";
import { sum } from "./reduce.js";

/**
 * op(a)·op(b) for 2-D a, b, where op transposes when asked: a is [m,k] (or [k,m] with transA),
 * b is [k,n] (or [n,k] with transB) → [m,n].
 */
export function gemm(a: Tensor, b: Tensor, transA = false, transB = false): Tensor {
  if (a.rank !== 2 || b.rank !== 2) throw new ShapeError(`matmul: expected 2-D operands, got ${fmt(a.shape)} and ${fmt(b.shape)}`);
  const [m, k] = transA ? [a.shape[1]!, a.shape[0]!] : [a.shape[0]!, a.shape[1]!];
  const [k2, n] = transB ? [b.shape[1]!, b.shape[0]!] : [b.shape[0]!, b.shape[1]!];
  if (k !== k2) {
    throw new ShapeError(
      `matmul: inner dimensions differ: ${fmt(a.shape)}${transA ? "ᵀ" : ""} · ${fmt(b.shape)}${transB ? "ᵀ" : ""} (${k} vs ${k2})`,
    );
  }
  if (a.dtype !== b.dtype) throw new ShapeError(`matmul: dtypes differ (${a.dtype} vs ${b.dtype})`);
  const c = allocate(a.dtype, m * n);
  kernelsFor(a.data).gemm(a.data, b.data, c, m, k, n, transA, transB, false);
  return fromOp("matmul", c, [m, n], [a, b], (g) => {
    // C = op(A)·op(B) ⇒ dop(A) = G·op(B)ᵀ, dop(B) = op(A)ᵀ·G, then undo each op on the way back.
    const ga = !a.requiresGrad ? null : transA ? gemm(b, g, transB, true) : gemm(g, b, false, !transB);
    const gb = !b.requiresGrad ? null : transB ? gemm(g, a, true, transA) : gemm(a, g, !transA, false);
    return [ga, gb];
  });
}

/**
 * Matrix product with NumPy's rules for the common cases: [m,k]·[k,n], [k]·[k,n], [m,k]·[k],
 * and [..., m, k]·[k, n] (leading dims of a are folded into m).
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (b.rank === 1) return reshape(matmul(a, reshape(b, [b.size, 1])), a.shape.slice(0, -1));
  if (a.rank === 1) return reshape(gemm(reshape(a, [1, a.size]), b), [b.shape[1]!]);
  if (b.rank !== 2) throw new ShapeError(`matmul: right operand must be 1-D or 2-D, got ${fmt(b.shape)}`);
  if (a.rank === 2) return gemm(a, b);
  const lead = a.shape.slice(0, -1);
  const flat = reshape(a, [-1, a.shape[a.rank - 1]!]);
  return reshape(gemm(flat, b), [...lead, b.shape[1]!]);
}

/**
 * Affine map y = x·Wᵀ + b, as PyTorch's F.linear. x: [N, in], weight: [out, in], bias: [out] → [N, out].
 * The bias is written first and the product accumulated onto it in one gemm.
 */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  if (x.rank !== 2 || weight.rank !== 2 || x.shape[1] !== weight.shape[1]) {
    throw new ShapeError(`linear: input ${fmt(x.shape)} does not fit weight ${fmt(weight.shape)} (expected [N, ${weight.shape[1]}])`);
  }
  const n = x.shape[0]!;
  const inF = weight.shape[1]!;
  const outF = weight.shape[0]!;
  if (bias && (bias.rank !== 1 || bias.size !== outF)) {
    throw new ShapeError(`linear: bias ${fmt(bias.shape)} does not fit weight ${fmt(weight.shape)} (expected [${outF}])`);
  }
  const y = allocate(x.dtype, n * outF);
  if (bias) for (let i = 0; i < n; i++) y.set(bias.data, i * outF);
  kernelsFor(x.data).gemm(x.data, weight.data, y, n, inF, outF, false, true, bias !== null);
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return fromOp("linear", y, [n, outF], inputs, (g, sinks) => {
    const k = kernelsFor(g.data);
    let dW: Tensor | null | typeof SUNK | typeof TAKEN = null;
    let db: Tensor | null | typeof SUNK = null;
    const wSink = sinks?.[1];
    const bSink = sinks?.[2];
    const dx = x.requiresGrad ? gemm(g, weight) : null; // dx = g·W, before a hook taking dW may change W
    if (wSink?.takeProduct({ a: g.data, b: x.data, m: outF, k: n, n: inF, transA: true })) {
      dW = TAKEN; // dW = gᵀ·x went whole to a backward hook (e.g. an optimizer stepping W in backward)
    } else if (wSink) {
      // dW = gᵀ·x written (or added) straight into the weight's gradient buffer.
      k.gemm(g.data, x.data, wSink.data, outF, n, inF, true, false, wSink.accumulate);
      dW = SUNK;
    } else if (weight.requiresGrad) {
      dW = gemm(g, x, true, false);
    }
    if (bSink && !bSink.accumulate) {
      k.sumAxis(g.data, 1, n, outF, bSink.data); // db = Σ_rows g
      db = SUNK;
    } else if (bias?.requiresGrad) {
      db = sum(g, 0);
    }
    return [dx, dW, db];
  });
}
