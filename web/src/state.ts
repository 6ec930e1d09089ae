/**
 * The explorer's settings: a TrainConfig subset that lives in the page's URL, so an experiment is a
 * link — the same link trains the same network bit for bit (everything random forks from `seed`).
 * Pure functions (no DOM): parse a query string, write one, turn settings into a TrainConfig.
 * Two tasks: MNIST digits (the default, so links from before tasks existed keep working) and the
 * bundled house prices (a regression on a table; `task=houses` in the URL).
 */
import { ACTIVATION_NAMES, DEFAULT_CONFIG, OUTPUT_NAMES, type TrainConfig } from "../../src/train/defaults.js";
import { PRESETS } from "../../src/train/presets.js";
import { formatRange, inRange, settingFor, type Range } from "../../src/experiment/settings.js";

/** What the explorer trains: MNIST digits (classification) or the bundled house prices (regression). */
export const TASKS = ["digits", "houses"] as const;
export type Task = (typeof TASKS)[number];
export const TASK_LABELS: Readonly<Record<Task, string>> = { digits: "MNIST digits", houses: "House prices" };

/** A choice setting's values, from the settings table. */
function choicesOf(key: keyof TrainConfig): readonly string[] {
  const s = settingFor(key);
  if (s.kind !== "choice") throw new Error(`${key} is not a choice setting`);
  return s.choices;
}

/** Hidden activations and outputs the form offers: the core's activation table (nn/activation-table.ts). */
export const ACTIVATION_CHOICES = ACTIVATION_NAMES;
export const OUTPUT_CHOICES = OUTPUT_NAMES;
/** Inits, costs and optimizers the form offers (test/web-state.test.ts checks them against the core's lists). */
export const INIT_CHOICES = choicesOf("init");
export const COST_CHOICES = choicesOf("cost");
/** Full-batch "gd" is left out: one step would be a whole epoch, which freezes nothing but shows nothing either. */
export const OPTIMIZER_CHOICES = choicesOf("optimizer").filter((o) => o !== "gd");

/** Costs and outputs that make sense for numeric targets (the core refuses the others for a regression). */
const REGRESSION_COSTS: readonly string[] = ["mse", "quadratic"];
export const costChoices = (task: Task): readonly string[] => (task === "houses" ? COST_CHOICES.filter((c) => REGRESSION_COSTS.includes(c)) : COST_CHOICES);
export const outputChoices = (task: Task): readonly string[] => (task === "houses" ? OUTPUT_CHOICES.filter((o) => o !== "softmax") : OUTPUT_CHOICES);

export interface Settings {
  /** Digits or house prices; the presets offered and the data trained on follow it. */
  task: Task;
  /** The preset these settings started from; "custom" once any field differs from it. */
  preset: string;
  /** "784,16,16,10" for a fully connected net, or a one-line architecture ("conv20x5,relu,…"). */
  net: string;
  activation: TrainConfig["activation"];
  output: TrainConfig["output"];
  cost: TrainConfig["cost"];
  init: TrainConfig["init"];
  optimizer: TrainConfig["optimizer"];
  lr: number;
  momentum: number;
  batchSize: number;
  l1: number;
  l2: number;
  dropout: number;
  seed: number;
}

/** The task a preset trains: one that names a table target is the house-price regression. */
export const presetTask = (name: string): Task => (PRESETS[name]?.config.target ? "houses" : "digits");

/** Presets the browser can train (of one task, if given): no expanded data (5× MNIST in memory) and no ensembles. */
export function explorerPresets(task?: Task): string[] {
  return Object.keys(PRESETS).filter((name) => {
    const c = PRESETS[name]!.config;
    // Sequence presets (MNIST read row by row, the adding problem, the SOTU text) train on the CLI:
    // the page's worker has MNIST images and the house-price table only.
    const pageData = c.data === undefined || c.data === "mnist";
    return pageData && !c.expand && !c.ensemble && c.optimizer !== "gd" && (task === undefined || presetTask(name) === task);
  });
}

export const DEFAULT_PRESET = "3b1b";
/** The preset each task starts from (and that "custom" settings are written against). */
export const TASK_PRESETS: Readonly<Record<Task, string>> = { digits: DEFAULT_PRESET, houses: "house-prices" };

export function settingsFromPreset(name: string): Settings {
  const c: TrainConfig = { ...DEFAULT_CONFIG, ...PRESETS[name]?.config };
  return {
    task: presetTask(name),
    preset: PRESETS[name] ? name : "custom",
    net: c.arch ?? c.layers.join(","),
    activation: c.activation,
    output: c.output,
    cost: c.cost,
    init: c.init,
    optimizer: c.optimizer,
    lr: c.lr,
    momentum: c.momentum,
    batchSize: c.batchSize,
    l1: c.l1,
    l2: c.l2,
    dropout: c.dropout,
    seed: c.seed,
  };
}

