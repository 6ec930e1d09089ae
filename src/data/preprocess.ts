/**
 * A user's picture of a digit → an MNIST-like 28×28 input, by MNIST's own recipe (LeCun, Bottou,
 * Bengio & Haffner 1998; the MNIST page): the digit's bounding box is scaled, keeping its aspect
 * ratio, to fit a 20×20 box with anti-aliasing, then placed in a 28×28 field so that its centre of
 * mass sits at the centre. Pure functions on typed arrays: the CLI (`descent predict my.png`, via
 * src/node/png.ts) and the explorer's drawing canvas (ImageData) share them.
 */
import { DescentError } from "../errors.js";

/** Interleaved 8-bit pixels: 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA (canvas ImageData is RGBA). */
export interface RawImage {
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
  data: Uint8Array | Uint8ClampedArray;
}

export interface MnistLikeResult {
  /** 784 values in [0, 1], row-major 28×28, a light digit on black. */
  pixels: Float32Array;
  /** Whether the image was inverted (dark-on-light → light-on-dark). */
  inverted: boolean;
  /** Sentences for the user about what was assumed (auto-inversion, a digit cut by the edge). */
  warnings: string[];
}

export interface MnistLikeOptions {
  /** "auto" (default) inverts when {@link looksInverted}; true/false force it. */
  invert?: "auto" | boolean;
  /** Names the image in error messages, e.g. the file name. Default "image". */
  name?: string;
}

/** MNIST's field and the box its digits are scaled into. */
const SIZE = 28;
const BOX = 20;
/**
 * MNIST digits have their centre of mass at pixel index (14, 14) — half a pixel right of/below the
 * geometric centre 13.5 — to the nearest whole pixel: over the 10k test digits the offsets from
 * 14 are spread evenly over [−0.5, 0.5] (mean 0.01, sd 0.29), so MNIST shifted by whole pixels.
 */
const CENTRE = 14;
/** Rec. 601 luma weights. */
const LUMA = [0.299, 0.587, 0.114] as const;
/** Ink fainter than this fraction of the brightest ink is noise (paper grain, JPEG ringing). */
const NOISE_FLOOR = 0.1;
/**
 * A pixel belongs to the bounding box at half the brightest ink: the edge of the binary shape an
 * anti-aliased drawing was rendered from (NIST's originals were binary). With it, 98.8 % of MNIST's
 * own test digits measure exactly 20 px on their larger side.
 */
const BOX_THRESHOLD = 0.5;
/** Brightest ink less than this above the background (~13 of 255 levels) means no digit. */
const MIN_CONTRAST = 0.05;

/**
 * Greyscale in [0, 1] (Rec. 601 luma of RGB; grey as is).
 *
 * Alpha: when the alpha channel varies — some pixels mostly transparent (alpha < 128), some mostly
 * opaque (≥ 128) — the drawing is taken to be the opaque part and the result is the alpha itself
 * (1 = ink), whatever the colour: black-on-transparent and white-on-transparent strokes give the
 * same light-on-dark image. Colour is ignored then (transparent pixels' RGB is arbitrary, often 0).
 * A uniform alpha (all opaque, or all half-transparent) is ignored and luma is used.
 */
export function toInk(img: RawImage): Float32Array {
  checkImage(img);
  const { width, height, channels: c, data } = img;
  const n = width * height;
  const out = new Float32Array(n);
  if ((c === 2 || c === 4) && alphaVaries(data, c, n)) {
    for (let i = 0; i < n; i++) out[i] = data[i * c + c - 1]! / 255;
    return out;
  }
  if (c < 3) {
    for (let i = 0; i < n; i++) out[i] = data[i * c]! / 255;
  } else {
    for (let i = 0, p = 0; i < n; i++, p += c) {
      out[i] = (LUMA[0] * data[p]! + LUMA[1] * data[p + 1]! + LUMA[2] * data[p + 2]!) / 255;
    }
  }
  return out;
}

function alphaVaries(data: ArrayLike<number>, c: number, n: number): boolean {
  let transparent = false;
  let opaque = false;
  for (let i = 0, p = c - 1; i < n; i++, p += c) {
    if (data[p]! < 128) transparent = true;
    else opaque = true;
    if (transparent && opaque) return true;
  }
  return false;
}

