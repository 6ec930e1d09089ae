// gemm kernels on raw pointers into linear memory (f32, row-major). All sizes in elements.
import { allFinite, sparseBlock, sparseLists, sparseNT } from "./sparse";
import { madd } from "./madd";
import { gemmNTSeg } from "./segments";

/** Reduction-dimension block: keeps the A and B panels a tile walks through resident in L1. */
// @ts-ignore: decorator
@inline const KC = 256;
/**
 * Reduction block of long dot products (gemmNT with k > 2·KB, segments.ts): 4 KiB of each row,
 * so a block of 64 rows of A and 64 of B (512 KiB) stays in L2 while the tiles sweep it.
 */
// @ts-ignore: decorator
@inline const KB = 1024;
/** Column block of B: KC·NC floats = 256 KiB. A multiple of 8 so blocks hold whole register tiles. */
// @ts-ignore: decorator
@inline const NC = 256;

/**
 * C[m×n] (+)= op(A)·B with B [k×n]. A is [m×k] (transA = 0) or stored [k×m] (transA = 1).
 * 4×8 register tile: per k-step two B vectors, four broadcast A scalars, eight multiply-adds.
 * Column remainders use a 4-wide tile that reads past the row (the host keeps slack after every
 * block) and stores only the valid lanes.
 */
/**
 * mode: 0 C = op(A)·B, 1 C += op(A)·B, 2 C −= lr·(op(A)·B + wd·C) — an SGD step on C with the
 * product as its gradient, never materialised (mode 2 needs k ≤ KC: one reduction block).
 */
export function gemmNN(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, transA: i32, accumulate: i32, lda: i32, ldb: i32, ldc: i32, lr: f32, wd: f32, skip: i32): void {
  updateLr = lr;
  updateWd = wd;
  // Byte strides of A along rows (i) and along the reduction (p); lda/ldb/ldc are row lengths
  // in memory, so a block of a larger matrix (one thread's share) can be computed in place.
  const si: usize = transA ? 4 : <usize>lda << 2;
  const sp: usize = transA ? <usize>lda << 2 : 4;
  const sb: usize = <usize>ldb << 2;
  const sc: usize = <usize>ldc << 2;
  if (k == 0) {
    // An empty product is zero: C = 0, C unchanged, or a pure weight-decay step.
    for (let i = 0; i < m; i++) {
      if (accumulate == 0) memory.fill(c + <usize>i * sc, 0, <usize>n << 2);
      else if (accumulate == 2) for (let j = 0; j < n; j++) emitLane(c + <usize>i * sc + (<usize>j << 2), 0, 2);
    }
    return;
  }
  // Zero-skipping (assembly/sparse.ts) needs op(A) finite; checked once, when a block first asks.
  let aFinite = skip != 0 && m >= 4 && packBuffer != 0 ? -1 : 0;
  // Blocks of KC×NC of B (≤ 256 KiB) stay in L2 while every row of A sweeps them; without the
  // column blocks a wide B (a batch's im2col columns) would stream from memory once per 4 rows.
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = min(KC, k - p0);
    const acc = p0 > 0 ? 1 : accumulate;
    for (let j0 = 0; j0 < n; j0 += NC) {
      const nc = min(NC, n - j0);
      const bb = b + <usize>p0 * sb + (<usize>j0 << 2);
      if (aFinite != 0) {
        // Same blocks, same order of the remaining terms: bit-identical (see sparse.ts).
        const lists = sparseLists(bb, sb, kc, nc, packBuffer, skip);
        if (lists >= 0) {
          if (aFinite < 0) aFinite = allFinite(a, si, sp, m, k) ? 1 : 0;
          if (aFinite > 0) {
            sparseBlock(a + <usize>p0 * sp, bb, c + (<usize>j0 << 2), m, nc, si, sp, sb, sc, acc, packBuffer, lists);
            continue;
          }
        }
      }
      if (packBuffer != 0 && (m >= 32 || (m >= 8 && ldb >= 1024))) {
        // Copy the block into contiguous 8-column panels: rows of B far apart in memory (a
        // batch's im2col columns are 16 KiB apart) would otherwise collide in the caches.
        packPanels(bb, sb, kc, nc, packBuffer);
        packedBlock(a + <usize>p0 * sp, packBuffer, c + (<usize>j0 << 2), m, kc, nc, si, sp, sc, acc);
      } else {
        gemmBlock(a + <usize>p0 * sp, bb, c + (<usize>j0 << 2), m, kc, nc, si, sp, sb, sc, acc);
      }
    }
  }
}

