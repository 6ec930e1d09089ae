/**
 * The Winograd F(4×4, 5×5) pieces as plain loops over their matrices: the definition the wasm
 * kernels (assembly/winograd.ts) are tested against. Not part of `ref` itself, so float64 data
 * (gradient checks) and the ref backend keep the direct convolution.
 *
 * Points 0, 1, −1, 2, −2, ½, −½, ∞. V_k is the 8×k evaluation matrix (row p: 1, p, …, p^(k−1);
 * row ∞: 0 … 0 1). DATA = V_8⁻ᵀ with row i scaled by SCALE[i]; FILTER5 = V_5 and GRAD4 = V_4
 * with row i divided by SCALE[i]; OUT4 = V_4ᵀ, OUT5 = V_5ᵀ.
 */
import type { FloatArray, WinogradKernels } from "./types.js";

const POINTS = [0, 1, -1, 2, -2, 0.5, -0.5];
export const SCALE = [1, 4.5, 4.5, 180, 180, 45 / 16, 45 / 16, 1];

const DATA = [
  [1, 0, -5.25, 0, 5.25, 0, -1, 0],
  [0, -1, -1, 4.25, 4.25, -1, -1, 0],
  [0, 1, -1, -4.25, 4.25, 1, -1, 0],
  [0, 1, 0.5, -5, -2.5, 4, 2, 0],
  [0, -1, 0.5, 5, -2.5, -4, 2, 0],
  [0, 4, 8, -5, -10, 1, 2, 0],
  [0, -4, 8, 5, -10, -1, 2, 0],
  [0, -1, 0, 5.25, 0, -5.25, 0, 1],
];

/** V_k, rows divided by SCALE when `scaled`. */
function evaluation(k: number, scaled: boolean): number[][] {
  const rows = POINTS.map((p) => Array.from({ length: k }, (_, j) => p ** j));
  rows.push(Array.from({ length: k }, (_, j) => (j === k - 1 ? 1 : 0)));
  return scaled ? rows.map((r, i) => r.map((v) => v / SCALE[i]!)) : rows;
}

const FILTER5 = evaluation(5, true);
const PLAIN5 = evaluation(5, false);
const GRAD4 = evaluation(4, true);
const OUT4 = evaluation(4, false);

/** L · X · Rᵀ for X [rows(L')×…]: out[a][b] = Σ_i Σ_j L[a][i] X[i][j] R[b][j]. */
function sandwich(L: number[][], X: number[][], R: number[][]): number[][] {
  return L.map((l) => R.map((r) => {
    let s = 0;
    for (let i = 0; i < l.length; i++) for (let j = 0; j < r.length; j++) s += l[i]! * X[i]![j]! * r[j]!;
    return s;
  }));
}

const transpose = (M: number[][]) => M[0]!.map((_, j) => M.map((r) => r[j]!));

/** Tile t's place: image, top row and left column (4·tile row, 4·tile column). */
function tilePlace(t: number, tw: number, tpp: number): [number, number, number] {
  const img = Math.floor(t / tpp);
  const r = t - img * tpp;
  return [img, 4 * Math.floor(r / tw), 4 * (r % tw)];
}

function block(x: FloatArray, base: number, w: number, rows: number, cols: number): number[][] {
  return Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => x[base + i * w + j]!));
}

/** Item `at`'s 64 points (8×8) from a buffer whose points lie ps floats apart. */
function pointsAt(m: FloatArray, ps: number, at: number): number[][] {
  return Array.from({ length: 8 }, (_, py) => Array.from({ length: 8 }, (_, px) => m[(py * 8 + px) * ps + at]!));
}

