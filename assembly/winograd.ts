// Winograd F(4×4, 5×5): a 5×5 convolution (stride 1) computed tile by tile. An 8×8 input patch
// and a 5×5 filter, each taken to 64 "transform points", are multiplied point by point; summed
// over channels (64 independent matrix products) and taken back, they give a 4×4 output tile.
// That is 64 multiplies per channel for 16 outputs instead of 400, at the cost of the
// transforms below. The weight gradient is the same algorithm as F(5×5, 4×4): the 4×4 output
// gradient tile plays the filter and the same 8×8 input patches (the same transform) the data.
//
// Points 0, ±1, ±2, ±½ and ∞. With V_k the 8×k evaluation matrix (row p: 1, p, …, p^(k−1);
// row ∞: 0 … 0 1), a correlation of d (8) with g (r taps) giving m = 9 − r outputs is
//   y = V_mᵀ · ((V_r·g) ⊙ (V_8⁻ᵀ·d)).
// Rows of V_8⁻ᵀ (the data transform Bᵀ) are scaled by s = 1, 9/2, 9/2, 180, 180, 45/16, 45/16, 1
// to small exact numbers, and the filter rows by 1/s, which leaves every product unchanged
// (derivation and float32 error check: tools/winograd-derive.py).
//
// The 64 points of a buffer lie `ps` floats apart, a stride the host pads to an odd number of
// cache lines: at a multiple of 4 KiB (a [20 × 256] block is 20 KiB) the 64 streams a transform
// writes would all fall in one cache set.
//
// Every transform runs on four items at once, one per SIMD lane (four tiles, or four
// filter/channel pairs), through a 3 KiB scratch: the thread's gemm packing buffer, which is
// idle whenever a transform runs.
import { gemmNN, gemmNT, packScratch } from "./gemm";

// @ts-ignore: decorator
@inline const V = 16; // bytes per vector

// @ts-ignore: decorator
@inline function vk(x: f32): v128 {
  return f32x4.splat(x);
}

/** Bᵀ (scaled) on 8 vectors at src + i·ss → 8 vectors at dst + i·ds. */
// @ts-ignore: decorator
@inline function dataTransform(src: usize, ss: usize, dst: usize, ds: usize): void {
  const d0 = v128.load(src), d1 = v128.load(src + ss), d2 = v128.load(src + 2 * ss), d3 = v128.load(src + 3 * ss);
  const d4 = v128.load(src + 4 * ss), d5 = v128.load(src + 5 * ss), d6 = v128.load(src + 6 * ss), d7 = v128.load(src + 7 * ss);
  v128.store(dst, f32x4.add(f32x4.sub(d0, d6), f32x4.mul(vk(5.25), f32x4.sub(d4, d2))));
  const o1 = f32x4.sub(f32x4.mul(vk(4.25), d3), f32x4.add(d1, d5));
  const e1 = f32x4.sub(f32x4.mul(vk(4.25), d4), f32x4.add(d2, d6));
  v128.store(dst + ds, f32x4.add(e1, o1));
  v128.store(dst + 2 * ds, f32x4.sub(e1, o1));
  const o3 = f32x4.add(f32x4.sub(d1, f32x4.mul(vk(5), d3)), f32x4.mul(vk(4), d5));
  const e3 = f32x4.add(f32x4.sub(f32x4.mul(vk(0.5), d2), f32x4.mul(vk(2.5), d4)), f32x4.add(d6, d6));
  v128.store(dst + 3 * ds, f32x4.add(e3, o3));
  v128.store(dst + 4 * ds, f32x4.sub(e3, o3));
  const o5 = f32x4.add(f32x4.sub(f32x4.mul(vk(4), d1), f32x4.mul(vk(5), d3)), d5);
  const e5 = f32x4.add(f32x4.sub(f32x4.mul(vk(8), d2), f32x4.mul(vk(10), d4)), f32x4.add(d6, d6));
  v128.store(dst + 5 * ds, f32x4.add(e5, o5));
  v128.store(dst + 6 * ds, f32x4.sub(e5, o5));
  v128.store(dst + 7 * ds, f32x4.add(f32x4.sub(d7, d1), f32x4.mul(vk(5.25), f32x4.sub(d3, d5))));
}