/**
 * Per-instance scratch, given by the host (one per thread): KC·NC floats for packed panels (or
 * zero-skipping's lists), then 64 KiB for the lane sums of long dot products (segments.ts).
 */
let packBuffer: usize = 0;
export function setPackBuffer(ptr: usize): void {
  packBuffer = ptr;
}

/** B block [kc, nc] (row stride sb bytes) → panels of 8 columns, each [kc][8], zero-padded. */
function packPanels(b: usize, sb: usize, kc: i32, nc: i32, out: usize): void {
  let o = out;
  for (let j = 0; j < nc; j += 8) {
    const cols = min(8, nc - j);
    let src = b + (<usize>j << 2);
    if (cols == 8) {
      for (let p = 0; p < kc; p++) {
        v128.store(o, v128.load(src));
        v128.store(o, v128.load(src, 16), 16);
        src += sb;
        o += 32;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let q = 0; q < 8; q++) store<f32>(o + (<usize>q << 2), q < cols ? load<f32>(src + (<usize>q << 2)) : 0);
        src += sb;
        o += 32;
      }
    }
  }
}

/** gemmBlock over packed panels (B stride 32 bytes per reduction step). */
function packedBlock(a: usize, pack: usize, c: usize, m: i32, k: i32, n: i32, si: usize, sp: usize, sc: usize, accumulate: i32): void {
  const panel: usize = <usize>k << 5; // bytes per 8-column panel
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const pa = a + <usize>i * si;
    const pc = c + <usize>i * sc;
    for (let j = 0; j < n; j += 8) {
      const pb = pack + (<usize>(j >> 3)) * panel;
      if (n - j >= 8) tile4x8(pa, si, sp, pb, 32, pc + (<usize>j << 2), sc, k, accumulate);
      else tile4x8cols(pa, si, sp, pb, pc + (<usize>j << 2), sc, k, accumulate, n - j);
    }
  }
  for (; i < m; i++) {
    const pa = a + <usize>i * si;
    const pc = c + <usize>i * sc;
    for (let j = 0; j < n; j += 8) {
      const pb = pack + (<usize>(j >> 3)) * panel;
      if (n - j >= 8) tile1x8(pa, sp, pb, 32, pc + (<usize>j << 2), k, accumulate);
      else {
        tile1x4(pa, sp, pb, 32, pc + (<usize>j << 2), k, accumulate, min(4, n - j));
        if (n - j > 4) tile1x4(pa, sp, pb + 16, 32, pc + (<usize>(j + 4) << 2), k, accumulate, n - j - 4);
      }
    }
  }
}

/** A 4×8 tile over a zero-padded panel, writing only the first `cols` columns. */
function tile4x8cols(pa: usize, si: usize, sp: usize, pb: usize, pc: usize, sc: usize, k: i32, acc: i32, cols: i32): void {
  tile4x4(pa, si, sp, pb, 32, pc, sc, k, acc, min(4, cols));
  if (cols > 4) tile4x4(pa, si, sp, pb + 16, 32, pc + 16, sc, k, acc, cols - 4);
}