export const refWinograd: WinogradKernels = {
  data(x, n, c, h, w, out, ps) {
    const tw = (w - 4) / 4, tpp = ((h - 4) / 4) * tw, T = n * tpp;
    for (let ch = 0; ch < c; ch++) {
      for (let t = 0; t < T; t++) {
        const [img, r0, c0] = tilePlace(t, tw, tpp);
        const v = sandwich(DATA, block(x, ((img * c + ch) * h + r0) * w + c0, w, 8, 8), DATA);
        for (let p = 0; p < 64; p++) out[p * ps + ch * T + t] = v[p >> 3]![p & 7]!;
      }
    }
  },
  dataAdjoint(m, ps, n, c, h, w, dx) {
    const tw = (w - 4) / 4, tpp = ((h - 4) / 4) * tw, T = n * tpp;
    dx.fill(0, 0, n * c * h * w);
    const dataT = transpose(DATA);
    for (let ch = 0; ch < c; ch++) {
      for (let t = 0; t < T; t++) {
        const [img, r0, c0] = tilePlace(t, tw, tpp);
        const grad = pointsAt(m, ps, ch * T + t);
        const d = sandwich(dataT, grad, dataT);
        const base = ((img * c + ch) * h + r0) * w + c0;
        for (let i = 0; i < 8; i++) for (let j = 0; j < 8; j++) dx[base + i * w + j] = dx[base + i * w + j]! + d[i]![j]!;
      }
    }
  },
  gradTiles(dy, n, f, ho, wo, out, ps) {
    const tw = wo / 4, tpp = (ho / 4) * tw, T = n * tpp;
    for (let fi = 0; fi < f; fi++) {
      for (let t = 0; t < T; t++) {
        const [img, r0, c0] = tilePlace(t, tw, tpp);
        const v = sandwich(GRAD4, block(dy, ((img * f + fi) * ho + r0) * wo + c0, wo, 4, 4), GRAD4);
        for (let p = 0; p < 64; p++) out[p * ps + fi * T + t] = v[p >> 3]![p & 7]!;
      }
    }
  },
  filters(wt, f, c, unscaled, out, ps) {
    const G = unscaled ? PLAIN5 : FILTER5;
    for (let q = 0; q < f * c; q++) {
      const v = sandwich(G, block(wt, q * 25, 5, 5, 5), G);
      for (let p = 0; p < 64; p++) out[p * ps + q] = v[p >> 3]![p & 7]!;
    }
  },
  output(m, ps, n, f, ho, wo, bias, y) {
    const tw = wo / 4, tpp = (ho / 4) * tw, T = n * tpp;
    const at = transpose(OUT4);
    for (let fi = 0; fi < f; fi++) {
      for (let t = 0; t < T; t++) {
        const [img, r0, c0] = tilePlace(t, tw, tpp);
        const pts = pointsAt(m, ps, fi * T + t);
        const v = sandwich(at, pts, at);
        const base = ((img * f + fi) * ho + r0) * wo + c0;
        for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) y[base + i * wo + j] = v[i]![j]! + (bias ? bias[fi]! : 0);
      }
    }
  },
  weights(m, ps, f, c, dw, accumulate) {
    const at = transpose(PLAIN5);
    for (let q = 0; q < f * c; q++) {
      const pts = pointsAt(m, ps, q);
      const v = sandwich(at, pts, at);
      for (let e = 0; e < 25; e++) dw[q * 25 + e] = (accumulate ? dw[q * 25 + e]! : 0) + v[Math.floor(e / 5)]![e % 5]!;
    }
  },
  pad(x, planes, h, w, top, left, hp, wp, out) {
    out.fill(0, 0, planes * hp * wp);
    for (let p = 0; p < planes; p++) for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) out[(p * hp + i + top) * wp + j + left] = x[(p * h + i) * w + j]!;
  },
  crop(x, planes, hp, wp, top, left, h, w, out) {
    for (let p = 0; p < planes; p++) for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) out[(p * h + i) * w + j] = x[(p * hp + i + top) * wp + j + left]!;
  },
  backwardProducts(plain, sf, gTiles, sy, dPatches, sp, patches, wPoints, f, c, tiles) {
    this.products(plain, sf, gTiles, sy, dPatches, sp, c, f, tiles, "tn");
    this.products(gTiles, sy, patches, sp, wPoints, sf, f, tiles, c, "nt");
  },
  products(a, sa, b, sb, c, sc, m, k, n, trans) {
    for (let p = 0; p < 64; p++) {
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let r = 0; r < k; r++) {
            const av = trans === "tn" ? a[p * sa + r * m + i]! : a[p * sa + i * k + r]!;
            const bv = trans === "nt" ? b[p * sb + j * k + r]! : b[p * sb + r * n + j]!;
            s += av * bv;
          }
          c[p * sc + i * n + j] = s;
        }
      }
    }
  },
};
