import { Module, type LayerSpec } from "../module.js";
import type { Tensor } from "../../tensor.js";
import { avgPool2d, maxPool2d } from "../../ops/conv.js";
import { leaf, type ArchToken, type LayerDefinition } from "../layer.js";

/** Max over k×k windows (stride k by default). */
export class MaxPool2d extends Module {
  readonly stride: number;
  constructor(readonly kernelSize: number, stride?: number) {
    super();
    this.stride = stride ?? kernelSize;
  }
  forward(x: Tensor): Tensor { return maxPool2d(x, this.kernelSize, this.stride); }
  spec(): LayerSpec { return { type: "MaxPool2d", kernelSize: this.kernelSize, stride: this.stride }; }
}

/** Mean over k×k windows (stride k by default). */
export class AvgPool2d extends Module {
  readonly stride: number;
  constructor(readonly kernelSize: number, stride?: number) {
    super();
    this.stride = stride ?? kernelSize;
  }
  forward(x: Tensor): Tensor { return avgPool2d(x, this.kernelSize, this.stride); }
  spec(): LayerSpec { return { type: "AvgPool2d", kernelSize: this.kernelSize, stride: this.stride }; }
}

/** The definition both poolings share: kernel and stride from the spec or from "maxpool<K>[s<S>]" / "avgpool<K>[s<S>]". */
function pooling(type: string, prefix: string, Kind: typeof MaxPool2d | typeof AvgPool2d): LayerDefinition {
  const token: ArchToken = {
    pattern: new RegExp(`^${prefix}(\\d+)(?:s(\\d+))?$`), syntax: `${prefix}<K>`,
    plan: (m, ctx) => {
      if (ctx.shape.length !== 3) ctx.fail("needs an image input [C, H, W]");
      const k = ctx.int("kernel size", m[1], 0);
      const s = ctx.int("stride", m[2], k);
      const [c, h, w] = ctx.shape as [number, number, number];
      const [ho, wo] = [Math.floor((h - k) / s) + 1, Math.floor((w - k) / s) + 1];
      if (ho < 1 || wo < 1) ctx.fail(`does not fit the ${h}×${w} input`);
      ctx.add(() => new Kind(k, s));
      return [c, ho, wo];
    },
  };
  return {
    type,
    fromSpec: (r) => {
      const [k, s] = [r.int("kernelSize"), r.int("stride", r.int("kernelSize"))];
      return leaf(() => new Kind(k, s));
    },
    label: (spec) => `${prefix} ${String(spec.kernelSize)}`,
    tokens: [token],
  };
}

export const maxPool2dLayer = pooling("MaxPool2d", "maxpool", MaxPool2d);
export const avgPool2dLayer = pooling("AvgPool2d", "avgpool", AvgPool2d);
