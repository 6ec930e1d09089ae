import { Module, type LayerSpec } from "../module.js";
import type { Tensor } from "../../tensor.js";
import { avgPool2d, maxPool2d } from "../../ops/conv.js";

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
