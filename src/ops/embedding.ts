/** Table lookup: rows of a weight matrix picked by integer ids (torch.nn.functional.embedding). */
import { allocate, fromOp, Tensor } from "../tensor.js";
import { SUNK } from "../autograd.js";
import { ShapeError } from "../errors.js";
import { fmt } from "../shape.js";

/**
 * out[..., :] = weight[ids[...], :]. ids: any shape of integral values in [0, numEmbeddings)
 * (a float tensor, as every descent tensor); weight [numEmbeddings, dim] → [...ids.shape, dim].
 * The gradient adds each position's row into its id's row (repeated ids accumulate); ids get none.
 */
export function embedding(ids: Tensor, weight: Tensor, where = "embedding"): Tensor {
  if (weight.rank !== 2) throw new ShapeError(`${where}: weight has shape ${fmt(weight.shape)}, expected [numEmbeddings, dim]`);
  const [V, E] = weight.shape as [number, number];
  const n = ids.size;
  const rows = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = ids.data[i]!;
    if (!Number.isInteger(v) || v < 0 || v >= V) {
      const index = ids.rank > 1 ? ` (flat index ${i} of ${fmt(ids.shape)})` : ` at position ${i}`;
      throw new ShapeError(`${where}: token id ${v}${index} is not an integer in [0, ${V - 1}] — ids index the ${V}-row table; check the vocabulary size`);
    }
    rows[i] = v;
  }
  const out = allocate(weight.dtype, n * E);
  for (let i = 0; i < n; i++) out.set(weight.data.subarray(rows[i]! * E, (rows[i]! + 1) * E), i * E);
  return fromOp("embedding", out, [...ids.shape, E], [ids, weight], (g, sinks) => {
    if (!weight.requiresGrad) return [null, null];
    const sink = sinks?.[1];
    const dw = sink ? sink.data : allocate(weight.dtype, weight.size);
    if (!sink?.accumulate) dw.fill(0);
    for (let i = 0; i < n; i++) {
      const r = rows[i]! * E;
      for (let j = 0; j < E; j++) dw[r + j] = dw[r + j]! + g.data[i * E + j]!;
    }
    return [null, sink ? SUNK : new Tensor(dw, weight.shape)];
  });
}