/**
 * True when the image looks like a dark digit on a light background (MNIST is light on black):
 * the mean of its outer frame is above 0.5. A digit rarely fills the border, so the frame is the
 * background. The frame is 1/50 of the smaller side thick (at least 1 px), so a scanner edge or a
 * one-pixel line around a photo does not decide alone.
 */
export function looksInverted(grey: Float32Array, width: number, height: number): boolean {
  checkGrey(grey, width, height);
  const { sum, count } = frameStats(grey, width, height);
  return sum / count > 0.5;
}

/** The outer frame's pixels, visited once each; calls `f(value)` for each. */
function forFrame(grey: Float32Array, width: number, height: number, f: (v: number) => void): void {
  const t = Math.max(1, Math.round(Math.min(width, height) / 50));
  for (let y = 0; y < height; y++) {
    const row = y * width;
    if (y < t || y >= height - t) {
      for (let x = 0; x < width; x++) f(grey[row + x]!);
    } else {
      // Left and right strips; when they would overlap (narrow images) take each pixel once.
      const left = Math.min(t, width);
      for (let x = 0; x < left; x++) f(grey[row + x]!);
      for (let x = Math.max(left, width - t); x < width; x++) f(grey[row + x]!);
    }
  }
}

function frameStats(grey: Float32Array, width: number, height: number): { sum: number; count: number } {
  let sum = 0;
  let count = 0;
  forFrame(grey, width, height, (v) => {
    sum += v;
    count++;
  });
  return { sum, count };
}

/** Median of the frame, on a 256-level histogram (inputs are 8-bit). */
function frameMedian(grey: Float32Array, width: number, height: number): number {
  const hist = new Uint32Array(256);
  let count = 0;
  forFrame(grey, width, height, (v) => {
    hist[Math.min(255, Math.max(0, Math.round(v * 255)))]!++;
    count++;
  });
  let seen = 0;
  for (let level = 0; level < 256; level++) {
    seen += hist[level]!;
    if (seen * 2 >= count) return level / 255;
  }
  return 1;
}

/**
 * An MNIST-like 28×28 input from any image (1×1 to many thousands of pixels a side).
 *
 * 1. Ink: {@link toInk}; inverted when `invert` is true, or "auto" (default) and
 *    {@link looksInverted} — a warning says so.
 * 2. Background: the frame's median is subtracted and the rest stretched back to [0, 1] (grey paper
 *    in a photo becomes black), unless that background is the lighter side (a forced orientation
 *    is taken literally). Ink below 10 % of the brightest is zeroed as noise.
 * 3. Bounding box of pixels at ≥ 50 % of the brightest ink; scale s = 20 / (its larger side).
 * 4. Placement: the box's top-left corner on a pixel corner, then a whole-pixel shift that puts the
 *    centre of mass of all remaining ink within half a pixel of index (14, 14), as in MNIST
 *    (whole pixels keep strokes as sharp as MNIST's; a sub-pixel shift would blur them).
 * 5. Resampling by exact area averaging (each output pixel is the mean of the source area it
 *    covers, a box filter — separable, O(width·height)): downscaling keeps every stroke's mass, so
 *    a 1-px line in a 2000-px image survives (faint, until step 6); upscaling a tiny image is
 *    blocky with anti-aliased edges. Ink outside the 28×28 field is cropped (as in MNIST).
 * 6. Divided by the brightest output pixel (every MNIST digit peaks at 254 or 255 of 255, so
 *    faint or thin drawings come out as bright as MNIST's), clamped to [0, 1].
 *
 * Throws DescentError when there is no ink (blank or uniform image).
 */
