import { existsSync } from "node:fs";
import { noted } from "../notes.js";
import { Command } from "commander";
import { DEFAULT_CONFIG, checkOutputWidth, mnistOutputShape, validateConfig, type TrainConfig } from "../../train/config.js";
import { PRESETS, presetConfig } from "../../train/presets.js";
import { archTokenSyntax } from "../../nn/arch.js";
import { ModelFileError, UsageError } from "../../errors.js";
import { SETTINGS, didYouMean, formatRange, rangeOf, type Setting } from "../../experiment/settings.js";
import { loadRunData } from "../run-data.js";
import { loadCheckpoint } from "../../node/checkpoint-files.js";
import type { Checkpoint } from "../../train/checkpoint.js";
import { integerIn, settingParser } from "../parse.js";
import type { OutputMode } from "../progress.js";
import { trainOne, type RunContext } from "../train-run.js";
import { canonical, trainEnsemble } from "../ensemble-run.js";
import { claimOutputs } from "../outputs.js";
import { loadTable, tableNetwork, trainTableRun } from "../table-run.js";
import { exitCodeFor, onInterrupt } from "../interrupt.js";
import { checkPlotWriter } from "../../node/plot-files.js";

/** Every setting's flag, from the settings table: [flag, key, help, parse]. */
const CONFIG_FLAGS: [flag: string, key: keyof TrainConfig, help: string, parse: (v: string) => unknown][] =
  SETTINGS.map((s) => [s.flag, s.key, helpLine(s), settingParser(s)]);

/** The table's help text plus the range and the default: "learning rate η; (0, 1e4], default 3". */
function helpLine(s: Setting): string {
  const parts = [
    s.kind === "number" || s.kind === "integer" ? formatRange(s.range) : "",
    s.default !== undefined && s.kind !== "boolean" ? `default ${Array.isArray(s.default) ? s.default.join(",") : String(s.default)}` : "",
  ].filter(Boolean);
  return parts.length ? `${s.help}; ${parts.join(", ")}` : s.help;
}

const camel = (flag: string) => flag.replace(/^--/, "").split(" ")[0]!.replace(/-(\w)/g, (_m, c: string) => c.toUpperCase());

/** --preset NAME: a preset's name, or a UsageError suggesting the nearest one. */
function presetName(value: string): string {
  if (Object.hasOwn(PRESETS, value)) return value;
  const names = Object.keys(PRESETS);
  throw new UsageError(`unknown preset "${value}"${didYouMean(value, names)} (presets: ${names.join(", ")})`);
}

/** MNIST's labels are the digits 0–9 (data/mnist.ts refuses any other). */
const MNIST_CLASSES = 10;

/** "--arch tokens: fc<N>, …" from the layer definitions and the activation table, wrapped at 100 columns. */
function archTokensHelp(): string {
  const tokens = archTokenSyntax();
  const lines: string[] = [];
  let line = "--arch tokens:";
  tokens.forEach((t, i) => {
    const piece = ` ${t}${i < tokens.length - 1 ? "," : "."}`;
    if (line.length + piece.length > 100) {
      lines.push(line);
      line = piece.trimStart();
    } else line += piece;
  });
  return [...lines, line].join("\n");
}

function presetList(): string {
  return Object.entries(PRESETS).map(([name, p]) => `  ${name.padEnd(18)} ${p.description}`).join("\n");
}

export function trainCommand(): Command {
  const cmd = new Command("train")
    .description("train a network on MNIST, or on a CSV table (--target), and save it")
    .option("--preset <name>", "start from a named experiment (see below)", presetName)
    .option("--data <dir|file.csv>", "a directory with the four MNIST IDX files (raw or .gz), or a CSV table (with --target); default: the bundled MNIST, or with --target the bundled house prices")
    .option("--out <file>", "where to save the model", "model.safetensors")
    .option("--no-save", "do not save the model")
    .option("--json", "print one JSON object per line instead of text")
    .option("--quiet", "print only the final result")
    .option("--checkpoint <file>", "after every epoch, save the whole run (weights, optimizer, random streams) to this file; the same command continues it (a file with another run's settings is refused); an ensemble keeps one per member (<file>-1 …)")
    .option("--resume <file>", "continue the run saved in this checkpoint (its settings; --epochs may extend it); keeps checkpointing there")
    .option("--log <file.csv>", "after every epoch, write the training record so far as CSV (Keras's CSVLogger columns: epoch, loss, accuracy, val_loss, val_accuracy, test_…, lr)")
    .option("--plot <file.svg|png>", "at the end (also after Ctrl-C), draw the training curves: cost and accuracy (or MAE) per epoch")
    .option("--jobs <n>", "ensembles: train n members at once, each in its own worker thread (one core each); at most --ensemble", integerIn("--jobs", rangeOf("ensemble")));
  for (const [flag, , help, parse] of CONFIG_FLAGS) cmd.option(flag, help, parse);
  cmd.addHelpText("after", `\nPresets:\n${presetList()}\n\nWithout --preset, the defaults are the book's chapter-1 network (with --target: the house-prices network).
${archTokensHelp()}\nExamples:\n  descent train --preset nielsen-ch1\n  descent train --preset house-prices --folds 5\n  descent train --data houses.csv --target price --out houses.safetensors\n  descent train --layers 784,100,10 --cost cross-entropy --l2 5 --lr 0.5 --epochs 30
  descent train --preset nielsen-ch6-dropout --checkpoint run.ckpt   (if interrupted: the same command, or descent train --resume run.ckpt)
  descent train --preset nielsen-ch6-ensemble --jobs 2 --checkpoint ens.ckpt --out ens.safetensors
      (members ens-1.safetensors …, checkpoints ens-1.ckpt …; run the same command again to continue)\n`);
  cmd.action(async (opts: Record<string, unknown>) => {
    process.exitCode = await runTrain(opts);
  });
  return cmd;
}

