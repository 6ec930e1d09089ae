/**
 * Seeded data augmentation for single-channel images (MNIST-like), on plain Float32Arrays.
 *  - `expandByShifts`: Nielsen's "expanded" training set (Neural Networks and Deep Learning, ch. 6,
 *    expand_mnist.py): every image plus four copies moved one pixel.
 *  - `augmentBatch`: random rotation + zoom + translation, optionally followed by an elastic
 *    distortion (Simard, Steinkraus & Platt 2003), drawn per image from the `Rng` given.
 * Coordinates: x is the column, y the row (row 0 at the top); pixel (y, x) has its centre at (x, y).
 */
import type { Rng } from "../rng.js";
import { ShapeError } from "../errors.js";
import { TensorDataset } from "./dataset.js";

/**
 * Moves one h×w image by whole pixels: out[i, j] = src[i − dy, j − dx], zeros shifted in.
 * dy > 0 moves the content down, dx > 0 to the right. `out` may be `src` itself (not a
 * partly-overlapping view).
 */
export function shiftImage(src: Float32Array, h: number, w: number, dy: number, dx: number, out: Float32Array): void {
  checkImage("shiftImage", src, h, w);
  checkImage("shiftImage", out, h, w);
  if (!Number.isInteger(dy) || !Number.isInteger(dx)) {
    throw new RangeError(`shiftImage: shifts must be whole pixels, got dy=${dy}, dx=${dx} (use augmentBatch for fractional ones)`);
  }
  // Rows are visited so that, when out is src, a source row is read before it is overwritten.
  const down = dy > 0;
  for (let k = 0; k < h; k++) {
    const i = down ? h - 1 - k : k;
    const row = out.subarray(i * w, (i + 1) * w);
    const si = i - dy;
    if (si < 0 || si >= h || Math.abs(dx) >= w) {
      row.fill(0);
      continue;
    }
    const s = src.subarray(si * w, (si + 1) * w);
    // TypedArray.set copies as if through a temporary when both views share a buffer.
    if (dx >= 0) {
      row.set(s.subarray(0, w - dx), dx);
      row.fill(0, 0, dx);
    } else {
      row.set(s.subarray(-dx), 0);
      row.fill(0, w + dx);
    }
  }
}

/** The four one-pixel moves of `expandByShifts`, in order: up, down, left, right ([dy, dx]). */
const EXPAND_SHIFTS: readonly (readonly [number, number])[] = [[-1, 0], [1, 0], [0, -1], [0, 1]];

/**
 * Nielsen's expanded training set: 5n examples laid out in blocks of n — the originals, then all
 * images moved one pixel up, then down, then left, then right; labels repeat in the same blocks
 * (so `slice(0, n)` is the original set). Shuffle with the DataLoader, as usual.
 * One new Float32Array holds everything (full MNIST train: 250k × 784 floats ≈ 784 MB).
 * @param ds n examples of h·w features (shape [h·w] or [1, h, w]; the shape is kept).
 */
export function expandByShifts(ds: TensorDataset, h = 28, w = 28): TensorDataset {
  const s = h * w;
  if (ds.featureSize !== s) {
    throw new ShapeError(`expandByShifts: examples have ${ds.featureSize} features, expected ${h}×${w} = ${s} — pass the image size as h, w`);
  }
  const n = ds.length;
  const x = new Float32Array(5 * n * s);
  const y = new Int32Array(5 * n);
  x.set(ds.features.subarray(0, n * s));
  y.set(ds.labels);
  EXPAND_SHIFTS.forEach(([dy, dx], b) => {
    const base = (b + 1) * n;
    for (let i = 0; i < n; i++) {
      shiftImage(ds.features.subarray(i * s, (i + 1) * s), h, w, dy, dx, x.subarray((base + i) * s, (base + i + 1) * s));
    }
    y.set(ds.labels, base);
  });
  return new TensorDataset(x, ds.featureShape, y);
}

/**
 * An affine map from output pixel coordinates to source coordinates, [a, b, c, d, e, f]:
 * source x = a·x + b·y + c, source y = d·x + e·y + f.
 */
export type AffineMatrix = readonly [number, number, number, number, number, number];

/**
 * The output→source matrix of: rotate by `degrees` about the image centre (positive turns the
 * image counterclockwise as displayed), zoom by `zoom` (> 1 enlarges) about the centre, then move
 * by (tx, ty) pixels (right, down).
 */
export function affineMatrix(h: number, w: number, degrees: number, zoom = 1, tx = 0, ty = 0): AffineMatrix {
  const t = (degrees * Math.PI) / 180;
  const cos = Math.cos(t) / zoom, sin = Math.sin(t) / zoom;
  const cx = (w - 1) / 2, cy = (h - 1) / 2;
  // Forward: out = c + zoom·R(src − c) + t with R = [[cos, sin], [−sin, cos]] (y points down);
  // inverted: src = c + Rᵀ(out − c − t)/zoom.
  const ox = cx + tx, oy = cy + ty;
  return [cos, -sin, cx - cos * ox + sin * oy, sin, cos, cy - sin * ox - cos * oy];
}

