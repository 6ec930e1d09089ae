/**
 * `descent train --data houses.csv --target price` (or `--target cmedv` on the bundled house
 * prices): a table run. The table is split with the seed (or cut into k folds), its columns encoded
 * and standardised on the training rows only (data/table-prep.ts), a network trained on it, and two
 * baselines computed on the same split — the training mean, and least squares — so the network's
 * numbers have something to stand beside. A target of class names makes it a classification
 * (data/table-prep.ts infers it, --task forces it): a softmax network, accuracy, and the majority
 * class's accuracy as the baseline. The model file keeps the table's encoding and scaling, so
 * `eval` and `predict` turn new rows into exactly the same numbers.
 */
import pc from "picocolors";
import type { TrainConfig } from "../train/config.js";
import { TensorDataset } from "../data/dataset.js";
import type { Table } from "../data/csv.js";
import { targetClasses, type TablePrep } from "../data/table-prep.js";
import { kFoldIndices } from "../data/split.js";
import { DEFAULT_SPLIT, encodeTable, tableSplit } from "../data/table-split.js";
import { scoreBaselines } from "../train/baselines.js";
import { TableError, UsageError } from "../errors.js";
import { evaluate } from "../train/evaluate.js";
import { Rng } from "../rng.js";
import { printable } from "../text.js";
import { loadBostonHousing, loadCsv } from "../node/csv.js";
import { formatRegression } from "./progress.js";
import { trainOne, type RunContext } from "./train-run.js";
import { presetConfig } from "../train/presets.js";

/** The bundled table: the corrected Boston house prices (506 rows, target cmedv, in $1000s). */
export const HOUSE_PRICES = {
  label: "the bundled house prices (Boston, corrected; 506 rows)",
  /**
   * Left out unless --features names them: medv is the uncorrected copy of the target, and b is
   * derived from the proportion of Black residents by town — scikit-learn removed the dataset over it.
   */
  drop: ["b", "medv"],
} as const;

export { DEFAULT_SPLIT };

export async function loadTable(dataPath: string | null): Promise<{ table: Table; label: string; drop: string[] }> {
  if (dataPath === null) return { table: await loadBostonHousing(), label: HOUSE_PRICES.label, drop: [...HOUSE_PRICES.drop] };
  return { table: await loadCsv(dataPath), label: dataPath, drop: [] };
}

/** encodeTable, with the CLI's words for what to do about a missing cell. */
function encode(table: Table, config: TrainConfig, drop: string[], trainRows: ArrayLike<number>): { prep: TablePrep; all: TensorDataset } {
  if (!config.target) throw new UsageError("a table run needs --target COLUMN (the column to predict)");
  try {
    return encodeTable(table, config, drop, trainRows);
  } catch (e) {
    // The core says what to do in words; the CLI adds the flag that does it.
    if (e instanceof TableError && e.message.endsWith("impute the training mean")) throw new TableError(`${e.message} (--impute mean)`, { cause: e });
    if (e instanceof TableError && e.message.endsWith("drop the regression task to classify it")) throw new TableError(`${e.message} (drop --task regression)`, { cause: e });
    if (e instanceof TableError && e.message.endsWith("with the classification task")) throw new TableError(`${e.message} (--task classification)`, { cause: e });
    throw e;
  }
}

/** The record a table model keeps in its file (see cli/commands/eval.ts and predict.ts). */
export const tableRecord = (prep: TablePrep, dataFile: string | null) => ({ task: targetClasses(prep) ? "classification" : "regression", table: prep, dataFile });

/**
 * The network a table run trains when the user chose none (no --arch, --layers, --output or
 * --cost, and no preset other than house-prices): the house-price network, and for a target of
 * classes the same hidden layers ending in fc<classes> + softmax with the log-likelihood cost.
 * Decided before training starts — where the flags are known and before a --checkpoint file's
 * settings are compared with the run's — so the saved settings name the network actually trained
 * and --resume needs no table to rebuild it. The classes are those of the training rows of the
 * seeded split (of every row with --folds).
 */
export function tableNetwork(config: TrainConfig, table: Table, drop: string[], networkGiven: boolean): TrainConfig {
  const house = presetConfig("house-prices");
  if (networkGiven || config.arch !== house.arch || config.cost !== house.cost || config.output !== house.output) return config;
  const rows = config.folds ? table.rows.map((_, i) => i) : tableSplit(table.rows.length, config).train;
  const classes = targetClasses(encode(table, config, drop, rows).prep);
  if (!classes) return config;
  return { ...config, arch: house.arch!.replace(/fc1$/, `fc${classes.length},softmax`), output: "softmax", cost: "log-likelihood" };
}

