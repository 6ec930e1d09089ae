/** Softmax and log-softmax over one axis, both stabilised by subtracting the max. */
import { allocate, fromOp, Tensor } from "../tensor.js";
import { kernelsFor } from "../kernels/index.js";
import { normAxis, sizeOf } from "../shape.js";

function split(x: Tensor, axis: number, op: string): [number, number, number, number] {
  const a = normAxis(axis, x.rank, op);
  return [a, sizeOf(x.shape.slice(0, a)), x.shape[a]!, sizeOf(x.shape.slice(a + 1))];
}

/** eˣ / Σ eˣ along `axis` (last by default). Remembers x so cross-entropy can use the logits. */
export function softmax(x: Tensor, axis = -1): Tensor {
  const [a, outer, n, inner] = split(x, axis, "softmax");
  const y = allocate(x.dtype, x.size);
  kernelsFor(x.data).softmax(x.data, outer, n, inner, y);
  return fromOp("softmax", y, x.shape, [x], (g) => {
    const gx = allocate(x.dtype, x.size);
    kernelsFor(x.data).softmaxBackward(y, g.data, outer, n, inner, gx);
    return [new Tensor(gx, x.shape)];
  });
}

/** log softmax along `axis`: x − logΣeˣ, exact even where softmax underflows. */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  const [, outer, n, inner] = split(x, axis, "logSoftmax");
  const y = allocate(x.dtype, x.size);
  kernelsFor(x.data).logSoftmax(x.data, outer, n, inner, y);
  return fromOp("logSoftmax", y, x.shape, [x], (g) => {
    const gx = allocate(x.dtype, x.size);
    kernelsFor(x.data).logSoftmaxBackward(y, g.data, outer, n, inner, gx);
    return [new Tensor(gx, x.shape)];
  });
}