/** The TrainConfig setting behind each form field ("net" is layers or arch; both share one URL key). */
const FIELD_SETTING: Record<Exclude<keyof Settings, "preset" | "task">, keyof TrainConfig> = {
  net: "layers", activation: "activation", output: "output", cost: "cost", init: "init", optimizer: "optimizer",
  lr: "lr", momentum: "momentum", batchSize: "batchSize", l1: "l1", l2: "l2", dropout: "dropout", seed: "seed",
};

/** The URL parameter each field is stored under: the settings table's URL key (src/experiment/settings.ts). */
const KEYS = Object.fromEntries(Object.entries(FIELD_SETTING).map(([field, key]) => [field, settingFor(key).url])) as Record<keyof typeof FIELD_SETTING, string>;

const choices = (task: Task): Partial<Record<keyof Settings, readonly string[]>> => ({
  activation: ACTIVATION_CHOICES, output: outputChoices(task), cost: costChoices(task), init: INIT_CHOICES, optimizer: OPTIMIZER_CHOICES,
});

/** Each numeric field's range and whether it is an integer: the settings table's, as the CLI's flags. */
const NUMBER_RULES: Partial<Record<keyof Settings, { range: Range; integer: boolean }>> = Object.fromEntries(
  Object.entries(FIELD_SETTING).flatMap(([field, key]) => {
    const s = settingFor(key);
    return s.kind === "number" || s.kind === "integer" ? [[field, { range: s.range, integer: s.kind === "integer" }]] : [];
  }),
);

/**
 * Why a typed number is not valid for a field ("a number in (0, 10000]"), or null when it is —
 * the settings table's range, the same the CLI's flag takes.
 */
export function numberProblem(field: keyof Settings, v: number): string | null {
  const rule = NUMBER_RULES[field];
  if (!rule) return null;
  return Number.isFinite(v) && inRange(v, rule.range) && (!rule.integer || Number.isInteger(v)) ? null : `${rule.integer ? "an integer" : "a number"} in ${formatRange(rule.range)}`;
}

/** A field's numeric rule for the form to word: integer or not, and the range as text ("(0, 10000]"). */
export function numberRule(field: keyof Settings): { integer: boolean; range: string } | null {
  const rule = NUMBER_RULES[field];
  return rule ? { integer: rule.integer, range: formatRange(rule.range) } : null;
}

/** Whether a typed `net` has the shape of a layer list or an architecture line (the worker checks the rest). */
export const netLooksValid = (net: string): boolean => NET_PATTERN.test(net);

/** `net` is digits and commas, or architecture tokens: letters, digits, x, p, s, commas, dots, parentheses. */
const NET_PATTERN = /^[a-z0-9.,()-]{1,200}$/;

/** A note about a link, as a key of the page's string table and its parameters (the page words it). */
export interface LinkNote {
  key: "url.task" | "url.preset-task" | "url.preset" | "url.choice" | "url.number" | "url.net";
  params: Record<string, string | number>;
}

export interface ParsedSettings {
  settings: Settings;
  /** What was ignored and why, in English (a link is never rejected outright). */
  warnings: string[];
  /** The same, as keys and parameters for the page to word in its language. */
  notes: LinkNote[];
}

/**
 * Settings from a query string ("?preset=3b1b&lr=1"): the task, its preset, then each field over
 * it. Without `task`, a known preset names its task; with neither, digits.
 */