/** (Bᵀ scaled)ᵀ on 8 points → 8 patch values: the adjoint of dataTransform, for the input gradient. */
// @ts-ignore: decorator
@inline function dataAdjoint(src: usize, ss: usize, dst: usize, ds: usize): void {
  const v0 = v128.load(src), v1 = v128.load(src + ss), v2 = v128.load(src + 2 * ss), v3 = v128.load(src + 3 * ss);
  const v4 = v128.load(src + 4 * ss), v5 = v128.load(src + 5 * ss), v6 = v128.load(src + 6 * ss), v7 = v128.load(src + 7 * ss);
  const a1 = f32x4.add(v1, v2), s1 = f32x4.sub(v2, v1);
  const a3 = f32x4.add(v3, v4), s3 = f32x4.sub(v3, v4);
  const a5 = f32x4.add(v5, v6), s5 = f32x4.sub(v5, v6);
  v128.store(dst, v0);
  v128.store(dst + ds, f32x4.sub(f32x4.add(f32x4.add(s1, s3), f32x4.mul(vk(4), s5)), v7));
  v128.store(dst + 2 * ds, f32x4.add(f32x4.sub(f32x4.mul(vk(0.5), a3), f32x4.add(f32x4.mul(vk(5.25), v0), a1)), f32x4.mul(vk(8), a5)));
  v128.store(dst + 3 * ds, f32x4.sub(f32x4.mul(vk(5.25), v7), f32x4.add(f32x4.mul(vk(4.25), s1), f32x4.mul(vk(5), f32x4.add(s3, s5)))));
  v128.store(dst + 4 * ds, f32x4.sub(f32x4.add(f32x4.mul(vk(5.25), v0), f32x4.mul(vk(4.25), a1)), f32x4.add(f32x4.mul(vk(2.5), a3), f32x4.mul(vk(10), a5))));
  v128.store(dst + 5 * ds, f32x4.sub(f32x4.add(f32x4.add(s1, f32x4.mul(vk(4), s3)), s5), f32x4.mul(vk(5.25), v7)));
  v128.store(dst + 6 * ds, f32x4.sub(f32x4.mul(vk(2), f32x4.add(a3, a5)), f32x4.add(v0, a1)));
  v128.store(dst + 7 * ds, v7);
}

/** s_i, the scale of data-transform row i (and 1/s_i of the filter rows). */
// @ts-ignore: decorator
@inline function rowScale(i: i32): f32 {
  return i == 1 || i == 2 ? 4.5 : i == 3 || i == 4 ? 180 : i == 5 || i == 6 ? 2.8125 : 1;
}

/** V_5 (rows scaled by 1/s) on 5 vectors: a 5-tap filter → 8 points. */
// @ts-ignore: decorator
@inline function filterTransform(src: usize, ss: usize, dst: usize, ds: usize): void {
  const g0 = v128.load(src), g1 = v128.load(src + ss), g2 = v128.load(src + 2 * ss), g3 = v128.load(src + 3 * ss), g4 = v128.load(src + 4 * ss);
  v128.store(dst, g0);
  const e1 = f32x4.add(f32x4.add(g0, g2), g4), o1 = f32x4.add(g1, g3);
  v128.store(dst + ds, f32x4.mul(vk(<f32>2 / 9), f32x4.add(e1, o1)));
  v128.store(dst + 2 * ds, f32x4.mul(vk(<f32>2 / 9), f32x4.sub(e1, o1)));
  const e3 = f32x4.add(f32x4.add(g0, f32x4.mul(vk(4), g2)), f32x4.mul(vk(16), g4));
  const o3 = f32x4.add(f32x4.add(g1, g1), f32x4.mul(vk(8), g3));
  v128.store(dst + 3 * ds, f32x4.mul(vk(<f32>1 / 180), f32x4.add(e3, o3)));
  v128.store(dst + 4 * ds, f32x4.mul(vk(<f32>1 / 180), f32x4.sub(e3, o3)));
  const e5 = f32x4.add(f32x4.add(g0, f32x4.mul(vk(0.25), g2)), f32x4.mul(vk(0.0625), g4));
  const o5 = f32x4.add(f32x4.mul(vk(0.5), g1), f32x4.mul(vk(0.125), g3));
  v128.store(dst + 5 * ds, f32x4.mul(vk(<f32>16 / 45), f32x4.add(e5, o5)));
  v128.store(dst + 6 * ds, f32x4.mul(vk(<f32>16 / 45), f32x4.sub(e5, o5)));
  v128.store(dst + 7 * ds, g4);
}

