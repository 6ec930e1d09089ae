/**
 * One definition per layer type. Each file in nn/layers/ declares, beside its Module, how the layer
 * is rebuilt from a spec (model files), which `--arch` tokens build it, and how it is labelled;
 * layers/index.ts registers the built-ins in a fixed order. The registry (model files), `buildArch`,
 * `descent info` and the explorer iterate these definitions, so adding a layer touches its own
 * file and one line of layers/index.ts. A user's own Module subclass becomes savable and loadable
 * the same way (see registerLayer).
 */
import type { LayerSpec, Module } from "./module.js";
import type { InitName } from "./init.js";
import type { Rng } from "../rng.js";
import { ModelFileError } from "../errors.js";
import { excerpt, printablePath, quoted } from "../text.js";

/** Largest dimension accepted from a file (guards allocation against corrupt or hostile specs). */
export const MAX_DIM = 1 << 24;
/** Largest single tensor (values) a spec may ask for. */
export const MAX_TENSOR = 1 << 28;
/** Nesting deeper than this is refused (a model file's JSON cannot nest deeper anyway: json-strict caps it at 64). */
const MAX_NESTING = 64;

/**
 * A layer checked but not yet allocated: its parameter count (weights, biases and buffers such as
 * BatchNorm's running statistics), and the thunk that allocates it. A whole model is planned —
 * every field validated, every count summed — before its first tensor exists.
 */
export interface LayerPlan {
  params: number;
  make: () => Module;
}

/** A plan that allocates `params` values (0 for layers without tensors). */
export const leaf = (make: () => Module, params = 0): LayerPlan => ({ params, make });

/** Reads one spec's fields; every accessor refuses a missing, mistyped or out-of-range value with a ModelFileError naming the layer. */
export class SpecReader {
  constructor(readonly spec: LayerSpec, readonly where: string, private readonly depth = 0) {}

  fail(what: string): never {
    throw new ModelFileError(`${printablePath(this.where)} (${this.spec.type}): ${what}`);
  }
  /** An integer in [1, 2^24]. */
  int(key: string, fallback?: number): number {
    const v = this.spec[key] ?? fallback;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > MAX_DIM) {
      this.fail(`"${key}" must be an integer in [1, ${MAX_DIM}], found ${excerpt(v)}`);
    }
    return v;
  }
  num(key: string, lo: number, hi: number, fallback?: number): number {
    const v = this.spec[key] ?? fallback;
    if (typeof v !== "number" || !(v >= lo && v <= hi)) this.fail(`"${key}" must be a number in [${lo}, ${hi}], found ${excerpt(v)}`);
    return v;
  }
  bool(key: string, fallback: boolean): boolean {
    const v = this.spec[key] ?? fallback;
    if (typeof v !== "boolean") this.fail(`"${key}" must be true or false, found ${excerpt(v)}`);
    return v;
  }
  /** An integer in [0, 2^24]. */
  nonNegative(key: string, fallback: number): number {
    const v = this.spec[key] ?? fallback;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > MAX_DIM) this.fail(`"${key}" must be an integer in [0, ${MAX_DIM}], found ${excerpt(v)}`);
    return v;
  }
  /** The layer stored under `key` (Residual's body), planned in turn. */
  layer(key: string): LayerPlan {
    return planLayer(this.spec[key], `${this.where}.${key}`, this.depth + 1);
  }
  /** The list of layers stored under `key` (Sequential's layers), each planned in turn. */
  layers(key: string): LayerPlan[] {
    const v = this.spec[key];
    if (!Array.isArray(v)) this.fail(`"${key}" must be a list of layers`);
    return v.map((s, i) => planLayer(s, `${this.where}.${key}.${i}`, this.depth + 1));
  }
}

/**
 * What an `--arch` token sees: the shape of one example arriving at it, the init settings, and
 * helpers that raise UsageErrors naming the token. `add` appends a layer to the network.
 */
export interface ArchContext {
  /** The token being planned, e.g. "conv20x5". */
  readonly tok: string;
  /** Shape of one example arriving here: [C, H, W] for images, [n] for vectors. */
  readonly shape: readonly number[];
  readonly init: InitName;
  readonly biasInit: InitName;
  /** For token inputs: how many distinct ids the data has (Embedding's table size); undefined otherwise. */
  readonly vocabulary?: number;
  /** The weights' stream, shared by every layer in order (so seeded networks are reproducible). */
  readonly initRng: Rng;
  /** A stream of its own for the n-th layer of this kind that draws during training ("dropout0", "dropout1", …). */
  stream(kind: string): Rng;
  /** The integer written `text` (digits from the token's pattern), `fallback` when absent, checked against [lo, hi] (default 1 to 2^24). */
  int(what: string, text: string | undefined, fallback: number, lo?: number, hi?: number): number;
  /** Refuses the token: `--arch: "<tok>" <why> (the shape there is …)`. */
  fail(why: string): never;
  /** Appends a layer of `params` values, allocated only once the whole network's count is checked. */
  add(make: () => Module, params?: number, tok?: string): void;
  /** Plans another token here (fc puts "flatten" before itself on images) and returns the shape after it. */
  insert(tok: string): readonly number[];
  /** Plans a sub-architecture (the inside of res( … )): its layers' allocators, output shape and parameter count. */
  plan(tokens: string[]): { make: () => Module[]; shape: number[]; params: number };
}

