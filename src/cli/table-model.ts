/**
 * Models trained on tables, after training: the model file's training record holds the table's
 * encoding and scaling (`table`, a TablePrep) and the run's settings, so `eval` and `predict` turn
 * rows into exactly the numbers the network was trained on, and `eval` without a file scores the
 * test rows of the very split it was trained with.
 */
import pc from "picocolors";
import type { Module } from "../nn/module.js";
import { noGrad } from "../autograd.js";
import { Tensor } from "../tensor.js";
import { scope } from "../memory.js";
import { TensorDataset } from "../data/dataset.js";
import { applyTablePrep, featureNames, targetClasses, validateTablePrep, type TablePrep } from "../data/table-prep.js";
import { splitIndices } from "../data/split.js";
import { evaluate } from "../train/evaluate.js";
import { residualSummary } from "../train/regression-metrics.js";
import { validateConfig, type TrainConfig } from "../train/config.js";
import { ModelFileError } from "../errors.js";
import { Rng } from "../rng.js";
import { printable, printablePath, terminalJson } from "../text.js";
import { DEFAULT_SPLIT, loadTable } from "./table-run.js";
import { formatRegression } from "./progress.js";
import { formatConfusion } from "./commands/eval.js";

/** The table record of a model file, validated; null for models not trained on a table. */
export function tablePrepOf(path: string, training: Record<string, unknown>): TablePrep | null {
  if (training.table === undefined) return null;
  try {
    return validateTablePrep(training.table, "training.table");
  } catch (e) {
    throw new ModelFileError(`${printablePath(path)}: its table record is invalid (${(e as Error).message}) — the file was edited or is corrupt; retrain it`);
  }
}

function savedConfig(path: string, training: Record<string, unknown>): TrainConfig {
  try {
    return validateConfig(training.config);
  } catch (e) {
    throw new ModelFileError(`${printablePath(path)}: its saved settings are invalid (${(e as Error).message}) — pass the rows to score: descent eval ${printablePath(path)} rows.csv`);
  }
}

/** Runs the model over encoded rows (no gradients, eval mode): [n, outputs]. */
function predictRows(model: Module, x: Float32Array, n: number, features: number): Float32Array {
  model.eval();
  return noGrad(() => scope(() => model.forward(new Tensor(x, [n, features])).data.slice() as Float32Array));
}

/** A classifier's outputs per row must be one per class; a file whose network and classes disagree was edited. */
function checkClassOutputs(path: string, out: Float32Array, n: number, classes: string[]): void {
  if (n > 0 && out.length !== n * classes.length) {
    throw new ModelFileError(`${printablePath(path)}: its network gives ${out.length / n} outputs per row but its table record has ${classes.length} classes — the file was edited or is corrupt; retrain it`);
  }
}

/**
 * `descent eval model.safetensors [rows.csv]`: every row of the file, or — without one — the test
 * rows of the split the model was trained on (the bundled table or its --data file, the saved seed
 * and --split).
 */
export async function evalTableModel(path: string, model: Module, training: Record<string, unknown>, prep: TablePrep, csv: string | null, json: boolean): Promise<void> {
  let rowsLabel: string;
  let table;
  let rows: Int32Array | undefined;
  if (csv !== null) {
    table = (await loadTable(csv)).table;
    rowsLabel = `${printablePath(csv)} (all ${table.rows.length} rows)`;
  } else {
    const config = savedConfig(path, training);
    const source = typeof training.dataFile === "string" ? training.dataFile : null;
    table = (await loadTable(source)).table;
    rows = splitIndices(table.rows.length, config.split ?? DEFAULT_SPLIT, new Rng(config.seed).fork("split")).test;
    rowsLabel = `the test rows of its training split (${rows.length} of ${table.rows.length}, seed ${config.seed})`;
  }
  const data = applyTablePrep(table, prep, rows ? { rows } : {});
  const classes = targetClasses(prep);
  if (classes && data.labels) return evalClassifier(path, model, prep.targets[0]!.name, classes, data, rowsLabel, json);
  if (!data.y) throw new ModelFileError(`${printablePath(csv ?? path)}: the table has no ${prep.targets.map((t) => t.name).join(", ")} column to score against — to predict, use descent predict ${printablePath(path)} --csv FILE`);
  const ds = new TensorDataset(data.x, [data.featureNames.length], data.y, prep.targets.length);
  const metrics = evaluate(model, ds).regression!;
  // One summary per target; the first is shown (most tables predict one column), --json has them all.
  const summaries = residualSummary(data.y, predictRows(model, data.x, data.n, data.featureNames.length), prep.targets.length);
  const residuals = summaries[0]!;
  if (json) {
    process.stdout.write(`${terminalJson({ model: path, rows: data.n, metrics, residuals: summaries, unseen: data.unseen })}\n`);
    return;
  }
  process.stdout.write(`${printablePath(path)} · predicting ${prep.targets.map((t) => printable(t.name)).join(", ")} · ${rowsLabel}\n`);
  process.stdout.write(`${pc.bold(formatRegression(metrics))} · MSE ${metrics.mse.toPrecision(4)}\n`);
  process.stdout.write(`residuals (truth − prediction${prep.targets.length > 1 ? `, ${printable(prep.targets[0]!.name)}` : ""}): mean ${residuals.mean.toPrecision(3)}, std ${residuals.std.toPrecision(3)}, ` +
    `5/50/95 % ${residuals.q05.toPrecision(3)} / ${residuals.q50.toPrecision(3)} / ${residuals.q95.toPrecision(3)}, largest |r| ${residuals.maxAbs.toPrecision(3)}\n`);
  for (const u of data.unseen) process.stderr.write(pc.yellow(`note: ${printable(u.column)} = ${printable(u.value)} (${u.count} rows) was not seen in training; encoded as no category\n`));
}

