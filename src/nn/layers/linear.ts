import { Module, Parameter, type LayerSpec } from "../module.js";
import { Tensor } from "../../tensor.js";
import { linear } from "../../ops/linalg.js";
import { reshape } from "../../ops/movement.js";
import { initialize, type InitName } from "../init.js";
import { Rng } from "../../rng.js";
import { ShapeError } from "../../errors.js";
import { fmt } from "../../shape.js";
import { leaf, MAX_TENSOR, type ArchContext, type LayerDefinition } from "../layer.js";

export interface LinearOptions {
  bias?: boolean;
  /** Weight init (default "pytorch": U(±1/√in), as torch.nn.Linear). */
  init?: InitName;
  /** Bias init (default "pytorch"; uses the layer's fan-in). */
  biasInit?: InitName;
  rng?: Rng;
}

/**
 * Fully connected layer y = x·Wᵀ + b. weight: [out, in], bias: [out]; x: [N, in] → [N, out], or,
 * as torch.nn.Linear, [..., in] → [..., out] (a score per step after a sequence layer): the leading
 * axes are folded into one for the product and unfolded after (reshapes share memory, so the 2-D
 * path is untouched).
 */
export class Linear extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, opts: LinearOptions = {}) {
    super();
    const rng = opts.rng ?? new Rng(0).fork("init");
    const w = Tensor.zeros([outFeatures, inFeatures]);
    initialize(w, opts.init ?? "pytorch", rng);
    this.weight = Parameter.fromTensor(w);
    if (opts.bias === false) {
      this.bias = null;
    } else {
      const b = Tensor.zeros([outFeatures]);
      initialize(b, opts.biasInit ?? "pytorch", rng, inFeatures);
      this.bias = Parameter.fromTensor(b);
    }
  }

  forward(x: Tensor): Tensor {
    if (x.rank < 2 || x.shape[x.rank - 1] !== this.inFeatures) {
      throw new ShapeError(
        `Linear(${this.inFeatures}→${this.outFeatures}): input has shape ${fmt(x.shape)}, expected [N, ${this.inFeatures}] or [..., ${this.inFeatures}]` +
          (x.rank > 2 ? " — add a Flatten layer before it to read the whole example" : ""),
      );
    }
    if (x.rank === 2) return linear(x, this.weight, this.bias);
    const lead = x.shape.slice(0, -1);
    const y = linear(reshape(x, [-1, this.inFeatures]), this.weight, this.bias);
    return reshape(y, [...lead, this.outFeatures]);
  }

  spec(): LayerSpec {
    return { type: "Linear", inFeatures: this.inFeatures, outFeatures: this.outFeatures, bias: this.bias !== null };
  }
}

export const linearLayer: LayerDefinition = {
  type: "Linear",
  fromSpec: (r) => {
    const [inF, outF, bias] = [r.int("inFeatures"), r.int("outFeatures"), r.bool("bias", true)];
    if (inF * outF > MAX_TENSOR) r.fail(`a ${outF}×${inF} weight (${inF * outF} values) exceeds the ${MAX_TENSOR}-value limit`);
    return leaf(() => new Linear(inF, outF, { bias }), inF * outF + (bias ? outF : 0));
  },
  label: (s) => `fc ${String(s.inFeatures)}→${String(s.outFeatures)}`,
  input: (s) => ({ features: s.inFeatures as number }),
  tokens: [{
    pattern: /^fc(\d+)$/, syntax: "fc<N>",
    plan: (m, ctx) => planFc(ctx.int("units", m[1], 0), ctx),
  }, {
    pattern: /^fcv$/, syntax: "fcv",
    plan: (_m, ctx) => planFc(ctx.vocabulary ?? ctx.fail("needs token data: fcv scores every token of the data's vocabulary (write fc<N> otherwise)"), ctx),
  }],
};

/**
 * fc<N> on one example's shape: images [C, H, W] are flattened first; a sequence [T, F] gets the
 * same Linear at every step ([T, N] out, as a char-LM scores each next character); vectors [F] → [N].
 * "fcv" is fc to the data's vocabulary (one score per token).
 */
function planFc(n: number, ctx: ArchContext): readonly number[] {
  const shape = ctx.shape.length > 2 ? ctx.insert("flatten") : ctx.shape;
  const inF = shape[shape.length - 1]!;
  const { init, biasInit, initRng } = ctx;
  ctx.add(() => new Linear(inF, n, { init, biasInit, rng: initRng }), inF * n + n);
  return shape.length === 2 ? [shape[0]!, n] : [n];
}
