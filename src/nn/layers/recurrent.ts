/**
 * RNN, LSTM and GRU layers, as torch.nn.RNN / LSTM / GRU: the same parameters (names, shapes, gate
 * order, U(−1/√H, 1/√H) init), options and defaults, plus what Keras users expect: the last step
 * instead of the whole sequence (returnSequences: false), a state carried from call to call for
 * truncated backprop through time (stateful, resetStates), and residual connections between
 * stacked layers. The work is src/ops/recurrent.ts: one autograd node per layer and call.
 */
import { Module, Parameter, type LayerSpec } from "../module.js";
import { Tensor } from "../../tensor.js";
import { add } from "../../ops/elementwise.js";
import { transpose } from "../../ops/movement.js";
import { cat0, finalSteps, GATES, narrow0, recurrentLayer, type DirectionWeights, type RecurrentMode } from "../../ops/recurrent.js";
import { Rng } from "../../rng.js";
import { ShapeError } from "../../errors.js";
import { fmt } from "../../shape.js";
import { Dropout } from "./dropout.js";
import { MAX_TENSOR, type ArchContext, type LayerDefinition, type SpecReader } from "../layer.js";

/** A recurrent layer's state: h [numLayers·D, B, H] and, for the LSTM, c of the same shape (D = 2 when bidirectional). */
export interface RecurrentState {
  h: Tensor;
  c?: Tensor;
}

export interface RecurrentOptions {
  /** Stacked layers (default 1); layer l + 1 reads layer l's output sequence. */
  numLayers?: number;
  /** Both bias vectors, b_ih and b_hh (default true). */
  bias?: boolean;
  /** Input (and sequence output) [B, T, F] instead of [T, B, F] (default false, as PyTorch). The state stays [layers·D, B, H]. */
  batchFirst?: boolean;
  /** Dropout on the outputs of every layer but the last, in training (default 0). */
  dropout?: number;
  /** A second direction per layer, from the last step to the first; outputs side by side (default false). */
  bidirectional?: boolean;
  /**
   * The whole output sequence [T, B, D·H] (default true, as PyTorch), or only the last step
   * [B, D·H] (false, Keras's return_sequences=False): for a bidirectional layer the forward
   * direction's state after step T−1 beside the reverse direction's after step 0.
   */
  returnSequences?: boolean;
  /** Adds each layer's input to its output sequence wherever their widths match (Wu et al. 2016); the states are unchanged. */
  residual?: boolean;
  /** Each call starts from the previous call's final state, detached (truncated BPTT); see resetStates. */
  stateful?: boolean;
  /** The init stream (weights are drawn in PyTorch's parameter order). */
  rng?: Rng;
  /** The stream of the dropout between layers. */
  dropoutRng?: Rng;
}

const TYPE: Record<RecurrentMode, "RNN" | "LSTM" | "GRU"> = { rnnTanh: "RNN", rnnRelu: "RNN", lstm: "LSTM", gru: "GRU" };

/** Number of parameters of a recurrent layer (PyTorch's count). */
export function recurrentParameters(mode: RecurrentMode, inputSize: number, hiddenSize: number, numLayers: number, bidirectional: boolean, bias: boolean): number {
  const D = bidirectional ? 2 : 1;
  const GH = GATES[mode] * hiddenSize;
  let n = 0;
  for (let l = 0; l < numLayers; l++) n += D * (GH * ((l === 0 ? inputSize : D * hiddenSize) + hiddenSize) + (bias ? 2 * GH : 0));
  return n;
}

/** The shared machinery of RNN, LSTM and GRU; parameters are own fields named as PyTorch names them. */
export abstract class RecurrentBase extends Module {
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  readonly returnSequences: boolean;
  readonly residual: boolean;
  readonly stateful: boolean;
  /** The dropout between layers (a child module, so checkpoints save its stream); null without. */
  readonly drop: Dropout | null;
  /** The state carried to the next call when stateful (detached copies; not a buffer: never saved). */
  private carry: { h: Tensor; c: Tensor | null } | null = null;

