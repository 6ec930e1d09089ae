// Exact zero-skipping for the products of gemm.ts: when one operand is mostly zeros (MNIST pixels
// are 81 % zeros; 72 % of their aligned groups of four are all zero), its all-zero groups are left
// out of the sums, and every remaining term is added in exactly the dense kernel's order.
//
// What holds (the contract, tested bit for bit against the dense kernels):
//  - Only groups whose bits are all zero (+0.0) are skipped; a −0 counts as non-zero.
//  - The other operand must be finite over the whole product (checked per call, O(its size),
//    small beside the product); with an Inf or NaN in it, the dense kernel runs — 0·Inf is NaN,
//    so skipping would change the result.
//  - With it finite, a skipped term is a·(+0) = ±0 exactly. Every sum starts from +0 and adds
//    rounded products in a fixed order, so a running sum is never −0 (+0 + −0 = +0, and x + y
//    rounds to −0 only when both are −0); adding ±0 to a sum that is not −0 returns it unchanged
//    (also ±Inf; a sum already NaN — from a NaN or Inf in the sparse operand itself — stays NaN,
//    with its bits on x86 and ARM, which return a NaN operand's payload; the wasm spec lets an
//    engine pick other NaN bits, the only case where the bytes could differ). So leaving the
//    term out gives the same bits, sum by sum; the blocking (KC), the lane of each term, the
//    horizontal sums, the tails and the epilogue (C =, C +=, the fused SGD step) are the dense
//    kernel's own. Hence bit-identical to the dense kernel for every input, at any thread count.
//
// When it pays: the share of non-zero groups (pairs of rows × groups of four for A·Bᵀ, steps ×
// 8-column panels for A·B) is counted per call, per block of rows or KC×NC block, from the lists
// the sparse loops need anyway, and the sparse loops run at or below a threshold. Measured on an
// Intel Xeon reporting 2.30 GHz with AVX-512 (KVM, 2 cores, shared with other work: CPU time,
// best of 15 interleaved rounds, zeros laid out in whole groups; the "zero-skip" section of
// bench/main.ts) — sparse ÷ dense time equals 1 at a density of about:
// A·Bᵀ (forward) 0.6 for m = 4, 0.7 for m = 10, 0.8 for m = 32, 0.83 for m = 1000 (the check
// that B is finite weighs more at small m); A·B with the fused SGD step 0.6 for m = 30–100.
// The thresholds below sit ~0.1 under those crossings, a margin for other CPUs.
// skip: 0 never, 1 when sparse enough, 2 whenever exact (tests and measurements).
import { emit, finishDot, ntBlock } from "./gemm";
import { madd } from "./madd";

/** A·B's threshold (share of non-zero panel steps). */
// @ts-ignore: decorator
@inline const MAX_DENSITY: f64 = 0.5;

/** The forward's threshold for m rows: its pass over B to check it is finite weighs more at small m. */
// @ts-ignore: decorator
@inline export function maxDensity(m: i32): f64 {
  return m < 8 ? 0.5 : m < 32 ? 0.6 : 0.7;
}
/**
 * Bytes of list space: the thread's pack buffer (KC·NC floats), which these paths never pack
 * into; segments.ts keeps its lane sums after it.
 */
// @ts-ignore: decorator
@inline export const LIST_BYTES: i32 = 256 * 256 * 4;

/** Products (or A·B blocks) this instance computed on the sparse path: lets tests see it ran. */
let sparseRuns: i32 = 0;
export function zeroSkipRuns(): i32 {
  return sparseRuns;
}
export function countSparseRun(): void {
  sparseRuns++;
}

/** Whether every value of op(A) [m×k] (byte strides si along rows, sp along the reduction) is finite. */
export function allFinite(a: usize, si: usize, sp: usize, m: i32, k: i32): bool {
  let bad: f32 = 0;
  for (let i = 0; i < m; i++) {
    let p = a + <usize>i * si;
    for (let q = 0; q < k; q++) {
      const v = load<f32>(p);
      bad += v - v; // 0 for finite v, NaN for ±Inf and NaN
      p += sp;
    }
  }
  return bad == 0;
}

