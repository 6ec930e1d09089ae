/** The fully connected networks of the books, built from a list of layer sizes. */
import { Module } from "./module.js";
import { Linear } from "./layers/linear.js";
import { Dropout } from "./layers/dropout.js";
import { Sequential } from "./layers/sequential.js";
import { buildModule } from "./registry.js";
import { ACTIVATION_NAMES, ACTIVATION_TABLE, OUTPUT_NAMES, type ActivationName, type OutputName } from "./activation-table.js";
import type { InitName } from "./init.js";
import { Rng } from "../rng.js";
import { UsageError } from "../errors.js";
import { checkParameters } from "../limits.js";

export type { ActivationName, OutputName };
/** Hidden activations and output layers by name (nn/activation-table.ts). */
export const ACTIVATIONS: readonly ActivationName[] = ACTIVATION_NAMES;
export const OUTPUTS: readonly OutputName[] = OUTPUT_NAMES;

export interface MlpOptions {
  /** Hidden-layer activation (default sigmoid, as in the book). */
  activation?: ActivationName;
  /** Output-layer squashing (default: same as a sigmoid net, sigmoid). */
  output?: OutputName;
  /** Weight init (default "scaled-normal", the book's N(0, 1/n_in)). */
  init?: InitName;
  /** Bias init; default N(0, 1) for the book's inits, zeros for Xavier/He, PyTorch's for "pytorch". */
  biasInit?: InitName;
  /** Dropout probability after each hidden activation (0 = none). */
  dropout?: number;
  rng?: Rng;
}

/** The layer an activation's name stands for (its row's spec, built by that layer's definition). */
export function activationModule(name: ActivationName | OutputName): Module {
  const row = ACTIVATION_TABLE.find((r) => r.name === name);
  if (!row) throw new RangeError(`activationModule: unknown activation "${String(name)}" (known: ${ACTIVATION_TABLE.map((r) => r.name).join(", ")})`);
  return buildModule(row.spec);
}

/** The bias init that goes with a weight init when none is given. */
export function defaultBiasInit(init: InitName): InitName {
  if (init === "normal" || init === "scaled-normal") return "normal"; // the book: biases N(0, 1)
  if (init === "pytorch") return "pytorch";
  return "zeros";
}

/** Weights and biases of mlp(sizes): Σ (n_in + 1)·n_out — counted before anything is allocated. */
export const mlpParameters = (sizes: readonly number[]): number =>
  sizes.slice(1).reduce((total, n, i) => total + (sizes[i]! + 1) * n, 0);

/**
 * sizes [784, 30, 10] → Linear(784,30), act, Linear(30,10), output. Throws a UsageError when the
 * parameter count is over limits().maxParameters, before allocating any layer.
 */
export function mlp(sizes: readonly number[], opts: MlpOptions = {}): Sequential {
  if (sizes.length < 2) throw new RangeError(`mlp: need at least input and output sizes, got [${sizes.join(", ")}]`);
  checkParameters(mlpParameters(sizes), `layers ${sizes.join(",")}`, (message) => new UsageError(message));
  const rng = opts.rng ?? new Rng(0);
  const initRng = rng.fork("init");
  const init = opts.init ?? "scaled-normal";
  const biasInit = opts.biasInit ?? defaultBiasInit(init);
  const layers: Module[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    layers.push(new Linear(sizes[i]!, sizes[i + 1]!, { init, biasInit, rng: initRng }));
    const last = i + 2 === sizes.length;
    layers.push(activationModule(last ? (opts.output ?? "sigmoid") : (opts.activation ?? "sigmoid")));
    if (!last && opts.dropout) layers.push(new Dropout(opts.dropout, { rng: rng.fork(`dropout${i}`) }));
  }
  return new Sequential(...layers);
}
