/** A search's outputs: the table rows, the CSV of every trial, the plot, and the best trial as a `descent train` command. */
import { figureSvg, type Panel } from "../plot/svg.js";
import { SETTINGS } from "../experiment/settings.js";
import type { TrainConfig } from "../train/defaults.js";
import type { Dimension, Params } from "./search-space.js";
import type { SearchResult, TrialSummary } from "./search.js";

export interface TrialRow {
  trial: number;
  params: Params;
  /** Epochs of the furthest rung reached. */
  epochs: number;
  validationAccuracy: number;
  testAccuracy: number | undefined;
  /** Seconds over every rung the trial ran. */
  seconds: number;
  stopped: string | undefined;
}

/** One row per trial, best first (the search's ranking). */
export function trialRows(r: SearchResult): TrialRow[] {
  return r.ranking.map((i) => {
    const s = r.trials[i]!;
    const last = s.rungs[s.rungs.length - 1];
    return {
      trial: s.trial, params: s.params, epochs: last?.epochs ?? 0,
      validationAccuracy: last?.result.validationAccuracy ?? NaN,
      testAccuracy: last?.result.testAccuracy,
      seconds: s.rungs.reduce((t, x) => t + x.result.seconds, 0),
      stopped: last?.result.stopped,
    };
  });
}

/** RFC 4180 field: quoted when it holds a comma, a quote or a line break. */
const csvField = (v: unknown) => {
  const s = v === undefined || (typeof v === "number" && Number.isNaN(v)) ? "" : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** Every trial and every rung it reached: trial, the parameters, epochs, validation and test accuracy, seconds. */
export function searchCsv(dims: readonly Dimension[], r: SearchResult): string {
  const head = ["trial", ...dims.map((d) => d.name), "epochs", "validation_accuracy", "test_accuracy", "seconds", "stopped"];
  const lines = [head.join(",")];
  for (const s of r.trials) {
    for (const { epochs, result } of s.rungs) {
      lines.push([s.trial + 1, ...dims.map((d) => s.params[d.key]), epochs, result.validationAccuracy, result.testAccuracy, result.seconds.toFixed(3), result.stopped].map(csvField).join(","));
    }
  }
  return `${lines.join("\n")}\n`;
}

/**
 * One panel per parameter: every trial's validation accuracy (at the furthest rung it reached)
 * against the parameter, one series per rung length so longer runs stand apart. Log ranges are
 * drawn against log10 of the value; listed values against their position (labelled in the title).
 */
export function searchFigure(dims: readonly Dimension[], r: SearchResult, title: string): string {
  const rows = trialRows(r).filter((row) => Number.isFinite(row.validationAccuracy));
  const lengths = [...new Set(rows.map((row) => row.epochs))].sort((a, b) => a - b);
  const panels: Panel[] = dims.map((d) => {
    const numeric = d.kind !== "choice" || d.values.every((v) => typeof v === "number");
    const xOf = (v: unknown) => (d.kind === "log" ? Math.log10(v as number) : numeric ? (v as number) : (d.kind === "choice" ? d.values.indexOf(v) : 0));
    const xLabel = d.kind === "log" ? `log10(${d.name})` : numeric ? d.name : `${d.name}: ${d.kind === "choice" ? d.values.map((v, i) => `${i}=${String(v)}`).join(", ") : ""}`;
    return {
      title: `validation accuracy (%) against ${d.name}`, xLabel, yLabel: "validation accuracy (%)",
      series: lengths.map((e) => {
        const at = rows.filter((row) => row.epochs === e);
        return { name: `${e} epoch${e === 1 ? "" : "s"}`, points: true, x: at.map((row) => xOf(row.params[d.key])), y: at.map((row) => row.validationAccuracy * 100) };
      }),
    };
  });
  return figureSvg(panels, { title, panelHeight: 240, width: 760 });
}

/** A shell word: left bare when safe, else single-quoted. */
const shellWord = (s: string) => (/^[\w.,:=/+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/**
 * The `descent train` command that runs `config`: the preset, then a flag for every setting that
 * differs from the preset's (or the defaults'), so the command reproduces the trial exactly.
 */
export function trainCommand(config: TrainConfig, base: TrainConfig, preset: string | null): string {
  const words = ["descent", "train", ...(preset ? ["--preset", preset] : [])];
  for (const s of SETTINGS) {
    const v = config[s.key];
    if (JSON.stringify(v) === JSON.stringify(base[s.key]) || v === undefined) continue;
    const flag = s.flag.split(" ")[0]!;
    if (s.kind === "boolean") {
      if (v === true) words.push(flag);
      continue;
    }
    const text = Array.isArray(v) ? v.join(",") : typeof v === "object" && v !== null ? augmentSpec(v as Record<string, unknown>) : String(v);
    words.push(flag, shellWord(text));
  }
  return words.join(" ");
}

/** { rotate: 10, elastic: { alpha: 34, sigma: 4 } } → "rotate=10,elastic=34:4" (--augment's syntax). */
function augmentSpec(a: Record<string, unknown>): string {
  return Object.entries(a).filter(([, v]) => v !== undefined)
    .map(([k, v]) => (k === "elastic" ? `elastic=${(v as { alpha: number }).alpha}:${(v as { sigma: number }).sigma}` : `${k}=${String(v)}`)).join(",");
}

/** The summary of one trial a table line shows. */
export function bestOf(r: SearchResult): TrialSummary | undefined {
  const i = r.ranking[0];
  return i === undefined ? undefined : r.trials[i];
}
