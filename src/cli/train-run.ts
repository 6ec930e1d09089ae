/**
 * One training run as the CLI does it: build the experiment, fit with progress output and
 * optional checkpoints, save the model, and print (or emit as JSON) the result — also the
 * book's way of reporting a run, the test accuracy at the epoch of best validation accuracy.
 * Used by `descent train` and by each ensemble member (in its own worker with --jobs).
 */
import pc from "picocolors";
import { buildExperiment, type TrainConfig } from "../train/config.js";
import type { TensorDataset } from "../data/dataset.js";
import type { Module } from "../nn/module.js";
import { saveModel } from "../node/model-files.js";
import { saveCheckpoint } from "../node/checkpoint-files.js";
import { encodeCheckpoint, type Checkpoint } from "../train/checkpoint.js";
import type { FitResult, FitState } from "../train/trainer.js";
import type { EpochLog } from "../train/callbacks.js";
import { VERSION } from "../version.js";
import { bitsPerChar } from "../data/text.js";
import { backendInfo, getThreads } from "../kernels/index.js";
import { formatRegression, progressCallback, type OutputMode } from "./progress.js";
import { csvLogCallback, writeCurves, type RunLogPaths } from "./run-log.js";

export interface RunContext {
  mode: OutputMode;
  quiet: boolean;
  say: (text: string) => void;
  preset: string | null;
  dataLabel: string;
  /**
   * Where the run's output goes (default: stdout). An ensemble worker posts it to the parent
   * instead: a worker's stdout only flushes when its event loop runs, which a training loop
   * does not let happen until the end.
   */
  write?: (text: string) => void;
  /** "images" (MNIST) or "rows" (a table), for the data line. */
  examples?: string;
  /** A line about the data shown after the data line (a table's columns). */
  dataDetail?: string;
  /** Facts about the data the model file must keep (a table's columns, encodings and scaling). */
  dataRecord?: Record<string, unknown>;
  /** Ctrl-C/SIGTERM: stops training after the current mini-batch (see cli/interrupt.ts). */
  interrupt?: { signal: AbortSignal; exitCode(): number };
  /** --log run.csv (rewritten after every epoch) and --plot curves.svg|png (drawn at the end). */
  curves?: RunLogPaths;
}

