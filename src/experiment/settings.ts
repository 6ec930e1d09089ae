/**
 * One table of a training run's settings: for every TrainConfig field its kind, its range or
 * choices, its default, help text, CLI flag and the explorer's URL key. The CLI's train flags, their
 * parsing and `train --help`, and validateConfig (configs from flags, presets, checkpoints, links)
 * are all derived from it, so a setting is described once.
 * Core code: no Node or DOM APIs, and no runtime imports beyond errors and defaults, so the
 * explorer's page can read it without pulling in the kernels.
 */
import { UsageError } from "../errors.js";
import { printable } from "../text.js";
import { MAX_ARCH_LENGTH } from "../limits.js";
import { INIT_NAMES } from "../nn/init.js";
import { ACTIVATION_NAMES, COSTS, DATA_NAMES, DEFAULT_CONFIG, OPTIMIZERS, OUTPUT_NAMES, SCHEDULES, type TrainConfig } from "../train/defaults.js";
import type { AugmentOptions } from "../data/augment.js";

/** An interval of numbers; each end closed ("[0, 1]") unless marked open ("(0, 1]"). */
export interface Range {
  min: number;
  max: number;
  minOpen?: boolean;
  maxOpen?: boolean;
}

/** `range("(", 0, 1, "]")` is the interval (0, 1]. */
export function range(lo: "[" | "(", min: number, max: number, hi: "]" | ")"): Range {
  return { min, max, ...(lo === "(" ? { minOpen: true } : {}), ...(hi === ")" ? { maxOpen: true } : {}) };
}

export const inRange = (v: number, r: Range): boolean =>
  (r.minOpen ? v > r.min : v >= r.min) && (r.maxOpen ? v < r.max : v <= r.max);

/** 1000000 → "1e6", 4294967296 → "2^32", 0.9 → "0.9": short enough for help lines and messages. */
export function formatNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) >= 1e5) {
    const e = n.toExponential().replace("+", "");
    if (!e.includes(".")) return e;
    const log2 = Math.log2(n);
    if (Number.isInteger(log2)) return `2^${log2}`;
  }
  return String(n);
}

export const formatRange = (r: Range): string =>
  `${r.minOpen ? "(" : "["}${formatNumber(r.min)}, ${formatNumber(r.max)}${r.maxOpen ? ")" : "]"}`;

interface Common {
  /** The CLI flag as commander takes it: "--lr <eta>", or "--expand" for a switch. */
  flag: string;
  /** The explorer's URL parameter (the keys web/src/state.ts uses; layers and arch share "net"). */
  url: string;
  help: string;
  /** May be absent from a config; what absence means is in the help text. */
  optional?: boolean;
}

export type SettingRow = Common & (
  | { kind: "number" | "integer"; range: Range; unit?: string }
  | { kind: "choice"; choices: readonly string[] }
  | { kind: "boolean" }
  /** A list of integers: how many (count) and each one's range (item). */
  | { kind: "list"; count: Range; item: Range; what: string }
  /** Checked and parsed by its own functions (arch: a string checked by buildArch later; augment: an object). */
  | { kind: "special"; expected: string; check: (v: unknown, where: string) => void; parse: (text: string, where: string) => unknown }
);

export type Setting = SettingRow & { key: keyof TrainConfig; default: unknown };

/** The augmentation parameters (data/augment.ts) and their ranges. */
export const AUGMENT_PARAMS = {
  // ±180° covers every angle.
  rotate: { range: range("[", 0, 180, "]"), unit: "degrees" },
  // Half a 28-pixel image: beyond that the digit leaves the picture.
  translate: { range: range("[", 0, 14, "]"), unit: "pixels" },
  // The zoom factor is drawn in [1 − scale, 1 + scale); it must stay > 0 (augment.ts divides by it).
  scale: { range: range("[", 0, 0.9, "]"), unit: "" },
  probability: { range: range("[", 0, 1, "]"), unit: "" },
} as const;
/** elastic=alpha:sigma — displacement scale in pixels, and the std of the Gaussian that smooths it (its kernel spans 6σ + 1 taps). */
export const ELASTIC_PARAMS = {
  alpha: { range: range("[", 0, 1000, "]"), unit: "pixels" },
  sigma: { range: range("(", 0, 100, "]"), unit: "pixels" },
} as const;

