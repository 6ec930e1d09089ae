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
//    (also when it is ±Inf, or NaN: NaN + 0 is that NaN on the engines we know). So leaving the
//    term out gives the same bits, sum by sum; the blocking (KC), the lane of each term, the
//    horizontal sums, the tails and the epilogue (C =, C +=, the fused SGD step) are the dense
//    kernel's own. Hence bit-identical to the dense kernel for every input, at any thread count.
//
// When it pays: the share of non-zero groups is counted per call (per KC×NC block for A·B) and
// the sparse loops run below MAX_DENSITY — measured with bench/kernel-profile.ts's zero-skip
// section on an Intel Xeon @ 2.80 GHz: the sparse loops break even with the dense tiles near 80 %
// non-zero groups at batch 10 and near 90 % at batch 1000; 0.7 leaves a margin for other CPUs.
// skip: 0 never, 1 when sparse enough, 2 whenever exact (tests and measurements).
import { emit, finishDot } from "./gemm";

// @ts-ignore: decorator
@inline const MAX_DENSITY: f64 = 0.7;
/** Bytes of list space: the thread's pack buffer (KC·NC floats), which these paths never pack into. */
// @ts-ignore: decorator
@inline const LIST_BYTES: i32 = 256 * 256 * 4;

/** Products (or A·B blocks) this instance computed on the sparse path: lets tests see it ran. */
let sparseRuns: i32 = 0;
export function zeroSkipRuns(): i32 {
  return sparseRuns;
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
function rowsFinite(b: usize, n: i32, k: i32, rb: usize): bool {
  const k4 = k & ~3;
  let bad = f32x4.splat(0);
  for (let j = 0; j < n; j++) {
    const row = b + <usize>j * rb;
    for (let p = 0; p < k4; p += 4) {
      const v = v128.load(row + (<usize>p << 2));
      bad = v128.or(bad, f32x4.sub(v, v));
    }
    for (let p = k4; p < k; p++) {
      const v = load<f32>(row + (<usize>p << 2));
      bad = v128.or(bad, f32x4.splat(v - v));
    }
  }
  // Finite values leave every lane +0 (x − x = +0): any other bit pattern came from Inf or NaN.
  return !v128.any_true(bad);
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
    let cnt = 0;
    let src = b + (<usize>j << 2);
    for (let p = 0; p < kc; p++) {
      let nz: bool;
      if (cols == 8) nz = v128.any_true(v128.or(v128.load(src), v128.load(src, 16)));
      else {
        nz = false;
        for (let r = 0; r < cols; r++) if (load<u32>(src + (<usize>r << 2)) != 0) nz = true;
      }
      if (nz) {
        cnt++;
        store<i32>(list + (<usize>cnt << 2), p);
      }
      src += sb;
    }
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
        sp4x4(pa, si, sp, b + (<usize>j << 2), sb, pc + (<usize>j << 2), sc, list, acc, 4);
        sp4x4(pa, si, sp, b + (<usize>j << 2) + 16, sb, pc + (<usize>j << 2) + 16, sc, list, acc, 4);
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
      sp1x4(pa, sp, b + (<usize>j << 2), sb, pc + (<usize>j << 2), list, acc, min(4, n - j));
      if (n - j > 4) sp1x4(pa, sp, b + (<usize>j << 2) + 16, sb, pc + (<usize>j << 2) + 16, list, acc, min(4, n - j - 4));
    }
  }
}

// A 4×4 tile (tile4x4 in gemm.ts) over the listed reduction steps only. Two of them per panel,
// rather than one 4×8, measured as fast and keep the register count low.
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
    c0 = f32x4.add(c0, f32x4.mul(v128.load32_splat(ap), b0));
    c1 = f32x4.add(c1, f32x4.mul(v128.load32_splat(ap + si), b0));
    c2 = f32x4.add(c2, f32x4.mul(v128.load32_splat(ap + 2 * si), b0));
    c3 = f32x4.add(c3, f32x4.mul(v128.load32_splat(ap + 3 * si), b0));
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
    c0 = f32x4.add(c0, f32x4.mul(v128.load32_splat(pa + p * sp), v128.load(pb + p * sb)));
    e += 4;
  }
  emit(pc, c0, cols, acc);
}

// ---- A·Bᵀ with A sparse (gemmNT: the Linear layer's forward X·Wᵀ) -----------------------------

/**
 * gemmNT with A's all-zero groups of four (along k) skipped; false (nothing written) when it does
 * not apply: too dense (skip = 1), B not finite, or a row's list would not fit the buffer.
 */