export async function trainOne(
  config: TrainConfig, data: { train: TensorDataset; validation: TensorDataset; test: TensorDataset }, outPath: string | null, ctx: RunContext,
  saving: { resume: Checkpoint | null; resumeFrom?: string; checkpointPath: string | null } = { resume: null, checkpointPath: null },
): Promise<{ code: number; model: Module; test: TensorDataset }> {
  const { mode, quiet, say, preset } = ctx;
  const write = ctx.write ?? ((text: string) => void process.stdout.write(text));
  const ex = buildExperiment(config, data);
  const resumeState = saving.resume ? saving.resume.restore(ex) : undefined;
  say(pc.bold(`descent ${VERSION} · ${preset ? `preset ${preset}` : "custom network"} · backend ${backendInfo().backend}${getThreads() > 1 ? ` · ${getThreads()} threads` : ""}`));
  say(`network  ${config.arch ?? `[${config.layers.join(", ")}] ${config.activation} → ${config.output}`} · ${ex.model.numParameters().toLocaleString("en-US")} parameters · init ${config.init}`);
  say(`training ${config.cost} cost · ${config.optimizer} η=${config.lr} · batch ${config.optimizer === "gd" ? "full" : config.batchSize} · ${config.epochs} epoch${config.epochs === 1 ? "" : "s"}` +
    (config.l2 ? ` · L2 λ=${config.l2}` : "") + (config.l1 ? ` · L1 λ=${config.l1}` : "") + (config.dropout ? ` · dropout ${config.dropout}` : "") +
    (config.expand ? " · expanded data" : "") + (config.augment ? " · augmented" : "") + ` · seed ${config.seed}`);
  say(`data     ${ex.loader.dataset.length.toLocaleString("en-US")} training, ${data.validation.length.toLocaleString("en-US")} validation, ${data.test.length.toLocaleString("en-US")} test ${ctx.examples ?? "images"} from ${ctx.dataLabel}`);
  if (ctx.dataDetail) say(ctx.dataDetail);

  if (resumeState) say(`resuming after epoch ${resumeState.epoch} of ${config.epochs} from ${saving.resumeFrom}`);
  if (saving.checkpointPath) say(`checkpoint after every epoch: ${saving.checkpointPath}`);
  const checkpointPath = saving.checkpointPath;

  const callbacks = quiet ? [] : [progressCallback(mode, { write, columns: ctx.write ? 0 : process.stdout.columns ?? 0 })];
  if (ctx.curves?.log) callbacks.push(csvLogCallback(ctx.curves.log, ex.loader.dataset.task));
  const result = await ex.trainer.fitAsync(ex.loader, {
    ...ex.fitOptions, callbacks,
    ...(resumeState ? { resume: resumeState } : {}),
    ...(checkpointPath ? { onEpochComplete: (state: FitState) => saveCheckpoint(checkpointPath, encodeCheckpoint(config, ex, state)) } : {}),
    ...(ctx.interrupt ? { signal: ctx.interrupt.signal } : {}),
    yieldToEventLoop: () => new Promise<void>((resolve) => setImmediate(resolve)),
  });
  if (ctx.curves?.plot) await writeCurves(ctx.curves.plot, result.history, `${preset ?? "custom network"} · seed ${config.seed}`);
  if (result.stopped?.kind === "interrupted") return { ...(await interrupted(config, ex.model, result, outPath, ctx, { preset, checkpointPath })), model: ex.model, test: ex.data.test! };
  const final = ex.trainer.evaluate(ex.data.test!);
  // A label per step (a language model): accuracy is per character; the score is bits per character.
  const perStep = ex.data.test!.targetWidth > 1;
  const regression = final.regression;
  const last = result.history[result.history.length - 1];
  const secondsPerEpoch = result.history.length ? result.history.reduce((s, h) => s + h.seconds, 0) / result.history.length : 0;

  if (result.stopped) {
    const line = `stopped: ${result.stopped.message}`;
    if (mode === "json") write(`${JSON.stringify({ type: "stopped", ...result.stopped })}\n`);
    else process.stderr.write(`${result.stopped.kind === "non-finite-loss" ? pc.red(line) : pc.yellow(line)}\n`);
  }
  const trained = result.history.length > 0 && result.finalEpoch > 0;
  let saved: string | null = null;
  if (outPath && trained) {
    await saveModel(outPath, ex.model, {
      training: {
        descentVersion: VERSION, backend: backendInfo().backend, threads: getThreads(), preset, config, date: new Date().toISOString(),
        epochsTrained: result.finalEpoch,
        ...(regression
          ? { task: "regression", testMetrics: regression, validationMetrics: last?.valMetrics ?? null }
          : { testAccuracy: final.accuracy, validationAccuracy: last?.valAccuracy ?? null }),
        // A language model's score, as the run printed it (the explorer's text view shows it).
        ...(perStep ? { testBitsPerChar: bitsPerChar(final.loss), validationBitsPerChar: last?.valLoss !== undefined ? bitsPerChar(last.valLoss) : null } : {}),
        secondsPerEpoch,
        ...(ctx.dataRecord ?? {}),
        ...(result.stopped ? { stopped: result.stopped.message } : {}),
      },
    });
    saved = outPath;
  }
  // How Nielsen's network3.py reports a run: the test accuracy at the epoch of best validation accuracy (ties: the later).
  let bestVal: EpochLog | undefined;
  for (const h of result.history) if (h.valAccuracy !== undefined && h.testAccuracy !== undefined && h.valAccuracy >= (bestVal?.valAccuracy ?? -1)) bestVal = h;
  if (regression) {
    if (mode === "json") write(`${JSON.stringify({ type: "result", test: regression, epochs: result.finalEpoch, secondsPerEpoch, model: saved })}\n`);
    else {
      write(`test ${pc.bold(formatRegression(regression))} (${regression.total} rows) after ${result.finalEpoch} epoch${result.finalEpoch === 1 ? "" : "s"} · ${secondsPerEpoch.toFixed(3)} s/epoch\n`);
      if (saved) say(`saved ${saved}  (try: npx descent eval ${saved})`);
      else if (outPath && !trained) process.stderr.write("no epoch completed: nothing saved\n");
    }
  } else if (mode === "json") {
    write(`${JSON.stringify({
      type: "result", testAccuracy: final.accuracy, testCorrect: final.correct, testTotal: final.total, epochs: result.finalEpoch, secondsPerEpoch, model: saved,
      ...(perStep ? { testBitsPerChar: bitsPerChar(final.loss), validationBitsPerChar: last?.valLoss !== undefined ? bitsPerChar(last.valLoss) : null } : {}),
      ...(bestVal ? { bestValidation: { epoch: bestVal.epoch, valAccuracy: bestVal.valAccuracy, testAccuracy: bestVal.testAccuracy } } : {}),
    })}\n`);
  } else {
    const acc = `${(final.accuracy * 100).toFixed(2)} %`;
    write(`test accuracy ${pc.bold(acc)} (${final.correct}/${final.total}) after ${result.finalEpoch} epoch${result.finalEpoch === 1 ? "" : "s"} · ${secondsPerEpoch.toFixed(2)} s/epoch\n`);
    if (perStep) {
      // A language model's score: its mean cost per character in bits (nats / ln 2); uniform guessing costs log₂ of the vocabulary.
      const val = last?.valLoss !== undefined ? `validation ${bitsPerChar(last.valLoss).toFixed(3)}, ` : "";
      write(`bits per character: ${val}test ${pc.bold(bitsPerChar(final.loss).toFixed(3))} (uniform: ${Math.log2(ex.data.test!.classes ?? 2).toFixed(2)})\n`);
    }
    if (bestVal && result.history.length > 1) {
      say(`best validation accuracy ${(bestVal.valAccuracy! * 100).toFixed(2)} % at epoch ${bestVal.epoch}, test accuracy there ${(bestVal.testAccuracy! * 100).toFixed(2)} % (how the books report a run)`);
    }
    if (saved) say(`saved ${saved}  (try: npx descent eval ${saved})`);
    else if (outPath && !trained) process.stderr.write("no epoch completed: nothing saved\n");
  }
  return { code: result.stopped?.kind === "non-finite-loss" ? 1 : 0, model: ex.model, test: ex.data.test! };
}

