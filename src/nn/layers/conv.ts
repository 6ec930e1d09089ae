import { Module, Parameter, type LayerSpec } from "../module.js";
import { Tensor } from "../../tensor.js";
import { conv2d } from "../../ops/conv.js";
import { initialize, type InitName } from "../init.js";
import { Rng } from "../../rng.js";
import { ShapeError } from "../../errors.js";
import { fmt } from "../../shape.js";

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

  spec(): LayerSpec {
    return {
      type: "Conv2d", inChannels: this.inChannels, outChannels: this.outChannels, kernelSize: this.kernelSize,
      stride: this.stride, padding: this.padding, groups: this.groups, bias: this.bias !== null,
    };
  }
}
