/** Batch normalisation as one op (forward and gradient in one pass each), as torch's batch_norm. */
import { allocate, fromOp, Tensor } from "../tensor.js";
import { kernelsFor } from "../kernels/index.js";
import { fmt } from "../shape.js";
import { ShapeError } from "../errors.js";

export interface BatchNormOptions {
  /** Use the batch's statistics (and update the running ones) instead of the running ones. */
  training: boolean;
  runningMean: Tensor;
  runningVar: Tensor;
  momentum: number;
  eps: number;
}

/**
 * x: [N, C] or [N, C, H, W]; gamma, beta, running stats: [C]. Training normalises with the batch
 * mean and biased variance and moves the running averages towards them (the running variance
 * takes the unbiased estimate), as PyTorch does; evaluation uses the running averages.
 */
export function batchNorm(x: Tensor, gamma: Tensor, beta: Tensor, o: BatchNormOptions): Tensor {
  if (x.rank !== 2 && x.rank !== 4) throw new ShapeError(`batchNorm: expected [N, C] or [N, C, H, W], got ${fmt(x.shape)}`);
  const [n, c] = x.shape as [number, number];
  const hw = x.rank === 4 ? x.shape[2]! * x.shape[3]! : 1;
  if (gamma.size !== c || beta.size !== c) throw new ShapeError(`batchNorm: ${c} channels but γ ${fmt(gamma.shape)} and β ${fmt(beta.shape)}`);
  const k = kernelsFor(x.data);
  const out = allocate(x.dtype, x.size);
  if (!o.training) {
    const scale = allocate(x.dtype, c);
    const shift = allocate(x.dtype, c);
    for (let ch = 0; ch < c; ch++) {
      scale[ch] = gamma.data[ch]! / Math.sqrt(o.runningVar.data[ch]! + o.eps);
      shift[ch] = beta.data[ch]! - o.runningMean.data[ch]! * scale[ch]!;
    }
    k.channelAffine(x.data, n, c, hw, scale, shift, out);
    return fromOp("batchNormEval", out, x.shape, [x, gamma, beta], (g) => {
      // Fixed statistics: a per-channel affine map.
      const dx = allocate(x.dtype, x.size);
      k.channelAffine(g.data, n, c, hw, scale, allocate(x.dtype, c).fill(0), dx);
      const dgamma = allocate(x.dtype, c).fill(0);
      const dbeta = allocate(x.dtype, c).fill(0);
      for (let i = 0; i < n; i++) {
        for (let ch = 0; ch < c; ch++) {
          const inv = 1 / Math.sqrt(o.runningVar.data[ch]! + o.eps);
          for (let j = 0; j < hw; j++) {
            const at = (i * c + ch) * hw + j;
            dbeta[ch]! += g.data[at]!;
            dgamma[ch]! += g.data[at]! * (x.data[at]! - o.runningMean.data[ch]!) * inv;
          }
        }
      }
      return [new Tensor(dx, x.shape), new Tensor(dgamma, gamma.shape), new Tensor(dbeta, beta.shape)];
    });
  }
  const xhat = allocate(x.dtype, x.size);
  const mean = allocate(x.dtype, c);
  const invstd = allocate(x.dtype, c);
  k.batchNormForward(x.data, n, c, hw, gamma.data, beta.data, o.eps, out, xhat, mean, invstd);
  const m = n * hw;
  const unbiased = m > 1 ? m / (m - 1) : 1;
  for (let ch = 0; ch < c; ch++) {
    const variance = 1 / (invstd[ch]! * invstd[ch]!) - o.eps;
    o.runningMean.data[ch] = (1 - o.momentum) * o.runningMean.data[ch]! + o.momentum * mean[ch]!;
    o.runningVar.data[ch] = (1 - o.momentum) * o.runningVar.data[ch]! + o.momentum * variance * unbiased;
  }
  return fromOp("batchNorm", out, x.shape, [x, gamma, beta], (g) => {
    const dx = allocate(x.dtype, x.size);
    const dgamma = allocate(x.dtype, c);
    const dbeta = allocate(x.dtype, c);
    kernelsFor(g.data).batchNormBackward(g.data, xhat, n, c, hw, gamma.data, invstd, dx, dgamma, dbeta);
    return [new Tensor(dx, x.shape), new Tensor(dgamma, gamma.shape), new Tensor(dbeta, beta.shape)];
  });
}
