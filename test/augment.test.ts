import { describe, expect, test } from "vitest";
import { affineMatrix, affineSample, augmentBatch, augmenter, expandByShifts, shiftImage } from "../src/data/augment.js";
import { DataLoader, TensorDataset } from "../src/data/dataset.js";
import { Rng } from "../src/rng.js";

// A 3×4 image (3 rows, 4 columns) with distinct values, so row/column mix-ups show.
const IMG = Float32Array.from({ length: 12 }, (_, i) => i + 1);

/** A smooth blob of ink centred at (cy, cx) on a 28×28 canvas, like a pen stroke's cross-section. */
function blob(cy = 13.5, cx = 13.5, r = 4): Float32Array {
  const p = new Float32Array(784);
  for (let i = 0; i < 28; i++) for (let j = 0; j < 28; j++) p[i * 28 + j] = Math.exp(-((i - cy) ** 2 + (j - cx) ** 2) / (2 * r * r));
  return p;
}

/** A batch of n asymmetric 28×28 images (an off-centre blob plus a bar), different per image. */
function batch(n: number): Float32Array {
  const x = new Float32Array(n * 784);
  for (let k = 0; k < n; k++) {
    x.set(blob(10 + k, 12 + (k % 5)), k * 784);
    for (let j = 5; j < 20; j++) x[k * 784 + 20 * 28 + j] = 1;
  }
  return x;
}

function sum(a: Float32Array): number {
  let s = 0;
  for (const v of a) s += v;
  return s;
}

describe("shiftImage", () => {
  // Oracle: the shifted arrays below are written out by hand.
  const cases: [string, number, number, number[]][] = [
    ["down", 1, 0, [0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8]],
    ["up", -1, 0, [5, 6, 7, 8, 9, 10, 11, 12, 0, 0, 0, 0]],
    ["right", 0, 1, [0, 1, 2, 3, 0, 5, 6, 7, 0, 9, 10, 11]],
    ["left", 0, -1, [2, 3, 4, 0, 6, 7, 8, 0, 10, 11, 12, 0]],
  ];
  test.each(cases)("moves a 3×4 image one pixel %s, zeros shifted in (and in place)", (_name, dy, dx, expected) => {
    const out = new Float32Array(12).fill(-1);
    shiftImage(IMG, 3, 4, dy, dx, out);
    expect(Array.from(out)).toEqual(expected);
    const same = IMG.slice();
    shiftImage(same, 3, 4, dy, dx, same);
    expect(Array.from(same)).toEqual(expected);
  });

  test("rejects fractional shifts and wrong sizes", () => {
    expect(() => shiftImage(IMG, 3, 4, 0.5, 0, new Float32Array(12))).toThrow(RangeError);
    expect(() => shiftImage(IMG, 4, 4, 0, 0, new Float32Array(16))).toThrow(/3×4|4×4/);
  });
});

describe("expandByShifts", () => {
  // Oracle: the documented layout — originals, then up, down, left, right blocks — written by hand.
  test("2 images of 3×3 become 10: originals, up, down, left, right; labels repeat per block", () => {
    const a = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    const b = [10, 20, 30, 40, 50, 60, 70, 80, 90];
    const ds = new TensorDataset(Float32Array.from([...a, ...b]), [1, 3, 3], Int32Array.from([7, 3]));
    const ex = expandByShifts(ds, 3, 3);
    expect(ex.length).toBe(10);
    expect(ex.featureShape).toEqual([1, 3, 3]);
    expect(Array.from(ex.labels)).toEqual([7, 3, 7, 3, 7, 3, 7, 3, 7, 3]);
    const up = (v: number[]) => [v[3], v[4], v[5], v[6], v[7], v[8], 0, 0, 0];
    const down = (v: number[]) => [0, 0, 0, v[0], v[1], v[2], v[3], v[4], v[5]];
    const left = (v: number[]) => [v[1], v[2], 0, v[4], v[5], 0, v[7], v[8], 0];
    const right = (v: number[]) => [0, v[0], v[1], 0, v[3], v[4], 0, v[6], v[7]];
    const expected = [a, b, up(a), up(b), down(a), down(b), left(a), left(b), right(a), right(b)];
    expected.forEach((e, i) => expect(Array.from(ex.get(i).x), `example ${i}`).toEqual(e));
    expect(Array.from(ds.features)).toEqual([...a, ...b]); // the input is untouched
  });

  test("rejects examples that are not h×w images", () => {
    const ds = new TensorDataset(new Float32Array(8), [8], Int32Array.from([0]));
    expect(() => expandByShifts(ds, 3, 3)).toThrow(/8 features/);
  });
});

