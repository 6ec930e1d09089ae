import { Module, Parameter, type LayerSpec } from "../module.js";
import { Tensor } from "../../tensor.js";
import { linear } from "../../ops/linalg.js";
import { initialize, type InitName } from "../init.js";
import { Rng } from "../../rng.js";
import { ShapeError } from "../../errors.js";
import { fmt } from "../../shape.js";
import { leaf, MAX_TENSOR, type LayerDefinition } from "../layer.js";

export interface LinearOptions {
  bias?: boolean;
  /** Weight init (default "pytorch": U(±1/√in), as torch.nn.Linear). */
  init?: InitName;
  /** Bias init (default "pytorch"; uses the layer's fan-in). */
  biasInit?: InitName;
  rng?: Rng;
}

/** Fully connected layer y = x·Wᵀ + b. weight: [out, in], bias: [out]; x: [N, in] → [N, out]. */
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
    if (x.rank !== 2 || x.shape[1] !== this.inFeatures) {
      throw new ShapeError(
        `Linear(${this.inFeatures}→${this.outFeatures}): input has shape ${fmt(x.shape)}, expected [N, ${this.inFeatures}]` +
          (x.rank > 2 ? " — add a Flatten layer before it" : ""),
      );
    }
    return linear(x, this.weight, this.bias);
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
    plan: (m, ctx) => {
      const n = ctx.int("units", m[1], 0);
      const [inF] = ctx.shape.length > 1 ? ctx.insert("flatten") : ctx.shape; // images are flattened first
      const { init, biasInit, initRng } = ctx;
      ctx.add(() => new Linear(inF!, n, { init, biasInit, rng: initRng }), inF! * n + n);
      return [n];
    },
  }],
};
