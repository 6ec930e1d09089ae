// Reductions and fused losses.
import { vexp, sexp } from "./math";

/** x viewed as [outer, n, inner] → out [outer, inner] = Σ over n (accumulated in f32 lanes, f64 for inner = 1). */
export function sumAxis(x: usize, outer: i32, n: i32, inner: i32, out: usize): void {
  if (inner == 1) {
    for (let o = 0; o < outer; o++) {
      const base = x + (<usize>(o * n) << 2);
      const n4 = n & ~3;
      let v = f32x4.splat(0);
      for (let j = 0; j < n4; j += 4) v = f32x4.add(v, v128.load(base + (<usize>j << 2)));
      let s: f64 = <f64>f32x4.extract_lane(v, 0) + <f64>f32x4.extract_lane(v, 1) + <f64>f32x4.extract_lane(v, 2) + <f64>f32x4.extract_lane(v, 3);
      for (let j = n4; j < n; j++) s += <f64>load<f32>(base + (<usize>j << 2));
      store<f32>(out + (<usize>o << 2), <f32>s);
    }
    return;
  }
  const i4 = inner & ~3;
  for (let o = 0; o < outer; o++) {
    const src = x + (<usize>(o * n * inner) << 2);
    const dst = out + (<usize>(o * inner) << 2);
    for (let i = 0; i < i4; i += 4) {
      let v = f32x4.splat(0);
      let p = src + (<usize>i << 2);
      for (let j = 0; j < n; j++) { v = f32x4.add(v, v128.load(p)); p += <usize>inner << 2; }
      v128.store(dst + (<usize>i << 2), v);
    }
    for (let i = i4; i < inner; i++) {
      let s: f32 = 0;
      for (let j = 0; j < n; j++) s += load<f32>(src + (<usize>(j * inner + i) << 2));
      store<f32>(dst + (<usize>i << 2), s);
    }
  }
}

/** Σ x² accumulated in f64. */
export function sumSquares(x: usize, n: i32): f64 {
  const n4 = n & ~3;
  let v = f32x4.splat(0);
  let total: f64 = 0;
  // Flush the f32 lanes into f64 every 1024 values so long vectors keep their precision.
  for (let i = 0; i < n4; i += 4) {
    const a = v128.load(x + (<usize>i << 2));
    v = f32x4.add(v, f32x4.mul(a, a));
    if ((i & 1023) == 1020) {
      total += <f64>f32x4.extract_lane(v, 0) + <f64>f32x4.extract_lane(v, 1) + <f64>f32x4.extract_lane(v, 2) + <f64>f32x4.extract_lane(v, 3);
      v = f32x4.splat(0);
    }
  }
  total += <f64>f32x4.extract_lane(v, 0) + <f64>f32x4.extract_lane(v, 1) + <f64>f32x4.extract_lane(v, 2) + <f64>f32x4.extract_lane(v, 3);
  for (let i = n4; i < n; i++) { const a = <f64>load<f32>(x + (<usize>i << 2)); total += a * a; }
  return total;
}

/** x *= alpha in place. */
export function scale(x: usize, n: i32, alpha: f32): void {
  const n4 = n & ~3;
  const s = f32x4.splat(alpha);
  for (let i = 0; i < n4; i += 4) { const o = x + (<usize>i << 2); v128.store(o, f32x4.mul(v128.load(o), s)); }
  for (let i = n4; i < n; i++) { const o = x + (<usize>i << 2); store<f32>(o, load<f32>(o) * alpha); }
}

/** Max and log Σ e^(x − max) of `n` contiguous values. */
// @ts-ignore: decorator
@inline function rowLse(p: usize, n: i32): f32 {
  let m: f32 = -Infinity;
  for (let j = 0; j < n; j++) { const v = load<f32>(p + (<usize>j << 2)); m = v > m || v != v ? v : m; }
  const shift: f32 = m == Infinity || m == -Infinity ? 0 : m;
  let s: f32 = 0;
  const n4 = n & ~3;
  let v = f32x4.splat(0);
  const sv = f32x4.splat(shift);
  for (let j = 0; j < n4; j += 4) v = f32x4.add(v, vexp(f32x4.sub(v128.load(p + (<usize>j << 2)), sv)));
  s = f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
  for (let j = n4; j < n; j++) s += sexp(load<f32>(p + (<usize>j << 2)) - shift);
  return shift + Mathf.log(s);
}

/** Softmax (mode 0) or log-softmax (mode 1) of each of `rows` contiguous rows of `cols`. */
export function softmaxRows(x: usize, out: usize, rows: i32, cols: i32, mode: i32): void {
  for (let r = 0; r < rows; r++) {
    const p = x + (<usize>(r * cols) << 2);
    const q = out + (<usize>(r * cols) << 2);
    const lse = rowLse(p, cols);
    const lv = f32x4.splat(lse);
    const c4 = cols & ~3;
    for (let j = 0; j < c4; j += 4) {
      const d = f32x4.sub(v128.load(p + (<usize>j << 2)), lv);
      v128.store(q + (<usize>j << 2), mode == 0 ? vexp(d) : d);
    }
    for (let j = c4; j < cols; j++) {
      const d = load<f32>(p + (<usize>j << 2)) - lse;
      store<f32>(q + (<usize>j << 2), mode == 0 ? sexp(d) : d);
    }
  }
}

/** Fused softmax + NLL: writes softmax rows to `probs`, returns Σ_rows (lse − x[label]). */
export function softmaxCrossEntropy(logits: usize, labels: usize, rows: i32, cols: i32, probs: usize): f64 {
  softmaxRows(logits, probs, rows, cols, 0);
  let loss: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const p = logits + (<usize>(r * cols) << 2);
    const label = load<i32>(labels + (<usize>r << 2));
    loss += <f64>(rowLse(p, cols) - load<f32>(p + (<usize>label << 2)));
  }
  return loss;
}
