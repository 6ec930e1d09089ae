/**
 * `descent train --data houses.csv --target price` (or `--target cmedv` on the bundled house
 * prices): a table run. The table is split with the seed (or cut into k folds), its columns encoded
 * and standardised on the training rows only (data/table-prep.ts), a network trained on it, and two
 * baselines computed on the same split — the training mean, and least squares — so the network's
 * numbers have something to stand beside. The model file keeps the table's encoding and scaling, so
 * `eval` and `predict` turn new rows into exactly the same numbers.
 */
import pc from "picocolors";
import type { TrainConfig } from "../train/config.js";
import { TensorDataset } from "../data/dataset.js";
import type { Table } from "../data/csv.js";
import type { TablePrep } from "../data/table-prep.js";
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
    throw e;
  }
}

/** The record a table model keeps in its file (see cli/commands/eval.ts and predict.ts). */
export const tableRecord = (prep: TablePrep, dataFile: string | null) => ({ task: "regression", table: prep, dataFile });

/** Trains on one seeded split, prints the two baselines on the same split; returns the exit code. */
export async function trainTableRun(
  config: TrainConfig, dataPath: string | null, outPath: string | null, ctx: RunContext,
  saving: Parameters<typeof trainOne>[4],
): Promise<number> {
  const { table, label, drop } = await loadTable(dataPath);
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
  const detail = `columns  ${prep.features.length} → ${all.featureSize} standardised features (fitted on the training rows), predicting ${prep.targets.map((t) => printable(t.name)).join(", ")}`;
  const r = await trainOne(config, data, outPath, { ...ctx, examples: "rows", dataLabel: printable(label, 200), dataDetail: detail, dataRecord: tableRecord(prep, dataPath) }, saving);
  if (r.code === 0) printBaselines(data.train, data.test, ctx);
  return r.code;
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
    scores.push(evaluate(r.model, test).regression!);
    linear.push(baselines(train, test).linear);
  }
  if (ctx.interrupt?.signal.aborted) return ctx.interrupt.exitCode();
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