export function parseSettings(query: string): ParsedSettings {
  const params = new URLSearchParams(query);
  const warnings: string[] = [];
  const notes: LinkNote[] = [];
  const note = (english: string, key: LinkNote["key"], params: LinkNote["params"]) => {
    warnings.push(english);
    notes.push({ key, params });
  };
  const rawTask = params.get("task");
  const rawPreset = params.get("preset");
  let task: Task = rawPreset !== null && explorerPresets().includes(rawPreset) ? presetTask(rawPreset) : "digits";
  if (rawTask !== null) {
    if ((TASKS as readonly string[]).includes(rawTask)) task = rawTask as Task;
    else note(`task=${rawTask} is not one of ${TASKS.join(", ")} — using ${task}`, "url.task", { value: rawTask, choices: TASKS.join(", "), task });
  }
  let presetName = rawPreset ?? TASK_PRESETS[task];
  if (presetName !== "custom" && !explorerPresets(task).includes(presetName)) {
    const fallback = TASK_PRESETS[task];
    if (explorerPresets().includes(presetName)) {
      note(`preset "${presetName}" trains ${TASK_LABELS[presetTask(presetName)]}, not ${TASK_LABELS[task]} — using ${fallback}`, "url.preset-task", { preset: presetName, other: presetTask(presetName), task, fallback });
    } else note(`unknown preset "${presetName}" — using ${fallback}`, "url.preset", { preset: presetName, fallback });
    presetName = TASK_PRESETS[task];
  }
  const base = TASK_PRESETS[task];
  const settings = settingsFromPreset(presetName === "custom" ? base : presetName);
  settings.preset = presetName;
  const fields = settings as unknown as Record<string, string | number>;
  const taskChoices = choices(task);
  for (const [field, key] of Object.entries(KEYS) as [keyof Settings, string][]) {
    const raw = params.get(key);
    if (raw === null) continue;
    const choices = taskChoices[field];
    const rule = NUMBER_RULES[field];
    if (choices) {
      if (choices.includes(raw)) fields[field] = raw;
      else note(`${key}=${raw} is not one of ${choices.join(", ")} — ignored`, "url.choice", { key, value: raw, choices: choices.join(", ") });
    } else if (rule) {
      const v = raw.trim() === "" ? NaN : Number(raw);
      const problem = numberProblem(field, v);
      if (problem === null) fields[field] = v;
      else note(`${key}=${raw} must be ${problem} — ignored`, "url.number", { key, value: raw, field });
    } else if (field === "net") {
      if (NET_PATTERN.test(raw)) fields[field] = raw;
      else note(`net=${raw.slice(0, 40)} is not a layer list like 784,16,16,10 or an architecture — ignored`, "url.net", { value: raw.slice(0, 40) });
    }
  }
  if (presetName !== "custom" && !sameSettings(settings, settingsFromPreset(presetName))) settings.preset = "custom";
  return { settings, warnings, notes };
}

/** The query string for these settings: the task (unless digits), the preset, then only the fields that differ from it. */
export function settingsToQuery(s: Settings): string {
  const params = new URLSearchParams();
  const base = settingsFromPreset(s.preset === "custom" ? TASK_PRESETS[s.task] : s.preset);
  if (s.task !== "digits") params.set("task", s.task);
  params.set("preset", s.preset);
  for (const [field, key] of Object.entries(KEYS) as [keyof Settings, string][]) {
    if (s.preset === "custom" || s[field] !== base[field]) params.set(key, String(s[field]));
  }
  return "?" + params.toString();
}

export function sameSettings(a: Settings, b: Settings): boolean {
  return a.task === b.task && (Object.keys(KEYS) as (keyof Settings)[]).every((k) => a[k] === b[k]);
}

/**
 * The TrainConfig these settings describe (validated by the worker, which builds the run). House
 * prices keep their preset's table set-up (target, epochs: Play stops after that many).
 */
export function toTrainConfig(s: Settings): TrainConfig {
  const base: TrainConfig = { ...DEFAULT_CONFIG, ...(PRESETS[s.preset]?.config ?? PRESETS[TASK_PRESETS[s.task]]!.config) };
  const isLayerList = /^\d+(,\d+)+$/.test(s.net);
  const { arch: _presetArch, ...rest } = base;
  return {
    ...rest,
    ...(isLayerList ? { layers: s.net.split(",").map(Number) } : { arch: s.net }),
    activation: s.activation, output: s.output, cost: s.cost, init: s.init, optimizer: s.optimizer,
    lr: s.lr, momentum: s.momentum, batchSize: s.batchSize, l1: s.l1, l2: s.l2, dropout: s.dropout, seed: s.seed,
    // The explorer trains until paused; a schedule's horizon needs an epoch count, so rates stay constant.
    schedule: "constant", earlyStopping: 0, epochs: s.task === "houses" ? base.epochs : 1,
    // House prices: the page draws a validation curve, so it holds out 76 validation rows (the
    // preset trains on them too); the test rows are the preset's, the same 76 for a seed.
    ...(s.task === "houses" ? { split: [0.7, 0.15, 0.15] as [number, number, number] } : {}),
  };
}

/** A sizes list ("784,16,16,10") when the net is fully connected, else null. */
export function layerSizes(net: string): number[] | null {
  return /^\d+(,\d+)+$/.test(net) ? net.split(",").map(Number) : null;
}

/**
 * The form's settings for a model file's recorded TrainConfig: its preset when it equals one, else
 * "custom" (a digits config; fields the form does not show, such as augmentation, are left out).
 */
export function settingsFromConfig(c: TrainConfig): Settings {
  const s: Settings = {
    task: c.target ? "houses" : "digits", preset: "custom", net: c.arch ?? c.layers.join(","), activation: c.activation, output: c.output,
    cost: c.cost, init: c.init, optimizer: c.optimizer === "gd" ? "sgd" : c.optimizer, lr: c.lr, momentum: c.momentum, batchSize: c.batchSize,
    l1: c.l1, l2: c.l2, dropout: c.dropout, seed: c.seed,
  };
  const preset = explorerPresets(s.task).find((name) => sameSettings({ ...s, preset: name }, settingsFromPreset(name)));
  return preset ? { ...s, preset } : s;
}