/** eval of a classifier: accuracy, and the confusion matrix with the class names. */
function evalClassifier(path: string, model: Module, target: string, classes: string[], data: ReturnType<typeof applyTablePrep>, rowsLabel: string, json: boolean): void {
  const r = evaluate(model, new TensorDataset(data.x, [data.featureNames.length], data.labels!));
  if (r.total > 0) checkClassOutputs(path, new Float32Array(r.confusion.classes), 1, classes);
  if (json) {
    process.stdout.write(`${terminalJson({ model: path, rows: data.n, classes, accuracy: r.accuracy, correct: r.correct, total: r.total, confusion: r.confusion.toRows(), unseen: data.unseen })}\n`);
    return;
  }
  process.stdout.write(`${printablePath(path)} · classifying ${printable(target)} · ${rowsLabel}\n`);
  process.stdout.write(`accuracy ${pc.bold(`${(r.accuracy * 100).toFixed(2)} %`)} (${r.correct}/${r.total})\n\n`);
  process.stdout.write(formatConfusion(r.confusion, classes.map((c) => printable(c, 20))));
  noteUnseen(data.unseen);
}

function noteUnseen(unseen: ReturnType<typeof applyTablePrep>["unseen"]): void {
  for (const u of unseen) process.stderr.write(pc.yellow(`note: ${printable(u.column)} = ${printable(u.value)} (${u.count} rows) was not seen in training; encoded as no category\n`));
}

/**
 * `descent predict model.safetensors --csv rows.csv`: one prediction per row, as CSV (to stdout or
 * --out) — a classifier's is the class name — or with `json` one JSON object per row (a
 * classifier's with the network's output per class: probabilities when it ends in softmax).
 */
export async function predictTableRows(path: string, model: Module, prep: TablePrep, csv: string, json = false): Promise<string> {
  const { table } = await loadTable(csv);
  // The target column may be there (rows already labelled): predicting does not read it.
  const data = applyTablePrep(table, prep, { targets: false });
  const out = predictRows(model, data.x, data.n, data.featureNames.length);
  const classes = targetClasses(prep);
  if (classes) {
    checkClassOutputs(path, out, data.n, classes);
    const k = classes.length;
    const lines = json ? [] : [csvField(prep.targets[0]!.name)];
    for (let r = 0; r < data.n; r++) {
      const row = out.subarray(r * k, (r + 1) * k);
      let best = 0;
      for (let c = 1; c < k; c++) if (row[c]! > row[best]!) best = c;
      if (!json) lines.push(csvField(classes[best]!));
      else lines.push(terminalJson({ row: r + 1, prediction: classes[best], outputs: Object.fromEntries(classes.map((c, i) => [c, Number(row[i]!.toPrecision(7))])) }));
    }
    noteUnseen(data.unseen);
    return `${lines.join("\n")}\n`;
  }
  const k = prep.targets.length;
  const lines = [prep.targets.map((t) => csvField(t.name)).join(",")];
  for (let r = 0; r < data.n; r++) lines.push(Array.from(out.subarray(r * k, (r + 1) * k), (v) => String(Number(v.toPrecision(7)))).join(","));
  noteUnseen(data.unseen);
  return `${lines.join("\n")}\n`;
}

const csvField = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** `descent info` lines for a table model: the columns, their encodings and the scaling. */
export function describeTable(prep: TablePrep): string[] {
  const out = ["", `table (fitted on ${prep.rows} training rows)`];
  const classes = targetClasses(prep);
  if (classes) out.push(`  classifies ${printable(prep.targets[0]!.name)} into ${classes.length} classes: ${classes.slice(0, 50).map((c) => printable(c, 40)).join(", ")}${classes.length > 50 ? ", … (see --json)" : ""}`);
  else out.push(`  predicts   ${prep.targets.map((t) => `${printable(t.name)} (training mean ${t.mean.toPrecision(4)}, std ${t.std.toPrecision(4)})`).join(", ")}`);
  out.push(`  missing    ${prep.impute === "mean" ? "filled with the training mean" : "refused"}`);
  const names = featureNames(prep);
  out.push("  features   (standardised: (value − mean) / std)");
  names.forEach((n, i) => out.push(`    ${printable(n, 40).padEnd(24)} mean ${prep.mean[i]!.toPrecision(4).padStart(9)}  std ${prep.std[i]!.toPrecision(4).padStart(9)}`));
  return out;
}
