import { existsSync } from "node:fs";
import { Command, Option } from "commander";
import { DEFAULT_CONFIG, COSTS, OPTIMIZERS, SCHEDULES, validateConfig, type TrainConfig } from "../../train/config.js";
import { PRESETS, presetConfig } from "../../train/presets.js";
import { ACTIVATIONS, OUTPUTS } from "../../nn/mlp.js";
import { INIT_NAMES } from "../../nn/init.js";
import { ModelFileError, UsageError } from "../../errors.js";
import type { AugmentOptions } from "../../data/augment.js";
import { loadMnist } from "../../node/mnist.js";
import { loadCheckpoint } from "../../node/checkpoint-files.js";
import type { Checkpoint } from "../../train/checkpoint.js";
import { choice, integer, intList, number } from "../parse.js";
import type { OutputMode } from "../progress.js";
import { trainOne, type RunContext } from "../train-run.js";
import { canonical, trainEnsemble } from "../ensemble-run.js";
import { claimOutputs } from "../outputs.js";
import { exitCodeFor, onInterrupt } from "../interrupt.js";

/** Flags that map one-to-one onto TrainConfig fields. */
const CONFIG_FLAGS: [flag: string, key: keyof TrainConfig, help: string, parse: (v: string) => unknown][] = [
  ["--arch <layers>", "arch", "a whole network in one line, e.g. conv20x5,relu,maxpool2,fc100,relu,fc10 (see below)", (v) => v],
  ["--layers <sizes>", "layers", "layer sizes, input first (e.g. 784,30,10)", intList("--layers")],
  ["--activation <name>", "activation", `hidden activation: ${ACTIVATIONS.join(", ")}`, choice("--activation", ACTIVATIONS)],
  ["--output <name>", "output", `output layer: ${OUTPUTS.join(", ")}`, choice("--output", OUTPUTS)],
  ["--cost <name>", "cost", `cost: ${COSTS.join(", ")}`, choice("--cost", COSTS)],
  ["--init <name>", "init", `weight init: ${INIT_NAMES.join(", ")}`, choice("--init", INIT_NAMES)],
  ["--bias-init <name>", "biasInit", "bias init (default: N(0,1) for the book's inits, zeros for Xavier/He)", choice("--bias-init", INIT_NAMES)],
  ["--optimizer <name>", "optimizer", `${OPTIMIZERS.join(", ")} (gd = full-batch gradient descent)`, choice("--optimizer", OPTIMIZERS)],
  ["--lr <eta>", "lr", "learning rate η", number("--lr")],
  ["--momentum <mu>", "momentum", "momentum coefficient for momentum/nesterov", number("--momentum")],
  ["--batch-size <n>", "batchSize", "mini-batch size", integer("--batch-size", 1)],
  ["--epochs <n>", "epochs", "passes over the training data", integer("--epochs", 1)],
  ["--l1 <lambda>", "l1", "L1 regularisation λ (cost + λ/n·Σ|w|, the book's scaling)", number("--l1")],
  ["--l2 <lambda>", "l2", "L2 regularisation λ (cost + λ/2n·Σw², the book's scaling)", number("--l2")],
  ["--weight-decay <wd>", "weightDecay", "optimizer weight decay on weights (decoupled for adamw)", number("--weight-decay")],
  ["--dropout <p>", "dropout", "dropout probability after each hidden layer", number("--dropout")],
  ["--clip-norm <max>", "clipNorm", "clip gradients to this global L2 norm", number("--clip-norm")],
  ["--clip-value <max>", "clipValue", "clip each gradient element to ±max", number("--clip-value")],
  ["--schedule <name>", "schedule", `learning-rate schedule: ${SCHEDULES.join(", ")} (plateau = the book's halving)`, choice("--schedule", SCHEDULES)],
  ["--lr-step <n>", "lrStep", "step: epochs between decays; cosine: period", integer("--lr-step", 1)],
  ["--lr-gamma <g>", "lrGamma", "step/exponential decay factor", number("--lr-gamma")],
  ["--plateau-patience <n>", "plateauPatience", "plateau: epochs without improvement before halving η", integer("--plateau-patience", 1)],
  ["--early-stopping <n>", "earlyStopping", "stop after n epochs without a better validation accuracy (restores the best)", integer("--early-stopping", 1)],
  ["--validation <n>", "validation", "training images held out for validation (the book: 10000)", integer("--validation", 0)],
  ["--train-size <n>", "trainSize", "use only the first n training images (0 = all)", integer("--train-size", 0)],
  ["--seed <n>", "seed", "random seed (same seed ⇒ identical weights)", integer("--seed", 0)],
  ["--expand", "expand", "the book's expanded data: add 1-pixel shifts of every training image (5×)", () => true],
  ["--ensemble <n>", "ensemble", "train n models (seeds seed…seed+n−1), save each, and report their vote", integer("--ensemble", 1)],
  ["--augment <spec>", "augment", "random augmentation per batch, e.g. rotate=10,translate=2,scale=0.1,elastic=34:4", augmentSpec],
];

/** "rotate=10,translate=2,scale=0.1,elastic=34:4" → AugmentOptions. */
function augmentSpec(v: string): AugmentOptions {
  const out: AugmentOptions = {};
  for (const part of v.split(",").map((p) => p.trim()).filter(Boolean)) {
    const [key, val = ""] = part.split("=");
    const num = (x: string) => {
      const n = Number(x);
      if (x.trim() === "" || !Number.isFinite(n) || n < 0) throw new UsageError(`--augment ${part}: expected a non-negative number`);
      return n;
    };
    if (key === "rotate") out.rotate = num(val);
    else if (key === "translate") out.translate = num(val);
    else if (key === "scale") out.scale = num(val);
    else if (key === "elastic") {
      const [alpha = "", sigma = ""] = val.split(":");
      out.elastic = { alpha: num(alpha), sigma: num(sigma) };
    } else throw new UsageError(`--augment: unknown "${key}" (use rotate=, translate=, scale=, elastic=alpha:sigma)`);
  }
  return out;
}

