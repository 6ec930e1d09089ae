// A convolution (im2col's columns) followed by 2×2 max pooling, image by image, so the
// convolution's output and its gradient [N, F, Ho, Wo] never go to memory: each image's planes
// are made in a scratch buffer that stays in cache, pooled (forward) or used at once (backward).
// Each value is the unfused ops' own: the same per-image product and bias (conv-products.ts),
// the same pooling and its backward (conv.ts), the same per-plane sums for the bias gradient
// (reduce.ts), the same lane sums of the weight gradient (segments.ts).
import { gemmNN } from "./gemm";
import { maxPool2x2, maxPoolBackward } from "./conv";
import { sumAxis } from "./reduce";
import { rowsFinite, countSparseRun, LIST_BYTES } from "./sparse";
import { piece, sparseEnough } from "./segments";
import { addBias } from "./conv-products";


/**
 * Images [i0, i1): pooled [n, f, ho/2, wo/2] and the window argmax (indices within each plane)
 * of w [f, ck] · cols [ck, n·ho·wo] + bias; scratch holds f·ho·wo floats.
 */
export function convPoolImages(
  w: usize, cols: usize, out: usize, argmax: usize, f: i32, ck: i32, n: i32, ho: i32, wo: i32,
  bias: usize, skip: i32, scratch: usize, i0: i32, i1: i32,
): void {
  const hw = ho * wo, hp = ho >> 1, wp = wo >> 1;
  for (let img = i0; img < i1; img++) {
    gemmNN(w, cols + (<usize>(img * hw) << 2), scratch, f, ck, hw, 0, 0, ck, n * hw, hw, 0, 0, skip);
    if (bias != 0) addBias(scratch, f, hw, bias);
    const at = <usize>(img * f * hp * wp) << 2;
    maxPool2x2(scratch, f, ho, wo, hp, wp, out + at, argmax + at);
  }
}

/**
 * Rows [r0, r1) of t [ck, f] = Σ over images of cols[img] · gy[img]ᵀ, where gy[img] [f, ho, wo] is
 * the pooling's backward of gp [n, f, ho/2, wo/2] through argmax, made in scratch (f·ho·wo
 * floats) image by image; with sums ≠ 0 also sums [n, f] = each plane of gy summed (the bias
 * gradient's first step). Needs ck·f ≤ 4096 and ck ≤ 256 (one block of lane sums), ho·wo a
 * multiple of 4 when n > 1.
 */
export function convPoolWeightRows(
  gp: usize, argmax: usize, cols: usize, t: usize, sums: usize, f: i32, ck: i32, n: i32, ho: i32, wo: i32,
  skip: i32, scratch: usize, buf: usize, r0: i32, r1: i32,
): void {
  const hw = ho * wo, hp = ho >> 1, wp = wo >> 1, pooled = f * hp * wp;
  const rows = r1 - r0;
  const ra = <usize>(n * hw) << 2, rb = <usize>hw << 2;
  const stride = (hw >> 2) + 1;
  // Zero-skipping needs the gradient finite: its non-zero values are gp's.
  const lists = rows > 0 && skip != 0 && f >= 4 && rowsFinite(gp, n * f, hp * wp, <usize>(hp * wp) << 2);
  for (let s = 0; s < n; s++) {
    maxPoolBackward(gp + (<usize>(s * pooled) << 2), argmax + (<usize>(s * pooled) << 2), f, ho, wo, hp, wp, scratch);
    if (sums != 0) sumAxis(scratch, f, hw, 1, sums + (<usize>(s * f) << 2));
    if (rows <= 0) continue;
    const pa = cols + (<usize>r0 * ra) + (<usize>(s * hw) << 2);
    let list: usize = 0;
    if (lists && sparseEnough(pa, ra, rows, hw, ck, skip, buf)) { list = buf; countSparseRun(); }
    piece(pa, ra, scratch, rb, rows, f, hw, s == 0, s == n - 1, buf + LIST_BYTES, t + (<usize>(r0 * f) << 2), <usize>f << 2, 0, list, stride);
  }
}
