/**
 * A run's per-epoch record as Keras's CSVLogger writes it (one row per epoch, its column names:
 * epoch, loss, accuracy, val_loss, val_accuracy, …, plus test_* and lr), and its training curves
 * as a figure: the cost above, the task's score below (accuracy in %, or a regression's MAE).
 * Core code: text in, text out; the CLI writes the files (src/cli/run-log.ts).
 */
import type { EpochLog } from "../train/callbacks.js";
import { figureSvg, type Panel, type Series } from "../plot/svg.js";

type Column = [name: string, value: (log: EpochLog) => number | undefined];

const CLASSIFICATION: Column[] = [
  ["epoch", (l) => l.epoch],
  ["loss", (l) => l.trainLoss],
  ["accuracy", (l) => l.trainAccuracy],
  ["val_loss", (l) => l.valLoss],
  ["val_accuracy", (l) => l.valAccuracy],
  ["test_loss", (l) => l.testLoss],
  ["test_accuracy", (l) => l.testAccuracy],
  ["lr", (l) => l.lr],
  ["seconds", (l) => l.seconds],
];

const metric = (which: "valMetrics" | "testMetrics", k: "mse" | "rmse" | "mae" | "r2") => (l: EpochLog) => l[which]?.[k];

const REGRESSION: Column[] = [
  ["epoch", (l) => l.epoch],
  ["loss", (l) => l.trainLoss],
  ["val_loss", (l) => l.valLoss],
  ["val_rmse", metric("valMetrics", "rmse")],
  ["val_mae", metric("valMetrics", "mae")],
  ["val_r2", metric("valMetrics", "r2")],
  ["test_loss", (l) => l.testLoss],
  ["test_rmse", metric("testMetrics", "rmse")],
  ["test_mae", metric("testMetrics", "mae")],
  ["test_r2", metric("testMetrics", "r2")],
  ["lr", (l) => l.lr],
  ["seconds", (l) => l.seconds],
];

const isRegression = (history: readonly EpochLog[]) => history.some((l) => l.valMetrics !== undefined || l.testMetrics !== undefined);

/** A number as CSV text: shortest round-trip form; empty when the epoch has no such value. */
const cell = (v: number | undefined) => (v === undefined ? "" : String(v));

/** The whole log as CSV text (header + one row per epoch), columns chosen by the task. */
export function runCsv(history: readonly EpochLog[], task: "classification" | "regression" = isRegression(history) ? "regression" : "classification"): string {
  const cols = task === "regression" ? REGRESSION : CLASSIFICATION;
  const lines = [cols.map(([name]) => name).join(",")];
  for (const log of history) lines.push(cols.map(([, f]) => cell(f(log))).join(","));
  return `${lines.join("\n")}\n`;
}

/** The training curves: cost (train, validation, test) and the task's score per epoch. */
export function curvesSvg(history: readonly EpochLog[], opts: { title?: string } = {}): string {
  const x = history.map((l) => l.epoch);
  const series = (name: string, f: (l: EpochLog) => number | undefined, scale = 1): Series[] =>
    history.some((l) => f(l) !== undefined) ? [{ name, x, y: history.map((l) => (f(l) ?? NaN) * scale) }] : [];
  const cost: Panel = {
    title: "cost", xLabel: "epoch", yLabel: "cost",
    series: [...series("training", (l) => l.trainLoss), ...series("validation", (l) => l.valLoss), ...series("test", (l) => l.testLoss)],
  };
  const score: Panel = isRegression(history)
    ? {
      title: "mean absolute error", xLabel: "epoch", yLabel: "MAE",
      series: [...series("validation", metric("valMetrics", "mae")), ...series("test", metric("testMetrics", "mae"))],
    }
    : {
      title: "accuracy", xLabel: "epoch", yLabel: "accuracy (%)",
      series: [
        ...series("training", (l) => l.trainAccuracy, 100), ...series("validation", (l) => l.valAccuracy, 100), ...series("test", (l) => l.testAccuracy, 100),
      ],
    };
  return figureSvg([cost, score], { ...(opts.title ? { title: opts.title } : {}) });
}
