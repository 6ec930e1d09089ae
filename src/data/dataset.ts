/** Datasets and the DataLoader: batching with a seeded shuffle. */
import { Tensor } from "../tensor.js";
import type { Rng } from "../rng.js";
import { ShapeError } from "../errors.js";
import { sizeOf } from "../shape.js";
import { allocFloat32 } from "../memory.js";

export interface Dataset<T> {
  readonly length: number;
  get(i: number): T;
}

/**
 * What a dataset's targets are, and so how a model is scored on it:
 * classification — Int32 class labels (accuracy, confusion matrix): one per example, or one per
 *   step of a sequence (`targetWidth` = steps: a language model's next characters, each scored as
 *   a classification of its own, so accuracy and cost are per label);
 * regression — `targetWidth` float values per example (MSE, RMSE, MAE, R²).
 */
export type TaskKind = "classification" | "regression";

/** One example: features and its label (classification) or target values (regression). */
export interface Example {
  x: Float32Array;
  /** A class label, the labels of every step (Int32Array), or target values (Float32Array). */
  y: number | Int32Array | Float32Array;
}

/**
 * How a dataset of token windows is laid out for truncated backprop through time: example
 * k·streams + i is window k of stream i, so batches of `streams` examples taken in order continue
 * each other row by row, and a stateful recurrent layer carries its state from batch to batch.
 * `classes` is the vocabulary size (labels are token ids below it, whether or not each occurs).
 */
export interface SequenceLayout {
  streams?: number;
  classes?: number;
}

/** A mini-batch: features [B, ...featureShape] and labels (Int32) or targets (a [B, k] tensor). */
export interface Batch {
  x: Tensor;
  y: Int32Array | Tensor;
}

/**
 * Examples stored as one contiguous float array [n, ...featureShape] plus their targets: Int32
 * labels (how MNIST lives in memory, pixels scaled to [0, 1]) or float targets [n, targetWidth]
 * (a regression table). Batches are gathered rows.
 */
export class TensorDataset implements Dataset<Example> {
  readonly featureSize: number;
  readonly task: TaskKind;
  /** Target values per example: 1 for a class label, T for a label per step. */
  readonly targetWidth: number;
  readonly length: number;
  /** Batches of this many examples taken in order continue each other (see SequenceLayout); undefined otherwise. */
  readonly streams: number | undefined;
  /** Number of classes when the data fixes it (a vocabulary); undefined: the largest label + 1. */
  readonly classes: number | undefined;

  /**
   * @param targets Int32Array [n, targetWidth] of class labels (classification: usually one per
   *   example), or Float32Array [n, targetWidth] of target values (regression).
   */
  constructor(
    readonly features: Float32Array, readonly featureShape: readonly number[], readonly targets: Int32Array | Float32Array, targetWidth = 1,
    readonly layout: SequenceLayout = {},
  ) {
    this.featureSize = sizeOf(featureShape);
    this.task = targets instanceof Int32Array ? "classification" : "regression";
    this.targetWidth = targetWidth;
    this.streams = layout.streams;
    this.classes = layout.classes;
    if (!(Number.isInteger(this.targetWidth) && this.targetWidth >= 1)) throw new ShapeError(`TensorDataset: targetWidth must be a positive integer, got ${targetWidth}`);
    this.length = targets.length / this.targetWidth;
    if (!Number.isInteger(this.length) || features.length !== this.length * this.featureSize) {
      throw new ShapeError(
        `TensorDataset: ${features.length} feature values (${this.featureSize} per example) and ${targets.length} target values ` +
          `(${this.targetWidth} per example) do not describe the same number of examples`,
      );
    }
  }

  /** Class labels (classification datasets only). */
  get labels(): Int32Array {
    if (!(this.targets instanceof Int32Array)) throw new ShapeError("this is a regression dataset: it has float targets, not class labels");
    return this.targets;
  }

  get(i: number): Example {
    const s = this.featureSize;
    const k = this.targetWidth;
    const y = this.targets instanceof Int32Array && k === 1 ? this.targets[i]! : this.targets.subarray(i * k, (i + 1) * k);
    return { x: this.features.subarray(i * s, (i + 1) * s), y };
  }