/** Preset (or defaults), then every flag the user gave. */
export function configFromFlags(opts: Record<string, unknown>): TrainConfig {
  // A table run (--target) without a preset starts from the house-price network, an MNIST run from the book's chapter 1.
  const base = typeof opts.preset === "string" ? presetConfig(opts.preset) : opts.target !== undefined ? presetConfig("house-prices") : { ...DEFAULT_CONFIG };
  const config: TrainConfig = { ...base };
  // --layers describes the whole network: given without --arch, it replaces a preset's --arch.
  if (opts.layers !== undefined && opts.arch === undefined) delete config.arch;
  for (const [flag, key] of CONFIG_FLAGS) {
    const v = opts[camel(flag)];
    if (v !== undefined) (config as unknown as Record<string, unknown>)[key] = v;
  }
  return validateConfig(config);
}


/**
 * `--checkpoint FILE` where FILE already holds a checkpoint: the same settings (the number of
 * epochs aside) continue it, as an ensemble's checkpoints do; anything else is refused before
 * the first epoch could overwrite it.
 */
function continuedCheckpoint(file: string, config: TrainConfig): Checkpoint {
  const checkpoint = noted(loadCheckpoint(file));
  const withoutEpochs = (c: TrainConfig) => canonical({ ...c, epochs: 1 });
  if (withoutEpochs(fileConfig(file, checkpoint.config)) !== withoutEpochs(config)) {
    throw new ModelFileError(`${file} holds the checkpoint of a run with other settings — continue that run with --resume ${file}, or choose another --checkpoint file`);
  }
  if (checkpoint.epoch > config.epochs) {
    throw new ModelFileError(`${file} holds a run already at epoch ${checkpoint.epoch}, past --epochs ${config.epochs} — continue it with --resume ${file}, or choose another --checkpoint file`);
  }
  return checkpoint;
}

/** Settings read from a file, checked against the settings table; a bad one names the file. */
function fileConfig(file: string, config: unknown): TrainConfig {
  try {
    return validateConfig(config);
  } catch (e) {
    if (e instanceof UsageError) throw new ModelFileError(`${file}: the saved settings are not valid (${e.message}) — the file is damaged or not descent's`);
    throw e;
  }
}

/** With --resume the run's settings come from the checkpoint; only these flags may change. */
const RESUME_FLAGS = new Set<keyof TrainConfig>(["epochs"]);

