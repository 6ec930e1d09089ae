// A·Bᵀ whose reduction is long or comes in pieces: C [m×n] (+)= Σ_s A_s·B_sᵀ, where piece s of the
// reduction (length seg, the last one `last`) sits at a + s·sa and b + s·sb floats, rows lda and
// ldb floats apart. Two uses:
//  - a long reduction (gemmNT with k > 2·KB) cut into blocks of KB: the blocks of both operands
//    stay in L2 while every tile sweeps them (a convolution's weight gradient reduces over
//    N·Ho·Wo = 36,864 positions: its rows, 147 KiB each, streamed from memory once per tile);
//  - a convolution's weight gradient straight from the output gradient [N, F, Ho·Wo] and the
//    columns [C·kh·kw, N·Ho·Wo], one piece per image (no transposed copy of the gradient).
//
// Bits: every output is gemmNT's dot product over the pieces laid end to end — the same four lane
// sums, fed in the same order, then the same horizontal sum, scalar tail and epilogue (finishDot)
// — because between pieces the lane sums are kept in memory, not summed. So every piece but the
// last must be a multiple of four long (its groups of four are the dense kernel's). Zero-skipping
// (sparse.ts) applies per piece, with the same contract.
import { madd } from "./madd";
import { finishDot } from "./gemm";
import { maxDensity, pairLists, rowsFinite, countSparseRun, LIST_BYTES } from "./sparse";

/** Outputs whose four lane sums the scratch holds between pieces (64 KiB). */
// @ts-ignore: decorator
@inline const SPILL_OUTPUTS: i32 = 4096;

export function gemmNTSeg(
  a: usize, b: usize, c: usize, m: i32, n: i32, seg: i32, last: i32, nseg: i32,
  lda: i32, ldb: i32, ldc: i32, sa: i32, sb: i32, acc: i32, skip: i32, buf: usize,
): void {
  const ra = <usize>lda << 2, rb = <usize>ldb << 2, rc = <usize>ldc << 2;
  const spill = buf + LIST_BYTES;
  // Blocks of C whose lane sums fit the scratch; ≤ 256 rows so a piece's lists fit too.
  const nr = min(n, 64);
  const mr = min(m, min(256, max(2, (SPILL_OUTPUTS / nr) & ~1)));
  let finite = skip != 0 ? -1 : 0; // B's finiteness, checked once when a piece first goes sparse
  for (let i0 = 0; i0 < m; i0 += mr) {
    const rows = min(mr, m - i0);
    const pairs = (rows + 1) >> 1;
    for (let j0 = 0; j0 < n; j0 += nr) {
      const cols = min(nr, n - j0);
      for (let s = 0; s < nseg; s++) {
        const len = s < nseg - 1 ? seg : last;
        const pa = a + ((<usize>s * <usize>sa) << 2) + <usize>i0 * ra;
        const pb = b + ((<usize>s * <usize>sb) << 2) + <usize>j0 * rb;
        const pc = c + <usize>i0 * rc + (<usize>j0 << 2);
        const first = s == 0, fin = s == nseg - 1;
        const groups = len >> 2;
        const stride = groups + 1;
        let lists: usize = 0;
        if (finite != 0 && cols >= 4 && sparseEnough(pa, ra, rows, len, m, skip, buf)) {
          if (finite < 0) finite = allFinite(b, n, seg, last, nseg, rb, sb) ? 1 : 0;
          if (finite > 0) { lists = buf; countSparseRun(); }
        }
        piece(pa, ra, pb, rb, rows, cols, len, first, fin, spill, pc, rc, acc, lists, stride);
      }
    }
  }
}

/**
 * Writes the lists of one piece of A (rows × len, row stride ra) at buf — per pair of rows, the
 * groups of four where either row is non-zero (sparse.ts) — and says whether skipping pays
 * (skip = 1: at most maxDensity(m) of the groups; skip = 2: always); false when they do not fit.
 */
