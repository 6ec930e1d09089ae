// Inference of a Linear layer and its activation in one pass, no tape: y = act(x·Wᵀ + b).
import { gemmNT } from "./gemm";
import { leakyRelu, relu, sigmoid, tanh } from "./elementwise";

/** Rows per band: the band's outputs (≤ 64·n floats) stay in cache between product and activation. */
// @ts-ignore: decorator
@inline const BAND = 64;

/**
 * Rows [r0, r1) of y [m×n] = act(x [m×k] · wᵀ (w [n×k]) + bias [n]); bias 0 = none. act: 0 none,
 * 1 relu, 2 leakyRelu(slope), 3 sigmoid, 4 tanh. Each value is computed by the same operations as
 * the taped forward — bias written first, the product accumulated onto it (gemmNT, mode 1), then
 * the activation kernel — so the result is bit-identical to it; only the order of the passes over
 * memory changes. skip: zero-skipping in the product (sparse.ts).
 */
export function linearRows(x: usize, w: usize, bias: usize, y: usize, k: i32, n: i32, act: i32, slope: f32, skip: i32, r0: i32, r1: i32): void {
  const row: usize = <usize>n << 2;
  for (let i0 = r0; i0 < r1; i0 += BAND) {
    const rows = min(BAND, r1 - i0);
    const yb = y + <usize>i0 * row;
    if (bias != 0) for (let i = 0; i < rows; i++) memory.copy(yb + <usize>i * row, bias, row);
    gemmNT(x + (<usize>i0 * <usize>k << 2), w, yb, rows, k, n, bias != 0 ? 1 : 0, k, k, n, skip);
    const count = rows * n;
    if (act == 1) relu(yb, yb, count);
    else if (act == 2) leakyRelu(yb, yb, count, slope);
    else if (act == 3) sigmoid(yb, yb, count);
    else if (act == 4) tanh(yb, yb, count);
  }
}