/** V_4 (rows scaled by 1/s) on 4 vectors: a 4×4 output-gradient tile's rows → 8 points. */
// @ts-ignore: decorator
@inline function gradTransform(src: usize, ss: usize, dst: usize, ds: usize): void {
  const g0 = v128.load(src), g1 = v128.load(src + ss), g2 = v128.load(src + 2 * ss), g3 = v128.load(src + 3 * ss);
  v128.store(dst, g0);
  const e1 = f32x4.add(g0, g2), o1 = f32x4.add(g1, g3);
  v128.store(dst + ds, f32x4.mul(vk(<f32>2 / 9), f32x4.add(e1, o1)));
  v128.store(dst + 2 * ds, f32x4.mul(vk(<f32>2 / 9), f32x4.sub(e1, o1)));
  const e3 = f32x4.add(g0, f32x4.mul(vk(4), g2)), o3 = f32x4.add(f32x4.add(g1, g1), f32x4.mul(vk(8), g3));
  v128.store(dst + 3 * ds, f32x4.mul(vk(<f32>1 / 180), f32x4.add(e3, o3)));
  v128.store(dst + 4 * ds, f32x4.mul(vk(<f32>1 / 180), f32x4.sub(e3, o3)));
  const e5 = f32x4.add(g0, f32x4.mul(vk(0.25), g2)), o5 = f32x4.add(f32x4.mul(vk(0.5), g1), f32x4.mul(vk(0.125), g3));
  v128.store(dst + 5 * ds, f32x4.mul(vk(<f32>16 / 45), f32x4.add(e5, o5)));
  v128.store(dst + 6 * ds, f32x4.mul(vk(<f32>16 / 45), f32x4.sub(e5, o5)));
  v128.store(dst + 7 * ds, g3);
}

/** V_4ᵀ on 8 points → 4 outputs (the output transform of the forward pass and of dx). */
// @ts-ignore: decorator
@inline function outputTransform(src: usize, ss: usize, dst: usize, ds: usize): void {
  const m0 = v128.load(src), m1 = v128.load(src + ss), m2 = v128.load(src + 2 * ss), m3 = v128.load(src + 3 * ss);
  const m4 = v128.load(src + 4 * ss), m5 = v128.load(src + 5 * ss), m6 = v128.load(src + 6 * ss), m7 = v128.load(src + 7 * ss);
  const a1 = f32x4.add(m1, m2), s1 = f32x4.sub(m1, m2);
  const a3 = f32x4.add(m3, m4), s3 = f32x4.sub(m3, m4);
  const a5 = f32x4.add(m5, m6), s5 = f32x4.sub(m5, m6);
  v128.store(dst, f32x4.add(f32x4.add(m0, a1), f32x4.add(a3, a5)));
  v128.store(dst + ds, f32x4.add(f32x4.add(s1, f32x4.add(s3, s3)), f32x4.mul(vk(0.5), s5)));
  v128.store(dst + 2 * ds, f32x4.add(f32x4.add(a1, f32x4.mul(vk(4), a3)), f32x4.mul(vk(0.25), a5)));
  v128.store(dst + 3 * ds, f32x4.add(f32x4.add(f32x4.add(s1, f32x4.mul(vk(8), s3)), f32x4.mul(vk(0.125), s5)), m7));
}

