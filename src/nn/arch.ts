/**
 * Architectures written as one line, for the CLI and presets:
 *   "conv20x5,relu,maxpool2,conv40x5,relu,maxpool2,fc100,relu,fc10"
 * Tokens (comma-separated) come from the layer definitions (nn/layers/*.ts, see archTokenSyntax):
 *   conv<F>x<K>[p<P>][s<S>][g<G>]   Conv2d: F filters K×K, padding P (< K), stride S, groups G
 *   maxpool<K>[s<S>] · avgpool<K>[s<S>]
 *   fc<N> · fcv                     Linear to N units (images are flattened first; a sequence [T, F] gets it per step); fcv: N = the data's vocabulary
 *   bn                              BatchNorm2d after convolutions, BatchNorm1d after fc
 *   dropout<P>                      e.g. dropout0.5
 *   flatten
 *   res(<tokens separated by ;>)    x + f(x), e.g. res(conv32x3p1;bn;relu;conv32x3p1;bn)
 *   [bi]lstm<H>[x<L>][seq][stateful] LSTM of H units (L stacked layers, bi: both directions) over [steps, features];
 *   [bi]gru<H>… · [bi]rnn[relu]<H>… the last step out, or the whole sequence with "seq" (also GRU, RNN)
 *   embed<D>[v<V>]                  Embedding of token ids into D values (V: vocabulary, or the data's)
 * and from the activation table (nn/activation-table.ts): relu · sigmoid · tanh · leakyrelu · softmax · identity …
 * Shapes are inferred from the input ([1, 28, 28] for MNIST images, or [784]). Sizes are 1 to 2^24;
 * the whole network's parameter count is checked against limits().maxParameters before allocating.
 */
import type { Module } from "./module.js";
import { Sequential } from "./layers/sequential.js";
import { buildModule, layerDefinitions, type ArchContext } from "./registry.js";
import { splitTop } from "./layers/residual.js";
import { ACTIVATION_TABLE } from "./activation-table.js";
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
  /** For token inputs: the number of distinct ids (what embed<D> sizes its table by). */
  vocabulary?: number;
}

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

/** A layer whose token and shape were checked, allocated only once the whole network's parameter count passed. */
interface Planned {
  tok: string;
  params: number;
  make: () => Module;
}

/** The --arch tokens, as `descent train --help` lists them: the layers' own, then the activations'. */
export const archTokenSyntax = (): string[] => [
  ...layerDefinitions().flatMap((d) => (d.tokens ?? []).map((t) => t.syntax)),
  ...ACTIVATION_TABLE.map((a) => a.token),
];

/**
 * Builds the network and reports the shape of one output example. Every token, every size (1 to
 * 2^24) and the total parameter count (limits().maxParameters) are checked before any layer is
 * allocated; anything wrong is a UsageError naming the token.
 */
export function buildArch(arch: string, opts: ArchOptions): { model: Sequential; output: number[]; last: string } {
  const rng = opts.rng ?? new Rng(0);
  const initRng = rng.fork("init");
  const streams = new Map<string, number>();
  const init = opts.init ?? "pytorch";
  const biasInit = opts.biasInit ?? defaultBiasInit(init);
  const tokens = layerDefinitions().flatMap((d) => d.tokens ?? []);

  const plan = (toks: string[], input: readonly number[]): { layers: Planned[]; shape: number[]; last: string } => {
    let shape = [...input];
    const layers: Planned[] = [];
    let last = "";
    const step = (tok: string): void => {
      const fail = (why: string): never => {
        throw new UsageError(`--arch: ${show(tok)} ${why} (the shape there is ${fmt(shape)}); see descent train --help`);
      };
      if (tok === "") fail("is an empty layer (two separators in a row, or one at the end) — remove the extra comma or semicolon");
      const act = ACTIVATION_TABLE.find((a) => a.token === tok);
      if (act) {
        layers.push({ tok, params: 0, make: () => buildModule(act.spec) });
        return;
      }
      const ctx: ArchContext = {
        tok, shape, init, biasInit, initRng, fail, vocabulary: opts.vocabulary,
        stream: (kind) => {
          const n = streams.get(kind) ?? 0;
          streams.set(kind, n + 1);
          return rng.fork(`${kind}${n}`);
        },
        /** The integer in `text` (digits only, from the token's pattern), or a UsageError naming the token and the range. */
        int: (what, text, fallback, lo = 1, hi = MAX_SIZE) => {
          const v = text === undefined ? fallback : text.length > 9 ? Infinity : Number(text);
          if (!(v >= lo && v <= hi)) fail(`sets ${what} to ${text && text.length > 12 ? `${text.slice(0, 12)}…` : text}, expected ${lo} to ${hi}`);
          return v;
        },
        add: (make, params = 0, name = tok) => void layers.push({ tok: name, params, make }),
        insert: (inner) => {
          step(inner);
          return shape;
        },
        plan: (inner) => {
          const p = plan(inner, shape);
          return { make: () => p.layers.map((l) => l.make()), shape: p.shape, params: p.layers.reduce((n, l) => n + l.params, 0) };
        },
      };
      for (const t of tokens) {
        const m = tok.match(t.pattern);
        if (!m) continue;
        const out = t.plan(m, ctx);
        if (out) shape = [...out];
        return;
      }
      fail("is not a layer");
    };
    for (const tok of toks) {
      last = tok;
      step(tok);
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