export function sparseEnough(pa: usize, ra: usize, rows: i32, len: i32, m: i32, skip: i32, buf: usize): bool {
  const groups = len >> 2, stride = groups + 1, pairs = (rows + 1) >> 1;
  if (skip == 0 || groups == 0 || pairs * stride * 4 > LIST_BYTES) return false;
  const nz = pairLists(pa, ra, rows, groups, buf, stride);
  return skip != 1 || <f64>nz <= maxDensity(m) * <f64>pairs * <f64>groups;
}

/** Whether every piece of B [n rows] is finite (the zero-skipping contract, sparse.ts). */
function allFinite(b: usize, n: i32, seg: i32, last: i32, nseg: i32, rb: usize, sb: i32): bool {
  for (let s = 0; s < nseg; s++) {
    if (!rowsFinite(b + ((<usize>s * <usize>sb) << 2), n, s < nseg - 1 ? seg : last, rb)) return false;
  }
  return true;
}

/** One piece for a block of rows × cols outputs; lane sums at spill + (r·cols + j)·16. */
export function piece(
  pa: usize, ra: usize, pb: usize, rb: usize, rows: i32, cols: i32, len: i32, first: bool, fin: bool,
  spill: usize, pc: usize, rc: usize, acc: i32, lists: usize, stride: i32,
): void {
  const len4 = len & ~3;
  const end = <usize>len4 << 2;
  for (let r = 0; r < rows; r += 2) {
    const a0 = pa + <usize>r * ra;
    const two = r + 1 < rows;
    const list = lists != 0 ? lists + (<usize>((r >> 1) * stride) << 2) : 0;
    const sp0 = spill + (<usize>(r * cols) << 4);
    const c0 = pc + <usize>r * rc;
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const b0 = pb + <usize>j * rb;
      if (two) tile2x4(a0, ra, b0, rb, end, len4, len, list, first, fin, sp0 + (<usize>j << 4), cols, c0 + (<usize>j << 2), rc, acc);
      else tile1x4(a0, b0, rb, end, len4, len, list, first, fin, sp0 + (<usize>j << 4), c0 + (<usize>j << 2), acc);
    }
    for (; j < cols; j++) {
      const b0 = pb + <usize>j * rb;
      tile1x1(a0, b0, end, len4, len, first, fin, sp0 + (<usize>j << 4), c0 + (<usize>j << 2), acc);
      if (two) tile1x1(a0 + ra, b0, end, len4, len, first, fin, sp0 + (<usize>(cols + j) << 4), c0 + rc + (<usize>j << 2), acc);
    }
  }
}

// @ts-ignore: decorator
@inline function start(first: bool, sp: usize): v128 {
  return first ? f32x4.splat(0) : v128.load(sp);
}

// @ts-ignore: decorator
@inline function close(v: v128, fin: bool, sp: usize, pa: usize, pb: usize, len4: i32, len: i32, pc: usize, acc: i32): void {
  if (fin) finishDot(v, pa, pb, len4, len, pc, acc);
  else v128.store(sp, v);
}