  /** Examples [start, end) as a new dataset sharing memory (e.g. the book's 50k/10k split). */
  slice(start: number, end = this.length): TensorDataset {
    const [s, k] = [this.featureSize, this.targetWidth];
    return new TensorDataset(this.features.subarray(start * s, end * s), this.featureShape, this.targets.subarray(start * k, end * k), k, this.layout);
  }

  /** The given examples, copied into a new dataset (a split or a fold of a table). */
  select(indices: ArrayLike<number>): TensorDataset {
    const [s, k] = [this.featureSize, this.targetWidth];
    const x = new Float32Array(indices.length * s);
    const y = this.targets instanceof Int32Array ? new Int32Array(indices.length * k) : new Float32Array(indices.length * k);
    for (let r = 0; r < indices.length; r++) {
      const i = indices[r]!;
      x.set(this.features.subarray(i * s, (i + 1) * s), r * s);
      y.set(this.targets.subarray(i * k, (i + 1) * k), r * k);
    }
    return new TensorDataset(x, this.featureShape, y, k, { ...(this.classes !== undefined ? { classes: this.classes } : {}) }); // the streams' order is gone
  }

  /** Gathers the given rows into a batch. */
  batch(indices: ArrayLike<number>): Batch {
    const [s, k] = [this.featureSize, this.targetWidth];
    const x = allocFloat32(indices.length * s); // inside a training step: straight into its scoped memory
    for (let r = 0; r < indices.length; r++) {
      const i = indices[r]!;
      x.set(this.features.subarray(i * s, (i + 1) * s), r * s);
    }
    const xs = new Tensor(x, [indices.length, ...this.featureShape]);
    if (this.targets instanceof Int32Array) {
      const y = new Int32Array(indices.length * k);
      if (k === 1) for (let r = 0; r < indices.length; r++) y[r] = this.targets[indices[r]!]!;
      else for (let r = 0; r < indices.length; r++) y.set(this.targets.subarray(indices[r]! * k, (indices[r]! + 1) * k), r * k);
      return { x: xs, y };
    }
    const y = allocFloat32(indices.length * k);
    for (let r = 0; r < indices.length; r++) y.set(this.targets.subarray(indices[r]! * k, (indices[r]! + 1) * k), r * k);
    return { x: xs, y: new Tensor(y, [indices.length, k]) };
  }

  /** Rows [start, end) as a batch without copying the features (in-order iteration). */
  range(start: number, end: number): Batch {
    const [s, k] = [this.featureSize, this.targetWidth];
    const x = new Tensor(this.features.subarray(start * s, end * s), [end - start, ...this.featureShape]);
    if (this.targets instanceof Int32Array) return { x, y: this.targets.slice(start * k, end * k) };
    return { x, y: new Tensor(this.targets.slice(start * k, end * k), [end - start, k]) };
  }

  /** Same examples seen with another feature shape ([784] ↔ [1, 28, 28]). */
  withFeatureShape(shape: readonly number[]): TensorDataset {
    return new TensorDataset(this.features, shape, this.targets, this.targetWidth, this.layout);
  }
}

export interface DataLoaderOptions {
  batchSize: number;
  /** Reshuffle before every epoch (needs `rng`). */
  shuffle?: boolean;
  rng?: Rng;
  /** Skip the last batch when it is smaller than batchSize. */
  dropLast?: boolean;
  /**
   * Changes every batch in place after it is gathered (a copy: the dataset is never modified):
   * (features of n examples, n, augmentRng) — e.g. `augmenter({ rotate: 10 })` from data/augment.ts.
   */
  augment?: (x: Float32Array, n: number, rng: Rng) => void;
  /** The stream `augment` draws from (needed with `augment`), e.g. `rng.fork("augment")`. */
  augmentRng?: Rng;
}

/** Iterates mini-batches; each `for…of` is one epoch, reshuffled from the seeded stream. */
export class DataLoader implements Iterable<Batch> {
  readonly batchSize: number;

