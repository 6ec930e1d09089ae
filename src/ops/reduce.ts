/** Reductions over axes: sum, mean, max, argmax; and sumToShape for broadcast gradients. */
import { allocate, fromOp, Tensor } from "../tensor.js";
import { kernelsFor } from "../kernels/index.js";
import { normAxes, normAxis, sameShape, sizeOf, type Shape } from "../shape.js";
import { ShapeError } from "../errors.js";
import { expand, reshape } from "./movement.js";

/** The shape left after reducing `axes` (kept as 1s when keepDims). */
function reducedShape(shape: Shape, axes: readonly number[], keepDims: boolean): number[] {
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keepDims) out.push(1);
  });
  return out;
}

/** Sums a contiguous array over the given sorted axes (no graph), merging runs of adjacent axes. */
function sumRaw(x: Tensor, axes: readonly number[]): Float32Array | Float64Array {
  let data = x.data;
  let shape = [...x.shape];
  // Reduce from the last axis so earlier axis indices stay valid.
  for (let r = axes.length - 1; r >= 0; ) {
    let first = r;
    while (first > 0 && axes[first - 1] === axes[first]! - 1) first--;
    const lo = axes[first]!;
    const hi = axes[r]!;
    const outer = sizeOf(shape.slice(0, lo));
    const n = sizeOf(shape.slice(lo, hi + 1));
    const inner = sizeOf(shape.slice(hi + 1));
    const out = allocate(x.dtype, outer * inner);
    kernelsFor(data).sumAxis(data, outer, n, inner, out);
    data = out;
    shape = [...shape.slice(0, lo), 1, ...shape.slice(hi + 1)];
    r = first - 1;
  }
  return data === x.data ? data.slice() : data;
}

/** Sum over `axes` (all by default). */
export function sum(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  const ax = normAxes(axes, x.rank, "sum");
  const shape = reducedShape(x.shape, ax, keepDims);
  const kept = reducedShape(x.shape, ax, true);
  return fromOp("sum", sumRaw(x, ax), shape, [x], (g) => [expand(reshape(g, kept), x.shape)]);
}

/** Mean over `axes` (all by default). */
export function mean(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  const ax = normAxes(axes, x.rank, "mean");
  const count = ax.reduce((n, a) => n * x.shape[a]!, 1);
  return sum(x, ax, keepDims).mul(1 / count);
}

/** Largest value over one axis (or over everything); the gradient goes to the first maximum. */
export function max(x: Tensor, axis?: number, keepDims = false): Tensor {
  if (axis === undefined) {
    const flat = max(reshape(x, [x.size]), 0);
    return keepDims ? reshape(flat, x.shape.map(() => 1)) : flat;
  }
  const a = normAxis(axis, x.rank, "max");
  if (x.shape[a] === 0) throw new ShapeError(`max: axis ${axis} has size 0`);
  const outer = sizeOf(x.shape.slice(0, a));
  const n = x.shape[a]!;
  const inner = sizeOf(x.shape.slice(a + 1));
  const out = allocate(x.dtype, outer * inner);
  const arg = new Int32Array(outer * inner);
  kernelsFor(x.data).maxAxis(x.data, outer, n, inner, out, arg);
  return fromOp("max", out, reducedShape(x.shape, [a], keepDims), [x], (g) => {
    const gx = allocate(x.dtype, x.size);
    gx.fill(0);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) gx[(o * n + arg[o * inner + i]!) * inner + i] = g.data[o * inner + i]!;
    }
    return [new Tensor(gx, x.shape)];
  });
}

/** Index of the largest value along `axis` (no gradient). */
export function argmax(x: Tensor, axis = -1): Int32Array {
  const a = normAxis(axis, x.rank, "argmax");
  const outer = sizeOf(x.shape.slice(0, a));
  const n = x.shape[a]!;
  const inner = sizeOf(x.shape.slice(a + 1));
  const arg = new Int32Array(outer * inner);
  kernelsFor(x.data).maxAxis(x.data, outer, n, inner, allocate(x.dtype, outer * inner), arg);
  return arg;
}

/** Sums a broadcast gradient back down to `shape` (the inverse of broadcasting). */
export function sumToShape(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  return reshape(sum(g, axes, true), shape);
}