const COLUMNS_EXPECTED = "comma-separated column names (at most 1000, each 1 to 200 characters)";
const parseColumns = (text: string) => text.split(",").map((c) => c.trim());
function checkColumns(v: unknown, where: string): void {
  const ok = Array.isArray(v) && v.length >= 1 && v.length <= 1000 && v.every((c) => typeof c === "string" && c.length >= 1 && c.length <= 200) && new Set(v).size === v.length;
  if (!ok) throw new UsageError(`${where}: expected ${COLUMNS_EXPECTED}, each named once, got ${show(v)}`);
}
function checkSplit(v: unknown, where: string): void {
  const ok = Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === "number" && Number.isFinite(x) && x >= 0 && x <= 1) &&
    (v[0] as number) > 0 && Math.abs((v as number[]).reduce((a, b) => a + b, 0) - 1) < 1e-9;
  if (!ok) throw new UsageError(`${where}: expected three fractions ≥ 0 that sum to 1, the first > 0 (e.g. 0.7,0.15,0.15), got ${show(v)}`);
}

const AUGMENT_EXAMPLE = "rotate=10,translate=2,scale=0.1,elastic=34:4";
const AUGMENT_EXPECTED = `an object like {"rotate": 10, "translate": 2, "scale": 0.1, "elastic": {"alpha": 34, "sigma": 4}}`;
const ARCH_MAX_LENGTH = MAX_ARCH_LENGTH;