export function mnistLike(img: RawImage, opts: MnistLikeOptions = {}): MnistLikeResult {
  const { invert = "auto", name = "image" } = opts;
  const { width, height } = img;
  const grey = toInk(img);
  const warnings: string[] = [];

  const inverted = invert === true || (invert === "auto" && looksInverted(grey, width, height));
  if (inverted) {
    for (let i = 0; i < grey.length; i++) grey[i] = 1 - grey[i]!;
    if (invert === "auto") {
      warnings.push(
        `${name} looked inverted (a dark digit on a light background), so it was inverted to match ` +
          `MNIST's light digit on black; pass invert: false (on the command line, --invert no) to keep it as is.`,
      );
    }
  }

  const ink = removeBackground(grey, width, height);
  let peak = 0;
  for (let i = 0; i < ink.length; i++) peak = Math.max(peak, ink[i]!);
  if (peak < MIN_CONTRAST) {
    throw new DescentError(
      `${name}: no digit found — the ${width}×${height} image is blank or uniform` +
        `${inverted ? " after inverting it" : ""} (brightest ink ${Math.round(peak * 255)}/255 above ` +
        `the background, need ≥ ${Math.round(MIN_CONTRAST * 255)}). Draw a digit with clear contrast` +
        `${invert === "auto" ? "" : ", or leave invert on \"auto\""}.`,
    );
  }
  for (let i = 0; i < ink.length; i++) if (ink[i]! < NOISE_FLOOR * peak) ink[i] = 0;

  const box = boundingBox(ink, width, height, BOX_THRESHOLD * peak);
  if (box.x0 === 0 || box.y0 === 0 || box.x1 === width || box.y1 === height) {
    if (width > 1 || height > 1) {
      warnings.push(`The digit touches the edge of ${name}; if it is cut off, leave a margin around it.`);
    }
  }
  const s = BOX / Math.max(box.x1 - box.x0, box.y1 - box.y0);

  // Source pixel x covers [x, x+1); output u = s·x + t. The box's top-left corner goes on a pixel
  // corner (MNIST's 20×20 box was a pixel grid), then whole pixels of shift bring the centre of mass
  // nearest to index 14 — index i's centre is at u = i + 0.5, so its mass-weighted mean is the
  // continuous centre minus 0.5.
  const com = centreOfMass(ink, width, height);
  const place = (lo: number, c: number) => -s * lo + Math.round(CENTRE + 0.5 - s * (c - lo));
  const tx = place(box.x0, com.x);
  const ty = place(box.y0, com.y);
  let pixels = resampleArea(ink, width, height, s, tx, ty);
  // The prediction above ignores how the ink falls into pixels; correct the rare miss by measuring.
  const got = indexCentre(pixels);
  const dx = Math.round(CENTRE - got.x);
  const dy = Math.round(CENTRE - got.y);
  if (dx !== 0 || dy !== 0) pixels = resampleArea(ink, width, height, s, tx + dx, ty + dy);

  let top = 0;
  for (let i = 0; i < pixels.length; i++) top = Math.max(top, pixels[i]!);
  if (top > 0) for (let i = 0; i < pixels.length; i++) pixels[i] = Math.min(1, Math.max(0, pixels[i]! / top));
  return { pixels, inverted, warnings };
}

/** Subtracts the frame's median (the background) and rescales to [0, 1]; in place, returned. */
function removeBackground(grey: Float32Array, width: number, height: number): Float32Array {
  const bg = frameMedian(grey, width, height);
  if (bg <= 0 || bg > 0.5) return grey;
  const k = 1 / (1 - bg);
  for (let i = 0; i < grey.length; i++) grey[i] = Math.max(0, (grey[i]! - bg) * k);
  return grey;
}

/** Half-open box [x0, x1) × [y0, y1) of the pixels ≥ threshold (there is at least one). */
function boundingBox(ink: Float32Array, width: number, height: number, threshold: number) {
  let x0 = width, x1 = 0, y0 = height, y1 = 0;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (ink[row + x]! >= threshold) {
        if (x < x0) x0 = x;
        if (x >= x1) x1 = x + 1;
        if (y < y0) y0 = y;
        y1 = y + 1;
      }
    }
  }
  return { x0, x1, y0, y1 };
}

function centreOfMass(ink: Float32Array, width: number, height: number): { x: number; y: number } {
  let m = 0, mx = 0, my = 0;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let rowMass = 0;
    for (let x = 0; x < width; x++) {
      const v = ink[row + x]!;
      rowMass += v;
      mx += v * (x + 0.5);
    }
    m += rowMass;
    my += rowMass * (y + 0.5);
  }
  return { x: mx / m, y: my / m };
}