/** Trains on one seeded split, prints the two baselines on the same split; returns the exit code. */
export async function trainTableRun(
  config: TrainConfig, dataPath: string | null, outPath: string | null, ctx: RunContext,
  saving: Parameters<typeof trainOne>[4], loaded?: { table: Table; label: string; drop: string[] },
): Promise<number> {
  const { table, label, drop } = loaded ?? await loadTable(dataPath);
  if (config.folds) return crossValidate(config, table, label, drop, ctx);
  if ((config.split ?? DEFAULT_SPLIT)[2] === 0) {
    throw new UsageError(`--split ${(config.split ?? DEFAULT_SPLIT).join(",")}: a run is scored on its test rows — give the test part a fraction > 0 (e.g. 0.8,0.1,0.1), or use --folds k`);
  }
  const split = tableSplit(table.rows.length, config);
  const { prep, all } = encode(table, config, drop, split.train);
  const data = { train: all.select(split.train), validation: all.select(split.val), test: all.select(split.test) };
  if (data.validation.length === 0 && (config.earlyStopping > 0 || config.schedule === "plateau")) {
    throw new UsageError(`--early-stopping and --schedule plateau watch the validation rows: give --split a validation fraction > 0`);
  }
  const classes = targetClasses(prep);
  const predicting = classes
    ? `classifying ${printable(prep.targets[0]!.name)} (${classes.length} classes: ${classes.slice(0, 10).map((c) => printable(c, 40)).join(", ")}${classes.length > 10 ? ", …" : ""})`
    : `predicting ${prep.targets.map((t) => printable(t.name)).join(", ")}`;
  const detail = `columns  ${prep.features.length} → ${all.featureSize} standardised features (fitted on the training rows), ${predicting}`;
  const r = await trainOne(config, data, outPath, { ...ctx, examples: "rows", dataLabel: printable(label, 200), dataDetail: detail, dataRecord: tableRecord(prep, dataPath) }, saving);
  if (r.code === 0) {
    if (classes) printMajority(data.train, data.test, classes, ctx);
    else printBaselines(data.train, data.test, ctx);
  }
  return r.code;
}

/** The most frequent class of the training rows, and its accuracy on the test rows: what a classifier must beat. */
export function majorityBaseline(train: TensorDataset, test: TensorDataset): { label: number; accuracy: number; correct: number; total: number } {
  const counts = new Map<number, number>();
  for (const y of train.labels) counts.set(y, (counts.get(y) ?? 0) + 1);
  let label = 0;
  let most = -1;
  for (const [y, c] of counts) if (c > most || (c === most && y < label)) [label, most] = [y, c]; // ties: the first class
  let correct = 0;
  for (const y of test.labels) if (y === label) correct++;
  return { label, accuracy: test.length ? correct / test.length : NaN, correct, total: test.length };
}

function printMajority(train: TensorDataset, test: TensorDataset, classes: string[], ctx: RunContext): void {
  const m = majorityBaseline(train, test);
  if (ctx.mode === "json") {
    (ctx.write ?? ((t: string) => void process.stdout.write(t)))(`${JSON.stringify({ type: "baselines", test: { majority: { class: classes[m.label], accuracy: m.accuracy, correct: m.correct, total: m.total } } })}\n`);
    return;
  }
  ctx.say(`baseline on the same test rows: the training rows' most common class (${printable(classes[m.label]!, 40)}) every time, accuracy ${(m.accuracy * 100).toFixed(2)} % (${m.correct}/${m.total})`);
}

/** What predicting the training mean, and least squares, score on the test rows of the same split. */
export function baselines(train: TensorDataset, test: TensorDataset) {
  const { mean, leastSquares } = scoreBaselines(train, test);
  return { mean, linear: leastSquares };
}

function printBaselines(train: TensorDataset, test: TensorDataset, ctx: RunContext): void {
  const { mean, linear } = baselines(train, test);
  if (ctx.mode === "json") {
    (ctx.write ?? ((t: string) => void process.stdout.write(t)))(`${JSON.stringify({ type: "baselines", test: { mean, leastSquares: linear } })}\n`);
    return;
  }
  ctx.say(`baselines on the same test rows: training mean ${formatRegression(mean)} · least squares ${formatRegression(linear)}`);
}