/** The table. Its order is the order of `descent train --help`. */
const TABLE: { [K in keyof TrainConfig]-?: SettingRow } = {
  arch: {
    kind: "special", flag: "--arch <layers>", url: "net", optional: true,
    help: "a whole network in one line, e.g. conv20x5,relu,maxpool2,fc100,relu,fc10 (see below)",
    expected: `a string like "conv20x5,relu,maxpool2,fc100,relu,fc10" of at most ${ARCH_MAX_LENGTH} characters`,
    check: (v, where) => {
      if (typeof v !== "string" || v.trim() === "" || v.length > ARCH_MAX_LENGTH) fail(where, TABLE.arch, v);
    },
    parse: (text) => text,
  },
  layers: {
    kind: "list", flag: "--layers <sizes>", url: "net", what: "layer sizes",
    count: range("[", 2, 1000, "]"), item: range("[", 1, 2 ** 20, "]"),
    help: "layer sizes, input first (e.g. 784,30,10)",
  },
  activation: { kind: "choice", flag: "--activation <name>", url: "act", choices: ACTIVATION_NAMES, help: `hidden activation: ${ACTIVATION_NAMES.join(", ")}` },
  output: { kind: "choice", flag: "--output <name>", url: "out", choices: OUTPUT_NAMES, help: `output layer: ${OUTPUT_NAMES.join(", ")}` },
  cost: { kind: "choice", flag: "--cost <name>", url: "cost", choices: COSTS, help: `cost: ${COSTS.join(", ")}` },
  init: { kind: "choice", flag: "--init <name>", url: "init", choices: INIT_NAMES, help: `weight init: ${INIT_NAMES.join(", ")}` },
  biasInit: {
    kind: "choice", flag: "--bias-init <name>", url: "binit", choices: INIT_NAMES, optional: true,
    help: "bias init (default: N(0,1) for the book's inits, zeros for Xavier/He)",
  },
  optimizer: { kind: "choice", flag: "--optimizer <name>", url: "opt", choices: OPTIMIZERS, help: `${OPTIMIZERS.join(", ")} (gd = full-batch gradient descent)` },
  lr: { kind: "number", flag: "--lr <eta>", url: "lr", range: range("(", 0, 1e4, "]"), help: "learning rate η" },
  momentum: { kind: "number", flag: "--momentum <mu>", url: "mom", range: range("[", 0, 1, ")"), help: "momentum coefficient for momentum/nesterov" },
  dampening: { kind: "number", flag: "--dampening <d>", url: "damp", optional: true, range: range("[", 0, 1, "]"), help: "momentum: dampening of the gradient added to the buffer (PyTorch's; default 0; nesterov needs 0)" },
  beta1: { kind: "number", flag: "--beta1 <b>", url: "b1", optional: true, range: range("[", 0, 1, ")"), help: "adam/adamw: decay of the running mean of the gradient (default 0.9)" },
  beta2: { kind: "number", flag: "--beta2 <b>", url: "b2", optional: true, range: range("[", 0, 1, ")"), help: "adam/adamw: decay of the running mean of its square (default 0.999)" },
  eps: { kind: "number", flag: "--eps <e>", url: "eps", optional: true, range: range("[", 0, 1, "]"), help: "adam/adamw/rmsprop: ε added to the denominator (default 1e-8)" },
  alpha: { kind: "number", flag: "--alpha <a>", url: "alpha", optional: true, range: range("[", 0, 1, "]"), help: "rmsprop: smoothing constant of the running mean of g² (default 0.99)" },
  centered: { kind: "boolean", flag: "--centered", url: "centered", optional: true, help: "rmsprop: normalise by an estimate of the gradient's variance (centered RMSProp)" },
  batchSize: { kind: "integer", flag: "--batch-size <n>", url: "batch", range: range("[", 1, 1e6, "]"), help: "mini-batch size" },
  epochs: { kind: "integer", flag: "--epochs <n>", url: "epochs", range: range("[", 1, 1e6, "]"), help: "passes over the training data" },
  l1: { kind: "number", flag: "--l1 <lambda>", url: "l1", range: range("[", 0, 1e6, "]"), help: "L1 regularisation λ (cost + λ/n·Σ|w|, the book's scaling)" },
  l2: { kind: "number", flag: "--l2 <lambda>", url: "l2", range: range("[", 0, 1e6, "]"), help: "L2 regularisation λ (cost + λ/2n·Σw², the book's scaling)" },
  weightDecay: { kind: "number", flag: "--weight-decay <wd>", url: "wd", range: range("[", 0, 1e6, "]"), help: "optimizer weight decay on weights (decoupled for adamw)" },
  dropout: { kind: "number", flag: "--dropout <p>", url: "drop", range: range("[", 0, 1, ")"), help: "dropout probability after each hidden layer" },
  clipNorm: { kind: "number", flag: "--clip-norm <max>", url: "clipn", optional: true, range: range("(", 0, 1e9, "]"), help: "clip gradients to this global L2 norm" },
  clipValue: { kind: "number", flag: "--clip-value <max>", url: "clipv", optional: true, range: range("(", 0, 1e9, "]"), help: "clip each gradient element to ±max" },
  schedule: { kind: "choice", flag: "--schedule <name>", url: "sched", choices: SCHEDULES, help: `learning-rate schedule: ${SCHEDULES.join(", ")} (plateau = the book's halving)` },
  lrStep: { kind: "integer", flag: "--lr-step <n>", url: "step", optional: true, range: range("[", 1, 1e6, "]"), help: "step: epochs between decays (default 10); cosine: period (default: epochs)" },
  // At most 1: the step and exponential schedules multiply η by γ again and again, so γ > 1 would
  // grow it geometrically until the loss overflows; a constant rate is γ = 1.
  lrGamma: { kind: "number", flag: "--lr-gamma <g>", url: "gamma", optional: true, range: range("(", 0, 1, "]"), help: "step/exponential decay factor (default 0.1 / 0.95)" },
  plateauPatience: { kind: "integer", flag: "--plateau-patience <n>", url: "patience", optional: true, range: range("[", 1, 1e4, "]"), help: "plateau: epochs without improvement before halving η (default 10)" },
  earlyStopping: { kind: "integer", flag: "--early-stopping <n>", url: "stop", range: range("[", 0, 1e4, "]"), help: "stop after n epochs without a better validation accuracy (restores the best; 0 = never)" },
  // MNIST has 60,000 training images and at least one must stay for training.
  validation: { kind: "integer", flag: "--validation <n>", url: "val", range: range("[", 0, 60000, ")"), help: "training images held out for validation (the book: 10000)" },
  trainSize: { kind: "integer", flag: "--train-size <n>", url: "n", range: range("[", 0, 1e7, "]"), help: "use only the first n training images (0 = all)" },
  seed: { kind: "integer", flag: "--seed <n>", url: "seed", range: range("[", 0, 2 ** 32, ")"), help: "random seed (same seed ⇒ identical weights)" },
  expand: { kind: "boolean", flag: "--expand", url: "expand", optional: true, help: "the book's expanded data: add 1-pixel shifts of every training image (5×)" },
  ensemble: { kind: "integer", flag: "--ensemble <n>", url: "ens", optional: true, range: range("[", 1, 100, "]"), help: "train n models (seeds seed…seed+n−1), save each, and report their vote" },
  target: {
    kind: "special", flag: "--target <columns>", url: "target", optional: true,
    help: "tables: the column(s) to predict, e.g. price or price,rent (numbers: a regression; class names: a classification); without --data, the bundled house prices",
    expected: COLUMNS_EXPECTED, check: checkColumns, parse: parseColumns,
  },
  features: {
    kind: "special", flag: "--features <columns>", url: "feat", optional: true,
    help: "tables: the input columns (default: all but the targets and the table's default drops)",
    expected: COLUMNS_EXPECTED, check: checkColumns, parse: parseColumns,
  },
  split: {
    kind: "special", flag: "--split <fractions>", url: "split", optional: true,
    help: "tables: train,validation,test fractions of the rows, shuffled with the seed (default 0.7,0.15,0.15)",
    expected: "three fractions ≥ 0 that sum to 1, the first > 0, e.g. 0.7,0.15,0.15",
    check: checkSplit,
    parse: (text) => text.split(",").map((p) => (p.trim() === "" ? NaN : Number(p))),
  },
  folds: { kind: "integer", flag: "--folds <k>", url: "folds", optional: true, range: range("[", 2, 100, "]"), help: "tables: k-fold cross-validation (k models, each tested on its fold)" },
  impute: { kind: "choice", flag: "--impute <how>", url: "impute", optional: true, choices: ["none", "mean"], help: "tables: missing cells are refused (none) or filled with the training rows' mean" },
  task: {
    // URL key "kind", not "task": the explorer's own ?task= names its data set (digits | houses).
    kind: "choice", flag: "--task <kind>", url: "kind", optional: true, choices: ["regression", "classification"],
    help: "tables: regression or classification (default: from the target column — numbers: regression, class names: classification)",
  },
  data: {
    // The flag --data already names a directory or CSV file: this one chooses the bundled data set.
    kind: "choice", flag: "--dataset <name>", url: "data", optional: true, choices: DATA_NAMES,
    help: "bundled data: mnist (default), mnist-rows (28 steps of 28 pixels), adding (the adding problem, from the seed), sotu (State of the Union text, characters)",
  },
  steps: {
    kind: "integer", flag: "--steps <n>", url: "steps", optional: true, range: range("[", 2, 10000, "]"),
    help: "sequence data: steps per example — the adding problem's length, a language model's window for truncated backprop (default 100)",
  },
  since: {
    kind: "integer", flag: "--since <year>", url: "since", optional: true, range: range("[", 1790, 2017, "]"),
    help: "sotu: train on the addresses from this year on (validation and test stay the four most recent); default every address since 1790",
  },
  augment: {
    kind: "special", flag: "--augment <spec>", url: "aug", optional: true,
    help: `random augmentation per batch, e.g. ${AUGMENT_EXAMPLE} (${augmentRanges()})`,
    expected: AUGMENT_EXPECTED,
    check: checkAugment,
    parse: parseAugment,
  },
};