function gemmBlock(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, si: usize, sp: usize, sb: usize, sc: usize, accumulate: i32): void {
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const pa = a + <usize>i * si;
    const pc = c + <usize>i * sc;
    let j = 0;
    for (; j + 8 <= n; j += 8) tile4x8(pa, si, sp, b + <usize>j * 4, sb, pc + <usize>j * 4, sc, k, accumulate);
    for (; j < n; j += 4) tile4x4(pa, si, sp, b + <usize>j * 4, sb, pc + <usize>j * 4, sc, k, accumulate, min(4, n - j));
  }
  for (; i < m; i++) {
    const pa = a + <usize>i * si;
    const pc = c + <usize>i * sc;
    let j = 0;
    for (; j + 8 <= n; j += 8) tile1x8(pa, sp, b + <usize>j * 4, sb, pc + <usize>j * 4, k, accumulate);
    for (; j < n; j += 4) tile1x4(pa, sp, b + <usize>j * 4, sb, pc + <usize>j * 4, k, accumulate, min(4, n - j));
  }
}

/** Learning rate and weight decay for mode 2 (per instance: each thread sets its own). */
export let updateLr: f32 = 0;
export let updateWd: f32 = 0;

/**
 * Writes a computed vector v of C at pc — its first `cols` lanes. mode 0: C = v; 1: C += v;
 * 2: an SGD step with v as the gradient, C −= lr·(v + wd·C), exactly as sgdStep computes it.
 */
// @ts-ignore: decorator
@inline
export function emit(pc: usize, v: v128, cols: i32, mode: i32): void {
  if (cols == 4) {
    if (mode == 0) v128.store(pc, v);
    else if (mode == 1) v128.store(pc, f32x4.add(v, v128.load(pc)));
    else {
      const w = v128.load(pc);
      v128.store(pc, f32x4.sub(w, f32x4.mul(f32x4.splat(updateLr), f32x4.add(v, f32x4.mul(f32x4.splat(updateWd), w)))));
    }
    return;
  }
  emitLane(pc, f32x4.extract_lane(v, 0), mode);
  if (cols > 1) emitLane(pc + 4, f32x4.extract_lane(v, 1), mode);
  if (cols > 2) emitLane(pc + 8, f32x4.extract_lane(v, 2), mode);
}

// @ts-ignore: decorator
@inline
function emitLane(pc: usize, v: f32, mode: i32): void {
  if (mode == 0) store<f32>(pc, v);
  else if (mode == 1) store<f32>(pc, load<f32>(pc) + v);
  else { const w = load<f32>(pc); store<f32>(pc, w - updateLr * (v + updateWd * w)); }
}

// @ts-ignore: decorator
@inline
function tile4x8(pa: usize, si: usize, sp: usize, pb: usize, sb: usize, pc: usize, sc: usize, k: i32, acc: i32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let a0 = pa, a1 = pa + si, a2 = pa + 2 * si, a3 = pa + 3 * si;
  let p = 0;
  do {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let x = v128.load32_splat(a0);
    c00 = madd(x, b0, c00); c01 = madd(x, b1, c01);
    x = v128.load32_splat(a1);
    c10 = madd(x, b0, c10); c11 = madd(x, b1, c11);
    x = v128.load32_splat(a2);
    c20 = madd(x, b0, c20); c21 = madd(x, b1, c21);
    x = v128.load32_splat(a3);
    c30 = madd(x, b0, c30); c31 = madd(x, b1, c31);
    a0 += sp; a1 += sp; a2 += sp; a3 += sp; pb += sb;
  } while (++p < k);
  emit(pc, c00, 4, acc); emit(pc + 16, c01, 4, acc);
  emit(pc + sc, c10, 4, acc); emit(pc + sc + 16, c11, 4, acc);
  emit(pc + 2 * sc, c20, 4, acc); emit(pc + 2 * sc + 16, c21, 4, acc);
  emit(pc + 3 * sc, c30, 4, acc); emit(pc + 3 * sc + 16, c31, 4, acc);
}

