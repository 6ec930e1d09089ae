import { hyper, Optimizer, type HyperCheck, type ParamGroup, type ParamState } from "./optimizer.js";
import type { Tensor } from "../tensor.js";
import type { FloatArray } from "../kernels/types.js";
import { kernelsFor } from "../kernels/index.js";

export interface AdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
}

/**
 * Adam (Kingma & Ba 2015), as torch.optim.Adam:
 *   m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  w ← w − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε).
 * weightDecay here is coupled L2 (added to g); AdamW decouples it.
 */
export class Adam extends Optimizer<AdamOptions> {
  protected readonly decoupled: boolean = false;

  constructor(params: readonly Tensor[] | readonly ParamGroup<AdamOptions>[], opts: Partial<AdamOptions> = {}) {
    super(params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, ...opts });
  }

  protected override validate(h: AdamOptions): void {
    super.validate(h);
    for (const b of h.betas) if (!(b >= 0 && b < 1)) throw new RangeError(`Adam: betas must be in [0, 1), got [${h.betas.join(", ")}]`);
  }

  protected override hyperChecks(): Record<keyof AdamOptions, HyperCheck> {
    return { lr: hyper.nonNegative, betas: hyper.betas, eps: hyper.nonNegative, weightDecay: hyper.nonNegative };
  }

  protected bufferNames(): string[] {
    return ["m", "v"];
  }

  protected update(p: FloatArray, g: FloatArray, st: ParamState, h: AdamOptions): void {
    kernelsFor(p).adamStep(p, g, this.buffer(st, "m", p), this.buffer(st, "v", p), {
      lr: h.lr, beta1: h.betas[0], beta2: h.betas[1], eps: h.eps,
      weightDecay: h.weightDecay, decoupled: this.decoupled, step: st.step,
    });
  }
}

/**
 * AdamW (Loshchilov & Hutter 2019), as torch.optim.AdamW: weights shrink by lr·wd each step,
 * outside the adaptive update, so decay is not rescaled by √v. Default weightDecay 1e-2.
 */
export class AdamW extends Adam {
  protected override readonly decoupled = true;

  constructor(params: readonly Tensor[] | readonly ParamGroup<AdamOptions>[], opts: Partial<AdamOptions> = {}) {
    super(params, { weightDecay: 1e-2, ...opts });
  }
}