/**
 * Resamples one h×w image through `matrix` (output → source coordinates) with bilinear
 * interpolation, reading zeros outside the image. `out` must not overlap `src`.
 */
export function affineSample(src: Float32Array, h: number, w: number, matrix: AffineMatrix, out: Float32Array): void {
  checkImage("affineSample", src, h, w);
  checkImage("affineSample", out, h, w);
  const [a, b, c, d, e, f] = matrix;
  for (let y = 0; y < h; y++) {
    let sx = b * y + c, sy = e * y + f;
    for (let x = 0; x < w; x++, sx += a, sy += d) out[y * w + x] = bilinear(src, h, w, sx, sy);
  }
}

/** Bilinear read at (sx, sy) with zeros outside; exact at integer coordinates. */
function bilinear(src: Float32Array, h: number, w: number, sx: number, sy: number): number {
  const x0 = Math.floor(sx), y0 = Math.floor(sy);
  const fx = sx - x0, fy = sy - y0;
  const p = y0 * w + x0;
  let v00: number, v01: number, v10: number, v11: number;
  if (x0 >= 0 && y0 >= 0 && x0 + 1 < w && y0 + 1 < h) {
    v00 = src[p]!; v01 = src[p + 1]!; v10 = src[p + w]!; v11 = src[p + w + 1]!;
  } else {
    if (x0 < -1 || y0 < -1 || x0 >= w || y0 >= h) return 0;
    const inX0 = x0 >= 0, inX1 = x0 + 1 < w, inY0 = y0 >= 0, inY1 = y0 + 1 < h;
    v00 = inY0 && inX0 ? src[p]! : 0;
    v01 = inY0 && inX1 ? src[p + 1]! : 0;
    v10 = inY1 && inX0 ? src[p + w]! : 0;
    v11 = inY1 && inX1 ? src[p + w + 1]! : 0;
  }
  const top = v00 + fx * (v01 - v00);
  const bot = v10 + fx * (v11 - v10);
  return top + fy * (bot - top);
}

export interface AugmentOptions {
  /** Largest shift in pixels along each axis, drawn uniformly in [−translate, translate); may be fractional. */
  translate?: number;
  /** Largest rotation in degrees, uniform in [−rotate, rotate). */
  rotate?: number;
  /** Largest relative zoom: the factor is uniform in [1 − scale, 1 + scale). */
  scale?: number;
  /** Elastic distortion (Simard et al. 2003): uniform(−1, 1) displacements smoothed by a Gaussian of std sigma, times alpha. */
  elastic?: { alpha: number; sigma: number };
  /** Chance that an image is augmented at all (default 1). */
  probability?: number;
}

/**
 * Augments a batch of n single-channel h×w images in place (N×1×h×w and N×(h·w) are the same memory).
 * Per image, from `rng`, in this order: a gate uniform() only when probability < 1 (the image is kept
 * as is when it is ≥ probability, and nothing more is drawn for it); when any of rotate/scale/translate
 * is non-zero, four uniform()s: angle, zoom, tx, ty; when elastic.alpha ≠ 0, h·w nextU32()s for the x
 * displacements, then h·w for y (row-major). The same seed therefore gives bit-identical batches.
 * The elastic field and the affine map are composed and the image is sampled once (bilinear, zeros
 * outside): output pixel p reads the source at A(p + αG∗u(p)) — the same warp as applying the
 * affine map and then the elastic one, with one interpolation's blur instead of two.
 */
export function augmentBatch(x: Float32Array, n: number, h: number, w: number, opts: AugmentOptions, rng: Rng): void {
  augmenter(opts, h, w)(x, n, rng);
}

/**
 * `augmentBatch` with the options checked and the Gaussian kernel built once — the form a
 * DataLoader takes: `new DataLoader(train, { …, augment: augmenter({ rotate: 10 }), augmentRng: rng.fork("augment") })`.
 */