// @ts-ignore: decorator
@inline
function tile4x4(pa: usize, si: usize, sp: usize, pb: usize, sb: usize, pc: usize, sc: usize, k: i32, acc: i32, cols: i32): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  let a0 = pa, a1 = pa + si, a2 = pa + 2 * si, a3 = pa + 3 * si;
  let p = 0;
  do {
    const b0 = v128.load(pb);
    c0 = madd(v128.load32_splat(a0), b0, c0);
    c1 = madd(v128.load32_splat(a1), b0, c1);
    c2 = madd(v128.load32_splat(a2), b0, c2);
    c3 = madd(v128.load32_splat(a3), b0, c3);
    a0 += sp; a1 += sp; a2 += sp; a3 += sp; pb += sb;
  } while (++p < k);
  emit(pc, c0, cols, acc);
  emit(pc + sc, c1, cols, acc);
  emit(pc + 2 * sc, c2, cols, acc);
  emit(pc + 3 * sc, c3, cols, acc);
}

// @ts-ignore: decorator
@inline
function tile1x4(pa: usize, sp: usize, pb: usize, sb: usize, pc: usize, k: i32, acc: i32, cols: i32): void {
  let c0 = f32x4.splat(0);
  let p = 0;
  do {
    c0 = madd(v128.load32_splat(pa), v128.load(pb), c0);
    pa += sp; pb += sb;
  } while (++p < k);
  emit(pc, c0, cols, acc);
}

// @ts-ignore: decorator
@inline
function tile1x8(pa: usize, sp: usize, pb: usize, sb: usize, pc: usize, k: i32, acc: i32): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
  let p = 0;
  do {
    const x = v128.load32_splat(pa);
    c0 = madd(x, v128.load(pb), c0);
    c1 = madd(x, v128.load(pb, 16), c1);
    pa += sp; pb += sb;
  } while (++p < k);
  emit(pc, c0, 4, acc); emit(pc + 16, c1, 4, acc);
}

/**
 * C[m×n] (+)= A·Bᵀ with A [m×k], B stored [n×k]: dot products vectorised along k.
 * 2×4 tile: eight accumulators, two A vectors and four B vectors per step of four.
 */
export function gemmNT(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, accumulate: i32, lda: i32, ldb: i32, ldc: i32, skip: i32): void {
  const ra: usize = <usize>lda << 2;
  const rb: usize = <usize>ldb << 2;
  const rc: usize = <usize>ldc << 2;
  if (k > 2 * KB && packBuffer != 0) {
    // Bit-identical to the blocks below: the same lane sums, kept in memory between blocks of k.
    const blocks = (k + KB - 1) / KB;
    gemmNTSeg(a, b, c, m, n, KB, k - (blocks - 1) * KB, blocks, lda, ldb, ldc, KB, KB, accumulate, skip, packBuffer);
    return;
  }
  if (skip != 0 && packBuffer != 0 && sparseNT(a, b, c, m, k, n, accumulate, ra, rb, rc, packBuffer, skip)) return;
  // Cache blocking: a block of B rows that fits L1 (~32 KiB) is swept by a block of A rows that
  // fits L2 (~512 KiB), so neither is streamed from further away once per pair of A rows.
  const kk = max(k, 1);
  const nb = max(4, (8192 / kk) & ~3);
  const mb = max(2, (131072 / kk) & ~1);
  for (let i0 = 0; i0 < m; i0 += mb) {
    for (let j0 = 0; j0 < n; j0 += nb) {
      ntBlock(a + <usize>i0 * ra, b + <usize>j0 * rb, c + <usize>i0 * rc + (<usize>j0 << 2), min(mb, m - i0), k, min(nb, n - j0), accumulate, ra, rb, rc);
    }
  }
}

