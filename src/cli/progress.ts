/**
 * Training output. On a terminal: one live line (batches, cost, steps/s, ETA) redrawn a few
 * times a second, then a line per epoch. Elsewhere (pipes, CI): a plain line per epoch.
 * With --json: one JSON object per line, nothing else on stdout.
 */
import pc from "picocolors";
import type { Callback, EpochLog, TrainContext } from "../train/callbacks.js";

export type OutputMode = "tty" | "plain" | "json";

const pct = (x: number | undefined) => (x === undefined ? "" : `${(x * 100).toFixed(2)}%`);

export function formatEpoch(log: EpochLog, epochs: number): string {
  const width = String(epochs).length;
  const parts = [
    `epoch ${String(log.epoch).padStart(width)}/${epochs}`,
    `cost ${log.trainLoss.toFixed(4)}`,
  ];
  if (log.trainAccuracy !== undefined) parts.push(`train ${pct(log.trainAccuracy)}`);
  if (log.valAccuracy !== undefined) parts.push(`validation ${pct(log.valAccuracy)}`);
  if (log.testAccuracy !== undefined) parts.push(`test ${pct(log.testAccuracy)}`);
  if (log.valMetrics) parts.push(`validation ${formatRegression(log.valMetrics)}`);
  if (log.testMetrics) parts.push(`test ${formatRegression(log.testMetrics)}`);
  if (log.gradNorm) parts.push(`‖∇‖ mean ${log.gradNorm.mean.toPrecision(3)} max ${log.gradNorm.max.toPrecision(3)} (${pct(log.gradNorm.clipped)} clipped)`);
  // Training and evaluation timed apart: "12.3 s training + 1.1 s evaluation".
  const secs = (x: number) => (x < 0.1 ? `${(x * 1000).toFixed(1)} ms` : `${x.toFixed(1)} s`);
  parts.push(`${secs(log.seconds)} training${log.evalSeconds === undefined ? "" : ` + ${secs(log.evalSeconds)} evaluation`}`);
  return parts.join("  ");
}

/** "MAE 2.41 RMSE 3.50 R² 0.871" — a regression set's scores in the targets' units. */
export function formatRegression(m: { mae: number; rmse: number; r2: number }): string {
  return `MAE ${m.mae.toPrecision(3)} RMSE ${m.rmse.toPrecision(3)} R² ${m.r2.toFixed(3)}`;
}

function formatDuration(s: number): string {
  if (!Number.isFinite(s)) return "?";
  if (s < 60) return `${Math.ceil(s)} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${Math.round(s - m * 60)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

export interface ProgressWriter {
  write(text: string): void;
  columns?: number;
}

/** A callback that reports training as it goes. */
export function progressCallback(mode: OutputMode, out: ProgressWriter): Callback {
  let epochStart = 0;
  let lastDraw = 0;
  let lineShown = false;
  let costSum = 0; // running mean of the epoch's batch costs: single batches are too noisy to read

  const clearLine = () => {
    if (lineShown) out.write("\r\x1b[2K");
    lineShown = false;
  };
  return {
    onEpochStart() {
      epochStart = performance.now();
      lastDraw = 0;
      costSum = 0;
    },
    onBatchEnd(ctx: TrainContext) {
      if (mode !== "tty") return;
      costSum += ctx.loss;
      const t = performance.now();
      if (t - lastDraw < 100 && ctx.batch !== ctx.batches) return;
      lastDraw = t;
      const elapsed = (t - epochStart) / 1000;
      const rate = ctx.batch / Math.max(elapsed, 1e-9);
      const remaining = (ctx.batches - ctx.batch) / rate + (ctx.epochs - ctx.epoch) * (ctx.batches / rate);
      const barWidth = 20;
      const filled = Math.round((barWidth * ctx.batch) / ctx.batches);
      const bar = "█".repeat(filled) + "░".repeat(barWidth - filled);
      let line = `epoch ${ctx.epoch}/${ctx.epochs} ${bar} ${ctx.batch}/${ctx.batches}  cost ${(costSum / ctx.batch).toFixed(4)}  ${Math.round(rate)} steps/s  ETA ${formatDuration(remaining)}`;
      const cols = out.columns ?? 0;
      if (cols > 10 && line.length >= cols) line = line.slice(0, cols - 1);
      out.write(`\r\x1b[2K${line}`);
      lineShown = true;
    },
    onEvaluate(what: "validation" | "test", ctx: TrainContext) {
      if (mode !== "tty") return;
      out.write(`\r\x1b[2Kepoch ${ctx.epoch}/${ctx.epochs}  evaluating on the ${what} set…`);
      lineShown = true;
    },
    onEpochEnd(log: EpochLog, ctx: TrainContext) {
      if (mode === "json") {
        out.write(`${JSON.stringify({ type: "epoch", ...log })}\n`);
        return;
      }
      clearLine();
      const text = formatEpoch(log, ctx.epochs);
      out.write(`${mode === "tty" ? text.replace(/test (\S+%)/, (_m, a: string) => `test ${pc.bold(a)}`) : text}\n`);
    },
    onTrainEnd() {
      clearLine();
    },
  };
}