/**
 * A run stopped by Ctrl-C or SIGTERM. fit has put back the weights of the last complete epoch.
 * With a checkpoint, that epoch is already in it (written when the epoch ended): nothing else is
 * written, so a finished-looking model file never stands beside an unfinished run. Without one,
 * the model of that epoch goes to --out, marked as interrupted. Either way, say what was saved and
 * how to go on.
 */
async function interrupted(
  config: TrainConfig, model: Module, result: FitResult, outPath: string | null, ctx: RunContext,
  opts: { preset: string | null; checkpointPath: string | null },
): Promise<{ code: number }> {
  const write = ctx.write ?? ((text: string) => void process.stdout.write(text));
  const code = ctx.interrupt?.exitCode() ?? 130;
  const epoch = result.finalEpoch;
  const of = `epoch ${epoch} of ${config.epochs}`;
  let saved: string | null = null;
  let message: string;
  if (opts.checkpointPath) {
    const held = result.stopped?.kind === "interrupted" ? result.stopped.restoredEpoch : epoch;
    message = held > 0
      ? `the checkpoint ${opts.checkpointPath} holds epoch ${held} of ${config.epochs} — continue with: descent train --resume ${opts.checkpointPath}`
      : "no epoch completed: nothing saved";
  } else if (outPath && epoch > 0) {
    const last = result.history.find((h) => h.epoch === epoch);
    await saveModel(outPath, model, {
      training: {
        descentVersion: VERSION, backend: backendInfo().backend, threads: getThreads(), preset: opts.preset, config, date: new Date().toISOString(),
        epochsTrained: epoch, testAccuracy: last?.testAccuracy ?? null, validationAccuracy: last?.valAccuracy ?? null,
        ...(ctx.dataRecord ?? {}),
        interrupted: `stopped by a signal after ${of}`,
      },
    });
    saved = outPath;
    message = `saved the model of ${of} to ${outPath} — the run cannot be continued from it (no optimizer state); to be able to continue an interrupted run, train with --checkpoint FILE`;
  } else {
    message = epoch > 0 ? `${of} complete, not saved (--no-save)` : "no epoch completed: nothing saved";
  }
  if (ctx.mode === "json") write(`${JSON.stringify({ type: "stopped", kind: "interrupted", epoch, message, model: saved, checkpoint: opts.checkpointPath })}\n`);
  else process.stderr.write(`${pc.yellow(`interrupted: ${message}`)}\n`);
  return { code };
}