/** V_5ᵀ on 8 points → 5 outputs (the output transform of the weight gradient). */
// @ts-ignore: decorator
@inline function weightTransform(src: usize, ss: usize, dst: usize, ds: usize): void {
  const m0 = v128.load(src), m1 = v128.load(src + ss), m2 = v128.load(src + 2 * ss), m3 = v128.load(src + 3 * ss);
  const m4 = v128.load(src + 4 * ss), m5 = v128.load(src + 5 * ss), m6 = v128.load(src + 6 * ss), m7 = v128.load(src + 7 * ss);
  const a1 = f32x4.add(m1, m2), s1 = f32x4.sub(m1, m2);
  const a3 = f32x4.add(m3, m4), s3 = f32x4.sub(m3, m4);
  const a5 = f32x4.add(m5, m6), s5 = f32x4.sub(m5, m6);
  v128.store(dst, f32x4.add(f32x4.add(m0, a1), f32x4.add(a3, a5)));
  v128.store(dst + ds, f32x4.add(f32x4.add(s1, f32x4.add(s3, s3)), f32x4.mul(vk(0.5), s5)));
  v128.store(dst + 2 * ds, f32x4.add(f32x4.add(a1, f32x4.mul(vk(4), a3)), f32x4.mul(vk(0.25), a5)));
  v128.store(dst + 3 * ds, f32x4.add(f32x4.add(s1, f32x4.mul(vk(8), s3)), f32x4.mul(vk(0.125), s5)));
  v128.store(dst + 4 * ds, f32x4.add(f32x4.add(f32x4.add(a1, f32x4.mul(vk(16), a3)), f32x4.mul(vk(0.0625), a5)), m7));
}

