/**
 * The space of a hyper-parameter search, `lr=log(0.01,10),l2=log(0.1,10),batch=10|20|50`: each
 * parameter is a setting of the experiment table (src/experiment/settings.ts) named by its URL key
 * (the explorer's: lr, l2, batch, mom, drop, …) or its flag without the dashes (batch-size), and
 * takes one of
 *   log(low,high)   numbers drawn log-uniformly in [low, high] (Bergstra & Bengio 2012's advice for rates)
 *   lin(low,high)   numbers drawn uniformly in [low, high]
 *   a|b|c           one of the listed values (a single value fixes the setting)
 * Drawn numbers keep 3 significant digits, so the printed `descent train …` command reproduces
 * the trial exactly. Integer settings are rounded.
 */
import { UsageError } from "../errors.js";
import { printable } from "../text.js";
import { Rng } from "../rng.js";
import { SETTINGS, checkSetting, didYouMean, expected, parseSetting, type Setting } from "../experiment/settings.js";
import type { TrainConfig } from "../train/defaults.js";

export type Dimension =
  | { key: keyof TrainConfig; name: string; kind: "log" | "lin"; low: number; high: number; integer: boolean }
  | { key: keyof TrainConfig; name: string; kind: "choice"; values: readonly unknown[] };

export type Params = Partial<Record<keyof TrainConfig, unknown>>;

/** Settings a search may not vary: they change the data split, the run's length or the network's shape. */
const FIXED: Partial<Record<keyof TrainConfig, string>> = {
  epochs: "the search sets the epochs itself (--epochs is the finals' length, --min-epochs the first rung's)",
  validation: "every trial is scored on the same validation set: set it once with --validation",
  ensemble: "a trial trains one network",
  folds: "a trial trains one network",
  seed: "every trial uses the same seed, so that only the searched settings differ: set it with --seed",
};

const round3 = (x: number) => Number(x.toPrecision(3));

function settingNamed(name: string, where: string): Setting {
  const s = SETTINGS.find((x) => x.url === name || x.flag.split(" ")[0] === `--${name}`);
  if (!s) {
    const names = [...new Set(SETTINGS.filter((x) => searchable(x)).map((x) => x.url))];
    throw new UsageError(`${where}: unknown parameter "${printable(name, 40)}"${didYouMean(name, names)} (parameters are the settings' URL keys: ${names.join(", ")})`);
  }
  const why = FIXED[s.key];
  if (why) throw new UsageError(`${where}: "${name}" cannot be searched — ${why}`);
  if (!searchable(s)) throw new UsageError(`${where}: "${name}" cannot be searched (it is ${expected(s)}); search numbers, integers, choices or switches`);
  return s;
}

const searchable = (s: Setting) => (s.kind === "number" || s.kind === "integer" || s.kind === "choice" || s.kind === "boolean") && FIXED[s.key] === undefined;

/** Splits on commas outside parentheses: "lr=log(0.01,10),batch=10|20" → ["lr=log(0.01,10)", "batch=10|20"]. */
function topLevelParts(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "(") depth++;
    else if (c === ")") depth = Math.max(0, depth - 1);
    else if (c === "," && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim());
}

