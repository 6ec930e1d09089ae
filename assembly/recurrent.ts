// Recurrent cells, one time step after the products (see src/kernels/ref-recurrent.ts, the
// definition): the gate nonlinearities and the state update fused in one pass over [n, h], four
// units at a time; a ragged tail of units runs the same vector code on lane 0.
// Modes: 0 RNN tanh, 1 RNN ReLU, 2 LSTM (gates i, f, g, o), 3 GRU (gates r, z, n).
import { vsigmoid, vtanh } from "./elementwise";

// @ts-ignore: decorator
@inline function ld(p: usize, i: i32, wide: bool): v128 {
  return wide ? v128.load(p + (<usize>i << 2)) : f32x4.splat(load<f32>(p + (<usize>i << 2)));
}

// @ts-ignore: decorator
@inline function st(p: usize, i: i32, v: v128, wide: bool): void {
  if (wide) v128.store(p + (<usize>i << 2), v);
  else store<f32>(p + (<usize>i << 2), f32x4.extract_lane(v, 0));
}

/** xw + hw + bhh at gate row offset k (bhh = 0: no bias). */
// @ts-ignore: decorator
@inline function pre(xw: usize, hw: usize, bhh: usize, row: i32, k: i32, wide: bool): v128 {
  const s = f32x4.add(ld(xw, row + k, wide), ld(hw, row + k, wide));
  return bhh ? f32x4.add(s, ld(bhh, k, wide)) : s;
}

// @ts-ignore: decorator
@inline function forwardUnits(mode: i32, r: i32, j: i32, h: i32, xw: usize, hw: usize, bhh: usize, hPrev: usize, cPrev: usize, acts: usize, hOut: usize, cOut: usize, wide: bool): void {
  const o = r * h + j;
  if (mode == 0) {
    st(hOut, o, vtanh(pre(xw, hw, bhh, r * h, j, wide)), wide);
  } else if (mode == 1) {
    const a = pre(xw, hw, bhh, r * h, j, wide);
    // max(a, 0), NaN kept (as the reference's relu).
    st(hOut, o, v128.bitselect(a, f32x4.splat(0), v128.or(f32x4.ne(a, a), f32x4.gt(a, f32x4.splat(0)))), wide);
  } else if (mode == 2) {
    const g4 = r * 4 * h;
    const i = vsigmoid(pre(xw, hw, bhh, g4, j, wide));
    const f = vsigmoid(pre(xw, hw, bhh, g4, h + j, wide));
    const g = vtanh(pre(xw, hw, bhh, g4, 2 * h + j, wide));
    const og = vsigmoid(pre(xw, hw, bhh, g4, 3 * h + j, wide));
    const c = f32x4.add(f32x4.mul(f, ld(cPrev, o, wide)), f32x4.mul(i, g));
    st(cOut, o, c, wide);
    st(hOut, o, f32x4.mul(og, vtanh(c)), wide);
    st(acts, g4 + j, i, wide); st(acts, g4 + h + j, f, wide); st(acts, g4 + 2 * h + j, g, wide); st(acts, g4 + 3 * h + j, og, wide);
  } else {
    const g3 = r * 3 * h;
    const rg = vsigmoid(pre(xw, hw, bhh, g3, j, wide));
    const z = vsigmoid(pre(xw, hw, bhh, g3, h + j, wide));
    let hn = ld(hw, g3 + 2 * h + j, wide);
    if (bhh) hn = f32x4.add(hn, ld(bhh, 2 * h + j, wide));
    const nn = vtanh(f32x4.add(ld(xw, g3 + 2 * h + j, wide), f32x4.mul(rg, hn)));
    st(hOut, o, f32x4.add(nn, f32x4.mul(z, f32x4.sub(ld(hPrev, o, wide), nn))), wide);
    const a4 = r * 4 * h;
    st(acts, a4 + j, rg, wide); st(acts, a4 + h + j, z, wide); st(acts, a4 + 2 * h + j, nn, wide); st(acts, a4 + 3 * h + j, hn, wide);
  }
}

