/**
 * Architectures written as one line, for the CLI and presets:
 *   "conv20x5,relu,maxpool2,conv40x5,relu,maxpool2,fc100,relu,fc10"
 * Tokens (comma-separated):
 *   conv<F>x<K>[p<P>][s<S>][g<G>]   Conv2d: F filters K×K, padding P (< K), stride S, groups G
 *   maxpool<K>[s<S>] · avgpool<K>[s<S>]
 *   fc<N>                           Linear to N units (a Flatten goes in first when needed)
 *   relu · sigmoid · tanh · leakyrelu · softmax · identity
 *   bn                              BatchNorm2d after convolutions, BatchNorm1d after fc
 *   dropout<P>                      e.g. dropout0.5
 *   res(<tokens separated by ;>)    x + f(x), e.g. res(conv32x3p1;bn;relu;conv32x3p1;bn)
 * Shapes are inferred from the input ([1, 28, 28] for MNIST images, or [784]). Sizes are 1 to 2^24;
 * the whole network's parameter count is checked against limits().maxParameters before allocating.
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
import { checkParameters, formatCount, MAX_ARCH_LENGTH } from "../limits.js";
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

/** Longer strings, deeper res( … ) nesting and larger sizes are refused before anything is parsed or allocated. */
const MAX_LENGTH = MAX_ARCH_LENGTH;
const MAX_NESTING = 8;
const MAX_SIZE = 1 << 24;

/** A token as shown in messages: hostile input can be 10 000 characters long. */
const show = (tok: string) => JSON.stringify(tok.length > 40 ? `${tok.slice(0, 40)}…` : tok);

/** Refuses overlong strings and unbalanced or too deeply nested parentheses, naming the position. */
function checkSyntax(arch: string): void {
  if (arch.length > MAX_LENGTH) throw new UsageError(`--arch is ${arch.length} characters long, more than ${MAX_LENGTH} — descent's largest architectures take about 200`);
  let depth = 0;
  for (let i = 0; i < arch.length; i++) {
    if (arch[i] === "(") depth++;
    else if (arch[i] === ")") depth--;
    if (depth < 0) throw new UsageError(`--arch: the ")" at character ${i + 1} closes nothing — write res(<layers separated by ;>)`);
    if (depth > MAX_NESTING) throw new UsageError(`--arch: res( … ) nested more than ${MAX_NESTING} deep at character ${i + 1}`);
  }
  if (depth > 0) throw new UsageError(`--arch: ${depth} "(" never closed — write res(<layers separated by ;>)`);
}