/** Centre of mass of a 28×28 image in pixel-index coordinates. */
function indexCentre(p: Float32Array): { x: number; y: number } {
  let m = 0, mx = 0, my = 0;
  for (let i = 0; i < SIZE; i++) {
    for (let j = 0; j < SIZE; j++) {
      const v = p[i * SIZE + j]!;
      m += v;
      mx += v * j;
      my += v * i;
    }
  }
  return m > 0 ? { x: mx / m, y: my / m } : { x: CENTRE, y: CENTRE };
}

/** Per output index: the first source index it reads and the weights of the following ones. */
interface AxisWeights {
  start: number;
  weights: Float64Array;
}

/**
 * Box-filter weights along one axis for the map u = s·x + t (source x → output u): output cell
 * [i, i+1) reads the source interval [(i − t)/s, (i + 1 − t)/s); each source pixel weighs its
 * overlap with it times s, so the weights are the average over the cell (areas outside the
 * source count as black).
 */
function axisWeights(srcLen: number, s: number, t: number): AxisWeights[] {
  const out: AxisWeights[] = [];
  for (let i = 0; i < SIZE; i++) {
    const a = Math.max(0, (i - t) / s);
    const b = Math.min(srcLen, (i + 1 - t) / s);
    if (!(b > a)) {
      out.push({ start: 0, weights: new Float64Array(0) });
      continue;
    }
    const start = Math.floor(a);
    const end = Math.ceil(b);
    const weights = new Float64Array(end - start);
    for (let x = start; x < end; x++) weights[x - start] = (Math.min(b, x + 1) - Math.max(a, x)) * s;
    out.push({ start, weights });
  }
  return out;
}

/** 28×28 area-averaged resampling of `ink` under u = s·x + tx, v = s·y + ty; rows then columns. */
function resampleArea(ink: Float32Array, width: number, height: number, s: number, tx: number, ty: number): Float32Array {
  const wx = axisWeights(width, s, tx);
  const wy = axisWeights(height, s, ty);
  // Only source rows some output row reads need the horizontal pass.
  let rowLo = height, rowHi = 0;
  for (const { start, weights } of wy) {
    if (weights.length === 0) continue;
    rowLo = Math.min(rowLo, start);
    rowHi = Math.max(rowHi, start + weights.length);
  }
  const out = new Float32Array(SIZE * SIZE);
  if (rowHi <= rowLo) return out;
  const tmp = new Float64Array((rowHi - rowLo) * SIZE);
  for (let y = rowLo; y < rowHi; y++) {
    const row = y * width;
    const t = (y - rowLo) * SIZE;
    for (let j = 0; j < SIZE; j++) {
      const { start, weights } = wx[j]!;
      let acc = 0;
      for (let k = 0; k < weights.length; k++) acc += weights[k]! * ink[row + start + k]!;
      tmp[t + j] = acc;
    }
  }
  for (let i = 0; i < SIZE; i++) {
    const { start, weights } = wy[i]!;
    for (let k = 0; k < weights.length; k++) {
      const w = weights[k]!;
      const t = (start + k - rowLo) * SIZE;
      for (let j = 0; j < SIZE; j++) out[i * SIZE + j]! += w * tmp[t + j]!;
    }
  }
  return out;
}

function checkImage(img: RawImage): void {
  const { width, height, channels, data } = img;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new DescentError(`image: size ${width}×${height} is not a positive whole number of pixels`);
  }
  if (![1, 2, 3, 4].includes(channels)) {
    throw new DescentError(`image: ${channels} channels, expected 1 (grey), 2 (grey+alpha), 3 (RGB) or 4 (RGBA)`);
  }
  if (data.length !== width * height * channels) {
    throw new DescentError(
      `image: ${data.length} bytes of pixel data, expected ${width}×${height}×${channels} = ${width * height * channels}`,
    );
  }
}

function checkGrey(grey: Float32Array, width: number, height: number): void {
  if (grey.length !== width * height || width < 1 || height < 1) {
    throw new DescentError(`image: ${grey.length} grey values, expected ${width}×${height} = ${width * height}`);
  }
}