/** Whether rows [n×k] (row stride rb bytes, contiguous within a row) are all finite. */
export function rowsFinite(b: usize, n: i32, k: i32, rb: usize): bool {
  // Finite values leave every lane +0 (x − x = +0); Inf and NaN leave NaN bits. Four vectors a
  // step: this pass over B is the sparse forward's main overhead at small batches.
  const k16 = k & ~15, k4 = k & ~3;
  let bad0 = f32x4.splat(0), bad1 = f32x4.splat(0), bad2 = f32x4.splat(0), bad3 = f32x4.splat(0);
  for (let j = 0; j < n; j++) {
    const row = b + <usize>j * rb;
    const end16 = row + (<usize>k16 << 2);
    let p = row;
    while (p < end16) {
      const v0 = v128.load(p), v1 = v128.load(p, 16), v2 = v128.load(p, 32), v3 = v128.load(p, 48);
      bad0 = v128.or(bad0, f32x4.sub(v0, v0));
      bad1 = v128.or(bad1, f32x4.sub(v1, v1));
      bad2 = v128.or(bad2, f32x4.sub(v2, v2));
      bad3 = v128.or(bad3, f32x4.sub(v3, v3));
      p += 64;
    }
    for (let q = k16; q < k4; q += 4) {
      const v = v128.load(row + (<usize>q << 2));
      bad0 = v128.or(bad0, f32x4.sub(v, v));
    }
    for (let q = k4; q < k; q++) {
      const v = load<f32>(row + (<usize>q << 2));
      bad1 = v128.or(bad1, f32x4.splat(v - v));
    }
  }
  return !v128.any_true(v128.or(v128.or(bad0, bad1), v128.or(bad2, bad3)));
}

// ---- op(A)·B with B sparse (gemmNN: the weight gradient δᵀ·X, and the fused SGD step) ---------

/**
 * For each 8-column panel of the block B [kc×nc] (row stride sb bytes): the reduction steps p
 * whose 8 values are not all +0, in increasing order, as [count, p…] at out + panel·(kc+1)·4.
 * Returns the per-panel stride in i32s, or −1 when the block is too dense to pay (skip = 1).
 */
export function sparseLists(b: usize, sb: usize, kc: i32, nc: i32, out: usize, skip: i32): i32 {
  const stride = kc + 1;
  const panels = (nc + 7) >> 3;
  if (panels * stride * 4 > LIST_BYTES) return -1;
  let total = 0;
  for (let q = 0; q < panels; q++) {
    const j = q << 3;
    const cols = min(8, nc - j);
    const list = out + (<usize>(q * stride) << 2);
    let at = list + 4;
    let src = b + (<usize>j << 2);
    for (let p = 0; p < kc; p++) {
      let nz: bool;
      if (cols == 8) nz = v128.any_true(v128.or(v128.load(src), v128.load(src, 16)));
      else {
        nz = false;
        for (let r = 0; r < cols; r++) nz |= load<u32>(src + (<usize>r << 2)) != 0;
      }
      store<i32>(at, p); // kept only when non-zero: no branch on the data
      at += <usize>nz << 2;
      src += sb;
    }
    const cnt = <i32>((at - list - 4) >> 2);
    store<i32>(list, cnt);
    total += cnt;
  }
  if (skip == 1 && <f64>total > MAX_DENSITY * <f64>panels * <f64>kc) return -1;
  return stride;
}

