// A convolution's two products over the batch's columns (im2col's [C·kh·kw, N·Ho·Wo]) without a
// transposed copy of the output or of its gradient, each value bit for bit what the whole-batch
// product and swapAxes give (src/ops/conv.ts's other path, tested against it):
//  - forward: per image, y[img] [F, HoWo] = W · (its block of columns), then + bias per row —
//    the same sums as the whole-batch product (k ≤ KC blocks do not depend on the columns'
//    blocking), then the same + bias as swapAxes;
//  - weight gradient: dWᵀ [C·kh·kw, F] = Σ over images of cols[img] · gy[img]ᵀ (segments.ts: the
//    lane sums carried from image to image), then transposed into dW. The columns are the first
//    operand because they are the sparse one (pixels, ReLU outputs) for zero-skipping; a·b = b·a,
//    so each value is the dot product gemm(gradientᵀ, cols, transB) computes.
import { gemmNN, packScratch } from "./gemm";
import { gemmNTSeg } from "./segments";

/** Images [i0, i1): y [n, f, hw] from w [f, ck], cols [ck, n·hw] and bias [f] (0: none). */
export function convProduct(w: usize, cols: usize, y: usize, f: i32, ck: i32, n: i32, hw: i32, bias: usize, skip: i32, i0: i32, i1: i32): void {
  for (let img = i0; img < i1; img++) {
    const py = y + (<usize>(img * f * hw) << 2);
    gemmNN(w, cols + (<usize>(img * hw) << 2), py, f, ck, hw, 0, 0, ck, n * hw, hw, 0, 0, skip);
    if (bias != 0) addBias(py, f, hw, bias);
  }
}

/** Rows q < f of y [f, hw] += bias[q], as swapAxes adds it. */
export function addBias(y: usize, f: i32, hw: i32, bias: usize): void {
  for (let q = 0; q < f; q++) {
    const row = y + (<usize>(q * hw) << 2);
    const v = f32x4.splat(load<f32>(bias + (<usize>q << 2)));
    let j = 0;
    for (; j + 4 <= hw; j += 4) v128.store(row + (<usize>j << 2), f32x4.add(v128.load(row + (<usize>j << 2)), v));
    const s = f32x4.extract_lane(v, 0);
    for (; j < hw; j++) store<f32>(row + (<usize>j << 2), load<f32>(row + (<usize>j << 2)) + s);
  }
}

/**
 * Rows [r0, r1) of t [ck, f] = Σ over images of cols[img] · gy[img]ᵀ, gy [n, f, hw]; hw a multiple
 * of 4 when n > 1 (segments.ts).
 */
export function convWeightRows(cols: usize, gy: usize, t: usize, f: i32, ck: i32, n: i32, hw: i32, skip: i32, r0: i32, r1: i32): void {
  if (r1 <= r0) return;
  gemmNTSeg(cols + (<usize>r0 * <usize>(n * hw) << 2), gy, t + (<usize>(r0 * f) << 2), r1 - r0, f, hw, hw, n, n * hw, hw, f, hw, f * hw, 0, skip, packScratch());
}

/** dw [f, ck] (+)= tᵀ for t [ck, f]. */
export function transposeInto(t: usize, ck: i32, f: i32, dw: usize, acc: i32): void {
  for (let r = 0; r < ck; r++) {
    for (let q = 0; q < f; q++) {
      const src = load<f32>(t + (<usize>(r * f + q) << 2));
      const d = dw + (<usize>(q * ck + r) << 2);
      store<f32>(d, acc ? load<f32>(d) + src : src);
    }
  }
}
