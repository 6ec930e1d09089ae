import { hyper, Optimizer, type HyperCheck, type ParamGroup, type ParamState } from "./optimizer.js";
import type { Tensor } from "../tensor.js";
import type { GradProduct } from "../autograd.js";
import type { FloatArray } from "../kernels/types.js";
import { kernelsFor } from "../kernels/index.js";

export interface SgdOptions {
  lr: number;
  /** Momentum coefficient μ (0 = plain SGD). */
  momentum: number;
  dampening: number;
  /** Nesterov momentum (Sutskever et al. 2013 form, as PyTorch). */
  nesterov: boolean;
  /** Coupled L2: adds weightDecay·w to the gradient (the book's λ/n). */
  weightDecay: number;
}

/**
 * Stochastic gradient descent, as torch.optim.SGD:
 *   d = g + wd·w;  with momentum b ← μ·b + (1−dampening)·d (b = d on the first step),
 *   d = nesterov ? d + μ·b : b;  w ← w − lr·d.
 * Full-batch gradient descent is this optimizer fed one batch holding the whole training set.
 */
export class SGD extends Optimizer<SgdOptions> {
  constructor(params: readonly Tensor[] | readonly ParamGroup<SgdOptions>[], opts: Partial<SgdOptions> & { lr: number }) {
    super(params, { momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, ...opts });
  }

  protected override validate(h: SgdOptions): void {
    super.validate(h);
    if (!(h.momentum >= 0)) throw new RangeError(`SGD: momentum must be ≥ 0, got ${h.momentum}`);
    if (h.nesterov && (h.momentum <= 0 || h.dampening !== 0)) {
      throw new RangeError("SGD: Nesterov momentum needs momentum > 0 and dampening 0");
    }
  }

  protected override hyperChecks(): Record<keyof SgdOptions, HyperCheck> {
    return { lr: hyper.nonNegative, momentum: hyper.nonNegative, dampening: hyper.unit, nesterov: hyper.flag, weightDecay: hyper.nonNegative };
  }

  protected bufferNames(h: SgdOptions): string[] {
    return h.momentum !== 0 ? ["momentum"] : [];
  }

  protected update(p: FloatArray, g: FloatArray, st: ParamState, h: SgdOptions): void {
    const buf = h.momentum !== 0 ? this.buffer(st, "momentum", p) : null;
    kernelsFor(p).sgdStep(p, g, buf, h, st.step === 1);
  }

  /** Plain SGD keeps no state, so a gradient given as a product can update w as it is computed. */
  protected override takesProducts(h: SgdOptions): boolean {
    return h.momentum === 0;
  }

  /** w −= lr·(op(A)·B + wd·w), in the product's kernel: each element exactly as update() computes it. */
  protected override updateFromProduct(p: FloatArray, g: GradProduct, _st: ParamState, h: SgdOptions): void {
    kernelsFor(p).gemmSgdUpdate(g.a, g.b, p, g.m, g.k, g.n, g.transA, h.lr, h.weightDecay);
  }
}