/** C block [m×nc] from the lists: gemmBlock's tiles with the reduction over each panel's list. */
export function sparseBlock(a: usize, b: usize, c: usize, m: i32, n: i32, si: usize, sp: usize, sb: usize, sc: usize, acc: i32, lists: usize, stride: i32): void {
  sparseRuns++;
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const pa = a + <usize>i * si;
    const pc = c + <usize>i * sc;
    for (let j = 0; j < n; j += 8) {
      const list = lists + (<usize>((j >> 3) * stride) << 2);
      if (n - j >= 8) {
        sp4x8(pa, si, sp, b + (<usize>j << 2), sb, pc + (<usize>j << 2), sc, list, acc);
      } else {
        sp4x4(pa, si, sp, b + (<usize>j << 2), sb, pc + (<usize>j << 2), sc, list, acc, min(4, n - j));
        if (n - j > 4) sp4x4(pa, si, sp, b + (<usize>j << 2) + 16, sb, pc + (<usize>j << 2) + 16, sc, list, acc, n - j - 4);
      }
    }
  }
  for (; i < m; i++) {
    const pa = a + <usize>i * si;
    const pc = c + <usize>i * sc;
    for (let j = 0; j < n; j += 8) {
      const list = lists + (<usize>((j >> 3) * stride) << 2);
      if (n - j >= 8) sp1x8(pa, sp, b + (<usize>j << 2), sb, pc + (<usize>j << 2), list, acc);
      else {
        sp1x4(pa, sp, b + (<usize>j << 2), sb, pc + (<usize>j << 2), list, acc, min(4, n - j));
        if (n - j > 4) sp1x4(pa, sp, b + (<usize>j << 2) + 16, sb, pc + (<usize>j << 2) + 16, list, acc, n - j - 4);
      }
    }
  }
}

// @ts-ignore: decorator
@inline
function sp1x8(pa: usize, sp: usize, pb: usize, sb: usize, pc: usize, list: usize, acc: i32): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
  const cnt = load<i32>(list);
  let e = list + 4;
  const end = e + (<usize>cnt << 2);
  while (e < end) {
    const p = <usize>load<i32>(e);
    const bp = pb + p * sb;
    const x = v128.load32_splat(pa + p * sp);
    c0 = madd(x, v128.load(bp), c0);
    c1 = madd(x, v128.load(bp, 16), c1);
    e += 4;
  }
  emit(pc, c0, 4, acc); emit(pc + 16, c1, 4, acc);
}

// tile4x8 of gemm.ts over the listed reduction steps only: per step two B vectors and four A
// scalars feed eight multiply-adds (a 4×4 tile needs as many loads for half the work).
// @ts-ignore: decorator
@inline
function sp4x8(pa: usize, si: usize, sp: usize, pb: usize, sb: usize, pc: usize, sc: usize, list: usize, acc: i32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const cnt = load<i32>(list);
  let e = list + 4;
  const end = e + (<usize>cnt << 2);
  while (e < end) {
    const p = <usize>load<i32>(e);
    const bp = pb + p * sb;
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    const ap = pa + p * sp;
    let x = v128.load32_splat(ap);
    c00 = madd(x, b0, c00); c01 = madd(x, b1, c01);
    x = v128.load32_splat(ap + si);
    c10 = madd(x, b0, c10); c11 = madd(x, b1, c11);
    x = v128.load32_splat(ap + 2 * si);
    c20 = madd(x, b0, c20); c21 = madd(x, b1, c21);
    x = v128.load32_splat(ap + 3 * si);
    c30 = madd(x, b0, c30); c31 = madd(x, b1, c31);
    e += 4;
  }
  emit(pc, c00, 4, acc); emit(pc + 16, c01, 4, acc);
  emit(pc + sc, c10, 4, acc); emit(pc + sc + 16, c11, 4, acc);
  emit(pc + 2 * sc, c20, 4, acc); emit(pc + 2 * sc + 16, c21, 4, acc);
  emit(pc + 3 * sc, c30, 4, acc); emit(pc + 3 * sc + 16, c31, 4, acc);
}

// A 4×4 tile for a panel's last columns.
// @ts-ignore: decorator
@inline
function sp4x4(pa: usize, si: usize, sp: usize, pb: usize, sb: usize, pc: usize, sc: usize, list: usize, acc: i32, cols: i32): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  const cnt = load<i32>(list);
  let e = list + 4;
  const end = e + (<usize>cnt << 2);
  while (e < end) {
    const p = <usize>load<i32>(e);
    const b0 = v128.load(pb + p * sb);
    const ap = pa + p * sp;
    c0 = madd(v128.load32_splat(ap), b0, c0);
    c1 = madd(v128.load32_splat(ap + si), b0, c1);
    c2 = madd(v128.load32_splat(ap + 2 * si), b0, c2);
    c3 = madd(v128.load32_splat(ap + 3 * si), b0, c3);
    e += 4;
  }
  emit(pc, c0, cols, acc);
  emit(pc + sc, c1, cols, acc);
  emit(pc + 2 * sc, c2, cols, acc);
  emit(pc + 3 * sc, c3, cols, acc);
}