async function runTrain(opts: Record<string, unknown>): Promise<number> {
  let resume: Checkpoint | null = null;
  let config: TrainConfig;
  if (typeof opts.resume === "string") {
    const given = CONFIG_FLAGS.filter(([flag, key]) => !RESUME_FLAGS.has(key) && opts[camel(flag)] !== undefined).map(([flag]) => flag.split(" ")[0]);
    if (opts.preset !== undefined) given.unshift("--preset");
    if (given.length) {
      throw new UsageError(`--resume continues a run with the settings saved in its checkpoint; drop ${given.join(", ")} (only --epochs can extend it)`);
    }
    resume = noted(loadCheckpoint(opts.resume));
    config = { ...fileConfig(opts.resume, resume.config), ...(opts.epochs !== undefined ? { epochs: opts.epochs as number } : {}) };
  } else {
    config = configFromFlags(opts);
  }
  const dataPath = typeof opts.data === "string" ? opts.data : null;
  // A table run: --target names the column(s) to predict (the bundled house prices without --data).
  const tableRun = config.target !== undefined;
  if (!tableRun && dataPath !== null && /\.csv$/i.test(dataPath)) {
    throw new UsageError(`--data ${dataPath} is a table: name the column to predict with --target COLUMN (e.g. --target price)`);
  }
  if (tableRun && (config.ensemble ?? 1) > 1) throw new UsageError("--ensemble trains MNIST classifiers; a table run (--target) trains one model (use --folds k to cross-validate)");
  // The bundled MNIST has 10 classes: refuse a network that cannot output them before loading it.
  if (!tableRun && dataPath === null && (config.data ?? "mnist").startsWith("mnist")) checkOutputWidth(config, mnistOutputShape(config), MNIST_CLASSES, "digits 0–9");
  // A table run without a chosen network gets one for its task (a classifier for a target of classes), before a checkpoint's settings are compared.
  const table = tableRun ? await loadTable(dataPath) : undefined;
  if (table && resume === null) config = tableNetwork(config, table.table, table.drop, ["arch", "layers", "output", "cost"].some((k) => opts[k] !== undefined));
  const checkpointPath = typeof opts.checkpoint === "string" ? opts.checkpoint : typeof opts.resume === "string" ? opts.resume : null;
  const members = config.ensemble ?? 1;
  if (members <= 1 && typeof opts.checkpoint === "string" && resume === null && existsSync(opts.checkpoint)) {
    resume = continuedCheckpoint(opts.checkpoint, config);
  }
  const jobs = (opts.jobs as number | undefined) ?? 1;
  if (jobs > 1 && members <= 1) throw new UsageError(`--jobs ${jobs} trains an ensemble's members side by side: add --ensemble n (n ≥ 2), or use an ensemble preset`);
  if (jobs > members && members > 1) throw new UsageError(`--jobs ${jobs}: the ensemble has ${members} members, so at most --jobs ${members} can train at once`);
  const mode: OutputMode = opts.json ? "json" : process.stdout.isTTY ? "tty" : "plain";
  const quiet = Boolean(opts.quiet);
  const say = (text: string) => {
    if (!quiet && mode !== "json") process.stdout.write(`${text}\n`);
  };
  const outPath = opts.save === false ? null : String(opts.out);
  if (outPath !== null && !outPath.endsWith(".safetensors")) {
    throw new UsageError(`--out ${outPath}: model files end in .safetensors (e.g. --out model.safetensors)`);
  }
  const curves = runLogPaths(opts, members, config.folds);
  if (curves.plot) await checkPlotWriter(curves.plot);
  // Before anything long: the files this run writes are writable, distinct and not another run's.
  const release = claimOutputs({ outPath: config.folds ? null : outPath, checkpointPath, resumePath: typeof opts.resume === "string" ? opts.resume : null, members, ...curves });
  const interrupt = onInterrupt();
  try {
    if (tableRun) {
      const ctx: RunContext = {
        mode, quiet, say, preset: typeof opts.preset === "string" ? opts.preset : null, dataLabel: "", curves,
        interrupt: { signal: interrupt.signal, exitCode: () => exitCodeFor(interrupt.received() ?? "SIGINT") },
      };
      return await trainTableRun(config, dataPath, config.folds ? null : outPath, ctx, { resume, resumeFrom: String(opts.resume ?? opts.checkpoint), checkpointPath }, table);
    }
    const run = await loadRunData(config, dataPath);
    const data = run.data;
    if (members > 1 && !run.mnist) throw new UsageError(`--ensemble votes on MNIST digits; --dataset ${config.data ?? "mnist"} trains one model`);
    const ctx: RunContext = {
      mode, quiet, say, preset: typeof opts.preset === "string" ? opts.preset : null,
      dataLabel: run.label, examples: run.examples, curves,
      ...(run.detail ? { dataDetail: run.detail } : {}), ...(run.record ? { dataRecord: run.record } : {}),
      interrupt: { signal: interrupt.signal, exitCode: () => exitCodeFor(interrupt.received() ?? "SIGINT") },
    };
    if (members <= 1) return (await trainOne(config, data, outPath, ctx, { resume, resumeFrom: String(opts.resume ?? opts.checkpoint), checkpointPath })).code;
    return await trainEnsemble(config, run.mnist!, outPath, ctx, { checkpointBase: checkpointPath, jobs, dataDir: typeof opts.data === "string" ? opts.data : null });
  } finally {
    interrupt.dispose();
    release();
  }
}

/** --log and --plot: one run's record, so not with an ensemble or cross-validation; a plot is .svg or .png. */
function runLogPaths(opts: Record<string, unknown>, members: number, folds: number | undefined): { log: string | null; plot: string | null } {
  const log = typeof opts.log === "string" ? opts.log : null;
  const plot = typeof opts.plot === "string" ? opts.plot : null;
  const flag = log !== null ? "--log" : "--plot";
  if ((log !== null || plot !== null) && members > 1) throw new UsageError(`${flag} records one run; an ensemble trains ${members} (train one member, e.g. --ensemble 1)`);
  if ((log !== null || plot !== null) && folds) throw new UsageError(`${flag} records one run; --folds ${folds} trains ${folds} (drop --folds to record a single run)`);
  if (plot !== null && !/\.(svg|png)$/i.test(plot)) throw new UsageError(`--plot ${plot}: the curves are drawn as .svg or .png (e.g. --plot curves.svg)`);
  return { log, plot };
}