export function augmenter(opts: AugmentOptions, h = 28, w = 28): (x: Float32Array, n: number, rng: Rng) => void {
  if (!(Number.isInteger(h) && h >= 1 && Number.isInteger(w) && w >= 1)) {
    throw new RangeError(`augmenter: image size must be positive integers, got ${h}×${w}`);
  }
  const translate = nonNegative("translate", opts.translate ?? 0);
  const rotate = nonNegative("rotate", opts.rotate ?? 0);
  const scale = nonNegative("scale", opts.scale ?? 0);
  if (scale >= 1) throw new RangeError(`augment: scale must be below 1 (a zoom factor of 1 ± scale), got ${scale}`);
  const probability = opts.probability ?? 1;
  if (!(probability >= 0 && probability <= 1)) throw new RangeError(`augment: probability must be in [0, 1], got ${probability}`);
  const alpha = opts.elastic?.alpha ?? 0;
  if (!Number.isFinite(alpha)) throw new RangeError(`augment: elastic.alpha must be finite, got ${alpha}`);
  const sigma = opts.elastic ? nonNegative("elastic.sigma", opts.elastic.sigma) : 0;
  const affine = translate > 0 || rotate > 0 || scale > 0;
  const elastic = alpha !== 0;
  const size = h * w;
  const smooth = elastic ? gaussianSmoother(h, w, sigma) : null;
  const img = new Float32Array(size);
  const fx = new Float32Array(elastic ? size : 0);
  const fy = new Float32Array(elastic ? size : 0);

  return (x, n, rng) => {
    if (!(Number.isInteger(n) && n >= 0) || x.length !== n * size) {
      throw new ShapeError(`augment: batch holds ${x.length} values, expected ${n} images of ${h}×${w} = ${n * size} — check the augmenter's image size`);
    }
    for (let k = 0; k < n; k++) {
      if (probability < 1 && !(rng.uniform() < probability)) continue;
      let m: AffineMatrix = [1, 0, 0, 0, 1, 0];
      if (affine) {
        const deg = rng.range(-rotate, rotate);
        const zoom = rng.range(1 - scale, 1 + scale);
        const tx = rng.range(-translate, translate);
        const ty = rng.range(-translate, translate);
        m = affineMatrix(h, w, deg, zoom, tx, ty);
      }
      if (!affine && !elastic) continue;
      const out = x.subarray(k * size, (k + 1) * size);
      img.set(out);
      if (!smooth) {
        affineSample(img, h, w, m, out);
        continue;
      }
      for (let i = 0; i < size; i++) fx[i] = (rng.nextU32() + 0.5) * 4.656612873077393e-10 - 1; // 2^-31: (−1, 1)
      for (let i = 0; i < size; i++) fy[i] = (rng.nextU32() + 0.5) * 4.656612873077393e-10 - 1;
      smooth(fx);
      smooth(fy);
      const [a, b, c, d, e, f] = m;
      for (let yy = 0, i = 0; yy < h; yy++) {
        for (let xx = 0; xx < w; xx++, i++) {
          const px = xx + alpha * fx[i]!, py = yy + alpha * fy[i]!;
          out[i] = bilinear(img, h, w, a * px + b * py + c, d * px + e * py + f);
        }
      }
    }
  };
}

/**
 * A separable Gaussian blur of std sigma (kernel truncated at 3σ, normalised) over an h×w field,
 * in place; the field is mirrored at its edges (d c b a | a b c d | d c b a) so the border is as
 * random as the middle.
 */
function gaussianSmoother(h: number, w: number, sigma: number): (field: Float32Array) => void {
  if (sigma === 0) return () => {};
  const r = Math.ceil(3 * sigma);
  const k = new Float64Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i]! /= sum;
  const mirrorRows = mirrorTable(h, r), mirrorCols = mirrorTable(w, r);
  const tmp = new Float64Array(h * w);
  const line = new Float64Array(Math.max(h, w) + 2 * r);
  return (field) => {
    for (let y = 0; y < h; y++) {
      const o = y * w;
      for (let j = 0; j < w + 2 * r; j++) line[j] = field[o + mirrorCols[j]!]!;
      for (let x = 0; x < w; x++) {
        let s = 0;
        for (let t = 0; t <= 2 * r; t++) s += k[t]! * line[x + t]!;
        tmp[o + x] = s;
      }
    }
    for (let x = 0; x < w; x++) {
      for (let j = 0; j < h + 2 * r; j++) line[j] = tmp[mirrorRows[j]! * w + x]!;
      for (let y = 0; y < h; y++) {
        let s = 0;
        for (let t = 0; t <= 2 * r; t++) s += k[t]! * line[y + t]!;
        field[y * w + x] = s;
      }
    }
  };
}

/** Index j ∈ [0, n + 2r) of a padded line → index into the length-n line, mirrored (period 2n). */
function mirrorTable(n: number, r: number): Int32Array {
  const t = new Int32Array(n + 2 * r);
  for (let j = 0; j < t.length; j++) {
    const m = (((j - r) % (2 * n)) + 2 * n) % (2 * n);
    t[j] = m < n ? m : 2 * n - 1 - m;
  }
  return t;
}

function nonNegative(name: string, v: number): number {
  if (!(Number.isFinite(v) && v >= 0)) throw new RangeError(`augment: ${name} must be a finite number ≥ 0, got ${v}`);
  return v;
}

function checkImage(where: string, a: Float32Array, h: number, w: number): void {
  if (!(Number.isInteger(h) && h >= 1 && Number.isInteger(w) && w >= 1) || a.length !== h * w) {
    throw new ShapeError(`${where}: expected one ${h}×${w} image (${h * w} values), got ${a.length} values`);
  }
}