export const SETTINGS: readonly Setting[] = (Object.keys(TABLE) as (keyof TrainConfig)[]).map((key) => ({
  ...TABLE[key], key, default: DEFAULT_CONFIG[key],
}));

export const settingFor = (key: keyof TrainConfig): Setting => SETTINGS.find((s) => s.key === key)!;

/** A numeric setting's range (e.g. --jobs is bounded by the ensemble's). */
export function rangeOf(key: keyof TrainConfig): Range {
  const s = settingFor(key);
  if (s.kind !== "number" && s.kind !== "integer") throw new Error(`rangeOf: ${key} is not a numeric setting`);
  return s.range;
}

/** What a setting accepts, for messages: "a number in (0, 1]". */
export function expected(s: SettingRow): string {
  switch (s.kind) {
    case "number":
      return `a number${s.unit ? ` of ${s.unit}` : ""} in ${formatRange(s.range)}`;
    case "integer":
      return `an integer in ${formatRange(s.range)}`;
    case "choice":
      return `one of ${s.choices.join(", ")}`;
    case "boolean":
      return "true or false";
    case "list":
      return `a list of ${s.count.min} to ${formatNumber(s.count.max)} ${s.what}, each an integer in ${formatRange(s.item)}`;
    case "special":
      return s.expected;
  }
}

