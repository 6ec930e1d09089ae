import { Module, type LayerSpec } from "../module.js";
import { Tensor } from "../../tensor.js";
import { mul } from "../../ops/elementwise.js";
import { Rng } from "../../rng.js";
import { leaf, type LayerDefinition } from "../layer.js";

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

export const dropoutLayer: LayerDefinition = {
  type: "Dropout",
  fromSpec: (r) => {
    const p = r.num("p", 0, 0.999999, 0.5);
    return leaf(() => new Dropout(p));
  },
  label: (s) => `dropout ${String(s.p)}`,
  transparent: true,
  tokens: [{
    pattern: /^dropout(.*)$/, syntax: "dropout<P>",
    plan: (m, ctx) => {
      if (!/^(0?\.\d+|0)$/.test(m[1]!)) ctx.fail("needs a probability in [0, 1) written like dropout0.5");
      const [p, rng] = [Number(m[1]), ctx.stream("dropout")];
      ctx.add(() => new Dropout(p, { rng }));
    },
  }],
};