// @ts-ignore: decorator
@inline
function sp1x4(pa: usize, sp: usize, pb: usize, sb: usize, pc: usize, list: usize, acc: i32, cols: i32): void {
  let c0 = f32x4.splat(0);
  const cnt = load<i32>(list);
  let e = list + 4;
  const end = e + (<usize>cnt << 2);
  while (e < end) {
    const p = <usize>load<i32>(e);
    c0 = madd(v128.load32_splat(pa + p * sp), v128.load(pb + p * sb), c0);
    e += 4;
  }
  emit(pc, c0, cols, acc);
}

// ---- A·Bᵀ with A sparse (gemmNT: the Linear layer's forward X·Wᵀ) -----------------------------

/**
 * gemmNT with A's all-zero groups of four (along k) skipped; false (nothing written) when it does
 * not apply: too dense (skip = 1), B not finite, or a list would not fit the buffer. Rows of A go
 * in pairs, as in ntBlock: a pair's list holds the groups where either row is non-zero, so each
 * loaded row group of B serves two rows (one row alone needs half again as many loads per
 * multiply-add, and the loads are what bounds these loops). Blocks of rows decide one by one:
 * a dense block runs ntBlock itself.
 */
export function sparseNT(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, acc: i32, ra: usize, rb: usize, rc: usize, buf: usize, skip: i32): bool {
  const groups = k >> 2;
  if (groups == 0 || n < 4 || m < 1) return false;
  const stride = groups + 1;
  const pairsPerBlock = LIST_BYTES / (stride * 4);
  if (pairsPerBlock < 1) return false;
  const k4 = groups << 2;
  // ntBlock's cache blocking: a block of B rows that fits L1 swept by a block of A rows that fits L2.
  const nb = max(4, (8192 / k) & ~3);
  const mb = min(pairsPerBlock << 1, max(2, (131072 / k) & ~1));
  let checked = false;
  for (let i0 = 0; i0 < m; i0 += mb) {
    const rows = min(mb, m - i0);
    const pa0 = a + <usize>i0 * ra, pc0 = c + <usize>i0 * rc;
    const nz = pairLists(pa0, ra, rows, groups, buf, stride);
    if (skip == 1 && <f64>nz > maxDensity(m) * <f64>((rows + 1) >> 1) * <f64>groups) {
      if (!checked) return false;
      for (let j0 = 0; j0 < n; j0 += nb) ntBlock(pa0, b + <usize>j0 * rb, pc0 + (<usize>j0 << 2), rows, k, min(nb, n - j0), acc, ra, rb, rc);
      continue;
    }
    if (!checked) {
      if (!rowsFinite(b, n, k, rb)) return false;
      checked = true;
      sparseRuns++;
    }
    for (let j0 = 0; j0 < n; j0 += nb) {
      const j1 = min(n, j0 + nb);
      for (let r = 0; r < rows; r += 2) {
        const pa = pa0 + <usize>r * ra;
        const pc = pc0 + <usize>r * rc;
        const list = buf + (<usize>((r >> 1) * stride) << 2);
        let j = j0;
        for (; j + 4 <= j1; j += 4) {
          if (r + 1 < rows) sparseDot2x4(pa, ra, b + <usize>j * rb, rb, list, k4, k, pc + (<usize>j << 2), rc, acc);
          else sparseDot1x4(pa, b + <usize>j * rb, rb, list, k4, k, pc + (<usize>j << 2), acc);
        }
        for (; j < j1; j++) {
          sparseDot1(pa, b + <usize>j * rb, list, k4, k, pc + (<usize>j << 2), acc);
          if (r + 1 < rows) sparseDot1(pa + ra, b + <usize>j * rb, list, k4, k, pc + rc + (<usize>j << 2), acc);
        }
      }
    }
  }
  return true;
}

/**
 * For each pair of rows (the last may be single): [count, byte offsets of the groups of four
 * where either row is non-zero…] at buf + pair·stride·4, written without branches (a random
 * pattern of zeros would defeat the branch predictor). Returns the total count.
 */