/** Splits on `sep` outside parentheses; every piece is kept, so "fc10,,relu" shows its empty token. */
function splitTop(arch: string, sep: string): string[] {
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

/** A layer whose token and shape were checked, allocated only once the whole network's parameter count passed. */
interface Planned {
  tok: string;
  params: number;
  make: () => Module;
}

/**
 * Builds the network and reports the shape of one output example. Every token, every size (1 to
 * 2^24) and the total parameter count (limits().maxParameters) are checked before any layer is
 * allocated; anything wrong is a UsageError naming the token.
 */
export function buildArch(arch: string, opts: ArchOptions): { model: Sequential; output: number[]; last: string } {
  const rng = opts.rng ?? new Rng(0);
  const initRng = rng.fork("init");
  let dropouts = 0;
  const init = opts.init ?? "pytorch";
  const biasInit = opts.biasInit ?? defaultBiasInit(init);

  const plan = (tokens: string[], input: number[]): { layers: Planned[]; shape: number[]; last: string } => {
    let shape = [...input];
    const layers: Planned[] = [];
    let last = "";
    const bad = (tok: string, why: string): never => {
      throw new UsageError(`--arch: ${show(tok)} ${why} (the shape there is ${fmt(shape)}); see descent train --help`);
    };
    /** The integer in `text` (digits only, from the token's pattern), or a UsageError naming the token and the range. */
    const int = (tok: string, what: string, text: string | undefined, fallback: number, lo = 1, hi = MAX_SIZE): number => {
      const v = text === undefined ? fallback : text.length > 9 ? Infinity : Number(text);
      if (!(v >= lo && v <= hi)) bad(tok, `sets ${what} to ${text && text.length > 12 ? `${text.slice(0, 12)}…` : text}, expected ${lo} to ${hi}`);
      return v;
    };
    const add = (tok: string, make: () => Module, params = 0) => layers.push({ tok, params, make });
    for (const tok of tokens) {
      last = tok;
      let m: RegExpMatchArray | null;
      if (tok === "") {
        bad(tok, "is an empty layer (two separators in a row, or one at the end) — remove the extra comma or semicolon");
      } else if ((m = tok.match(/^conv(\d+)x(\d+)(?:p(\d+))?(?:s(\d+))?(?:g(\d+))?$/))) {
        if (shape.length !== 3) bad(tok, "needs an image input [C, H, W]");
        const [f, k] = [int(tok, "filters", m[1], 0), int(tok, "kernel size", m[2], 0)];
        const [p, s, g] = [int(tok, "padding", m[3], 0, 0, k - 1), int(tok, "stride", m[4], 1), int(tok, "groups", m[5], 1)];
        const [c, h, w] = shape as [number, number, number];
        const ho = Math.floor((h + 2 * p - k) / s) + 1;
        const wo = Math.floor((w + 2 * p - k) / s) + 1;
        if (ho < 1 || wo < 1) bad(tok, `is larger than the ${h}×${w} input`);
        if (c % g || f % g) bad(tok, `has channels not divisible by ${g} groups`);
        add(tok, () => new Conv2d(c, f, k, { padding: p, stride: s, groups: g, init, biasInit, rng: initRng }), f * (c / g) * k * k + f);
        shape = [f, ho, wo];
      } else if ((m = tok.match(/^(max|avg)pool(\d+)(?:s(\d+))?$/))) {
        if (shape.length !== 3) bad(tok, "needs an image input [C, H, W]");
        const k = int(tok, "kernel size", m[2], 0);
        const s = int(tok, "stride", m[3], k);
        const [c, h, w] = shape as [number, number, number];
        const ho = Math.floor((h - k) / s) + 1;
        const wo = Math.floor((w - k) / s) + 1;
        if (ho < 1 || wo < 1) bad(tok, `does not fit the ${h}×${w} input`);
        add(tok, () => (m![1] === "max" ? new MaxPool2d(k, s) : new AvgPool2d(k, s)));
        shape = [c, ho, wo];
      } else if ((m = tok.match(/^fc(\d+)$/))) {
        const n = int(tok, "units", m[1], 0);
        if (shape.length > 1) {
          add("flatten", () => new Flatten());
          shape = [shape.reduce((a, b) => a * b, 1)];
        }
        const inF = shape[0]!;
        add(tok, () => new Linear(inF, n, { init, biasInit, rng: initRng }), inF * n + n);
        shape = [n];
      } else if (tok === "bn") {
        const [n, image] = [shape[0]!, shape.length === 3];
        add(tok, () => (image ? new BatchNorm2d(n) : new BatchNorm1d(n)), 4 * n);
      } else if ((m = tok.match(/^dropout(.*)$/))) {
        if (!/^(0?\.\d+|0)$/.test(m[1]!)) bad(tok, "needs a probability in [0, 1) written like dropout0.5");
        const [prob, stream] = [Number(m[1]), `dropout${dropouts++}`];
        add(tok, () => new Dropout(prob, { rng: rng.fork(stream) }));
      } else if (tok === "flatten") {
        add(tok, () => new Flatten());
        shape = [shape.reduce((a, b) => a * b, 1)];
      } else if ((m = tok.match(/^res\((.*)\)$/))) {
        const inner = plan(splitTop(m[1]!, ";"), shape);
        if (fmt(inner.shape) !== fmt(shape)) bad(tok, `changes the shape to ${fmt(inner.shape)}; a residual block must keep it`);
        const params = inner.layers.reduce((n, l) => n + l.params, 0);
        add(tok, () => new Residual(new Sequential(...inner.layers.map((l) => l.make()))), params);
      } else if (Object.hasOwn(ACTIVATION_TOKENS, tok)) {
        add(tok, () => activationModule(ACTIVATION_TOKENS[tok]!));
      } else {
        bad(tok, "is not a layer");
      }
    }
    return { layers, shape, last };
  };

  checkSyntax(arch);
  const compact = arch.replace(/\s+/g, "");
  if (compact === "") throw new UsageError("--arch is empty; e.g. --arch conv20x5,relu,maxpool2,fc100,relu,fc10");
  const { layers, shape, last } = plan(splitTop(compact, ","), [...opts.input]);
  const total = layers.reduce((n, l) => n + l.params, 0);
  const largest = layers.reduce((a, b) => (b.params > a.params ? b : a));
  checkParameters(total, "--arch", (message) => new UsageError(`${message} (the largest layer, ${show(largest.tok)}, has ${formatCount(largest.params)})`));
  return { model: new Sequential(...layers.map((l) => l.make())), output: shape, last };
}

/** Whether an architecture starts with a convolution (and so wants images, not flat vectors). */
export const archTakesImages = (arch: string) => /^\s*(conv|res\(\s*conv|maxpool|avgpool)/.test(arch);
