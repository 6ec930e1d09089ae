/** Gradient clipping, in place on .grad, as torch.nn.utils.clip_grad_norm_ / clip_grad_value_. */
import type { Tensor } from "../tensor.js";
import { kernelsFor } from "../kernels/index.js";

/**
 * Rescales all gradients together so their global L2 norm is at most maxNorm.
 * Returns the norm before clipping (useful to log exploding gradients).
 */
export function clipGradNorm(params: readonly Tensor[], maxNorm: number): number {
  let sq = 0;
  for (const p of params) if (p.grad) sq += kernelsFor(p.grad.data).sumSquares(p.grad.data);
  const norm = Math.sqrt(sq);
  const coef = maxNorm / (norm + 1e-6);
  if (coef < 1) for (const p of params) if (p.grad) kernelsFor(p.grad.data).scale(p.grad.data, coef);
  return norm;
}

/** Clamps every gradient element to [−clip, clip]. */
export function clipGradValue(params: readonly Tensor[], clip: number): void {
  for (const p of params) {
    if (p.grad) kernelsFor(p.grad.data).unary.clamp(p.grad.data, p.grad.data, -clip, clip);
  }
}