/** k-fold cross-validation: a model per fold (trained on the other folds), each scored on its fold. */
async function crossValidate(config: TrainConfig, table: Table, label: string, drop: string[], ctx: RunContext): Promise<number> {
  const k = config.folds!;
  const folds = kFoldIndices(table.rows.length, k, new Rng(config.seed).fork("folds"));
  const scores: { mae: number; rmse: number; r2: number }[] = [];
  const linear: { mae: number; rmse: number; r2: number }[] = [];
  const accuracies: { network: number; majority: number }[] = [];
  for (const [i, fold] of folds.entries()) {
    if (ctx.interrupt?.signal.aborted) break;
    const { all } = encode(table, config, drop, fold.train);
    const train = all.select(fold.train);
    const test = all.select(fold.test);
    ctx.say(pc.bold(`\nfold ${i + 1}/${k}: ${train.length} training rows, ${test.length} test rows`));
    // No validation rows inside a fold: the fold's own test rows are what it is scored on.
    const empty = test.slice(0, 0);
    const r = await trainOne({ ...config, earlyStopping: 0 }, { train, validation: empty, test }, null, { ...ctx, examples: "rows", dataLabel: label }, { resume: null, checkpointPath: null });
    if (r.code !== 0) return r.code;
    if (all.task === "classification") {
      accuracies.push({ network: evaluate(r.model, test).accuracy, majority: majorityBaseline(train, test).accuracy });
      continue;
    }
    scores.push(evaluate(r.model, test).regression!);
    linear.push(baselines(train, test).linear);
  }
  if (ctx.interrupt?.signal.aborted) return ctx.interrupt.exitCode();
  if (accuracies.length > 0) return crossValidatedAccuracy(k, accuracies, ctx);
  const summary = (xs: { mae: number; rmse: number; r2: number }[]) => {
    const m = (key: "mae" | "rmse" | "r2") => xs.reduce((s, x) => s + x[key], 0) / xs.length;
    const sd = (key: "mae" | "rmse" | "r2") => Math.sqrt(xs.reduce((s, x) => s + (x[key] - m(key)) ** 2, 0) / xs.length);
    return { mae: m("mae"), maeStd: sd("mae"), rmse: m("rmse"), r2: m("r2"), r2Std: sd("r2") };
  };
  const net = summary(scores);
  const lin = summary(linear);
  if (ctx.mode === "json") {
    (ctx.write ?? ((t: string) => void process.stdout.write(t)))(`${JSON.stringify({ type: "cross-validation", folds: k, network: { folds: scores, ...net }, leastSquares: { folds: linear, ...lin } })}\n`);
  } else {
    process.stdout.write(`\n${k}-fold cross-validation: network MAE ${pc.bold(net.mae.toPrecision(3))} ± ${net.maeStd.toPrecision(2)} · RMSE ${net.rmse.toPrecision(3)} · R² ${net.r2.toFixed(3)} ± ${net.r2Std.toFixed(3)}\n`);
    process.stdout.write(`  least squares on the same folds: MAE ${lin.mae.toPrecision(3)} · RMSE ${lin.rmse.toPrecision(3)} · R² ${lin.r2.toFixed(3)}\n`);
    ctx.say("(cross-validation saves no model: train without --folds to save one)");
  }
  return 0;
}

/** The k folds' accuracies of a classifier, beside the majority class's on the same folds. */
function crossValidatedAccuracy(k: number, folds: { network: number; majority: number }[], ctx: RunContext): number {
  const mean = (key: "network" | "majority") => folds.reduce((s, f) => s + f[key], 0) / folds.length;
  const sd = (key: "network" | "majority") => Math.sqrt(folds.reduce((s, f) => s + (f[key] - mean(key)) ** 2, 0) / folds.length);
  if (ctx.mode === "json") {
    (ctx.write ?? ((t: string) => void process.stdout.write(t)))(`${JSON.stringify({
      type: "cross-validation", folds: k,
      network: { folds: folds.map((f) => ({ accuracy: f.network })), accuracy: mean("network"), accuracyStd: sd("network") },
      majority: { folds: folds.map((f) => ({ accuracy: f.majority })), accuracy: mean("majority") },
    })}\n`);
    return 0;
  }
  const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
  process.stdout.write(`\n${k}-fold cross-validation: network accuracy ${pc.bold(pct(mean("network")))} ± ${pct(sd("network"))}\n`);
  process.stdout.write(`  the training folds' most common class on the same folds: accuracy ${pct(mean("majority"))}\n`);
  ctx.say("(cross-validation saves no model: train without --folds to save one)");
  return 0;
}