describe("affine sampling", () => {
  // Oracle: a 90° counterclockwise turn written by hand — out[i][j] = src[j][n−1−i] (the right
  // column becomes the top row). Pixel centres land on pixel centres, so only cos(π/2) ≈ 6e-17 blurs.
  test.each([4, 5])("rotating a %i×%i asymmetric image by 90° matches the hand-rotated image", (n) => {
    const src = Float32Array.from({ length: n * n }, (_, i) => (i * 7) % 11 + i / 100);
    const out = new Float32Array(n * n);
    affineSample(src, n, n, affineMatrix(n, n, 90), out);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(out[i * n + j]).toBeCloseTo(src[j * n + (n - 1 - i)]!, 5);
  });

  // Oracle: whole-pixel moves written by hand (the shiftImage cases above).
  test("a translation by whole pixels is the hand-shifted image", () => {
    const out = new Float32Array(12);
    affineSample(IMG, 3, 4, affineMatrix(3, 4, 0, 1, 1, 0), out);
    expect(Array.from(out)).toEqual([0, 1, 2, 3, 0, 5, 6, 7, 0, 9, 10, 11]);
    affineSample(IMG, 3, 4, affineMatrix(3, 4, 0, 1, 0, -1), out);
    expect(Array.from(out)).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 0, 0, 0, 0]);
  });

  // Oracle: bilinear interpolation by hand — half a pixel right averages neighbours, zero outside.
  test("half a pixel right averages horizontal neighbours", () => {
    const out = new Float32Array(12);
    affineSample(IMG, 3, 4, affineMatrix(3, 4, 0, 1, 0.5, 0), out);
    expect(Array.from(out)).toEqual([0.5, 1.5, 2.5, 3.5, 2.5, 5.5, 6.5, 7.5, 4.5, 9.5, 10.5, 11.5]);
  });

  // Oracle: a zoom by 2 about the centre of a 3×3 image reads the centre pixel at the centre, and
  // half-way to the neighbours one pixel out.
  test("zooming by 2 about the centre", () => {
    const src = Float32Array.from([0, 0, 0, 0, 4, 8, 0, 0, 0]);
    const out = new Float32Array(9);
    affineSample(src, 3, 3, affineMatrix(3, 3, 0, 2), out);
    expect(Array.from(out)).toEqual([1, 2, 3, 2, 4, 6, 1, 2, 3]);
  });

  // Oracle: the identity map must reproduce the image bit for bit.
  test("rotate 0, zoom 1, no move is exactly the identity", () => {
    const x = batch(3);
    const out = new Float32Array(784);
    affineSample(x.subarray(0, 784), 28, 28, affineMatrix(28, 28, 0), out);
    expect(out).toEqual(x.subarray(0, 784));
  });
});