  constructor(readonly mode: RecurrentMode, readonly inputSize: number, readonly hiddenSize: number, opts: RecurrentOptions = {}) {
    super();
    this.numLayers = opts.numLayers ?? 1;
    this.bias = opts.bias ?? true;
    this.batchFirst = opts.batchFirst ?? false;
    this.dropout = opts.dropout ?? 0;
    this.bidirectional = opts.bidirectional ?? false;
    this.returnSequences = opts.returnSequences ?? true;
    this.residual = opts.residual ?? false;
    this.stateful = opts.stateful ?? false;
    const name = TYPE[mode];
    for (const [what, v] of [["inputSize", inputSize], ["hiddenSize", hiddenSize], ["numLayers", this.numLayers]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name}: ${what} must be a positive integer, got ${v}`);
    }
    if (!(this.dropout >= 0 && this.dropout < 1)) throw new RangeError(`${name}: dropout must be in [0, 1), got ${this.dropout}`);
    this.drop = this.dropout > 0 && this.numLayers > 1 ? new Dropout(this.dropout, { rng: opts.dropoutRng ?? new Rng(0).fork("dropout") }) : null;
    // PyTorch's order and init: per layer, per direction, weight_ih, weight_hh, bias_ih, bias_hh, all U(±1/√H).
    const rng = opts.rng ?? new Rng(0).fork("init");
    const bound = 1 / Math.sqrt(hiddenSize);
    const GH = GATES[mode] * hiddenSize;
    const D = this.directions;
    for (let l = 0; l < this.numLayers; l++) {
      const inF = l === 0 ? inputSize : D * hiddenSize;
      for (let d = 0; d < D; d++) {
        for (const [kind, shape] of [["weight_ih", [GH, inF]], ["weight_hh", [GH, hiddenSize]], ["bias_ih", [GH]], ["bias_hh", [GH]]] as const) {
          if (!this.bias && kind.startsWith("bias")) continue;
          const t = Tensor.rand([...shape], rng, -bound, bound);
          (this as unknown as Record<string, Parameter>)[paramName(kind, l, d)] = Parameter.fromTensor(t);
        }
      }
    }
  }

  get directions(): number {
    return this.bidirectional ? 2 : 1;
  }

  /** Layer l's parameters for each direction (read from the fields each call, so replacing a field takes effect). */
  private weights(l: number): DirectionWeights[] {
    const own = this as unknown as Record<string, Parameter | undefined>;
    return Array.from({ length: this.directions }, (_, d) => ({
      weightIh: own[paramName("weight_ih", l, d)]!,
      weightHh: own[paramName("weight_hh", l, d)]!,
      biasIh: own[paramName("bias_ih", l, d)] ?? null,
      biasHh: own[paramName("bias_hh", l, d)] ?? null,
    }));
  }

  forward(x: Tensor): Tensor {
    return this.forwardWithState(x).output;
  }

  /**
   * The output and the final state. `state` (h, and c for the LSTM, each [numLayers·D, B, H])
   * starts the sequence; without it, a stateful layer starts from the state its previous call
   * ended in (when the batch size is the same; otherwise from zeros), any other from zeros.
   * @param x [T, B, inputSize], or [B, T, inputSize] when batchFirst
   * @returns output [T, B, D·H] (or [B, T, D·H] when batchFirst), or [B, D·H] without
   *   returnSequences; state.h, state.c [numLayers·D, B, H]
   */
  forwardWithState(x: Tensor, state?: RecurrentState): { output: Tensor; state: RecurrentState } {
    const name = this.label();
    const want = this.batchFirst ? "[batch, steps, features]" : "[steps, batch, features]";
    if (x.rank !== 3 || x.shape[2] !== this.inputSize) {
      throw new ShapeError(`${name}: input has shape ${fmt(x.shape)}, expected ${want} with ${this.inputSize} features`);
    }
    const xs = this.batchFirst ? transpose(x, 0, 1) : x;
    const B = xs.shape[1]!;
    const D = this.directions;
    const lstm = this.mode === "lstm";
    const carried = this.stateful && this.carry && this.carry.h.shape[1] === B ? { h: this.carry.h, c: this.carry.c ?? undefined } : undefined;
    const init = state ?? carried;
    const stateShape = [this.numLayers * D, B, this.hiddenSize];
    if (init) {
      if (fmt(init.h.shape) !== fmt(stateShape)) throw new ShapeError(`${name}: initial h has shape ${fmt(init.h.shape)}, expected ${fmt(stateShape)} [layers·directions, batch, hidden]`);
      if (lstm && init.c && fmt(init.c.shape) !== fmt(stateShape)) throw new ShapeError(`${name}: initial c has shape ${fmt(init.c.shape)}, expected ${fmt(stateShape)}`);
      if (!lstm && init.c) throw new ShapeError(`${name}: an initial cell state c was given, but only the LSTM has one`);
    }
    let input = xs;
    const hs: Tensor[] = [];
    const cs: Tensor[] = [];
    for (let l = 0; l < this.numLayers; l++) {
      if (l > 0 && this.drop) input = this.drop.forward(input);
      const h0 = init ? narrow0(init.h, l * D, D) : null;
      const c0 = init?.c ? narrow0(init.c, l * D, D) : null;
      const r = recurrentLayer(this.mode, input, this.weights(l), h0, c0);
      hs.push(r.h);
      if (r.c) cs.push(r.c);
      input = this.residual && input.shape[2] === r.output.shape[2] ? add(r.output, input) : r.output;
    }
    const output = !this.returnSequences ? finalSteps(input, D, "features") : this.batchFirst ? transpose(input, 0, 1) : input;
    const out: RecurrentState = lstm ? { h: cat0(hs), c: cat0(cs) } : { h: cat0(hs) };
    if (this.stateful) this.carry = { h: detachedCopy(out.h), c: out.c ? detachedCopy(out.c) : null };
    return { output, state: out };
  }

  /**
   * Forgets the carried state (the next call starts from zeros), or sets it to `state` (copied,
   * detached): call between independent streams, e.g. at each epoch of a language model.
   */
  resetStates(state?: RecurrentState): void {
    this.carry = state ? { h: detachedCopy(state.h), c: state.c ? detachedCopy(state.c) : null } : null;
  }

  /** The state the next call of a stateful layer starts from (null: zeros). */
  states(): RecurrentState | null {
    if (!this.carry) return null;
    return this.carry.c ? { h: this.carry.h, c: this.carry.c } : { h: this.carry.h };
  }

  /** "lstm 28→128", "bigru 64→2×32 ×2 layers" (the layer's own label, as `descent info` shows it). */
  label(): string {
    return recurrentLabel(this.spec());
  }

  spec(): LayerSpec {
    return {
      type: TYPE[this.mode],
      ...(this.mode === "rnnRelu" ? { nonlinearity: "relu" } : {}),
      inputSize: this.inputSize, hiddenSize: this.hiddenSize, numLayers: this.numLayers, bias: this.bias,
      batchFirst: this.batchFirst, dropout: this.dropout, bidirectional: this.bidirectional,
      returnSequences: this.returnSequences, residual: this.residual, stateful: this.stateful,
    };
  }
}

/**
 * Forgets the carried state of every stateful recurrent layer inside `model` (the next call starts
 * from zeros): the trainer calls it at each epoch's start and evaluate around a pass over the data.
 */
export function resetRecurrentStates(model: Module): void {
  if (model instanceof RecurrentBase) model.resetStates();
  for (const [, child] of model.namedChildren()) resetRecurrentStates(child);
}

/** PyTorch's parameter name: weight_ih_l0, bias_hh_l1_reverse, … */
const paramName = (kind: string, layer: number, direction: number) => `${kind}_l${layer}${direction === 1 ? "_reverse" : ""}`;

function detachedCopy(t: Tensor): Tensor {
  return new Tensor(t.data instanceof Float64Array ? Float64Array.from(t.data) : Float32Array.from(t.data), t.shape);
}

/** Elman RNN: h' = tanh(W_ih·x + b_ih + W_hh·h + b_hh), or ReLU with nonlinearity "relu". */
export class RNN extends RecurrentBase {
  constructor(inputSize: number, hiddenSize: number, opts: RecurrentOptions & { nonlinearity?: "tanh" | "relu" } = {}) {
    const nl = opts.nonlinearity ?? "tanh";
    if (nl !== "tanh" && nl !== "relu") throw new RangeError(`RNN: nonlinearity must be "tanh" or "relu", got ${String(nl)}`);
    super(nl === "relu" ? "rnnRelu" : "rnnTanh", inputSize, hiddenSize, opts);
  }
}

/** LSTM (Hochreiter & Schmidhuber 1997, with forget gate): gates i, f, g, o; c' = f⊙c + i⊙g, h' = o⊙tanh(c'). */
export class LSTM extends RecurrentBase {
  constructor(inputSize: number, hiddenSize: number, opts: RecurrentOptions = {}) {
    super("lstm", inputSize, hiddenSize, opts);
  }
}

/** GRU (Cho et al. 2014): gates r, z, n; n = tanh(W_in·x + b_in + r⊙(W_hn·h + b_hn)), h' = (1−z)⊙n + z⊙h. */
export class GRU extends RecurrentBase {
  constructor(inputSize: number, hiddenSize: number, opts: RecurrentOptions = {}) {
    super("gru", inputSize, hiddenSize, opts);
  }
}

function recurrentLabel(s: LayerSpec): string {
  const bi = s.bidirectional === true;
  const name = `${bi ? "bi" : ""}${String(s.type).toLowerCase()}${s.nonlinearity === "relu" ? "-relu" : ""}`;
  const layers = typeof s.numLayers === "number" && s.numLayers > 1 ? ` ×${s.numLayers} layers` : "";
  const extras = [s.returnSequences === false ? "last step" : "", s.residual === true ? "residual" : "", s.stateful === true ? "stateful" : "", typeof s.dropout === "number" && s.dropout > 0 ? `dropout ${s.dropout}` : ""].filter(Boolean);
  return `${name} ${String(s.inputSize)}→${bi ? "2×" : ""}${String(s.hiddenSize)}${layers}${extras.length ? ` (${extras.join(", ")})` : ""}`;
}

function modeOf(type: "RNN" | "LSTM" | "GRU", r: SpecReader): RecurrentMode {
  if (type === "LSTM") return "lstm";
  if (type === "GRU") return "gru";
  const nl = r.spec.nonlinearity ?? "tanh";
  if (nl !== "tanh" && nl !== "relu") r.fail(`"nonlinearity" must be "tanh" or "relu", found ${JSON.stringify(nl)}`);
  return nl === "relu" ? "rnnRelu" : "rnnTanh";
}

const make = (mode: RecurrentMode, inputSize: number, hiddenSize: number, opts: RecurrentOptions): RecurrentBase =>
  mode === "lstm" ? new LSTM(inputSize, hiddenSize, opts) : mode === "gru" ? new GRU(inputSize, hiddenSize, opts)
    : new RNN(inputSize, hiddenSize, { ...opts, nonlinearity: mode === "rnnRelu" ? "relu" : "tanh" });

/** The token's layer: a sequence [T, F] per example in, the last step [D·H] (or, with "seq", the sequence [T, D·H]) out. */
function planToken(mode: RecurrentMode, m: RegExpMatchArray, ctx: ArchContext, at: { bi: number; h: number; layers: number; seq: number; stateful: number }): readonly number[] {
  if (ctx.shape.length !== 2) ctx.fail("needs a sequence per example, shaped [steps, features] (e.g. MNIST read row by row: [28, 28])");
  const [T, F] = ctx.shape as [number, number];
  const hidden = ctx.int("units", m[at.h], 0);
  const numLayers = ctx.int("layers", m[at.layers], 1, 1, 64);
  const bidirectional = m[at.bi] !== undefined;
  const returnSequences = m[at.seq] !== undefined;
  // "stateful": each batch starts from the state the previous one ended in (truncated BPTT over a text cut into streams).
  const stateful = m[at.stateful] !== undefined;
  const params = recurrentParameters(mode, F, hidden, numLayers, bidirectional, true);
  if (GATES[mode] * hidden * Math.max(F, hidden * (bidirectional ? 2 : 1)) > MAX_TENSOR) ctx.fail(`asks for a weight of more than ${MAX_TENSOR} values`);
  const rng = ctx.initRng;
  ctx.add(() => make(mode, F, hidden, { numLayers, bidirectional, returnSequences, stateful, batchFirst: true, rng }), params);
  const out = (bidirectional ? 2 : 1) * hidden;
  return returnSequences ? [T, out] : [out];
}

function definition(type: "RNN" | "LSTM" | "GRU", pattern: RegExp, syntax: string, plan: (m: RegExpMatchArray, ctx: ArchContext) => readonly number[]): LayerDefinition {
  return {
    type,
    fromSpec: (r) => {
      const mode = modeOf(type, r);
      const [inputSize, hiddenSize, numLayers] = [r.int("inputSize"), r.int("hiddenSize"), r.int("numLayers", 1)];
      const bidirectional = r.bool("bidirectional", false);
      const opts: RecurrentOptions = {
        numLayers, bidirectional, bias: r.bool("bias", true), batchFirst: r.bool("batchFirst", false),
        dropout: r.num("dropout", 0, 0.999999, 0), returnSequences: r.bool("returnSequences", true),
        residual: r.bool("residual", false), stateful: r.bool("stateful", false),
      };
      const widest = GATES[mode] * hiddenSize * Math.max(inputSize, hiddenSize * (bidirectional ? 2 : 1));
      if (widest > MAX_TENSOR) r.fail(`a weight of ${widest} values exceeds the ${MAX_TENSOR}-value limit`);
      const params = recurrentParameters(mode, inputSize, hiddenSize, numLayers, bidirectional, opts.bias!);
      return { params, make: () => make(mode, inputSize, hiddenSize, opts) };
    },
    label: recurrentLabel,
    input: (s) => ({ stepFeatures: s.inputSize as number }),
    tokens: [{ pattern, syntax, plan }],
  };
}

export const rnnLayer = definition("RNN", /^(bi)?rnn(relu)?(\d+)(?:x(\d+))?(seq)?(stateful)?$/, "[bi]rnn[relu]<H>[x<L>][seq][stateful]",
  (m, ctx) => planToken(m[2] ? "rnnRelu" : "rnnTanh", m, ctx, { bi: 1, h: 3, layers: 4, seq: 5, stateful: 6 }));
export const lstmLayer = definition("LSTM", /^(bi)?lstm(\d+)(?:x(\d+))?(seq)?(stateful)?$/, "[bi]lstm<H>[x<L>][seq][stateful]",
  (m, ctx) => planToken("lstm", m, ctx, { bi: 1, h: 2, layers: 3, seq: 4, stateful: 5 }));
export const gruLayer = definition("GRU", /^(bi)?gru(\d+)(?:x(\d+))?(seq)?(stateful)?$/, "[bi]gru<H>[x<L>][seq][stateful]",
  (m, ctx) => planToken("gru", m, ctx, { bi: 1, h: 2, layers: 3, seq: 4, stateful: 5 }));