/** gemmNT's 2×4 tile (rows a0, a0 + ra against rows b0 + q·rb) over one piece; all groups, or the listed ones. */
function tile2x4(
  a0: usize, ra: usize, b0: usize, rb: usize, end: usize, len4: i32, len: i32, list: usize,
  first: bool, fin: bool, sp: usize, cols: i32, pc: usize, rc: usize, acc: i32,
): void {
  const a1 = a0 + ra;
  const sp1 = sp + (<usize>cols << 4);
  let c00 = start(first, sp), c01 = start(first, sp + 16), c02 = start(first, sp + 32), c03 = start(first, sp + 48);
  let c10 = start(first, sp1), c11 = start(first, sp1 + 16), c12 = start(first, sp1 + 32), c13 = start(first, sp1 + 48);
  const b1 = b0 + rb, b2 = b0 + 2 * rb, b3 = b0 + 3 * rb;
  if (list != 0) {
    let e = list + 4;
    const stop = e + (<usize>load<i32>(list) << 2);
    while (e < stop) {
      const off = <usize>load<i32>(e);
      const x0 = v128.load(a0 + off), x1 = v128.load(a1 + off);
      const y0 = v128.load(b0 + off), y1 = v128.load(b1 + off);
      const y2 = v128.load(b2 + off), y3 = v128.load(b3 + off);
      c00 = madd(x0, y0, c00); c01 = madd(x0, y1, c01);
      c02 = madd(x0, y2, c02); c03 = madd(x0, y3, c03);
      c10 = madd(x1, y0, c10); c11 = madd(x1, y1, c11);
      c12 = madd(x1, y2, c12); c13 = madd(x1, y3, c13);
      e += 4;
    }
  } else if (end > 0) {
    let off: usize = 0;
    do {
      const x0 = v128.load(a0 + off), x1 = v128.load(a1 + off);
      const y0 = v128.load(b0 + off), y1 = v128.load(b1 + off);
      const y2 = v128.load(b2 + off), y3 = v128.load(b3 + off);
      c00 = madd(x0, y0, c00); c01 = madd(x0, y1, c01);
      c02 = madd(x0, y2, c02); c03 = madd(x0, y3, c03);
      c10 = madd(x1, y0, c10); c11 = madd(x1, y1, c11);
      c12 = madd(x1, y2, c12); c13 = madd(x1, y3, c13);
      off += 16;
    } while (off < end);
  }
  const pc1 = pc + rc;
  close(c00, fin, sp, a0, b0, len4, len, pc, acc);
  close(c01, fin, sp + 16, a0, b1, len4, len, pc + 4, acc);
  close(c02, fin, sp + 32, a0, b2, len4, len, pc + 8, acc);
  close(c03, fin, sp + 48, a0, b3, len4, len, pc + 12, acc);
  close(c10, fin, sp1, a1, b0, len4, len, pc1, acc);
  close(c11, fin, sp1 + 16, a1, b1, len4, len, pc1 + 4, acc);
  close(c12, fin, sp1 + 32, a1, b2, len4, len, pc1 + 8, acc);
  close(c13, fin, sp1 + 48, a1, b3, len4, len, pc1 + 12, acc);
}

/** A last, unpaired row against four rows of B. */
function tile1x4(
  a0: usize, b0: usize, rb: usize, end: usize, len4: i32, len: i32, list: usize,
  first: bool, fin: bool, sp: usize, pc: usize, acc: i32,
): void {
  let c0 = start(first, sp), c1 = start(first, sp + 16), c2 = start(first, sp + 32), c3 = start(first, sp + 48);
  const b1 = b0 + rb, b2 = b0 + 2 * rb, b3 = b0 + 3 * rb;
  if (list != 0) {
    let e = list + 4;
    const stop = e + (<usize>load<i32>(list) << 2);
    while (e < stop) {
      const off = <usize>load<i32>(e);
      const x = v128.load(a0 + off);
      c0 = madd(x, v128.load(b0 + off), c0);
      c1 = madd(x, v128.load(b1 + off), c1);
      c2 = madd(x, v128.load(b2 + off), c2);
      c3 = madd(x, v128.load(b3 + off), c3);
      e += 4;
    }
  } else if (end > 0) {
    let off: usize = 0;
    do {
      const x = v128.load(a0 + off);
      c0 = madd(x, v128.load(b0 + off), c0);
      c1 = madd(x, v128.load(b1 + off), c1);
      c2 = madd(x, v128.load(b2 + off), c2);
      c3 = madd(x, v128.load(b3 + off), c3);
      off += 16;
    } while (off < end);
  }
  close(c0, fin, sp, a0, b0, len4, len, pc, acc);
  close(c1, fin, sp + 16, a0, b1, len4, len, pc + 4, acc);
  close(c2, fin, sp + 32, a0, b2, len4, len, pc + 8, acc);
  close(c3, fin, sp + 48, a0, b3, len4, len, pc + 12, acc);
}

/** One output (the columns past the last group of four): every group, dense. */
function tile1x1(a0: usize, b0: usize, end: usize, len4: i32, len: i32, first: bool, fin: bool, sp: usize, pc: usize, acc: i32): void {
  let v = start(first, sp);
  for (let off: usize = 0; off < end; off += 16) v = madd(v128.load(a0 + off), v128.load(b0 + off), v);
  close(v, fin, sp, a0, b0, len4, len, pc, acc);
}
