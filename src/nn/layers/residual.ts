import { Module, type LayerSpec } from "../module.js";
import type { Tensor } from "../../tensor.js";
import { add } from "../../ops/elementwise.js";
import { flatLayers, layerLabel, type LayerDefinition } from "../layer.js";
import { Sequential } from "./sequential.js";
import { fmt } from "../../shape.js";

/** x + f(x): a residual (skip) connection around `body` (He et al. 2016); f must keep the shape. */
export class Residual extends Module {
  constructor(readonly body: Module) {
    super();
  }
  forward(x: Tensor): Tensor { return add(x, this.body.forward(x)); }
  spec(): LayerSpec { return { type: "Residual", body: this.body.spec() }; }
}

/** Splits on `sep` outside parentheses; every piece is kept, so "res(fc10;;relu)" shows its empty token. */
export function splitTop(arch: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < arch.length; i++) {
    const ch = arch[i];
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === sep && depth === 0) {
      out.push(arch.slice(from, i));
      from = i + 1;
    }
  }
  out.push(arch.slice(from));
  return out;
}

export const residualLayer: LayerDefinition = {
  type: "Residual",
  fromSpec: (r) => {
    const body = r.layer("body");
    return { params: body.params, make: () => new Residual(body.make()) };
  },
  label: (s) => `res(${flatLayers(s.body as LayerSpec).map(layerLabel).join(" → ")})`,
  children: (s) => [s.body as LayerSpec],
  tokens: [{
    pattern: /^res\((.*)\)$/, syntax: "res(<tokens separated by ;>)",
    plan: (m, ctx) => {
      const inner = ctx.plan(splitTop(m[1]!, ";"));
      if (fmt(inner.shape) !== fmt(ctx.shape)) ctx.fail(`changes the shape to ${fmt(inner.shape)}; a residual block must keep it`);
      ctx.add(() => new Residual(new Sequential(...inner.make())), inner.params);
    },
  }],
};
