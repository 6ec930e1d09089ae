// Elementwise kernels over n float32 values at byte addresses; four lanes at a time, scalar tails.
import { vexp, sexp } from "./math";

// @ts-ignore: decorator
@inline export function vsigmoid(x: v128): v128 {
  // 1 / (1 + e^−x): e^−x overflows to +∞ for very negative x, giving exactly 0 — no branch needed.
  return f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), vexp(f32x4.neg(x))));
}

// @ts-ignore: decorator
@inline function vsigmoidGrad(x: v128): v128 {
  // σ'(x) = e^−|x| / (1 + e^−|x|)², from x so it survives where σ(x) rounds to 1.
  const e = vexp(f32x4.neg(f32x4.abs(x)));
  const d = f32x4.add(f32x4.splat(1), e);
  return f32x4.div(e, f32x4.mul(d, d));
}

export function sigmoid(x: usize, out: usize, n: i32): void {
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) v128.store(out + (<usize>i << 2), vsigmoid(v128.load(x + (<usize>i << 2))));
  for (let i = n4; i < n; i++) store<f32>(out + (<usize>i << 2), f32x4.extract_lane(vsigmoid(f32x4.splat(load<f32>(x + (<usize>i << 2)))), 0));
}

export function sigmoidBackward(x: usize, g: usize, out: usize, n: i32): void {
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, f32x4.mul(v128.load(g + o), vsigmoidGrad(v128.load(x + o))));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, load<f32>(g + o) * f32x4.extract_lane(vsigmoidGrad(f32x4.splat(load<f32>(x + o))), 0));
  }
}

// @ts-ignore: decorator
@inline export function vtanh(x: v128): v128 {
  // 1 − 2/(e^{2x} + 1): saturates to ±1 through ∞ and 0 without branches.
  const e = vexp(f32x4.add(x, x));
  const y = f32x4.sub(f32x4.splat(1), f32x4.div(f32x4.splat(2), f32x4.add(e, f32x4.splat(1))));
  return v128.bitselect(x, y, f32x4.ne(x, x));
}

export function tanh(x: usize, out: usize, n: i32): void {
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) v128.store(out + (<usize>i << 2), vtanh(v128.load(x + (<usize>i << 2))));
  for (let i = n4; i < n; i++) store<f32>(out + (<usize>i << 2), f32x4.extract_lane(vtanh(f32x4.splat(load<f32>(x + (<usize>i << 2)))), 0));
}

/** out = g·(1 − y²), y = tanh(x). */
export function tanhBackward(y: usize, g: usize, out: usize, n: i32): void {
  const n4 = n & ~3;
  const one = f32x4.splat(1);
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    const yy = v128.load(y + o);
    v128.store(out + o, f32x4.mul(v128.load(g + o), f32x4.sub(one, f32x4.mul(yy, yy))));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    const yy = load<f32>(y + o);
    store<f32>(out + o, load<f32>(g + o) * (1 - yy * yy));
  }
}

export function exp(x: usize, out: usize, n: i32): void {
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) v128.store(out + (<usize>i << 2), vexp(v128.load(x + (<usize>i << 2))));
  for (let i = n4; i < n; i++) store<f32>(out + (<usize>i << 2), sexp(load<f32>(x + (<usize>i << 2))));
}

/** max(x, 0) for x ≥ 0 and slope·x below (relu: slope 0); NaN passes through. */
export function leakyRelu(x: usize, out: usize, n: i32, slope: f32): void {
  const n4 = n & ~3;
  const s = f32x4.splat(slope);
  const zero = f32x4.splat(0);
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(x + o);
    v128.store(out + o, v128.bitselect(v, f32x4.mul(v, s), f32x4.gt(v, zero)));
  }
  for (let i = n4; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    store<f32>(out + (<usize>i << 2), v > 0 ? v : v * slope);
  }
}

/** out = g where x > 0, g·slope elsewhere. */
export function leakyReluBackward(x: usize, g: usize, out: usize, n: i32, slope: f32): void {
  const n4 = n & ~3;
  const s = f32x4.splat(slope);
  const zero = f32x4.splat(0);
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    const gv = v128.load(g + o);
    v128.store(out + o, v128.bitselect(gv, f32x4.mul(gv, s), f32x4.gt(v128.load(x + o), zero)));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    const gv = load<f32>(g + o);
    store<f32>(out + o, load<f32>(x + o) > 0 ? gv : gv * slope);
  }
}

// Binary ops. mode 0: a and b both n long; 1: b is one value; 2: b is a row of `cols`, repeated.
// @ts-ignore: decorator
@inline function vop(op: i32, a: v128, b: v128): v128 {
  if (op == 0) return f32x4.add(a, b);
  if (op == 1) return f32x4.sub(a, b);
  if (op == 2) return f32x4.mul(a, b);
  return f32x4.div(a, b);
}
// @ts-ignore: decorator
@inline function sop(op: i32, a: f32, b: f32): f32 {
  if (op == 0) return a + b;
  if (op == 1) return a - b;
  if (op == 2) return a * b;
  return a / b;
}

/** out = a ∘ b elementwise (op 0 add, 1 sub, 2 mul, 3 div), n values. */
export function binarySame(op: i32, a: usize, b: usize, out: usize, n: i32): void {
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, vop(op, v128.load(a + o), v128.load(b + o)));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, sop(op, load<f32>(a + o), load<f32>(b + o)));
  }
}

/** out = a ∘ s for one value s. */
export function binaryScalar(op: i32, a: usize, s: f32, out: usize, n: i32): void {
  const n4 = n & ~3;
  const sv = f32x4.splat(s);
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, vop(op, v128.load(a + o), sv));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, sop(op, load<f32>(a + o), s));
  }
}

/** out[r, c] = a[r, c] ∘ b[c] for `rows` rows of `cols` (bias adds, per-feature scaling). */
export function binaryRow(op: i32, a: usize, b: usize, out: usize, rows: i32, cols: i32): void {
  const c4 = cols & ~3;
  for (let r = 0; r < rows; r++) {
    const base = <usize>(r * cols) << 2;
    for (let c = 0; c < c4; c += 4) {
      const o = <usize>c << 2;
      v128.store(out + base + o, vop(op, v128.load(a + base + o), v128.load(b + o)));
    }
    for (let c = c4; c < cols; c++) {
      const o = <usize>c << 2;
      store<f32>(out + base + o, sop(op, load<f32>(a + base + o), load<f32>(b + o)));
    }
  }
}

/** out = clamp(x, lo, hi); NaN passes through. */
export function clamp(x: usize, out: usize, n: i32, lo: f32, hi: f32): void {
  const n4 = n & ~3;
  const l = f32x4.splat(lo), h = f32x4.splat(hi);
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(x + o);
    // pmin/pmax return the first operand when either is NaN, so NaN survives.
    v128.store(out + o, f32x4.pmin(f32x4.pmax(v, l), h));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    const v = load<f32>(x + o);
    store<f32>(out + o, v < lo ? lo : v > hi ? hi : v);
  }
}

/** max(x, 0); NaN passes through, −∞ becomes 0. */
export function relu(x: usize, out: usize, n: i32): void {
  const n4 = n & ~3;
  const zero = f32x4.splat(0);
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, f32x4.pmax(v128.load(x + o), zero));
  }
  for (let i = n4; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    store<f32>(out + (<usize>i << 2), v < 0 ? 0 : v);
  }
}