const camel = (flag: string) => flag.replace(/^--/, "").split(" ")[0]!.replace(/-(\w)/g, (_m, c: string) => c.toUpperCase());

function presetList(): string {
  return Object.entries(PRESETS).map(([name, p]) => `  ${name.padEnd(18)} ${p.description}`).join("\n");
}

export function trainCommand(): Command {
  const cmd = new Command("train")
    .description("train a network on MNIST and save it")
    .addOption(new Option("--preset <name>", "start from a named experiment (see below)").choices(Object.keys(PRESETS)))
    .option("--data <dir>", "directory with the four MNIST IDX files (raw or .gz); default: the bundled copy")
    .option("--out <file>", "where to save the model", "model.safetensors")
    .option("--no-save", "do not save the model")
    .option("--json", "print one JSON object per line instead of text")
    .option("--quiet", "print only the final result")
    .option("--checkpoint <file>", "after every epoch, save the whole run (weights, optimizer, random streams) to this file; the same command continues it (a file with another run's settings is refused); an ensemble keeps one per member (<file>-1 …)")
    .option("--resume <file>", "continue the run saved in this checkpoint (its settings; --epochs may extend it); keeps checkpointing there")
    .option("--jobs <n>", "ensembles: train n members at once, each in its own worker thread (one core each)", integer("--jobs", 1));
  for (const [flag, , help, parse] of CONFIG_FLAGS) cmd.option(flag, help, parse);
  cmd.addHelpText("after", `\nPresets:\n${presetList()}\n\nWithout --preset, the defaults are the book's chapter-1 network.
--arch tokens: conv<F>x<K>[p<pad>][s<stride>][g<groups>], maxpool<K>, avgpool<K>, fc<N>, relu, sigmoid,
tanh, leakyrelu, softmax, bn, dropout<P>, res(<tokens separated by ;>).\nExamples:\n  descent train --preset nielsen-ch1\n  descent train --layers 784,100,10 --cost cross-entropy --l2 5 --lr 0.5 --epochs 30
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
  const base = typeof opts.preset === "string" ? presetConfig(opts.preset) : { ...DEFAULT_CONFIG };
  const config: TrainConfig = { ...base };
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
  const checkpoint = loadCheckpoint(file);
  const withoutEpochs = (c: TrainConfig) => canonical({ ...c, epochs: 1 });
  if (withoutEpochs(checkpoint.config) !== withoutEpochs(config)) {
    throw new ModelFileError(`${file} holds the checkpoint of a run with other settings — continue that run with --resume ${file}, or choose another --checkpoint file`);
  }
  if (checkpoint.epoch > config.epochs) {
    throw new ModelFileError(`${file} holds a run already at epoch ${checkpoint.epoch}, past --epochs ${config.epochs} — continue it with --resume ${file}, or choose another --checkpoint file`);
  }
  return checkpoint;
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
    resume = loadCheckpoint(opts.resume);
    config = validateConfig({ ...resume.config, ...(opts.epochs !== undefined ? { epochs: opts.epochs as number } : {}) });
  } else {
    config = configFromFlags(opts);
  }
  const checkpointPath = typeof opts.checkpoint === "string" ? opts.checkpoint : typeof opts.resume === "string" ? opts.resume : null;
  const members = config.ensemble ?? 1;
  if (members <= 1 && typeof opts.checkpoint === "string" && resume === null && existsSync(opts.checkpoint)) {
    resume = continuedCheckpoint(opts.checkpoint, config);
  }
  const jobs = (opts.jobs as number | undefined) ?? 1;
  if (jobs > 1 && members <= 1) throw new UsageError(`--jobs ${jobs} trains an ensemble's members side by side: add --ensemble n (n ≥ 2), or use an ensemble preset`);
  const mode: OutputMode = opts.json ? "json" : process.stdout.isTTY ? "tty" : "plain";
  const quiet = Boolean(opts.quiet);
  const say = (text: string) => {
    if (!quiet && mode !== "json") process.stdout.write(`${text}\n`);
  };
  const outPath = opts.save === false ? null : String(opts.out);
  if (outPath !== null && !outPath.endsWith(".safetensors")) {
    throw new UsageError(`--out ${outPath}: model files end in .safetensors (e.g. --out model.safetensors)`);
  }
  // Before anything long: the files this run writes are writable, distinct and not another run's.
  const release = claimOutputs({ outPath, checkpointPath, resumePath: typeof opts.resume === "string" ? opts.resume : null, members });
  const interrupt = onInterrupt();
  try {
    const data = await loadMnist({ ...(typeof opts.data === "string" ? { dir: opts.data } : {}), validation: config.validation });
    const ctx: RunContext = {
      mode, quiet, say, preset: typeof opts.preset === "string" ? opts.preset : null,
      dataLabel: typeof opts.data === "string" ? opts.data : "the bundled MNIST",
      interrupt: { signal: interrupt.signal, exitCode: () => exitCodeFor(interrupt.received() ?? "SIGINT") },
    };
    if (members <= 1) return (await trainOne(config, data, outPath, ctx, { resume, resumeFrom: String(opts.resume ?? opts.checkpoint), checkpointPath })).code;
    return await trainEnsemble(config, data, outPath, ctx, { checkpointBase: checkpointPath, jobs, dataDir: typeof opts.data === "string" ? opts.data : null });
  } finally {
    interrupt.dispose();
    release();
  }
}
