import { Module, Parameter, type LayerSpec } from "../module.js";
import { Tensor } from "../../tensor.js";
import { conv2d, conv2dMaxPool } from "../../ops/conv.js";
import type { MaxPool2d } from "./pool.js";
import { initialize, type InitName } from "../init.js";
import { Rng } from "../../rng.js";
import { ShapeError } from "../../errors.js";
import { fmt } from "../../shape.js";
import { leaf, MAX_TENSOR, type LayerDefinition } from "../layer.js";

export interface Conv2dLayerOptions {
  stride?: number;
  padding?: number;
  groups?: number;
  bias?: boolean;
  /** Weight init (default "pytorch": U(±1/√fan_in), as torch.nn.Conv2d). */
  init?: InitName;
  biasInit?: InitName;
  rng?: Rng;
}

/** 2-D convolution layer. weight: [out, in/groups, k, k]; x: [N, in, H, W] → [N, out, Ho, Wo]. */
export class Conv2d extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  readonly stride: number;
  readonly padding: number;
  readonly groups: number;

  constructor(readonly inChannels: number, readonly outChannels: number, readonly kernelSize: number, opts: Conv2dLayerOptions = {}) {
    super();
    this.stride = opts.stride ?? 1;
    this.padding = opts.padding ?? 0;
    this.groups = opts.groups ?? 1;
    if (inChannels % this.groups !== 0 || outChannels % this.groups !== 0) {
      throw new RangeError(`Conv2d(${inChannels}→${outChannels}): channels must be divisible by groups (${this.groups})`);
    }
    const rng = opts.rng ?? new Rng(0).fork("init");
    const w = Tensor.zeros([outChannels, inChannels / this.groups, kernelSize, kernelSize]);
    initialize(w, opts.init ?? "pytorch", rng);
    this.weight = Parameter.fromTensor(w);
    if (opts.bias === false) {
      this.bias = null;
    } else {
      const b = Tensor.zeros([outChannels]);
      initialize(b, opts.biasInit ?? "pytorch", rng, (inChannels / this.groups) * kernelSize * kernelSize);
      this.bias = Parameter.fromTensor(b);
    }
  }

  forward(x: Tensor): Tensor {
    if (x.rank !== 4 || x.shape[1] !== this.inChannels) {
      throw new ShapeError(`Conv2d(${this.inChannels}→${this.outChannels}, ${this.kernelSize}×${this.kernelSize}): input has shape ${fmt(x.shape)}, expected [N, ${this.inChannels}, H, W]`);
    }
    return conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, groups: this.groups });
  }

  /**
   * This convolution and the given max pooling in one op (conv2dMaxPool: 2×2 windows, stride 2,
   * the im2col path, a first layer); null when they do not fit it — run the two layers then.
   */
  forwardPooled(x: Tensor, pool: MaxPool2d): Tensor | null {
    if (pool.kernelSize !== 2 || pool.stride !== 2 || x.rank !== 4 || x.shape[1] !== this.inChannels) return null;
    return conv2dMaxPool(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, groups: this.groups });
  }

  spec(): LayerSpec {
    return {
      type: "Conv2d", inChannels: this.inChannels, outChannels: this.outChannels, kernelSize: this.kernelSize,
      stride: this.stride, padding: this.padding, groups: this.groups, bias: this.bias !== null,
    };
  }
}

export const conv2dLayer: LayerDefinition = {
  type: "Conv2d",
  fromSpec: (r) => {
    const [inC, outC, k] = [r.int("inChannels"), r.int("outChannels"), r.int("kernelSize")];
    const groups = r.int("groups", 1);
    if (outC * (inC / groups) * k * k > MAX_TENSOR) r.fail(`a ${outC}×${inC / groups}×${k}×${k} weight exceeds the ${MAX_TENSOR}-value limit`);
    if (inC % groups || outC % groups) r.fail(`channels ${inC}→${outC} are not divisible by groups ${groups}`);
    const [stride, padding, bias] = [r.int("stride", 1), r.nonNegative("padding", 0), r.bool("bias", true)];
    // More padding than the kernel only adds borders of constant output, and makes every forward pass allocate them.
    if (padding >= k) r.fail(`"padding" must be smaller than "kernelSize" ${k}, found ${padding}`);
    return leaf(() => new Conv2d(inC, outC, k, { stride, padding, groups, bias }), outC * (inC / groups) * k * k + (bias ? outC : 0));
  },
  label: (l) => {
    const extra = [l.padding ? `pad ${String(l.padding)}` : "", l.stride !== 1 ? `stride ${String(l.stride)}` : "", l.groups !== 1 ? `groups ${String(l.groups)}` : ""].filter(Boolean);
    return `conv ${String(l.inChannels)}→${String(l.outChannels)} ${String(l.kernelSize)}×${String(l.kernelSize)}${extra.length ? ` (${extra.join(", ")})` : ""}`;
  },
  input: (s) => ({ channels: s.inChannels as number }),
  tokens: [{
    pattern: /^conv(\d+)x(\d+)(?:p(\d+))?(?:s(\d+))?(?:g(\d+))?$/, syntax: "conv<F>x<K>[p<pad>][s<stride>][g<groups>]",
    plan: (m, ctx) => {
      if (ctx.shape.length !== 3) ctx.fail("needs an image input [C, H, W]");
      const [f, k] = [ctx.int("filters", m[1], 0), ctx.int("kernel size", m[2], 0)];
      const [p, s, g] = [ctx.int("padding", m[3], 0, 0, k - 1), ctx.int("stride", m[4], 1), ctx.int("groups", m[5], 1)];
      const [c, h, w] = ctx.shape as [number, number, number];
      const ho = Math.floor((h + 2 * p - k) / s) + 1;
      const wo = Math.floor((w + 2 * p - k) / s) + 1;
      if (ho < 1 || wo < 1) ctx.fail(`is larger than the ${h}×${w} input`);
      if (c % g || f % g) ctx.fail(`has channels not divisible by ${g} groups`);
      const { init, biasInit, initRng } = ctx;
      ctx.add(() => new Conv2d(c, f, k, { padding: p, stride: s, groups: g, init, biasInit, rng: initRng }), f * (c / g) * k * k + f);
      return [f, ho, wo];
    },
  }],
};
