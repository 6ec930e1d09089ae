import { hyper, Optimizer, type HyperCheck, type ParamGroup, type ParamState } from "./optimizer.js";
import type { Tensor } from "../tensor.js";
import type { FloatArray, RmspropHyper } from "../kernels/types.js";
import { kernelsFor } from "../kernels/index.js";

/** lr, alpha (decay of the running mean of g²), eps, weightDecay, momentum, centered (divide by a variance estimate). */
export type RmspropOptions = RmspropHyper;

/**
 * RMSProp (Hinton, lecture 6e), as torch.optim.RMSprop:
 *   s ← α·s + (1−α)·g²;  w ← w − lr·g / (√s + ε)   (eps added outside the root, like PyTorch).
 */
export class RMSprop extends Optimizer<RmspropOptions> {
  constructor(params: readonly Tensor[] | readonly ParamGroup<RmspropOptions>[], opts: Partial<RmspropOptions> = {}) {
    super(params, { lr: 0.01, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, ...opts });
  }

  protected override hyperChecks(): Record<keyof RmspropOptions, HyperCheck> {
    return { lr: hyper.nonNegative, alpha: hyper.unit, eps: hyper.nonNegative, weightDecay: hyper.nonNegative, momentum: hyper.nonNegative, centered: hyper.flag };
  }

  protected bufferNames(h: RmspropOptions): string[] {
    return ["squareAvg", ...(h.momentum > 0 ? ["momentum"] : []), ...(h.centered ? ["gradAvg"] : [])];
  }

  protected update(p: FloatArray, g: FloatArray, st: ParamState, h: RmspropOptions): void {
    kernelsFor(p).rmspropStep(
      p, g, this.buffer(st, "squareAvg", p),
      h.momentum > 0 ? this.buffer(st, "momentum", p) : null,
      h.centered ? this.buffer(st, "gradAvg", p) : null,
      h,
    );
  }
}