/** Parses `--space`; every message names the parameter, what was expected and what was found. */
export function parseSpace(text: string, flag = "--space"): Dimension[] {
  if (text.trim() === "") throw new UsageError(`${flag}: expected parameters like lr=log(0.01,10),l2=log(0.1,10),batch=10|20|50, got nothing`);
  const dims: Dimension[] = [];
  for (const part of topLevelParts(text)) {
    const eq = part.indexOf("=");
    if (eq < 0) throw new UsageError(`${flag}: "${printable(part, 60)}" is not name=values (e.g. lr=log(0.01,10) or batch=10|20|50)`);
    const name = part.slice(0, eq).trim();
    const body = part.slice(eq + 1).trim();
    const where = `${flag} ${name}`;
    const s = settingNamed(name, flag);
    if (dims.some((d) => d.key === s.key)) throw new UsageError(`${where}: given twice (once per parameter)`);
    const range = /^(log|lin)\s*\((.*)\)$/.exec(body);
    if (range) {
      const kind = range[1] as "log" | "lin";
      if (s.kind !== "number" && s.kind !== "integer") throw new UsageError(`${where}=${printable(body, 40)}: ${kind}(…) draws numbers, but ${name} is ${expected(s)}: list the values as a|b|c`);
      const ends = range[2]!.split(",").map((x) => x.trim());
      const [low, high] = ends.map(Number) as [number, number];
      const shape = `${kind}(low,high) with two numbers low < high${kind === "log" ? ", both > 0" : ""}`;
      if (ends.length !== 2 || ends.some((x) => x === "") || !Number.isFinite(low) || !Number.isFinite(high) || !(low < high) || (kind === "log" && !(low > 0))) {
        throw new UsageError(`${where}: expected ${shape}, got "${printable(body, 60)}"`);
      }
      for (const v of [low, high]) checkSetting(s, s.kind === "integer" ? Math.round(v) : v, `${where}=${printable(body, 40)}`);
      dims.push({ key: s.key, name, kind, low, high, integer: s.kind === "integer" });
      continue;
    }
    if (body === "" || /[()]/.test(body)) throw new UsageError(`${where}: expected log(low,high), lin(low,high) or values a|b|c, got "${printable(body, 60)}"`);
    const values = body.split("|").map((v) => parseSetting(s, v.trim(), where));
    if (new Set(values.map((v) => JSON.stringify(v))).size !== values.length) throw new UsageError(`${where}: a value is listed twice in "${printable(body, 60)}"`);
    dims.push({ key: s.key, name, kind: "choice", values });
  }
  return dims;
}

/** A number of a log or lin dimension at fraction u ∈ [0, 1] of its range, as a trial uses it. */
function at(d: Extract<Dimension, { kind: "log" | "lin" }>, u: number): number {
  const x = d.kind === "log" ? Math.exp(Math.log(d.low) + u * (Math.log(d.high) - Math.log(d.low))) : d.low + u * (d.high - d.low);
  return d.integer ? Math.round(x) : Math.min(d.high, Math.max(d.low, round3(x)));
}

/** `n` random points, drawn from `rng` one trial after another, parameters in the order given. */
export function randomTrials(dims: readonly Dimension[], n: number, rng: Rng): Params[] {
  const out: Params[] = [];
  for (let i = 0; i < n; i++) {
    const p: Params = {};
    for (const d of dims) p[d.key] = d.kind === "choice" ? d.values[rng.int(d.values.length)] : at(d, rng.uniform());
    out.push(p);
  }
  return out;
}

/**
 * The grid: every combination of the listed values and of `k` evenly spaced points (log-spaced for
 * log) on each range, with k ≥ 2 the largest that keeps the grid within `maxTrials`. Ordered with
 * the last parameter varying fastest. Refused when even k = 2 gives more than `maxTrials` points.
 */
export function gridTrials(dims: readonly Dimension[], maxTrials: number, flag = "--trials"): Params[] {
  const choices = dims.reduce((n, d) => n * (d.kind === "choice" ? d.values.length : 1), 1);
  const ranges = dims.filter((d) => d.kind !== "choice").length;
  let k = ranges === 0 ? 1 : 2;
  while (ranges > 0 && choices * (k + 1) ** ranges <= maxTrials) k++;
  const size = choices * k ** ranges;
  if (size > maxTrials) throw new UsageError(`${flag} ${maxTrials}: the smallest grid of this space has ${size} points (${ranges ? `2 per range × ` : ""}the listed values): raise ${flag} to ${size}, or use --method random`);
  const axes = dims.map((d) => (d.kind === "choice" ? [...d.values] : Array.from({ length: k }, (_, j) => at(d, j / (k - 1)))));
  let points: Params[] = [{}];
  dims.forEach((d, i) => {
    points = points.flatMap((p) => axes[i]!.map((v) => ({ ...p, [d.key]: v })));
  });
  // Rounding can merge two neighbouring integer points: keep each once.
  const seen = new Set<string>();
  return points.filter((p) => {
    const key = JSON.stringify(p);
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

/** "lr=0.316 l2=3.16 batch=20": a trial's parameters by the names the space used. */
export function formatParams(dims: readonly Dimension[], p: Params): string {
  return dims.map((d) => `${d.name}=${String(p[d.key])}`).join(" ");
}