describe("augmentBatch", () => {
  // Oracle: augmenting by nothing changes nothing, bit for bit.
  test("translate 0 / rotate 0 / scale 0, elastic alpha 0 and probability 0 are the identity", () => {
    const x0 = batch(4);
    for (const opts of [{ translate: 0, rotate: 0, scale: 0 }, { elastic: { alpha: 0, sigma: 4 } }, { rotate: 15, translate: 2, probability: 0 }]) {
      const x = x0.slice();
      augmentBatch(x, 4, 28, 28, opts, new Rng(1));
      expect(x).toEqual(x0);
    }
  });

  // Oracle: a rotation preserves area, so the ink of a blob well inside the frame is preserved up
  // to interpolation error (bilinear sampling of a smooth blob loses well under 2 %).
  test("small rotations roughly preserve the pixel mass", () => {
    const x = new Float32Array(8 * 784);
    for (let k = 0; k < 8; k++) x.set(blob(13.5, 13.5, 3), k * 784);
    augmentBatch(x, 8, 28, 28, { rotate: 15 }, new Rng(5));
    const m0 = sum(blob(13.5, 13.5, 3));
    for (let k = 0; k < 8; k++) expect(Math.abs(sum(x.subarray(k * 784, (k + 1) * 784)) / m0 - 1)).toBeLessThan(0.02);
  });

  // Oracle: a translation by at most t pixels moves the centre of mass by at most t on each axis.
  test("translation moves the centre of mass by at most `translate` pixels, and does move it", () => {
    const x = new Float32Array(8 * 784);
    for (let k = 0; k < 8; k++) x.set(blob(), k * 784);
    augmentBatch(x, 8, 28, 28, { translate: 2 }, new Rng(9));
    let moved = 0;
    for (let k = 0; k < 8; k++) {
      let m = 0, mx = 0, my = 0;
      for (let i = 0; i < 28; i++) for (let j = 0; j < 28; j++) {
        const v = x[k * 784 + i * 28 + j]!;
        m += v; mx += v * j; my += v * i;
      }
      const dx = mx / m - 13.5, dy = my / m - 13.5;
      expect(Math.abs(dx)).toBeLessThanOrEqual(2 + 1e-3);
      expect(Math.abs(dy)).toBeLessThanOrEqual(2 + 1e-3);
      moved += Math.abs(dx) + Math.abs(dy);
    }
    expect(moved).toBeGreaterThan(1);
  });

  // Oracle: any warp of a constant image is that constant wherever it samples inside the frame;
  // the smoothed field is an average of values in (−1, 1), so alpha 1 moves pixels less than one.
  test("elastic distortion keeps a constant image constant inside, and changes a real one", () => {
    const ones = new Float32Array(784).fill(1);
    augmentBatch(ones, 1, 28, 28, { elastic: { alpha: 1, sigma: 4 } }, new Rng(2));
    for (let i = 1; i < 27; i++) for (let j = 1; j < 27; j++) expect(ones[i * 28 + j]).toBe(1);
    const x0 = batch(2);
    const x = x0.slice();
    augmentBatch(x, 2, 28, 28, { elastic: { alpha: 8, sigma: 4 } }, new Rng(2));
    expect(x).not.toEqual(x0);
    for (const v of x) expect(v).toBeGreaterThanOrEqual(0);
  });

  // Oracle: determinism — the same seed must reproduce the batch bit for bit; another seed differs.
  test("the same seed gives bit-identical batches, a different seed a different one", () => {
    const opts = { translate: 2.5, rotate: 12, scale: 0.1, elastic: { alpha: 6, sigma: 3 }, probability: 0.7 };
    const run = (seed: number) => {
      const x = batch(6);
      augmenter(opts)(x, 6, new Rng(seed).fork("augment"));
      return x;
    };
    const a = run(3), b = run(3), c = run(4);
    expect(new Uint32Array(a.buffer)).toEqual(new Uint32Array(b.buffer));
    expect(a).not.toEqual(c);
    expect(a).not.toEqual(batch(6));
  });

  test("rejects a batch of the wrong size and bad options", () => {
    expect(() => augmentBatch(new Float32Array(700), 1, 28, 28, { rotate: 5 }, new Rng(0))).toThrow(/28×28/);
    expect(() => augmenter({ rotate: -1 })).toThrow(RangeError);
    expect(() => augmenter({ scale: 1 })).toThrow(RangeError);
    expect(() => augmenter({ probability: 2 })).toThrow(RangeError);
  });
});

describe("DataLoader with augmentation", () => {
  const make = () => new TensorDataset(batch(10), [1, 28, 28], Int32Array.from({ length: 10 }, (_, i) => i));

  // Oracle: the dataset's own bytes before and after — augmentation must only touch copies.
  test.each([true, false])("augments every batch (shuffle %s) on a copy; the dataset is unchanged", (shuffle) => {
    const ds = make();
    const before = ds.features.slice();
    const loader = new DataLoader(ds, { batchSize: 4, shuffle, rng: new Rng(1), augment: augmenter({ rotate: 20, translate: 2 }), augmentRng: new Rng(1).fork("augment") });
    let seen = 0;
    for (const { x, y } of loader) {
      const b = { x, y: y as Int32Array };
      expect(b.x.shape).toEqual([b.y.length, 1, 28, 28]);
      expect(b.x.data.buffer).not.toBe(ds.features.buffer);
      for (let r = 0; r < b.y.length; r++) {
        const original = ds.get(b.y[r]!).x; // labels are the example indices here
        expect(b.x.data.subarray(r * 784, (r + 1) * 784)).not.toEqual(original);
      }
      seen += b.y.length;
    }
    expect(seen).toBe(10);
    expect(ds.features).toEqual(before);
  });

  // Oracle: augmentBatch itself, called on the plainly gathered rows with the same seed.
  test("gather(indices) is dataset.batch(indices) augmented from augmentRng", () => {
    const ds = make();
    const opts = { rotate: 10, elastic: { alpha: 4, sigma: 3 } };
    const loader = new DataLoader(ds, { batchSize: 3, augment: augmenter(opts), augmentRng: new Rng(7) });
    const idx = Int32Array.from([4, 1, 8]);
    const got = loader.gather(idx);
    const expected = ds.batch(idx).x.data as Float32Array;
    augmentBatch(expected, 3, 28, 28, opts, new Rng(7));
    expect(got.x.data).toEqual(expected);
    expect(Array.from(got.y as Int32Array)).toEqual([4, 1, 8]);
  });

  test("augment needs augmentRng", () => {
    expect(() => new DataLoader(make(), { batchSize: 2, augment: augmenter({ rotate: 5 }) })).toThrow(/augmentRng/);
  });
});