export function ntBlock(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, accumulate: i32, ra: usize, rb: usize, rc: usize): void {
  const k4 = k & ~3;
  let i = 0;
  for (; i + 2 <= m; i += 2) {
    const pa = a + <usize>i * ra;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const pb = b + <usize>j * rb;
      let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0), c03 = f32x4.splat(0);
      let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0), c13 = f32x4.splat(0);
      let off: usize = 0;
      const end: usize = <usize>k4 << 2;
      if (end > 0) do {
        const x0 = v128.load(pa + off), x1 = v128.load(pa + ra + off);
        const y0 = v128.load(pb + off), y1 = v128.load(pb + rb + off);
        const y2 = v128.load(pb + 2 * rb + off), y3 = v128.load(pb + 3 * rb + off);
        c00 = madd(x0, y0, c00); c01 = madd(x0, y1, c01);
        c02 = madd(x0, y2, c02); c03 = madd(x0, y3, c03);
        c10 = madd(x1, y0, c10); c11 = madd(x1, y1, c11);
        c12 = madd(x1, y2, c12); c13 = madd(x1, y3, c13);
        off += 16;
      } while (off < end);
      const pc0 = c + <usize>i * rc + (<usize>j << 2);
      const pc1 = pc0 + rc;
      finishDot(c00, pa, pb, k4, k, pc0, accumulate);
      finishDot(c01, pa, pb + rb, k4, k, pc0 + 4, accumulate);
      finishDot(c02, pa, pb + 2 * rb, k4, k, pc0 + 8, accumulate);
      finishDot(c03, pa, pb + 3 * rb, k4, k, pc0 + 12, accumulate);
      finishDot(c10, pa + ra, pb, k4, k, pc1, accumulate);
      finishDot(c11, pa + ra, pb + rb, k4, k, pc1 + 4, accumulate);
      finishDot(c12, pa + ra, pb + 2 * rb, k4, k, pc1 + 8, accumulate);
      finishDot(c13, pa + ra, pb + 3 * rb, k4, k, pc1 + 12, accumulate);
    }
    for (; j < n; j++) {
      dotRow(pa, b + <usize>j * rb, k, c + <usize>i * rc + (<usize>j << 2), accumulate);
      dotRow(pa + ra, b + <usize>j * rb, k, c + <usize>(i + 1) * rc + (<usize>j << 2), accumulate);
    }
  }
  for (; i < m; i++) {
    for (let j = 0; j < n; j++) dotRow(a + <usize>i * ra, b + <usize>j * rb, k, c + <usize>i * rc + (<usize>j << 2), accumulate);
  }
}

// @ts-ignore: decorator
@inline
function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

// @ts-ignore: decorator
@inline
export function finishDot(v: v128, pa: usize, pb: usize, k4: i32, k: i32, pc: usize, acc: i32): void {
  let s = hsum(v);
  for (let p = k4; p < k; p++) s += load<f32>(pa + (<usize>p << 2)) * load<f32>(pb + (<usize>p << 2));
  store<f32>(pc, acc ? load<f32>(pc) + s : s);
}

function dotRow(pa: usize, pb: usize, k: i32, pc: usize, acc: i32): void {
  const k4 = k & ~3;
  let v = f32x4.splat(0);
  for (let p = 0; p < k4; p += 4) v = madd(v128.load(pa + (<usize>p << 2)), v128.load(pb + (<usize>p << 2)), v);
  finishDot(v, pa, pb, k4, k, pc, acc);
}

/** C[m×n] (+)= Aᵀ·Bᵀ with A stored [k×m] and B stored [n×k] (rare; plain loops). */
export function gemmTT(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, accumulate: i32): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s: f32 = 0;
      for (let p = 0; p < k; p++) s += load<f32>(a + (<usize>(p * m + i) << 2)) * load<f32>(b + (<usize>(j * k + p) << 2));
      const pc = c + (<usize>(i * n + j) << 2);
      store<f32>(pc, accumulate ? load<f32>(pc) + s : s);
    }
  }
}

/** This thread's packing buffer, lent as scratch to kernels that never run inside a product (winograd.ts). */
export function packScratch(): usize {
  return packBuffer;
}