  constructor(readonly dataset: TensorDataset, readonly opts: DataLoaderOptions) {
    if (!(Number.isInteger(opts.batchSize) && opts.batchSize >= 1)) {
      throw new RangeError(`DataLoader: batchSize must be a positive integer, got ${opts.batchSize}`);
    }
    if (opts.shuffle && !opts.rng) throw new RangeError("DataLoader: shuffle needs an rng (seeded generator)");
    if (opts.augment && !opts.augmentRng) throw new RangeError("DataLoader: augment needs an augmentRng (seeded generator, e.g. rng.fork(\"augment\"))");
    this.batchSize = Math.min(opts.batchSize, Math.max(dataset.length, 1));
  }

  /** Batches per epoch. */
  get length(): number {
    const n = this.dataset.length;
    return this.opts.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  *[Symbol.iterator](): Iterator<Batch> {
    const d = this.dataset;
    if (this.opts.shuffle || this.opts.augment) {
      for (const idx of this.indices()) yield this.gather(idx);
      return;
    }
    // In order: each batch is a view of consecutive rows — no copy (kernels read it in place).
    for (const idx of this.indices()) {
      const start = idx[0] ?? 0;
      yield d.range(start, start + idx.length);
    }
  }

  /** Gathers the given examples into a new batch and augments it when `augment` is set. */
  gather(indices: ArrayLike<number>): Batch {
    const b = this.dataset.batch(indices);
    // dataset.batch gathers into a fresh float32 array, so augmenting it leaves the dataset alone.
    if (this.opts.augment) this.opts.augment(b.x.data as Float32Array, indices.length, this.opts.augmentRng!);
    return b;
  }

  /**
   * One epoch's batches as example indices, not yet gathered (the trainer gathers each inside its
   * step, straight into the step's memory). Reshuffles when `shuffle` is on.
   */
  *indices(): Generator<Int32Array> {
    const n = this.dataset.length;
    const order = this.opts.shuffle ? this.opts.rng!.permutation(n) : Int32Array.from({ length: n }, (_, i) => i);
    for (let start = 0; start < n; start += this.batchSize) {
      const end = Math.min(start + this.batchSize, n);
      if (this.opts.dropLast && end - start < this.batchSize) break;
      yield order.subarray(start, end);
    }
  }
}

/** Plain-array inputs: one row of features per example (or one number per example). */
export type ArrayFeatures = readonly (readonly number[])[] | readonly number[];
/**
 * Plain-array targets: an Int32Array of class labels (classification), or numbers / rows of
 * numbers (regression targets, one or k per example).
 */
export type ArrayTargets = Int32Array | readonly number[] | readonly (readonly number[])[];

/** A dataset from plain arrays, as Keras's fit(x, y) takes them; checks they agree. */
export function datasetFromArrays(x: ArrayFeatures, y: ArrayTargets): TensorDataset {
  const rows = x.map((r) => (typeof r === "number" ? [r] : r));
  const n = rows.length;
  const width = rows[0]?.length ?? 0;
  if (n === 0 || width === 0) throw new ShapeError("fit(x, y): x holds no examples");
  const features = new Float32Array(n * width);
  rows.forEach((r, i) => {
    if (r.length !== width) throw new ShapeError(`fit(x, y): x[${i}] has ${r.length} values, x[0] has ${width}`);
    features.set(r, i * width);
  });
  if (y.length !== n) throw new ShapeError(`fit(x, y): x has ${n} examples but y has ${y.length}`);
  if (y instanceof Int32Array) return new TensorDataset(features, [width], y);
  const ys = (y as readonly (number | readonly number[])[]).map((v) => (typeof v === "number" ? [v] : v));
  const k = ys[0]!.length;
  const targets = new Float32Array(n * k);
  ys.forEach((r, i) => {
    if (r.length !== k) throw new ShapeError(`fit(x, y): y[${i}] has ${r.length} values, y[0] has ${k}`);
    targets.set(r, i * k);
  });
  return new TensorDataset(features, [width], targets, k);
}
