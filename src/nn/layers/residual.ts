import { Module, type LayerSpec } from "../module.js";
import type { Tensor } from "../../tensor.js";
import { add } from "../../ops/elementwise.js";

/** x + f(x): a residual (skip) connection around `body` (He et al. 2016); f must keep the shape. */
export class Residual extends Module {
  constructor(readonly body: Module) {
    super();
  }
  forward(x: Tensor): Tensor { return add(x, this.body.forward(x)); }
  spec(): LayerSpec { return { type: "Residual", body: this.body.spec() }; }
}
