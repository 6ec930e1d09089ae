/**
 * `descent export model.safetensors --format pytorch [--out DIR]` (or a checkpoint written by
 * `descent train --checkpoint`): the PyTorch project directory of io/pytorch/export.ts, written
 * file by file atomically. From a checkpoint the optimizer's moments and the shuffle stream's state
 * come along, so train_ddp.py continues the run exactly where descent stopped.
 */
import { mkdirSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { DescentError, UsageError } from "../errors.js";
import { decodeSafetensors } from "../io/safetensors.js";
import { decodeModel } from "../io/model-file.js";
import { readModelBytes } from "../node/model-files.js";
import { writeFileAtomic, errorCode } from "../node/atomic-write.js";
import { decodeCheckpoint } from "../train/checkpoint.js";
import { buildExperiment, makeOptimizer, validateConfig, type TrainConfig } from "../train/config.js";
import { loadMnist, defaultMnistDir } from "../node/mnist.js";
import { exportPytorch, type PyTorchExportOptions } from "../io/pytorch/export.js";
import { torchModule } from "../io/pytorch/names.js";
import { torchOptimizerState } from "../io/pytorch/optimizer.js";
import { featureNames, targetClasses, type TablePrep } from "../data/table-prep.js";
import type { Module } from "../nn/module.js";
import type { Optimizer } from "../optim/optimizer.js";
import { Rng, type RngState } from "../rng.js";
import { formatCount } from "../limits.js";
import { printable, printablePath, terminalJson } from "../text.js";
import { noted } from "./notes.js";
import { checkMnistModel, MNIST_CLASSES } from "./describe.js";
import { tablePrepOf } from "./table-model.js";
import { DEFAULT_SPLIT } from "./table-run.js";

const MNIST_TRAIN_IMAGES = 60000;
const DIGITS = Array.from({ length: MNIST_CLASSES }, (_, d) => String(d));

/** model.safetensors → model-pytorch/, run.ckpt → run-pytorch/. */
export const defaultPytorchDir = (path: string) => `${path.replace(/\.(safetensors|ckpt)$/i, "")}-pytorch`;

interface Source {
  model: Module;
  config: TrainConfig | null;
  /** The model file's training record (what import puts back). */
  record: Record<string, unknown>;
  epochs: number;
  prep: TablePrep | null;
  inputShape: number[];
  /** From a checkpoint: the run's optimizer (its state restored) and shuffle stream. */
  optimizer?: Optimizer<{ lr: number }>;
  shuffle?: RngState;
  trainExamples?: number;
}

export async function runPytorchExport(path: string, opts: { out?: string; data?: string; json?: boolean }): Promise<void> {
  const out = opts.out ?? defaultPytorchDir(path);
  checkOutDir(path, out);
  const bytes = await readModelBytes(path);
  const format = formatOf(bytes, path);
  const src = format === "descent-checkpoint" ? await fromCheckpoint(bytes, path, opts.data) : fromModelFile(bytes, path);

  const mnist = src.prep === null;
  const n = src.trainExamples ?? (src.config && mnist ? mnistTrainExamples(src.config) : null);
  const optimizer = src.config && n !== null ? (src.optimizer ?? makeOptimizer(src.config, src.model, n)) : null;
  const names = torchModule(src.model).names;
  const paramName = new Map(src.model.namedParameters().map(([name, p]) => [p, names.get(name)!]));
  const torchOptimizer = optimizer && src.config
    ? torchOptimizerState(src.config.optimizer, optimizer.groups.map((g) => g.params.map((p) => ({ name: paramName.get(p as never)!, shape: [...p.shape] }))), optimizer.stateDict() as never)
    : undefined;
  // Moments exist only when a checkpoint carried them; a model file's optimizer starts fresh.
  if (torchOptimizer && !src.optimizer) {
    torchOptimizer.json.step = {};
    torchOptimizer.tensors = [];
  }

  const pipeline: Record<string, unknown> = {
    source: printable(basename(path)),
    exportedFrom: format === "descent-checkpoint" ? "checkpoint" : "model file",
    input: mnist
      ? { shape: src.inputShape, pixels: "grey level byte / 255 (computed in float64, stored as float32), 28×28 row by row" }
      : { shape: src.inputShape, features: featureNames(src.prep!), encoding: "numeric columns as they are; categorical columns one-hot over their training categories", standardisation: "(x − mean) / std per encoded feature, in model.py (Standardize)" },
    classes: mnist ? DIGITS : targetClasses(src.prep!),
    data: mnist ? mnistData(src, n, opts.data) : tableData(src),
    config: src.config,
    epochsDone: src.epochs,
    trainingRecord: src.record,
  };
  const exportOpts: PyTorchExportOptions = {
    inputShape: src.inputShape,
    title: `${mnist ? "An MNIST digit classifier" : "A model of a table"}, exported by descent from ${printable(basename(path))}.`,
    inputDoc: mnist ? `float32 [N, ${src.inputShape.join(", ")}], grey levels byte / 255` : `float32 [N, ${src.inputShape[0]}], the encoded features (FEATURES); missing values NaN${src.prep!.impute === "mean" ? " (filled with the training mean)" : " are not allowed"}`,
    outputDoc: mnist ? "float32 [N, 10], one output per digit; the prediction is the largest"
      : targetClasses(src.prep!) ? "one output per class (pipeline.json classes); the prediction is the largest"
      : "the standardised targets: multiply by pipeline.json's target std and add its mean",
    ...(src.prep ? { tablePrep: src.prep } : {}),
    pipeline,
    ...(torchOptimizer ? { optimizer: torchOptimizer } : {}),
  };
  const exported = exportPytorch(src.model, exportOpts);
  try {
    mkdirSync(out, { recursive: true });
  } catch (e) {
    throw new DescentError(`cannot create the directory ${printablePath(out)}: ${errorCode(e) || (e as Error).message}`, { cause: e });
  }
  for (const f of exported.files) {
    await writeFileAtomic(join(out, f.name), f.bytes).catch((e: unknown) => {
      throw new DescentError(`cannot write ${printablePath(join(out, f.name))}: ${errorCode(e) || (e as Error).message} (any existing file there is unchanged)`, { cause: e });
    });
  }
  const summary = { model: path, out, format: "pytorch", files: exported.files.map((f) => ({ name: f.name, bytes: f.bytes.length })), tensors: exported.tensors, optimizerState: Boolean(src.optimizer), epochsDone: src.epochs };
  if (opts.json) {
    process.stdout.write(`${terminalJson(summary)}\n`);
    return;
  }
  process.stdout.write(`wrote ${printablePath(out)}/ (PyTorch): ${exported.files.map((f) => `${f.name} (${formatCount(f.bytes.length)} bytes)`).join(", ")}\n`);
  process.stdout.write(`  ${exported.tensors} tensors under PyTorch's state_dict() names; ${src.optimizer ? `the optimizer's state after epoch ${src.epochs} in torch.optim's layout` : "no optimizer state (a model file has none: export a checkpoint to carry it)"}\n`);
  if (mnist && src.config) {
    process.stdout.write(`  continue the training: cd ${printablePath(out)} && torchrun --nproc_per_node 2 train_ddp.py --epochs 2 --out continued.safetensors\n`);
    process.stdout.write("  (torch < 2.0 on Python 3.11, e.g. Debian 12: add --redirects 0:2 --tee 0:2 after --nproc_per_node 2 — a torchrun bug)\n");
  }
}

/** The metadata "format" of a safetensors file (model or checkpoint), before the full decode. */
function formatOf(bytes: Uint8Array, path: string): string | undefined {
  return decodeSafetensors(bytes, path).metadata.format;
}

function fromModelFile(bytes: Uint8Array, path: string): Source {
  const { model, architecture, meta } = noted(decodeModel(bytes, path));
  const prep = tablePrepOf(path, meta.training);
  const inputShape = prep ? [featureNames(prep).length] : checkMnistModel(path, model, architecture, 784);
  let config: TrainConfig | null = null;
  try {
    if (meta.training.config !== undefined) config = validateConfig(meta.training.config);
  } catch {
    config = null; // settings of another version: model.py and the weights still export; train_ddp.py will say it has none
  }
  const epochs = typeof meta.training.epochsTrained === "number" ? meta.training.epochsTrained : 0;
  return { model, config, record: meta.training, epochs, prep, inputShape };
}

async function fromCheckpoint(bytes: Uint8Array, path: string, dataDir: string | undefined): Promise<Source> {
  const ckpt = noted(decodeCheckpoint(bytes, path));
  const config = ckpt.config;
  if (config.target !== undefined) {
    throw new UsageError(`${printablePath(path)} is a checkpoint of a table run: train_ddp.py continues MNIST runs only — export the finished model file instead (descent train --out)`);
  }
  if (config.expand || (config.augment && Object.values(config.augment).some(Boolean))) {
    throw new UsageError(`${printablePath(path)}: its run trains on expanded or augmented images, which train_ddp.py does not reproduce — export the finished model file instead`);
  }
  // The run rebuilt from its own settings, then restored: every tensor and state checked as a resume would.
  const mnist = await loadMnist({ validation: config.validation, ...(dataDir ? { dir: dataDir } : {}) });
  const exp = buildExperiment(config, { train: mnist.train, validation: mnist.validation, test: mnist.test });
  ckpt.restore(exp);
  const shuffle = exp.loader.opts.rng!.state();
  const inputShape = [...exp.data.train.featureShape];
  return {
    model: exp.model, config, epochs: ckpt.epoch, prep: null, inputShape,
    record: { config, epochsTrained: ckpt.epoch, fromCheckpoint: printable(basename(path)) },
    optimizer: exp.trainer.opts.optimizer as Optimizer<{ lr: number }>, shuffle, trainExamples: exp.data.train.length,
  };
}

/** Training examples of an MNIST run: the first 60,000 − validation images (or --train-size of them). */
function mnistTrainExamples(c: TrainConfig): number {
  const all = MNIST_TRAIN_IMAGES - c.validation;
  return (c.trainSize > 0 ? Math.min(c.trainSize, all) : all) * (c.expand ? 5 : 1);
}

function mnistData(src: Source, n: number | null, dataDir: string | undefined): Record<string, unknown> {
  const c = src.config;
  // A model file's shuffle stream after its epochs: descent draws one permutation per epoch.
  let shuffle = src.shuffle;
  if (!shuffle && c && n !== null) {
    const rng = new Rng(c.seed).fork("shuffle");
    for (let e = 0; e < src.epochs; e++) rng.permutation(n);
    shuffle = rng.state();
  }
  return {
    kind: "mnist",
    dir: resolve(dataDir ?? defaultMnistDir()),
    split: c ? `train: the first ${MNIST_TRAIN_IMAGES - c.validation} images of train-images-idx3-ubyte${c.trainSize ? ` (of which the first ${c.trainSize})` : ""}; validation: the last ${c.validation}; test: t10k` : null,
    validation: c?.validation ?? 10000,
    trainSize: c?.trainSize ?? 0,
    trainExamples: n,
    shuffle: shuffle ?? null,
  };
}

function tableData(src: Source): Record<string, unknown> {
  const c = src.config;
  return {
    kind: "table",
    table: src.prep,
    targets: src.prep!.targets,
    split: { seed: c?.seed ?? null, fractions: c?.split ?? DEFAULT_SPLIT, ...(c?.folds ? { folds: c.folds } : {}) },
    dataFile: src.record.data ?? null,
  };
}

/** The directory must not be the model itself or an existing file. */
function checkOutDir(modelPath: string, out: string): void {
  if (resolve(out) === resolve(modelPath)) throw new UsageError(`--out ${printablePath(out)} is the model file itself — give a directory, e.g. ${printablePath(defaultPytorchDir(modelPath))}`);
  try {
    if (!statSync(out).isDirectory()) throw new UsageError(`--out ${printablePath(out)} exists and is not a directory: a PyTorch export is a directory (model.py, model.safetensors, pipeline.json, train_ddp.py) — give another path`);
  } catch (e) {
    if (e instanceof UsageError) throw e;
  }
}
