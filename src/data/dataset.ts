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

/** One example: features and a class label. */
export interface Example {
  x: Float32Array;
  y: number;
}

/** A mini-batch: features [B, ...featureShape] and labels. */
export interface Batch {
  x: Tensor;
  y: Int32Array;
}

/**
 * Examples stored as one contiguous float array [n, ...featureShape] plus Int32 labels — how MNIST
 * lives in memory (pixels scaled to [0, 1]); batches are gathered rows.
 */
export class TensorDataset implements Dataset<Example> {
  readonly featureSize: number;

  constructor(readonly features: Float32Array, readonly featureShape: readonly number[], readonly labels: Int32Array) {
    this.featureSize = sizeOf(featureShape);
    if (features.length !== labels.length * this.featureSize) {
      throw new ShapeError(
        `TensorDataset: ${features.length} feature values for ${labels.length} labels of size ${this.featureSize} (expected ${labels.length * this.featureSize})`,
      );
    }
  }

  get length(): number {
    return this.labels.length;
  }

  get(i: number): Example {
    const s = this.featureSize;
    return { x: this.features.subarray(i * s, (i + 1) * s), y: this.labels[i]! };
  }

  /** Examples [start, end) as a new dataset sharing memory (e.g. the book's 50k/10k split). */
  slice(start: number, end = this.length): TensorDataset {
    const s = this.featureSize;
    return new TensorDataset(this.features.subarray(start * s, end * s), this.featureShape, this.labels.subarray(start, end));
  }

  /** Gathers the given rows into a batch. */
  batch(indices: ArrayLike<number>): Batch {
    const s = this.featureSize;
    const x = allocFloat32(indices.length * s); // inside a training step: straight into its scoped memory
    const y = new Int32Array(indices.length);
    for (let r = 0; r < indices.length; r++) {
      const i = indices[r]!;
      x.set(this.features.subarray(i * s, (i + 1) * s), r * s);
      y[r] = this.labels[i]!;
    }
    return { x: new Tensor(x, [indices.length, ...this.featureShape]), y };
  }

  /** Same examples seen with another feature shape ([784] ↔ [1, 28, 28]). */
  withFeatureShape(shape: readonly number[]): TensorDataset {
    return new TensorDataset(this.features, shape, this.labels);
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
      const [start, end] = [idx[0] ?? 0, (idx[0] ?? 0) + idx.length];
      yield { x: new Tensor(d.features.subarray(start * d.featureSize, end * d.featureSize), [end - start, ...d.featureShape]), y: d.labels.slice(start, end) };
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
