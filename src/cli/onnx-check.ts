/**
 * `descent export --check`: the exported file run by ONNX Runtime on the model's test set beside
 * descent itself, batch by batch — the largest |difference| between their outputs and, for a
 * classifier, whether both predict the same class for every example.
 */
import { loadRunData } from "./run-data.js";
import { resetRecurrentStates } from "../nn/layers/recurrent.js";
import type { Module } from "../nn/module.js";
import { Tensor } from "../tensor.js";
import { noGrad } from "../autograd.js";
import { scope } from "../memory.js";
import { applyTablePrep, encodeTableFeatures, featureNames, targetClasses, type TablePrep } from "../data/table-prep.js";
import { splitIndices } from "../data/split.js";
import { validateConfig } from "../train/config.js";
import { Rng } from "../rng.js";
import { ModelFileError } from "../errors.js";
import { printablePath } from "../text.js";
import { formatCount } from "../limits.js";
import { loadMnist } from "../node/mnist.js";
import type { OnnxSession } from "../node/onnx-runtime.js";
import { DEFAULT_SPLIT, loadTable } from "./table-run.js";

/** The examples to compare on: what descent's network takes, and what the ONNX graph takes (a table's values before standardisation). */
export interface CheckData {
  /** "the 10000 MNIST test images". */
  label: string;
  n: number;
  exampleShape: readonly number[];
  descentInput: Float32Array;
  onnxInput: Float32Array;
  /** The true classes, when the model classifies (for both accuracies). */
  labels: Int32Array | null;
  classify: boolean;
}

export interface CheckReport {
  examples: number;
  /** max |descent − ONNX Runtime| over every output value. */
  maxAbsDiff: number;
  /** max |descent output|, to read the difference against. */
  maxAbsOutput: number;
  /** Classifiers: examples where both predict the same class, and the first where they do not (-1: none). */
  sameClass?: number;
  firstDifferent?: number;
  /** Classifiers with labels: accuracy of descent and of ONNX Runtime. */
  accuracy?: { descent: number; onnxRuntime: number };
}

/** MNIST's test images, flat or [1, 28, 28] as the model takes them. */
export async function mnistCheckData(exampleShape: readonly number[], dir?: string): Promise<CheckData> {
  const test = (await loadMnist(dir === undefined ? {} : { dir })).test;
  return { label: `the ${formatCount(test.length)} MNIST test images`, n: test.length, exampleShape, descentInput: test.features, onnxInput: test.features, labels: test.labels, classify: true };
}

/** The test rows of the split a table model was trained on (its saved seed and split, its table). */
export async function tableCheckData(path: string, training: Record<string, unknown>, prep: TablePrep): Promise<CheckData> {
  let config;
  try {
    config = validateConfig(training.config);
  } catch (e) {
    throw new ModelFileError(`${printablePath(path)}: its saved settings are invalid (${(e as Error).message}) — --check cannot find its test rows`, { cause: e });
  }
  const source = typeof training.dataFile === "string" ? training.dataFile : null;
  const { table } = await loadTable(source);
  const rows = Array.from(splitIndices(table.rows.length, config.split ?? DEFAULT_SPLIT, new Rng(config.seed).fork("split")).test);
  const data = applyTablePrep(table, prep, { rows });
  const width = featureNames(prep).length;
  const raw = encodeTableFeatures(table, prep.features, width, rows, prep.impute).values;
  const classify = targetClasses(prep) !== null;
  return {
    label: `the ${formatCount(rows.length)} test rows of its training split (seed ${config.seed})`, n: rows.length, exampleShape: [width],
    descentInput: data.x, onnxInput: Float32Array.from(raw), labels: classify ? data.labels : null, classify,
  };
}

const argmax = (row: ArrayLike<number>, from: number, k: number): number => {
  let best = 0;
  for (let c = 1; c < k; c++) if (row[from + c]! > row[from + best]!) best = c;
  return best;
};

/** Runs both on every example, `batch` at a time, and compares. */
export async function compareWithOnnxRuntime(model: Module, session: OnnxSession, inputName: string, data: CheckData, batch = 500): Promise<CheckReport> {
  model.eval();
  const size = data.exampleShape.reduce((a, b) => a * b, 1);
  const report: CheckReport = { examples: data.n, maxAbsDiff: 0, maxAbsOutput: 0 };
  let same = 0;
  let first = -1;
  const correct = { descent: 0, onnxRuntime: 0 };
  for (let from = 0; from < data.n; from += batch) {
    const b = Math.min(batch, data.n - from);
    const dims = [b, ...data.exampleShape];
    resetRecurrentStates(model); // the exported graph is stateless: each batch starts from zero states
    const ours = noGrad(() => scope(() => model.forward(new Tensor(data.descentInput.slice(from * size, (from + b) * size), dims)).data.slice()));
    const theirs = (await session.run(inputName, data.onnxInput.slice(from * size, (from + b) * size), dims)).data;
    if (theirs.length !== ours.length) throw new Error(`ONNX Runtime gave ${theirs.length} values for ${b} examples, descent ${ours.length}`);
    for (let i = 0; i < ours.length; i++) {
      const d = Math.abs(ours[i]! - theirs[i]!);
      // A NaN on either side is a difference, never hidden by max().
      report.maxAbsDiff = Number.isNaN(d) ? Number.NaN : Math.max(report.maxAbsDiff, d);
      report.maxAbsOutput = Math.max(report.maxAbsOutput, Math.abs(ours[i]!));
    }
    if (!data.classify) continue;
    const k = ours.length / b;
    for (let r = 0; r < b; r++) {
      const [p, q] = [argmax(ours, r * k, k), argmax(theirs, r * k, k)];
      if (p === q) same++;
      else if (first < 0) first = from + r;
      if (data.labels) {
        if (p === data.labels[from + r]) correct.descent++;
        if (q === data.labels[from + r]) correct.onnxRuntime++;
      }
    }
  }
  if (data.classify) Object.assign(report, { sameClass: same, firstDifferent: first });
  if (data.classify && data.labels && data.n > 0) report.accuracy = { descent: correct.descent / data.n, onnxRuntime: correct.onnxRuntime / data.n };
  return report;
}

/**
 * The test split of the generated or bundled sequence data a model was trained on (the adding
 * problem from its saved seed, the State of the Union's held-out addresses), or null for MNIST and tables.
 */
export async function sequenceCheckData(path: string, training: Record<string, unknown>): Promise<CheckData | null> {
  const c = (training.config ?? {}) as { data?: unknown };
  if (c.data !== "adding" && c.data !== "sotu") return null;
  let config;
  try {
    config = validateConfig(training.config);
  } catch (e) {
    throw new ModelFileError(`${printablePath(path)}: its saved settings are invalid (${(e as Error).message}) — cannot rebuild its data`, { cause: e });
  }
  const run = await loadRunData(config, null);
  const test = run.data.test!;
  // Regression (the adding problem) and per-character outputs are compared value by value.
  return { label: `the ${formatCount(test.length)} test ${run.examples} of ${run.label}`, n: test.length, exampleShape: [...test.featureShape], descentInput: test.features, onnxInput: test.features, labels: null, classify: false };
}
