// Fused optimizer updates in place, with torch.optim's formulas (see src/kernels/ref.ts).

/** SGD: d = g + wd·p; momentum buffer (if mom ≠ 0): b = first ? d : μ·b + (1−dampening)·d; d = nesterov ? d + μ·b : b; p −= lr·d. */
export function sgdStep(p: usize, g: usize, buf: usize, n: i32, lr: f32, momentum: f32, dampening: f32, nesterov: i32, wd: f32, first: i32): void {
  const n4 = n & ~3;
  const vlr = f32x4.splat(lr), vwd = f32x4.splat(wd), vmu = f32x4.splat(momentum), vdamp = f32x4.splat(1 - dampening);
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    const w = v128.load(p + o);
    let d = f32x4.add(v128.load(g + o), f32x4.mul(vwd, w));
    if (buf) {
      const b = first ? d : f32x4.add(f32x4.mul(vmu, v128.load(buf + o)), f32x4.mul(vdamp, d));
      v128.store(buf + o, b);
      d = nesterov ? f32x4.add(d, f32x4.mul(vmu, b)) : b;
    }
    v128.store(p + o, f32x4.sub(w, f32x4.mul(vlr, d)));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    const w = load<f32>(p + o);
    let d = load<f32>(g + o) + wd * w;
    if (buf) {
      const b = first ? d : momentum * load<f32>(buf + o) + (1 - dampening) * d;
      store<f32>(buf + o, b);
      d = nesterov ? d + momentum * b : b;
    }
    store<f32>(p + o, w - lr * d);
  }
}

/** Adam/AdamW with precomputed stepSize = lr/(1−β₁ᵗ) and bc2Sqrt = √(1−β₂ᵗ). */
export function adamStep(p: usize, g: usize, m: usize, v: usize, n: i32, lr: f32, beta1: f32, beta2: f32, eps: f32, wd: f32, decoupled: i32, stepSize: f32, bc2Sqrt: f32): void {
  const n4 = n & ~3;
  const b1 = f32x4.splat(beta1), b1c = f32x4.splat(1 - beta1), b2 = f32x4.splat(beta2), b2c = f32x4.splat(1 - beta2);
  const vwd = f32x4.splat(wd), decay = f32x4.splat(1 - lr * wd), ve = f32x4.splat(eps), vs = f32x4.splat(stepSize), vb = f32x4.splat(bc2Sqrt);
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    let w = v128.load(p + o);
    let d = v128.load(g + o);
    if (decoupled) w = f32x4.mul(w, decay);
    else d = f32x4.add(d, f32x4.mul(vwd, w));
    const mi = f32x4.add(f32x4.mul(b1, v128.load(m + o)), f32x4.mul(b1c, d));
    const vi = f32x4.add(f32x4.mul(b2, v128.load(v + o)), f32x4.mul(b2c, f32x4.mul(d, d)));
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(vi), vb), ve);
    v128.store(p + o, f32x4.sub(w, f32x4.div(f32x4.mul(vs, mi), denom)));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    let w = load<f32>(p + o);
    let d = load<f32>(g + o);
    if (decoupled) w *= 1 - lr * wd;
    else d += wd * w;
    const mi = beta1 * load<f32>(m + o) + (1 - beta1) * d;
    const vi = beta2 * load<f32>(v + o) + (1 - beta2) * d * d;
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    store<f32>(p + o, w - (stepSize * mi) / (Mathf.sqrt(vi) / bc2Sqrt + eps));
  }
}

/** g += l1·sign(p) + l2·p. */
export function penaltyGrad(p: usize, g: usize, n: i32, l1: f32, l2: f32): void {
  const n4 = n & ~3;
  const vl1 = f32x4.splat(l1), vl2 = f32x4.splat(l2), zero = f32x4.splat(0);
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    const w = v128.load(p + o);
    // l1·sign(w): +l1 where w > 0, −l1 where w < 0, 0 at 0 (and for NaN).
    const s = v128.or(v128.and(f32x4.gt(w, zero), vl1), v128.and(f32x4.lt(w, zero), f32x4.neg(vl1)));
    v128.store(g + o, f32x4.add(v128.load(g + o), f32x4.add(s, f32x4.mul(vl2, w))));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    const w = load<f32>(p + o);
    const s: f32 = w > 0 ? l1 : w < 0 ? -l1 : 0;
    store<f32>(g + o, load<f32>(g + o) + s + l2 * w);
  }
}