/** A value as a message shows it: strings quoted, anything long cut; never throws. */
export function show(v: unknown): string {
  let text: string;
  try {
    text = typeof v === "number" ? String(v) : typeof v === "bigint" ? `${v}n` : v === undefined ? "nothing" : (JSON.stringify(v) ?? String(v));
  } catch {
    text = Array.isArray(v) ? "a list" : "an object"; // cycles, BigInts inside
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function fail(where: string, s: SettingRow, v: unknown, hint = ""): never {
  throw new UsageError(`${where}: expected ${expected(s)}, got ${show(v)}${hint}`);
}

/** Throws a UsageError `${where}: expected …, got …` unless `v` is a valid value of `s`. */
export function checkSetting(s: SettingRow, v: unknown, where: string): void {
  switch (s.kind) {
    case "number":
      if (typeof v !== "number" || !Number.isFinite(v) || !inRange(v, s.range)) fail(where, s, v);
      return;
    case "integer":
      if (typeof v !== "number" || !Number.isInteger(v) || !inRange(v, s.range)) fail(where, s, v);
      return;
    case "choice":
      if (typeof v !== "string" || !s.choices.includes(v)) fail(where, s, v, typeof v === "string" ? didYouMean(v, s.choices) : "");
      return;
    case "boolean":
      if (typeof v !== "boolean") fail(where, s, v);
      return;
    case "list":
      if (!Array.isArray(v) || !inRange(v.length, s.count) || !v.every((n) => typeof n === "number" && Number.isInteger(n) && inRange(n, s.item))) fail(where, s, v);
      return;
    case "special":
      s.check(v, where);
  }
}

/**
 * A setting's value from text (a flag's argument, a URL parameter), checked. `where` starts
 * messages: "--lr-gamma" gives "--lr-gamma 3: expected a number in (0, 1], got 3".
 */
export function parseSetting(s: SettingRow, text: string, where: string): unknown {
  const at = `${where} ${printable(text, 60)}`;
  let v: unknown = text;
  if (s.kind === "number" || s.kind === "integer") {
    v = text.trim() === "" ? text : Number(text);
    if (typeof v === "number" && !Number.isFinite(v)) v = text; // "abc", "Infinity": shown quoted
  } else if (s.kind === "boolean") {
    v = text === "true" ? true : text === "false" ? false : text;
  } else if (s.kind === "list") {
    const parts = text.split(",").map((p) => p.trim());
    v = parts.every((p) => /^\d+$/.test(p)) ? parts.map(Number) : text;
  } else if (s.kind === "special") {
    v = s.parse(text, at);
  }
  checkSetting(s, v, at);
  return v;
}

/** The augmentation ranges, for the help line. */
function augmentRanges(): string {
  const scalar = Object.entries(AUGMENT_PARAMS).map(([k, p]) => `${k} ${formatRange(p.range)}${p.unit ? ` ${p.unit}` : ""}`);
  return `${scalar.join(", ")}, elastic=alpha:sigma with alpha ${formatRange(ELASTIC_PARAMS.alpha.range)}, sigma ${formatRange(ELASTIC_PARAMS.sigma.range)}`;
}

function numberIn(p: { range: Range; unit: string }, v: unknown, where: string): void {
  if (typeof v !== "number" || !Number.isFinite(v) || !inRange(v, p.range)) {
    throw new UsageError(`${where}: expected a number${p.unit ? ` of ${p.unit}` : ""} in ${formatRange(p.range)}, got ${show(v)}`);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function unknownKey(where: string, key: string, known: readonly string[]): never {
  throw new UsageError(`${where}: unknown "${key}"${didYouMean(key, known)} (expected ${known.join(", ")})`);
}

/** augment as stored in a config: { rotate?, translate?, scale?, probability?, elastic?: { alpha, sigma } }. */
function checkAugment(v: unknown, where: string): void {
  if (!isObject(v)) throw new UsageError(`${where}: expected ${AUGMENT_EXPECTED}, got ${show(v)}`);
  const keys = [...Object.keys(AUGMENT_PARAMS), "elastic"];
  for (const [key, value] of Object.entries(v)) {
    if (key === "elastic") {
      if (!isObject(value)) throw new UsageError(`${where}.elastic: expected an object like {"alpha": 34, "sigma": 4}, got ${show(value)}`);
      for (const k of Object.keys(value)) if (!Object.hasOwn(ELASTIC_PARAMS, k)) unknownKey(`${where}.elastic`, k, Object.keys(ELASTIC_PARAMS));
      for (const [k, p] of Object.entries(ELASTIC_PARAMS)) numberIn(p, value[k], `${where}.elastic.${k}`);
    } else if (Object.hasOwn(AUGMENT_PARAMS, key)) {
      if (value !== undefined) numberIn(AUGMENT_PARAMS[key as keyof typeof AUGMENT_PARAMS], value, `${where}.${key}`);
    } else {
      unknownKey(where, key, keys);
    }
  }
}

/** "rotate=10,translate=2,scale=0.1,elastic=34:4" → AugmentOptions; `where` is "--augment <spec>". */
function parseAugment(text: string, where: string): AugmentOptions {
  const out: Record<string, unknown> = {};
  const num = (x: string) => (x.trim() === "" || !Number.isFinite(Number(x)) ? x : Number(x));
  for (const part of text.split(",").map((p) => p.trim()).filter(Boolean)) {
    const [key = "", val = ""] = part.split("=");
    const at = `${where.split(" ")[0]} ${part}`;
    if (key === "elastic") {
      const [alpha = "", sigma = ""] = val.split(":");
      for (const [k, x] of [["alpha", alpha], ["sigma", sigma]] as const) numberIn(ELASTIC_PARAMS[k], num(x), `${at} (${k})`);
      out.elastic = { alpha: Number(alpha), sigma: Number(sigma) };
    } else if (Object.hasOwn(AUGMENT_PARAMS, key)) {
      numberIn(AUGMENT_PARAMS[key as keyof typeof AUGMENT_PARAMS], num(val), at);
      out[key] = Number(val);
    } else {
      throw new UsageError(`${where.split(" ")[0]}: unknown "${key}"${didYouMean(key, [...Object.keys(AUGMENT_PARAMS), "elastic"])} (use ${Object.keys(AUGMENT_PARAMS).map((k) => `${k}=`).join(", ")}, elastic=alpha:sigma)`);
    }
  }
  return out as AugmentOptions;
}

/**
 * Checks a whole config from anywhere (flags, a preset, a checkpoint, a link): an object whose keys
 * are settings, each of the right type and in range. Messages name the setting ("lr: expected …").
 */
export function checkSettings(input: unknown): TrainConfig {
  if (!isObject(input)) throw new UsageError(`the settings must be an object like {"lr": 0.5, "epochs": 30}, got ${show(input)}`);
  const keys = SETTINGS.map((s) => s.key);
  for (const key of Object.keys(input)) {
    if (!(keys as string[]).includes(key)) throw new UsageError(`unknown setting "${key}"${didYouMean(key, keys)} (settings: ${keys.join(", ")})`);
  }
  for (const s of SETTINGS) {
    const v = input[s.key];
    if (v === undefined && s.optional) continue;
    if (v === undefined) throw new UsageError(`${s.key}: missing; expected ${expected(s)}`);
    checkSetting(s, v, s.key);
  }
  return input as unknown as TrainConfig;
}

/**
 * Optimal string alignment distance (Damerau–Levenshtein with adjacent transpositions): the number
 * of insertions, deletions, substitutions and swaps of neighbours that turn a into b.
 */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * " — did you mean relu?" for the valid names closest to `value` (case aside), or "" when none
 * is within a third of its length (at least one edit): "swish" suggests nothing.
 */
export function didYouMean(value: string, valid: readonly string[]): string {
  if (value.length > 100) return ""; // a pasted paragraph is no typo (and the table is quadratic)
  const v = value.toLowerCase();
  const limit = Math.max(1, Math.floor(v.length / 3));
  const scored = valid.map((name) => ({ name, d: editDistance(v, name.toLowerCase()) })).filter((x) => x.d <= limit);
  if (scored.length === 0) return "";
  const best = Math.min(...scored.map((x) => x.d));
  const names = scored.filter((x) => x.d === best).map((x) => x.name).slice(0, 3);
  return ` — did you mean ${names.length > 1 ? `${names.slice(0, -1).join(", ")} or ${names.at(-1)}` : names[0]}?`;
}
