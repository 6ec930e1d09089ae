import { Module, type LayerSpec } from "../module.js";
import { Tensor } from "../../tensor.js";
import { mul } from "../../ops/elementwise.js";
import { Rng } from "../../rng.js";

/**
 * Inverted dropout (Srivastava et al. 2014): in training, zero each value with probability p and
 * scale the survivors by 1/(1−p), so evaluation needs no rescaling; identity in eval mode.
 */
export class Dropout extends Module {
  /** The mask stream (checkpoints save and restore it). */
  readonly rng: Rng;

  constructor(readonly p = 0.5, opts: { rng?: Rng } = {}) {
    super();
    if (!(p >= 0 && p < 1)) throw new RangeError(`Dropout: p must be in [0, 1), got ${p}`);
    this.rng = opts.rng ?? new Rng(0).fork("dropout");
  }

  forward(x: Tensor): Tensor {
    if (!this.training || this.p === 0) return x;
    const keep = 1 / (1 - this.p);
    const mask = Tensor.zeros(x.shape, { dtype: x.dtype });
    for (let i = 0; i < mask.size; i++) mask.data[i] = this.rng.uniform() < this.p ? 0 : keep;
    return mul(x, mask);
  }

  spec(): LayerSpec {
    return { type: "Dropout", p: this.p };
  }
}