export function recurrentForward(mode: i32, n: i32, h: i32, xw: usize, hw: usize, bhh: usize, hPrev: usize, cPrev: usize, acts: usize, hOut: usize, cOut: usize): void {
  const h4 = h & ~3;
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < h4; j += 4) forwardUnits(mode, r, j, h, xw, hw, bhh, hPrev, cPrev, acts, hOut, cOut, true);
    for (let j = h4; j < h; j++) forwardUnits(mode, r, j, h, xw, hw, bhh, hPrev, cPrev, acts, hOut, cOut, false);
  }
}

// @ts-ignore: decorator
@inline function backwardUnits(mode: i32, r: i32, j: i32, h: i32, acts: usize, hPrev: usize, cPrev: usize, cCur: usize, hCur: usize, dy: usize, dyStride: i32, dh: usize, dc: usize, dgx: usize, dgh: usize, dhPrev: usize, wide: bool): void {
  const o = r * h + j;
  const one = f32x4.splat(1);
  const d = f32x4.add(ld(dy, r * dyStride + j, wide), ld(dh, o, wide));
  if (mode == 0) {
    const y = ld(hCur, o, wide);
    st(dgx, r * h + j, f32x4.mul(d, f32x4.sub(one, f32x4.mul(y, y))), wide);
  } else if (mode == 1) {
    st(dgx, r * h + j, v128.and(d, f32x4.gt(ld(hCur, o, wide), f32x4.splat(0))), wide);
  } else if (mode == 2) {
    const a = r * 4 * h + j;
    const i = ld(acts, a, wide), f = ld(acts, a + h, wide), g = ld(acts, a + 2 * h, wide), og = ld(acts, a + 3 * h, wide);
    const tc = vtanh(ld(cCur, o, wide));
    const dct = f32x4.add(ld(dc, o, wide), f32x4.mul(f32x4.mul(d, og), f32x4.sub(one, f32x4.mul(tc, tc))));
    st(dgx, a, f32x4.mul(f32x4.mul(f32x4.mul(dct, g), i), f32x4.sub(one, i)), wide);
    st(dgx, a + h, f32x4.mul(f32x4.mul(f32x4.mul(dct, ld(cPrev, o, wide)), f), f32x4.sub(one, f)), wide);
    st(dgx, a + 2 * h, f32x4.mul(f32x4.mul(dct, i), f32x4.sub(one, f32x4.mul(g, g))), wide);
    st(dgx, a + 3 * h, f32x4.mul(f32x4.mul(f32x4.mul(d, tc), og), f32x4.sub(one, og)), wide);
    st(dc, o, f32x4.mul(dct, f), wide);
  } else {
    const a = r * 4 * h + j;
    const rg = ld(acts, a, wide), z = ld(acts, a + h, wide), nn = ld(acts, a + 2 * h, wide), hn = ld(acts, a + 3 * h, wide);
    const dnp = f32x4.mul(f32x4.mul(d, f32x4.sub(one, z)), f32x4.sub(one, f32x4.mul(nn, nn)));
    const dr = f32x4.mul(f32x4.mul(f32x4.mul(dnp, hn), rg), f32x4.sub(one, rg));
    const dz = f32x4.mul(f32x4.mul(f32x4.mul(d, f32x4.sub(ld(hPrev, o, wide), nn)), z), f32x4.sub(one, z));
    const b = r * 3 * h + j;
    st(dgx, b, dr, wide); st(dgx, b + h, dz, wide); st(dgx, b + 2 * h, dnp, wide);
    st(dgh, b, dr, wide); st(dgh, b + h, dz, wide); st(dgh, b + 2 * h, f32x4.mul(dnp, rg), wide);
    st(dhPrev, o, f32x4.mul(d, z), wide);
  }
}

export function recurrentBackward(mode: i32, n: i32, h: i32, acts: usize, hPrev: usize, cPrev: usize, cCur: usize, hCur: usize, dy: usize, dyStride: i32, dh: usize, dc: usize, dgx: usize, dgh: usize, dhPrev: usize): void {
  const h4 = h & ~3;
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < h4; j += 4) backwardUnits(mode, r, j, h, acts, hPrev, cPrev, cCur, hCur, dy, dyStride, dh, dc, dgx, dgh, dhPrev, true);
    for (let j = h4; j < h; j++) backwardUnits(mode, r, j, h, acts, hPrev, cPrev, cCur, hCur, dy, dyStride, dh, dc, dgx, dgh, dhPrev, false);
  }
}
