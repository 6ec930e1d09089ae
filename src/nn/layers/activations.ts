/**
 * Activation modules: thin wrappers over the ops, so they can sit in a Sequential. Each registers
 * its definition below; the names `--activation` and `--arch` accept are in nn/activation-table.ts.
 */
import { Module, type LayerSpec } from "../module.js";
import type { Tensor } from "../../tensor.js";
import { gelu, leakyRelu, relu, sigmoid, tanh } from "../../ops/elementwise.js";
import { softmax } from "../../ops/softmax.js";
import { leaf, type LayerDefinition, type SpecReader } from "../layer.js";

export class Sigmoid extends Module {
  forward(x: Tensor): Tensor { return sigmoid(x); }
  spec(): LayerSpec { return { type: "Sigmoid" }; }
}

export class Tanh extends Module {
  forward(x: Tensor): Tensor { return tanh(x); }
  spec(): LayerSpec { return { type: "Tanh" }; }
}

export class ReLU extends Module {
  forward(x: Tensor): Tensor { return relu(x); }
  spec(): LayerSpec { return { type: "ReLU" }; }
}

export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) { super(); }
  forward(x: Tensor): Tensor { return leakyRelu(x, this.negativeSlope); }
  spec(): LayerSpec { return { type: "LeakyReLU", negativeSlope: this.negativeSlope }; }
}

/** Softmax over `dim` (the last by default). */
export class Softmax extends Module {
  constructor(readonly dim = -1) { super(); }
  forward(x: Tensor): Tensor { return softmax(x, this.dim); }
  spec(): LayerSpec { return { type: "Softmax", dim: this.dim }; }
}

/** x·Φ(x), Φ the standard normal CDF (Hendrycks & Gimpel 2016), as torch.nn.GELU() — the exact form, not the tanh approximation. */
export class GELU extends Module {
  forward(x: Tensor): Tensor { return gelu(x); }
  spec(): LayerSpec { return { type: "GELU" }; }
}

export class Identity extends Module {
  forward(x: Tensor): Tensor { return x; }
  spec(): LayerSpec { return { type: "Identity" }; }
}

/** An activation's definition: `make` reads its options (if any) from the spec. */
const activation = (type: string, make: (r: SpecReader) => () => Module): LayerDefinition =>
  ({ type, activation: true, fromSpec: (r) => leaf(make(r)) });

/** Their definitions, registered in this order by layers/index.ts. */
export const activationLayers: LayerDefinition[] = [
  activation("Sigmoid", () => () => new Sigmoid()),
  activation("Tanh", () => () => new Tanh()),
  activation("ReLU", () => () => new ReLU()),
  activation("LeakyReLU", (r) => {
    const slope = r.num("negativeSlope", -1e6, 1e6, 0.01);
    return () => new LeakyReLU(slope);
  }),
  activation("Softmax", (r) => {
    const dim = r.num("dim", -8, 8, -1);
    return () => new Softmax(dim);
  }),
  activation("Identity", () => () => new Identity()),
  activation("GELU", () => () => new GELU()),
];