export function sparseNT(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, acc: i32, ra: usize, rb: usize, rc: usize, buf: usize, skip: i32): bool {
  const groups = k >> 2;
  if (groups == 0 || n < 4 || m < 1) return false;
  const stride = groups + 1;
  const rowsPerBlock = min(m, LIST_BYTES / (stride * 4));
  if (rowsPerBlock < 1) return false;
  if (skip == 1) {
    let nz = 0;
    for (let i = 0; i < m; i++) {
      const row = a + <usize>i * ra;
      for (let g = 0; g < groups; g++) if (v128.any_true(v128.load(row + (<usize>g << 4)))) nz++;
    }
    if (<f64>nz > MAX_DENSITY * <f64>m * <f64>groups) return false;
  }
  if (!rowsFinite(b, n, k, rb)) return false;
  sparseRuns++;
  const k4 = groups << 2;
  for (let i0 = 0; i0 < m; i0 += rowsPerBlock) {
    const mb = min(rowsPerBlock, m - i0);
    // Each row's list: [count, byte offsets of its non-zero groups…].
    for (let r = 0; r < mb; r++) {
      const row = a + <usize>(i0 + r) * ra;
      const list = buf + (<usize>(r * stride) << 2);
      let cnt = 0;
      for (let g = 0; g < groups; g++) {
        if (v128.any_true(v128.load(row + (<usize>g << 4)))) {
          cnt++;
          store<i32>(list + (<usize>cnt << 2), g << 4);
        }
      }
      store<i32>(list, cnt);
    }
    // Eight rows of B (8·k floats, in L1 for k up to ~1500) swept by every row of the block.
    let j = 0;
    for (; j + 8 <= n; j += 8) {
      for (let r = 0; r < mb; r++) {
        const pa = a + <usize>(i0 + r) * ra;
        sparseDot8(pa, b + <usize>j * rb, rb, buf + (<usize>(r * stride) << 2), k4, k, c + <usize>(i0 + r) * rc + (<usize>j << 2), acc);
      }
    }
    for (; j + 4 <= n; j += 4) {
      for (let r = 0; r < mb; r++) {
        const pa = a + <usize>(i0 + r) * ra;
        sparseDot4(pa, b + <usize>j * rb, rb, buf + (<usize>(r * stride) << 2), k4, k, c + <usize>(i0 + r) * rc + (<usize>j << 2), acc);
      }
    }
    for (; j < n; j++) {
      for (let r = 0; r < mb; r++) {
        const pa = a + <usize>(i0 + r) * ra;
        sparseDot1(pa, b + <usize>j * rb, buf + (<usize>(r * stride) << 2), k4, k, c + <usize>(i0 + r) * rc + (<usize>j << 2), acc);
      }
    }
  }
  return true;
}

/** Eight dot products of row pa with rows pb + q·rb over the listed groups, finished as ntBlock does. */
function sparseDot8(pa: usize, pb: usize, rb: usize, list: usize, k4: i32, k: i32, pc: usize, acc: i32): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  let c4 = f32x4.splat(0), c5 = f32x4.splat(0), c6 = f32x4.splat(0), c7 = f32x4.splat(0);
  const b1 = pb + rb, b2 = pb + 2 * rb, b3 = pb + 3 * rb, b4 = pb + 4 * rb, b5 = pb + 5 * rb, b6 = pb + 6 * rb, b7 = pb + 7 * rb;
  const cnt = load<i32>(list);
  let e = list + 4;
  const end = e + (<usize>cnt << 2);
  while (e < end) {
    const off = <usize>load<i32>(e);
    const x = v128.load(pa + off);
    c0 = f32x4.add(c0, f32x4.mul(x, v128.load(pb + off)));
    c1 = f32x4.add(c1, f32x4.mul(x, v128.load(b1 + off)));
    c2 = f32x4.add(c2, f32x4.mul(x, v128.load(b2 + off)));
    c3 = f32x4.add(c3, f32x4.mul(x, v128.load(b3 + off)));
    c4 = f32x4.add(c4, f32x4.mul(x, v128.load(b4 + off)));
    c5 = f32x4.add(c5, f32x4.mul(x, v128.load(b5 + off)));
    c6 = f32x4.add(c6, f32x4.mul(x, v128.load(b6 + off)));
    c7 = f32x4.add(c7, f32x4.mul(x, v128.load(b7 + off)));
    e += 4;
  }
  finishDot(c0, pa, pb, k4, k, pc, acc);
  finishDot(c1, pa, b1, k4, k, pc + 4, acc);
  finishDot(c2, pa, b2, k4, k, pc + 8, acc);
  finishDot(c3, pa, b3, k4, k, pc + 12, acc);
  finishDot(c4, pa, b4, k4, k, pc + 16, acc);
  finishDot(c5, pa, b5, k4, k, pc + 20, acc);
  finishDot(c6, pa, b6, k4, k, pc + 24, acc);
  finishDot(c7, pa, b7, k4, k, pc + 28, acc);
}

function sparseDot4(pa: usize, pb: usize, rb: usize, list: usize, k4: i32, k: i32, pc: usize, acc: i32): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  const b1 = pb + rb, b2 = pb + 2 * rb, b3 = pb + 3 * rb;
  const cnt = load<i32>(list);
  let e = list + 4;
  const end = e + (<usize>cnt << 2);
  while (e < end) {
    const off = <usize>load<i32>(e);
    const x = v128.load(pa + off);
    c0 = f32x4.add(c0, f32x4.mul(x, v128.load(pb + off)));
    c1 = f32x4.add(c1, f32x4.mul(x, v128.load(b1 + off)));
    c2 = f32x4.add(c2, f32x4.mul(x, v128.load(b2 + off)));
    c3 = f32x4.add(c3, f32x4.mul(x, v128.load(b3 + off)));
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
    c0 = f32x4.add(c0, f32x4.mul(v128.load(pa + off), v128.load(pb + off)));
    e += 4;
  }
  finishDot(c0, pa, pb, k4, k, pc, acc);
}