/** Transposes the 4×4 block of rows r0…r3 (one item each) into 4 vectors at dst + j·ds (one per column, lanes = items). */
// @ts-ignore: decorator
@inline function transpose4(r0: v128, r1: v128, r2: v128, r3: v128, dst: usize, ds: usize): void {
  const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
  const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5), t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
  v128.store(dst + ds, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
  v128.store(dst + 2 * ds, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * ds, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
}

/** Address of tile t's top-left input element: tiles of 4 outputs, tw per row, tpp per image. */
// @ts-ignore: decorator
@inline function tileBase(x: usize, t: i32, plane: i32, planes: i32, h: i32, w: i32, tw: i32, tpp: i32): usize {
  const img = t / tpp, r = t - img * tpp;
  const ty = r / tw, tx = r - ty * tw;
  return x + (<usize>(((img * planes + plane) * h + (ty << 2)) * w + (tx << 2)) << 2);
}

/** Stores 8 vectors from src (stride V) to dst + i·ds: whole vectors, or the first `lanes` lanes. */
function storeLanes(src: usize, n: i32, dst: usize, ds: usize, lanes: i32): void {
  for (let i = 0; i < n; i++) {
    const s = src + <usize>i * V, d = dst + <usize>i * ds;
    if (lanes == 4) v128.store(d, v128.load(s));
    else for (let l = 0; l < lanes; l++) store<f32>(d + (<usize>l << 2), load<f32>(s + (<usize>l << 2)));
  }
}

/**
 * Data transform of every 8×8 patch at stride 4 of x [n, c, h, w] (no padding: h and w are
 * 4·tiles + 4) → out [64][c][T], T = n·tiles, tile index (image, tile row, tile column).
 * Channels [c0, c1) only (one thread's share).
 */
export function wgData(x: usize, n: i32, c: i32, h: i32, w: i32, out: usize, ps: i32, c0: i32, c1: i32): void {
  const tw = (w - 4) >> 2, tpp = ((h - 4) >> 2) * tw, T = n * tpp;
  const g = packScratch(), z = g + 64 * V, r = z + 64 * V;
  const rowBytes = <usize>w << 2;
  const pointStride = <usize>ps << 2;
  for (let ch = c0; ch < c1; ch++) {
    for (let t0 = 0; t0 < T; t0 += 4) {
      const lanes = min(4, T - t0);
      const b0 = tileBase(x, t0, ch, c, h, w, tw, tpp);
      const b1 = tileBase(x, min(t0 + 1, T - 1), ch, c, h, w, tw, tpp);
      const b2 = tileBase(x, min(t0 + 2, T - 1), ch, c, h, w, tw, tpp);
      const b3 = tileBase(x, min(t0 + 3, T - 1), ch, c, h, w, tw, tpp);
      // g[i][j]: patch element (i, j) of the four tiles.
      for (let i = 0; i < 8; i++) {
        const o = <usize>i * rowBytes, gi = g + <usize>i * 8 * V;
        transpose4(v128.load(b0 + o), v128.load(b1 + o), v128.load(b2 + o), v128.load(b3 + o), gi, V);
        transpose4(v128.load(b0 + o, 16), v128.load(b1 + o, 16), v128.load(b2 + o, 16), v128.load(b3 + o, 16), gi + 4 * V, V);
      }
      // Columns, then rows: out point (py, px) = Σ Bᵀ[py][i] Bᵀ[px][j] g[i][j].
      for (let j = 0; j < 8; j++) dataTransform(g + <usize>j * V, 8 * V, z + <usize>j * V, 8 * V);
      const base = out + (<usize>(ch * T + t0) << 2);
      for (let py = 0; py < 8; py++) {
        const dst = base + <usize>(py * 8) * pointStride;
        if (lanes == 4) dataTransform(z + <usize>py * 8 * V, V, dst, pointStride);
        else {
          dataTransform(z + <usize>py * 8 * V, V, r, V);
          storeLanes(r, 8, dst, pointStride, lanes);
        }
      }
    }
  }
}

/**
 * Adjoint of wgData: m [64][c][T] (gradients of the transformed patches) → dx [n, c, h, w],
 * each 8×8 patch's gradient added where the patch came from (patches overlap by 4). Planes of
 * channels [c0, c1) are zeroed first, so dx needs no clearing.
 */
export function wgDataAdjoint(m: usize, ps: i32, n: i32, c: i32, h: i32, w: i32, dx: usize, c0: i32, c1: i32): void {
  const tw = (w - 4) >> 2, tpp = ((h - 4) >> 2) * tw, T = n * tpp;
  const g = packScratch(), z = g + 64 * V, r = z + 64 * V;
  const rowBytes = <usize>w << 2;
  const pointStride = <usize>ps << 2;
  for (let img = 0; img < n; img++) {
    for (let ch = c0; ch < c1; ch++) memory.fill(dx + (<usize>((img * c + ch) * h * w) << 2), 0, <usize>(h * w) << 2);
  }
  for (let ch = c0; ch < c1; ch++) {
    for (let t0 = 0; t0 < T; t0 += 4) {
      const lanes = min(4, T - t0);
      const base = m + (<usize>(ch * T + t0) << 2);
      // z[i][px]: patch rows for each column point px.
      for (let px = 0; px < 8; px++) {
        const src = base + <usize>px * pointStride;
        if (lanes == 4) dataAdjoint(src, 8 * pointStride, z + <usize>px * V, 8 * V);
        else {
          loadLanes(src, 8 * pointStride, r, lanes);
          dataAdjoint(r, V, z + <usize>px * V, 8 * V);
        }
      }
      for (let i = 0; i < 8; i++) {
        // Row i of the four patches: columns 0–3 and 4–7, one vector per tile after transposing.
        dataAdjoint(z + <usize>i * 8 * V, V, g, V);
        transpose4(v128.load(g), v128.load(g, 16), v128.load(g, 32), v128.load(g, 48), r, V);
        transpose4(v128.load(g, 64), v128.load(g, 80), v128.load(g, 96), v128.load(g, 112), r + 4 * V, V);
        for (let l = 0; l < lanes; l++) {
          const dst = tileBase(dx, t0 + l, ch, c, h, w, tw, tpp) + <usize>i * rowBytes;
          v128.store(dst, f32x4.add(v128.load(dst), v128.load(r + <usize>l * V)));
          v128.store(dst, f32x4.add(v128.load(dst, 16), v128.load(r + <usize>(4 + l) * V)), 16);
        }
      }
    }
  }
}

/**
 * The 4×4 tiles of an output gradient dy [n, f, ho, wo] (ho, wo multiples of 4) → out [64][f][T]
 * through V_4 on both sides. Planes (filters) [f0, f1) only.
 */
export function wgGradTiles(dy: usize, n: i32, f: i32, ho: i32, wo: i32, out: usize, ps: i32, f0: i32, f1: i32): void {
  const tw = wo >> 2, tpp = (ho >> 2) * tw, T = n * tpp;
  const g = packScratch(), z = g + 64 * V, r = z + 64 * V;
  const rowBytes = <usize>wo << 2;
  const pointStride = <usize>ps << 2;
  for (let fi = f0; fi < f1; fi++) {
    for (let t0 = 0; t0 < T; t0 += 4) {
      const lanes = min(4, T - t0);
      const b0 = tileBase(dy, t0, fi, f, ho, wo, tw, tpp);
      const b1 = tileBase(dy, min(t0 + 1, T - 1), fi, f, ho, wo, tw, tpp);
      const b2 = tileBase(dy, min(t0 + 2, T - 1), fi, f, ho, wo, tw, tpp);
      const b3 = tileBase(dy, min(t0 + 3, T - 1), fi, f, ho, wo, tw, tpp);
      for (let i = 0; i < 4; i++) {
        const o = <usize>i * rowBytes;
        transpose4(v128.load(b0 + o), v128.load(b1 + o), v128.load(b2 + o), v128.load(b3 + o), g + <usize>i * 4 * V, V);
      }
      for (let j = 0; j < 4; j++) gradTransform(g + <usize>j * V, 4 * V, z + <usize>j * V, 4 * V);
      const base = out + (<usize>(fi * T + t0) << 2);
      for (let py = 0; py < 8; py++) {
        const dst = base + <usize>(py * 8) * pointStride;
        if (lanes == 4) gradTransform(z + <usize>py * 4 * V, V, dst, pointStride);
        else {
          gradTransform(z + <usize>py * 4 * V, V, r, V);
          storeLanes(r, 8, dst, pointStride, lanes);
        }
      }
    }
  }
}

/**
 * Filter transform: w [f, c, 5, 5] → out [64][f][c]. With `unscaled`, point (py, px) is
 * multiplied back by s_py·s_px: the plain V_5 transform, which pairs with the output-gradient
 * tiles (transformed with the 1/s rows) in the input gradient. Items q ∈ [q0, q1) of the f·c.
 */
export function wgFilters(wt: usize, f: i32, c: i32, unscaled: i32, out: usize, ps: i32, q0: i32, q1: i32): void {
  const g = packScratch(), z = g + 64 * V, r = z + 64 * V;
  const pointStride = <usize>ps << 2;
  for (let q = q0; q < q1; q += 4) {
    const lanes = min(4, q1 - q);
    // g[i][j] for the four items (the last one repeated past q1).
    for (let l = 0; l < 4; l++) {
      const src = wt + (<usize>(min(q + l, q1 - 1) * 25) << 2);
      for (let e = 0; e < 25; e++) store<f32>(g + <usize>e * V + (<usize>l << 2), load<f32>(src + (<usize>e << 2)));
    }
    for (let j = 0; j < 5; j++) filterTransform(g + <usize>j * V, 5 * V, z + <usize>j * V, 5 * V);
    const base = out + (<usize>q << 2);
    for (let py = 0; py < 8; py++) {
      const dst = base + <usize>(py * 8) * pointStride;
      if (lanes == 4 && !unscaled) filterTransform(z + <usize>py * 5 * V, V, dst, pointStride);
      else {
        filterTransform(z + <usize>py * 5 * V, V, r, V);
        if (unscaled) {
          for (let px = 0; px < 8; px++) v128.store(r + <usize>px * V, f32x4.mul(v128.load(r + <usize>px * V), vk(rowScale(py) * rowScale(px))));
        }
        storeLanes(r, 8, dst, pointStride, lanes);
      }
    }
  }
}

/** Loads lanes [0, lanes) of 8 vectors at src + i·ss into dst (stride V), the rest zero. */
function loadLanes(src: usize, ss: usize, dst: usize, lanes: i32): void {
  for (let i = 0; i < 8; i++) {
    const d = dst + <usize>i * V;
    v128.store(d, f32x4.splat(0));
    for (let l = 0; l < lanes; l++) store<f32>(d + (<usize>l << 2), load<f32>(src + <usize>i * ss + (<usize>l << 2)));
  }
}

/**
 * Output transform: m [64][f][T] → y [n, f, ho, wo] (every element written), plus bias[f] when
 * bias ≠ 0. Planes (filters) [f0, f1) only.
 */
export function wgOutput(m: usize, ps: i32, n: i32, f: i32, ho: i32, wo: i32, bias: usize, y: usize, f0: i32, f1: i32): void {
  const tw = wo >> 2, tpp = (ho >> 2) * tw, T = n * tpp;
  const g = packScratch(), z = g + 64 * V, r = z + 64 * V;
  const pointStride = <usize>ps << 2;
  const rowBytes = <usize>wo << 2;
  for (let fi = f0; fi < f1; fi++) {
    const b = bias != 0 ? f32x4.splat(load<f32>(bias + (<usize>fi << 2))) : f32x4.splat(0);
    for (let t0 = 0; t0 < T; t0 += 4) {
      const lanes = min(4, T - t0);
      const base = m + (<usize>(fi * T + t0) << 2);
      // z[i][px]: rows of the tile for each column point px.
      for (let px = 0; px < 8; px++) {
        const src = base + <usize>px * pointStride;
        if (lanes == 4) outputTransform(src, 8 * pointStride, z + <usize>px * V, 8 * V);
        else {
          loadLanes(src, 8 * pointStride, r, lanes);
          outputTransform(r, V, z + <usize>px * V, 8 * V);
        }
      }
      for (let i = 0; i < 4; i++) {
        // Row i of the four tiles: 4 vectors (one per column, lanes = tiles) → one vector per tile.
        outputTransform(z + <usize>i * 8 * V, V, g, V);
        transpose4(v128.load(g), v128.load(g, 16), v128.load(g, 32), v128.load(g, 48), r, V);
        for (let l = 0; l < lanes; l++) {
          const dst = tileBase(y, t0 + l, fi, f, ho, wo, tw, tpp) + <usize>i * rowBytes;
          v128.store(dst, f32x4.add(v128.load(r + <usize>l * V), b));
        }
      }
    }
  }
}

/**
 * Weight-gradient output transform: m [64][f][c] → dw [f, c, 5, 5] through V_5ᵀ on both sides,
 * written (accumulate = 0) or added. Items q ∈ [q0, q1) of the f·c.
 */
export function wgWeights(m: usize, ps: i32, f: i32, c: i32, dw: usize, accumulate: i32, q0: i32, q1: i32): void {
  const g = packScratch(), z = g + 64 * V, r = z + 64 * V;
  const pointStride = <usize>ps << 2;
  for (let q = q0; q < q1; q += 4) {
    const lanes = min(4, q1 - q);
    const base = m + (<usize>q << 2);
    for (let px = 0; px < 8; px++) {
      const src = base + <usize>px * pointStride;
      if (lanes == 4) weightTransform(src, 8 * pointStride, z + <usize>px * V, 8 * V);
      else {
        loadLanes(src, 8 * pointStride, r, lanes);
        weightTransform(r, V, z + <usize>px * V, 8 * V);
      }
    }
    // g[i][j], i < 5, j < 5: lanes = items.
    for (let i = 0; i < 5; i++) weightTransform(z + <usize>i * 8 * V, V, g + <usize>i * 5 * V, V);
    for (let l = 0; l < lanes; l++) {
      const dst = dw + (<usize>((q + l) * 25) << 2);
      for (let e = 0; e < 25; e++) {
        const v = load<f32>(g + <usize>e * V + (<usize>l << 2));
        const p = dst + (<usize>e << 2);
        store<f32>(p, accumulate ? load<f32>(p) + v : v);
      }
    }
  }
}

/** Planes [p0, p1) of x [planes, h, w] placed at (top, left) in zeroed out [planes, hp, wp]. */
export function padPlanes(x: usize, h: i32, w: i32, top: i32, left: i32, hp: i32, wp: i32, out: usize, p0: i32, p1: i32): void {
  for (let p = p0; p < p1; p++) {
    const o = out + (<usize>(p * hp * wp) << 2);
    memory.fill(o, 0, <usize>(hp * wp) << 2);
    for (let i = 0; i < h; i++) {
      memory.copy(o + (<usize>((i + top) * wp + left) << 2), x + (<usize>((p * h + i) * w) << 2), <usize>w << 2);
    }
  }
}

/** The [h, w] window at (top, left) of planes [p0, p1) of x [planes, hp, wp] → out [planes, h, w]. */
export function cropPlanes(x: usize, hp: i32, wp: i32, top: i32, left: i32, h: i32, w: i32, out: usize, p0: i32, p1: i32): void {
  for (let p = p0; p < p1; p++) {
    for (let i = 0; i < h; i++) {
      memory.copy(out + (<usize>((p * h + i) * w) << 2), x + (<usize>((p * hp + i + top) * wp + left) << 2), <usize>w << 2);
    }
  }
}

/**
 * Products c_i [m×n] = op(a_i)·op(b_i) for i ∈ [i0, i1), operand i at i·(its stride) floats.
 * trans: 0 a_i [m×k]·b_i [k×n]; 1 a_i stored [k×m] (transposed); 2 b_i stored [n×k].
 */
export function gemmBatch(a: usize, sa: i32, b: usize, sb: i32, c: usize, sc: i32, m: i32, k: i32, n: i32, trans: i32, i0: i32, i1: i32): void {
  for (let i = i0; i < i1; i++) {
    const pa = a + (<usize>(i * sa) << 2), pb = b + (<usize>(i * sb) << 2), pc = c + (<usize>(i * sc) << 2);
    if (trans == 2) gemmNT(pa, pb, pc, m, k, n, 0, k, k, n, 0);
    else gemmNN(pa, pb, pc, m, k, n, trans, 0, trans ? m : k, n, n, 0, 0, 0);
  }
}


/** For points i ∈ [i0, i1): gemmBatch's "tn" product then its "nt" product (conv-winograd.ts's backward), one point at a time. */
export function gemmBatchBackward(plain: usize, sf: i32, g: usize, sy: i32, dp: usize, sp: i32, patches: usize, wp: usize, f: i32, c: i32, tiles: i32, i0: i32, i1: i32): void {
  for (let i = i0; i < i1; i++) {
    const pg = g + (<usize>(i * sy) << 2);
    gemmNN(plain + (<usize>(i * sf) << 2), pg, dp + (<usize>(i * sp) << 2), c, f, tiles, 1, 0, c, tiles, tiles, 0, 0, 0);
    gemmNT(pg, patches + (<usize>(i * sp) << 2), wp + (<usize>(i * sf) << 2), f, tiles, c, 0, tiles, tiles, c, 0);
  }
}
