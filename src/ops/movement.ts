/** Ops that move or view data: reshape, flatten, transpose/permute, expand (broadcast). */
import { allocate, fromOp, Tensor } from "../tensor.js";
import { kernelsFor } from "../kernels/index.js";
import { broadcastShapes, broadcastStrides, fmt, normAxis, resolveReshape, sameShape, sizeOf, stridesOf, type Shape } from "../shape.js";
import { ShapeError } from "../errors.js";
import { sumToShape } from "./reduce.js";

/** Same data, new shape (a view: no copy). One dimension may be −1. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const to = resolveReshape(x.shape, shape);
  if (sameShape(to, x.shape)) return x;
  return fromOp("reshape", x.data, to, [x], (g) => [reshape(g, x.shape)]);
}

/** Merges dimensions startDim.. into one: [N, C, H, W] → [N, C·H·W] by default. */
export function flatten(x: Tensor, startDim = 1): Tensor {
  if (x.rank === 0) return reshape(x, [1]);
  const s = normAxis(startDim, x.rank, "flatten");
  return reshape(x, [...x.shape.slice(0, s), sizeOf(x.shape.slice(s))]);
}

/** Reorders axes: out.shape[i] = x.shape[dims[i]]. Materialises the result. */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  const d = dims.map((a) => normAxis(a, x.rank, "permute"));
  if (d.length !== x.rank || new Set(d).size !== d.length) {
    throw new ShapeError(`permute: dims ${fmt(dims)} are not a permutation of ${x.rank} axes`);
  }
  const own = stridesOf(x.shape);
  const shape = d.map((a) => x.shape[a]!);
  const out = allocate(x.dtype, x.size);
  kernelsFor(x.data).copyStrided(x.data, d.map((a) => own[a]!), out, shape);
  const inverse = new Array<number>(d.length);
  d.forEach((a, i) => (inverse[a] = i));
  return fromOp("permute", out, shape, [x], (g) => [permute(g, inverse)]);
}

/** Swaps two axes. */
export function transpose(x: Tensor, d0 = -2, d1 = -1): Tensor {
  const a = normAxis(d0, x.rank, "transpose");
  const b = normAxis(d1, x.rank, "transpose");
  const dims = x.shape.map((_, i) => i);
  dims[a] = b;
  dims[b] = a;
  return permute(x, dims);
}

/** Broadcasts x to `shape` (materialised); the gradient sums back. */
export function expand(x: Tensor, shape: Shape): Tensor {
  if (sameShape(x.shape, shape)) return x;
  const to = broadcastShapes(x.shape, shape, "expand");
  if (!sameShape(to, shape)) throw new ShapeError(`expand: cannot expand ${fmt(x.shape)} to ${fmt(shape)}`);
  const out = allocate(x.dtype, sizeOf(shape));
  kernelsFor(x.data).copyStrided(x.data, broadcastStrides(x.shape, shape), out, shape);
  return fromOp("expand", out, shape, [x], (g) => [sumToShape(g, x.shape)]);
}