export function pairLists(a: usize, ra: usize, rows: i32, groups: i32, buf: usize, stride: i32): i32 {
  let total = 0;
  for (let r = 0; r < rows; r += 2) {
    const r0 = a + <usize>r * ra;
    const r1 = r + 1 < rows ? r0 + ra : r0;
    const list = buf + (<usize>((r >> 1) * stride) << 2);
    let at = list + 4;
    for (let g = 0; g < groups; g++) {
      const o = <usize>g << 4;
      store<i32>(at, <i32>o);
      at += <usize>v128.any_true(v128.or(v128.load(r0 + o), v128.load(r1 + o))) << 2;
    }
    const cnt = <i32>((at - list - 4) >> 2);
    store<i32>(list, cnt);
    total += cnt;
  }
  return total;
}

/** ntBlock's 2×4 tile — rows pa, pa + ra against rows pb + q·rb — over the listed groups. */
function sparseDot2x4(pa: usize, ra: usize, pb: usize, rb: usize, list: usize, k4: i32, k: i32, pc: usize, rc: usize, acc: i32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0), c03 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0), c13 = f32x4.splat(0);
  const pa1 = pa + ra;
  const cnt = load<i32>(list);
  let e = list + 4;
  const end = e + (<usize>cnt << 2);
  while (e < end) {
    const off = <usize>load<i32>(e);
    const x0 = v128.load(pa + off), x1 = v128.load(pa1 + off);
    const y0 = v128.load(pb + off), y1 = v128.load(pb + rb + off);
    const y2 = v128.load(pb + 2 * rb + off), y3 = v128.load(pb + 3 * rb + off);
    c00 = madd(x0, y0, c00); c01 = madd(x0, y1, c01);
    c02 = madd(x0, y2, c02); c03 = madd(x0, y3, c03);
    c10 = madd(x1, y0, c10); c11 = madd(x1, y1, c11);
    c12 = madd(x1, y2, c12); c13 = madd(x1, y3, c13);
    e += 4;
  }
  const pc1 = pc + rc;
  finishDot(c00, pa, pb, k4, k, pc, acc);
  finishDot(c01, pa, pb + rb, k4, k, pc + 4, acc);
  finishDot(c02, pa, pb + 2 * rb, k4, k, pc + 8, acc);
  finishDot(c03, pa, pb + 3 * rb, k4, k, pc + 12, acc);
  finishDot(c10, pa1, pb, k4, k, pc1, acc);
  finishDot(c11, pa1, pb + rb, k4, k, pc1 + 4, acc);
  finishDot(c12, pa1, pb + 2 * rb, k4, k, pc1 + 8, acc);
  finishDot(c13, pa1, pb + 3 * rb, k4, k, pc1 + 12, acc);
}

function sparseDot1x4(pa: usize, pb: usize, rb: usize, list: usize, k4: i32, k: i32, pc: usize, acc: i32): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  const b1 = pb + rb, b2 = pb + 2 * rb, b3 = pb + 3 * rb;
  const cnt = load<i32>(list);
  let e = list + 4;
  const end = e + (<usize>cnt << 2);
  while (e < end) {
    const off = <usize>load<i32>(e);
    const x = v128.load(pa + off);
    c0 = madd(x, v128.load(pb + off), c0);
    c1 = madd(x, v128.load(b1 + off), c1);
    c2 = madd(x, v128.load(b2 + off), c2);
    c3 = madd(x, v128.load(b3 + off), c3);
    e += 4;
  }
  finishDot(c0, pa, pb, k4, k, pc, acc);
  finishDot(c1, pa, b1, k4, k, pc + 4, acc);
  finishDot(c2, pa, b2, k4, k, pc + 8, acc);
  finishDot(c3, pa, b3, k4, k, pc + 12, acc);
}

function sparseDot1(pa: usize, pb: usize, list: usize, k4: i32, k: i32, pc: usize, acc: i32): void {
  let c0 = f32x4.splat(0);
  const cnt = load<i32>(list);
  let e = list + 4;
  const end = e + (<usize>cnt << 2);
  while (e < end) {
    const off = <usize>load<i32>(e);
    c0 = madd(v128.load(pa + off), v128.load(pb + off), c0);
    e += 4;
  }
  finishDot(c0, pa, pb, k4, k, pc, acc);
}
