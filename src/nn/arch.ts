/**
 * Architectures written as one line, for the CLI and presets:
 *   "conv20x5,relu,maxpool2,conv40x5,relu,maxpool2,fc100,relu,fc10"
 * Tokens (comma-separated):
 *   conv<F>x<K>[p<P>][s<S>][g<G>]   Conv2d: F filters K×K, padding P, stride S, groups G
 *   maxpool<K>[s<S>] · avgpool<K>[s<S>]
 *   fc<N>                           Linear to N units (a Flatten goes in first when needed)
 *   relu · sigmoid · tanh · leakyrelu · softmax · identity
 *   bn                              BatchNorm2d after convolutions, BatchNorm1d after fc
 *   dropout<P>                      e.g. dropout0.5
 *   res(<tokens separated by ;>)    x + f(x), e.g. res(conv32x3p1;bn;relu;conv32x3p1;bn)
 * Shapes are inferred from the input ([1, 28, 28] for MNIST images, or [784]).
 */
import { Module } from "./module.js";
import { Linear } from "./layers/linear.js";
import { Conv2d } from "./layers/conv.js";
import { AvgPool2d, MaxPool2d } from "./layers/pool.js";
import { BatchNorm1d, BatchNorm2d } from "./layers/batchnorm.js";
import { Dropout } from "./layers/dropout.js";
import { Flatten, Sequential } from "./layers/sequential.js";
import { Residual } from "./layers/residual.js";
import { activationModule } from "./mlp.js";
import { defaultBiasInit } from "./mlp.js";
import type { InitName } from "./init.js";
import { Rng } from "../rng.js";
import { UsageError } from "../errors.js";
import { fmt } from "../shape.js";

export interface ArchOptions {
  /** Shape of one example: [1, 28, 28] or [784]. */
  input: readonly number[];
  init?: InitName;
  biasInit?: InitName;
  rng?: Rng;
}

const ACTIVATION_TOKENS: Record<string, Parameters<typeof activationModule>[0]> = {
  relu: "relu", sigmoid: "sigmoid", tanh: "tanh", leakyrelu: "leaky-relu", softmax: "softmax", identity: "identity",
};

/** Splits on commas that are not inside res(…). */
function splitTop(arch: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of arch) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === sep && depth === 0) {
      out.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** Builds the network and reports the shape of one output example. */
export function buildArch(arch: string, opts: ArchOptions): { model: Sequential; output: number[]; last: string } {
  const rng = opts.rng ?? new Rng(0);
  const initRng = rng.fork("init");
  let dropouts = 0;
  const init = opts.init ?? "pytorch";
  const biasInit = opts.biasInit ?? defaultBiasInit(init);

  const build = (tokens: string[], input: number[]): { layers: Module[]; shape: number[]; last: string } => {
    let shape = [...input];
    const layers: Module[] = [];
    let last = "";
    const bad = (tok: string, why: string): never => {
      throw new UsageError(`--arch: "${tok}" ${why} (the shape there is ${fmt(shape)}); see descent train --help`);
    };
    for (const tok of tokens) {
      last = tok;
      let m: RegExpMatchArray | null;
      if ((m = tok.match(/^conv(\d+)x(\d+)(?:p(\d+))?(?:s(\d+))?(?:g(\d+))?$/))) {
        if (shape.length !== 3) bad(tok, "needs an image input [C, H, W]");
        const [f, k, p, s, g] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0), Number(m[4] ?? 1), Number(m[5] ?? 1)];
        const [c, h, w] = shape as [number, number, number];
        const ho = Math.floor((h + 2 * p - k) / s) + 1;
        const wo = Math.floor((w + 2 * p - k) / s) + 1;
        if (ho < 1 || wo < 1) bad(tok, `is larger than the ${h}×${w} input`);
        if (c % g || f % g) bad(tok, `has channels not divisible by ${g} groups`);
        layers.push(new Conv2d(c, f, k, { padding: p, stride: s, groups: g, init, biasInit, rng: initRng }));
        shape = [f, ho, wo];
      } else if ((m = tok.match(/^(max|avg)pool(\d+)(?:s(\d+))?$/))) {
        if (shape.length !== 3) bad(tok, "needs an image input [C, H, W]");
        const [k, s] = [Number(m[2]), Number(m[3] ?? m[2])];
        const [c, h, w] = shape as [number, number, number];
        const ho = Math.floor((h - k) / s) + 1;
        const wo = Math.floor((w - k) / s) + 1;
        if (ho < 1 || wo < 1) bad(tok, `does not fit the ${h}×${w} input`);
        layers.push(m[1] === "max" ? new MaxPool2d(k, s) : new AvgPool2d(k, s));
        shape = [c, ho, wo];
      } else if ((m = tok.match(/^fc(\d+)$/))) {
        if (shape.length > 1) {
          layers.push(new Flatten());
          shape = [shape.reduce((a, b) => a * b, 1)];
        }
        const n = Number(m[1]);
        layers.push(new Linear(shape[0]!, n, { init, biasInit, rng: initRng }));
        shape = [n];
      } else if (tok === "bn") {
        layers.push(shape.length === 3 ? new BatchNorm2d(shape[0]!) : new BatchNorm1d(shape[0]!));
      } else if ((m = tok.match(/^dropout(0?\.\d+|0)$/))) {
        layers.push(new Dropout(Number(m[1]), { rng: rng.fork(`dropout${dropouts++}`) }));
      } else if (tok === "flatten") {
        layers.push(new Flatten());
        shape = [shape.reduce((a, b) => a * b, 1)];
      } else if ((m = tok.match(/^res\((.*)\)$/))) {
        const inner = build(splitTop(m[1]!, ";"), shape);
        if (fmt(inner.shape) !== fmt(shape)) bad(tok, `changes the shape to ${fmt(inner.shape)}; a residual block must keep it`);
        layers.push(new Residual(new Sequential(...inner.layers)));
      } else if (ACTIVATION_TOKENS[tok]) {
        layers.push(activationModule(ACTIVATION_TOKENS[tok]));
      } else {
        bad(tok, "is not a layer");
      }
    }
    return { layers, shape, last };
  };

  const tokens = splitTop(arch.replace(/\s+/g, ""), ",");
  if (tokens.length === 0) throw new UsageError("--arch is empty; e.g. --arch conv20x5,relu,maxpool2,fc100,relu,fc10");
  const { layers, shape, last } = build(tokens, [...opts.input]);
  return { model: new Sequential(...layers), output: shape, last };
}

/** Whether an architecture starts with a convolution (and so wants images, not flat vectors). */
export const archTakesImages = (arch: string) => /^\s*(conv|res\(\s*conv|maxpool|avgpool)/.test(arch);
