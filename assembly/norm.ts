// Batch normalisation kernels over x viewed as [n, c, hw] (see src/kernels/ref.ts).

// @ts-ignore: decorator
@inline function sumRun(p: usize, len: i32): f64 {
  let v = f32x4.splat(0);
  let j = 0;
  for (; j + 4 <= len; j += 4) v = f32x4.add(v, v128.load(p + (<usize>j << 2)));
  let s = <f64>f32x4.extract_lane(v, 0) + <f64>f32x4.extract_lane(v, 1) + <f64>f32x4.extract_lane(v, 2) + <f64>f32x4.extract_lane(v, 3);
  for (; j < len; j++) s += <f64>load<f32>(p + (<usize>j << 2));
  return s;
}

export function batchNormForward(x: usize, n: i32, c: i32, hw: i32, gamma: usize, beta: usize, eps: f32, out: usize, xhat: usize, mean: usize, invstd: usize): void {
  const m = <f64>(n * hw);
  for (let ch = 0; ch < c; ch++) {
    let s: f64 = 0;
    for (let i = 0; i < n; i++) s += sumRun(x + (<usize>((i * c + ch) * hw) << 2), hw);
    const mu = <f32>(s / m);
    let v: f64 = 0;
    const vm = f32x4.splat(mu);
    for (let i = 0; i < n; i++) {
      const p = x + (<usize>((i * c + ch) * hw) << 2);
      let acc = f32x4.splat(0);
      let j = 0;
      for (; j + 4 <= hw; j += 4) { const d = f32x4.sub(v128.load(p + (<usize>j << 2)), vm); acc = f32x4.add(acc, f32x4.mul(d, d)); }
      v += <f64>f32x4.extract_lane(acc, 0) + <f64>f32x4.extract_lane(acc, 1) + <f64>f32x4.extract_lane(acc, 2) + <f64>f32x4.extract_lane(acc, 3);
      for (; j < hw; j++) { const d = <f64>(load<f32>(p + (<usize>j << 2)) - mu); v += d * d; }
    }
    const inv = <f32>(1 / Math.sqrt(v / m + <f64>eps));
    store<f32>(mean + (<usize>ch << 2), mu);
    store<f32>(invstd + (<usize>ch << 2), inv);
    const g = load<f32>(gamma + (<usize>ch << 2)), b = load<f32>(beta + (<usize>ch << 2));
    const vi = f32x4.splat(inv), vg = f32x4.splat(g), vb = f32x4.splat(b);
    for (let i = 0; i < n; i++) {
      const off = <usize>((i * c + ch) * hw) << 2;
      let j = 0;
      for (; j + 4 <= hw; j += 4) {
        const o = off + (<usize>j << 2);
        const xh = f32x4.mul(f32x4.sub(v128.load(x + o), vm), vi);
        v128.store(xhat + o, xh);
        v128.store(out + o, f32x4.add(f32x4.mul(vg, xh), vb));
      }
      for (; j < hw; j++) {
        const o = off + (<usize>j << 2);
        const xh = (load<f32>(x + o) - mu) * inv;
        store<f32>(xhat + o, xh);
        store<f32>(out + o, g * xh + b);
      }
    }
  }
}

export function channelAffine(x: usize, n: i32, c: i32, hw: i32, scale: usize, shift: usize, out: usize): void {
  for (let i = 0; i < n; i++) {
    for (let ch = 0; ch < c; ch++) {
      const off = <usize>((i * c + ch) * hw) << 2;
      const sc = load<f32>(scale + (<usize>ch << 2)), sh = load<f32>(shift + (<usize>ch << 2));
      const vs = f32x4.splat(sc), vh = f32x4.splat(sh);
      let j = 0;
      for (; j + 4 <= hw; j += 4) { const o = off + (<usize>j << 2); v128.store(out + o, f32x4.add(f32x4.mul(v128.load(x + o), vs), vh)); }
      for (; j < hw; j++) { const o = off + (<usize>j << 2); store<f32>(out + o, load<f32>(x + o) * sc + sh); }
    }
  }
}

export function batchNormBackward(g: usize, xhat: usize, n: i32, c: i32, hw: i32, gamma: usize, invstd: usize, dx: usize, dgamma: usize, dbeta: usize): void {
  const m = <f32>(n * hw);
  for (let ch = 0; ch < c; ch++) {
    let sg: f64 = 0, sgx: f64 = 0;
    for (let i = 0; i < n; i++) {
      const off = <usize>((i * c + ch) * hw) << 2;
      let a = f32x4.splat(0), b = f32x4.splat(0);
      let j = 0;
      for (; j + 4 <= hw; j += 4) {
        const o = off + (<usize>j << 2);
        const gv = v128.load(g + o);
        a = f32x4.add(a, gv);
        b = f32x4.add(b, f32x4.mul(gv, v128.load(xhat + o)));
      }
      sg += <f64>f32x4.extract_lane(a, 0) + <f64>f32x4.extract_lane(a, 1) + <f64>f32x4.extract_lane(a, 2) + <f64>f32x4.extract_lane(a, 3);
      sgx += <f64>f32x4.extract_lane(b, 0) + <f64>f32x4.extract_lane(b, 1) + <f64>f32x4.extract_lane(b, 2) + <f64>f32x4.extract_lane(b, 3);
      for (; j < hw; j++) {
        const o = off + (<usize>j << 2);
        sg += <f64>load<f32>(g + o);
        sgx += <f64>(load<f32>(g + o) * load<f32>(xhat + o));
      }
    }
    store<f32>(dbeta + (<usize>ch << 2), <f32>sg);
    store<f32>(dgamma + (<usize>ch << 2), <f32>sgx);
    const k = load<f32>(gamma + (<usize>ch << 2)) * load<f32>(invstd + (<usize>ch << 2)) / m;
    const vk = f32x4.splat(k), vm = f32x4.splat(m), vsg = f32x4.splat(<f32>sg), vsgx = f32x4.splat(<f32>sgx);
    for (let i = 0; i < n; i++) {
      const off = <usize>((i * c + ch) * hw) << 2;
      let j = 0;
      for (; j + 4 <= hw; j += 4) {
        const o = off + (<usize>j << 2);
        const t = f32x4.sub(f32x4.sub(f32x4.mul(vm, v128.load(g + o)), vsg), f32x4.mul(v128.load(xhat + o), vsgx));
        v128.store(dx + o, f32x4.mul(vk, t));
      }
      for (; j < hw; j++) {
        const o = off + (<usize>j << 2);
        store<f32>(dx + o, k * (m * load<f32>(g + o) - <f32>sg - load<f32>(xhat + o) * <f32>sgx));
      }
    }
  }
}