/** An `--arch` token: its pattern, and how it plans layers for the shape arriving at it. */
export interface ArchToken {
  /** Anchored, e.g. /^fc(\d+)$/. */
  pattern: RegExp;
  /** How `descent train --help` writes it, e.g. "fc<N>". */
  syntax: string;
  /** Checks the token against ctx.shape, adds its layer(s), and returns the shape leaving it (the same shape when nothing is returned). */
  plan(match: RegExpMatchArray, ctx: ArchContext): readonly number[] | void;
}

/**
 * What the first layer that reads the input needs of it: a flat vector of `features`, an image of
 * `channels`, a sequence of steps of `stepFeatures` values each, or token ids below `tokens`.
 */
export type LayerInput = { features: number } | { channels: number } | { stepFeatures: number } | { tokens: number };

export interface LayerDefinition {
  /** The spec's "type": the class name, as PyTorch names it ("Linear", "Conv2d"). */
  readonly type: string;
  /** Checks the spec's fields (SpecReader refuses anything out of range) and returns what to allocate; allocates nothing itself. */
  fromSpec(r: SpecReader): LayerPlan;
  /** A short label for summaries: "fc 784→30", "conv 1→20 5×5". Default: the type in lower case. */
  label?(spec: LayerSpec): string;
  /** `--arch` tokens that build this layer (activations get theirs from nn/activation-table.ts). */
  tokens?: readonly ArchToken[];
  /** An elementwise activation: a net of Linear layers, activations and Dropout is summarised as "[784, 30, 10] Sigmoid". */
  activation?: boolean;
  /** When this layer reads the network's input first: what it needs of it. */
  input?(spec: LayerSpec): LayerInput;
  /** Containers: the layers inside, in order (the first one to read the input is looked for there). */
  children?(spec: LayerSpec): LayerSpec[];
  /** Passes its input on without reading its layout (Flatten, Dropout): the first layer is looked for past it. */
  transparent?: boolean;
}

const DEFINITIONS = new Map<string, LayerDefinition>();
const TYPES: string[] = [];

/** Every registered layer type, in registration order (built-ins first). A live list: registerLayer appends to it. */
export const LAYER_TYPES: readonly string[] = TYPES;

/**
 * Makes a layer type known to model files (saveModel / loadModel), `descent info` and, through its
 * tokens, `--arch`. layers/index.ts calls it for the built-ins; a user's own Module subclass calls
 * it once before loading a file that contains it:
 *
 *   class Scale extends Module { … spec() { return { type: "Scale", factor: this.factor }; } }
 *   registerLayer({ type: "Scale", fromSpec: (r) => { const f = r.num("factor", -1e6, 1e6); return leaf(() => new Scale(f)); } });
 *
 * A type can be registered once; registering another definition under the same name is refused.
 */
export function registerLayer(def: LayerDefinition): LayerDefinition {
  const known = DEFINITIONS.get(def.type);
  if (known === def) return def;
  if (known) throw new Error(`registerLayer: a layer type named "${def.type}" is already registered — choose another name`);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(def.type)) throw new Error(`registerLayer: the type ${quoted(def.type)} must be an identifier, like a class name`);
  DEFINITIONS.set(def.type, def);
  TYPES.push(def.type);
  return def;
}

/** The definition registered for `type`, or undefined. */
export const layerDefinition = (type: string): LayerDefinition | undefined => DEFINITIONS.get(type);

/** Every registered definition, in registration order. */
export const layerDefinitions = (): LayerDefinition[] => TYPES.map((t) => DEFINITIONS.get(t)!);

/** Checks one spec (and, recursively, the layers inside it) against its definition; allocates nothing. */
export function planLayer(spec: unknown, where: string, depth = 0): LayerPlan {
  if (typeof spec !== "object" || spec === null || Array.isArray(spec) || typeof (spec as LayerSpec).type !== "string") {
    throw new ModelFileError(`${printablePath(where)}: expected a layer description like {"type": "Linear", …}, found ${excerpt(spec)}`);
  }
  if (depth > MAX_NESTING) throw new ModelFileError(`${where}: layers nested more than ${MAX_NESTING} deep — the architecture is corrupt`);
  const s = spec as LayerSpec;
  const def = DEFINITIONS.get(s.type);
  if (!def) throw new ModelFileError(`${printablePath(where)}: unknown layer type ${quoted(s.type)} (known: ${TYPES.join(", ")})`);
  return def.fromSpec(new SpecReader(s, where, depth));
}

/** Layers in order, flattening Sequential containers. */
export function flatLayers(spec: LayerSpec): LayerSpec[] {
  if (spec.type === "Sequential" && Array.isArray(spec.layers)) return (spec.layers as LayerSpec[]).flatMap(flatLayers);
  return [spec];
}

/** A short label for one layer: "conv 1→20 5×5", "fc 640→100", "maxpool 2", "relu". */
export function layerLabel(spec: LayerSpec): string {
  const label = DEFINITIONS.get(spec.type)?.label;
  return label ? label(spec) : spec.type.toLowerCase();
}
