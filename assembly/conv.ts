// Convolution helpers (im2col / col2im) and pooling, on raw f32 addresses; see src/kernels/ref.ts
// for the definitions these must match.

// @ts-ignore: decorator
@inline function outSize(n: i32, k: i32, stride: i32, pad: i32): i32 {
  return (n + 2 * pad - k) / stride + 1;
}

/** Copies n floats (runs here are short — a row of a small feature map — so no memory.copy call). */
// @ts-ignore: decorator
@inline function copyRun(dst: usize, src: usize, n: i32): void {
  let j = 0;
  for (; j + 4 <= n; j += 4) v128.store(dst + (<usize>j << 2), v128.load(src + (<usize>j << 2)));
  for (; j < n; j++) store<f32>(dst + (<usize>j << 2), load<f32>(src + (<usize>j << 2)));
}

/** dst[0..n) += src[0..n). */
// @ts-ignore: decorator
@inline function addRun(dst: usize, src: usize, n: i32): void {
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const o = <usize>j << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
  }
}

/** x [c, h, w] → out [c·kh·kw, ho·wo], any stride and padding (stride 1 without padding: im2colRows). */
function im2colOne(x: usize, c: i32, h: i32, w: i32, kh: i32, kw: i32, stride: i32, pad: i32, out: usize, ld: i32): void {
  const ho = outSize(h, kh, stride, pad);
  const wo = outSize(w, kw, stride, pad);
  let rowStart = out;
  for (let ci = 0; ci < c; ci++) {
    const plane = x + (<usize>(ci * h * w) << 2);
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++) {
        let o = rowStart;
        rowStart += <usize>ld << 2;
        for (let i = 0; i < ho; i++) {
          const y = i * stride - pad + ki;
          if (y < 0 || y >= h) {
            memory.fill(o, 0, <usize>wo << 2);
          } else {
            const row = plane + (<usize>(y * w) << 2);
            if (stride == 1) {
              // Columns j with 0 ≤ j − pad + kj < w are one contiguous run of the input row.
              const j0 = min(wo, max(0, pad - kj));
              const j1 = max(j0, min(wo, w + pad - kj));
              for (let j = 0; j < j0; j++) store<f32>(o + (<usize>j << 2), 0);
              copyRun(o + (<usize>j0 << 2), row + (<usize>(j0 - pad + kj) << 2), j1 - j0);
              for (let j = j1; j < wo; j++) store<f32>(o + (<usize>j << 2), 0);
            } else {
              for (let j = 0; j < wo; j++) {
                const xx = j * stride - pad + kj;
                store<f32>(o + (<usize>j << 2), xx >= 0 && xx < w ? load<f32>(row + (<usize>xx << 2)) : 0);
              }
            }
          }
          o += <usize>wo << 2;
        }
      }
    }
  }
}

/** Adds cols [c·kh·kw, ho·wo] back onto dx [c, h, w] (the adjoint of im2col; stride 1 without padding: col2imRows). */
function col2imOne(cols: usize, c: i32, h: i32, w: i32, kh: i32, kw: i32, stride: i32, pad: i32, dx: usize, ld: i32): void {
  const ho = outSize(h, kh, stride, pad);
  const wo = outSize(w, kw, stride, pad);
  let rowStart = cols;
  for (let ci = 0; ci < c; ci++) {
    const plane = dx + (<usize>(ci * h * w) << 2);
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++) {
        let src = rowStart;
        rowStart += <usize>ld << 2;
        for (let i = 0; i < ho; i++) {
          const y = i * stride - pad + ki;
          if (y >= 0 && y < h) {
            const row = plane + (<usize>(y * w) << 2);
            if (stride == 1) {
              const j0 = min(wo, max(0, pad - kj));
              const j1 = max(j0, min(wo, w + pad - kj));
              const d = row + (<usize>(j0 - pad + kj) << 2);
              const s = src + (<usize>j0 << 2);
              const len = j1 - j0;
              let j = 0;
              for (; j + 4 <= len; j += 4) {
                const off = <usize>j << 2;
                v128.store(d + off, f32x4.add(v128.load(d + off), v128.load(s + off)));
              }
              for (; j < len; j++) {
                const off = <usize>j << 2;
                store<f32>(d + off, load<f32>(d + off) + load<f32>(s + off));
              }
            } else {
              for (let j = 0; j < wo; j++) {
                const xx = j * stride - pad + kj;
                if (xx >= 0 && xx < w) {
                  const d = row + (<usize>xx << 2);
                  store<f32>(d, load<f32>(d) + load<f32>(src + (<usize>j << 2)));
                }
              }
            }
          }
          src += <usize>wo << 2;
        }
      }
    }
  }
}

/** Max over k×k windows; argmax gets the first maximum's index within its plane (NaN wins). */
export function maxPool(x: usize, planes: i32, h: i32, w: i32, k: i32, stride: i32, out: usize, argmax: usize): void {
  const ho = outSize(h, k, stride, 0);
  const wo = outSize(w, k, stride, 0);
  if (k == 2 && stride == 2) return maxPool2x2(x, planes, h, w, ho, wo, out, argmax);
  let o: usize = 0;
  for (let p = 0; p < planes; p++) {
    const plane = x + (<usize>(p * h * w) << 2);
    for (let i = 0; i < ho; i++) {
      for (let j = 0; j < wo; j++) {
        let best: f32 = -Infinity;
        let at = i * stride * w + j * stride;
        for (let ki = 0; ki < k; ki++) {
          const r = (i * stride + ki) * w + j * stride;
          for (let kj = 0; kj < k; kj++) {
            const v = load<f32>(plane + (<usize>(r + kj) << 2));
            if (v > best || (v != v && best == best)) { best = v; at = r + kj; }
          }
        }
        store<f32>(out + (o << 2), best);
        store<i32>(argmax + (o << 2), at);
        o++;
      }
    }
  }
}

/** dx = 0, then each g added at its window's argmax. */
export function maxPoolBackward(g: usize, argmax: usize, planes: i32, h: i32, w: i32, ho: i32, wo: i32, dx: usize): void {
  if (h == 2 * ho && w == 2 * wo && (wo & 3) == 0) return maxPoolBackward2x2(g, argmax, planes, w, ho, wo, dx);
  memory.fill(dx, 0, <usize>(planes * h * w) << 2);
  let o: usize = 0;
  for (let p = 0; p < planes; p++) {
    const plane = dx + (<usize>(p * h * w) << 2);
    for (let q = 0; q < ho * wo; q++) {
      const d = plane + (<usize>load<i32>(argmax + (o << 2)) << 2);
      store<f32>(d, load<f32>(d) + load<f32>(g + (o << 2)));
      o++;
    }
  }
}

/** Mean over k×k windows. */
export function avgPool(x: usize, planes: i32, h: i32, w: i32, k: i32, stride: i32, out: usize): void {
  const ho = outSize(h, k, stride, 0);
  const wo = outSize(w, k, stride, 0);
  const inv: f32 = 1 / <f32>(k * k);
  let o: usize = 0;
  for (let p = 0; p < planes; p++) {
    const plane = x + (<usize>(p * h * w) << 2);
    for (let i = 0; i < ho; i++) {
      for (let j = 0; j < wo; j++) {
        let s: f32 = 0;
        for (let ki = 0; ki < k; ki++) {
          const r = (i * stride + ki) * w + j * stride;
          for (let kj = 0; kj < k; kj++) s += load<f32>(plane + (<usize>(r + kj) << 2));
        }
        store<f32>(out + (o << 2), s * inv);
        o++;
      }
    }
  }
}

/** dx = 0, then g/k² added over each window. */
export function avgPoolBackward(g: usize, planes: i32, h: i32, w: i32, k: i32, stride: i32, dx: usize): void {
  const ho = outSize(h, k, stride, 0);
  const wo = outSize(w, k, stride, 0);
  memory.fill(dx, 0, <usize>(planes * h * w) << 2);
  const inv: f32 = 1 / <f32>(k * k);
  let o: usize = 0;
  for (let p = 0; p < planes; p++) {
    const plane = dx + (<usize>(p * h * w) << 2);
    for (let i = 0; i < ho; i++) {
      for (let j = 0; j < wo; j++) {
        const share = load<f32>(g + (o << 2)) * inv;
        for (let ki = 0; ki < k; ki++) {
          const r = (i * stride + ki) * w + j * stride;
          for (let kj = 0; kj < k; kj++) {
            const d = plane + (<usize>(r + kj) << 2);
            store<f32>(d, load<f32>(d) + share);
          }
        }
        o++;
      }
    }
  }
}

/**
 * maxPoolBackward when 2×2 windows tile the planes exactly (h = 2·ho, w = 2·wo, wo a multiple of
 * 4): each window's four values written at once — g where the argmax is, 0 elsewhere — instead of
 * zeroing dx and adding g back. The same bytes: the value at the argmax is computed as there,
 * 0 + g (so a −0 becomes +0), and the other three are +0.
 */
export function maxPoolBackward2x2(g: usize, argmax: usize, planes: i32, w: i32, ho: i32, wo: i32, dx: usize): void {
  const zero = f32x4.splat(0);
  let o: usize = 0;
  for (let p = 0; p < planes; p++) {
    const plane = dx + (<usize>(p * 2 * ho * w) << 2);
    for (let i = 0; i < ho; i++) {
      const r0 = plane + (<usize>(2 * i * w) << 2);
      const r1 = r0 + (<usize>w << 2);
      // Window j's top-left index within the plane, for four windows.
      let tl = i32x4.add(i32x4.splat(2 * i * w), i32x4(0, 2, 4, 6));
      for (let j = 0; j < wo; j += 4) {
        const v = f32x4.add(zero, v128.load(g + (o << 2)));
        const at = v128.load(argmax + (o << 2));
        const a = v128.and(v, i32x4.eq(at, tl));
        const b = v128.and(v, i32x4.eq(at, i32x4.add(tl, i32x4.splat(1))));
        const c = v128.and(v, i32x4.eq(at, i32x4.add(tl, i32x4.splat(w))));
        const d = v128.and(v, i32x4.eq(at, i32x4.add(tl, i32x4.splat(w + 1))));
        const off = <usize>(2 * j) << 2;
        v128.store(r0 + off, v128.shuffle<f32>(a, b, 0, 4, 1, 5));
        v128.store(r0 + off, v128.shuffle<f32>(a, b, 2, 6, 3, 7), 16);
        v128.store(r1 + off, v128.shuffle<f32>(c, d, 0, 4, 1, 5));
        v128.store(r1 + off, v128.shuffle<f32>(c, d, 2, 6, 3, 7), 16);
        o += 4;
        tl = i32x4.add(tl, i32x4.splat(8));
      }
    }
  }
}

/** The common 2×2, stride-2 case: four windows at a time, in the same order and with the same ties and NaN rule. */
export function maxPool2x2(x: usize, planes: i32, h: i32, w: i32, ho: i32, wo: i32, out: usize, argmax: usize): void {
  let o: usize = 0;
  for (let p = 0; p < planes; p++) {
    const plane = x + (<usize>(p * h * w) << 2);
    for (let i = 0; i < ho; i++) {
      const r0 = plane + (<usize>(2 * i * w) << 2);
      const r1 = r0 + (<usize>w << 2);
      const base = 2 * i * w;
      // Window j covers r0[2j], r0[2j+1], r1[2j], r1[2j+1]; indices within the plane.
      let idx = i32x4.add(i32x4.splat(base), i32x4(0, 2, 4, 6));
      let j = 0;
      for (; j + 4 <= wo; j += 4) {
        const off = <usize>(2 * j) << 2;
        const a0 = v128.load(r0 + off), a1 = v128.load(r0 + off, 16);
        const b0 = v128.load(r1 + off), b1 = v128.load(r1 + off, 16);
        const tl = v128.shuffle<f32>(a0, a1, 0, 2, 4, 6), tr = v128.shuffle<f32>(a0, a1, 1, 3, 5, 7);
        const bl = v128.shuffle<f32>(b0, b1, 0, 2, 4, 6), br = v128.shuffle<f32>(b0, b1, 1, 3, 5, 7);
        let best = tl;
        let at = idx;
        // Take v where v > best, or v is NaN and best is not: the first maximum wins, NaN wins.
        let take = v128.or(f32x4.gt(tr, best), v128.andnot(f32x4.ne(tr, tr), f32x4.ne(best, best)));
        best = v128.bitselect(tr, best, take); at = v128.bitselect(i32x4.add(idx, i32x4.splat(1)), at, take);
        take = v128.or(f32x4.gt(bl, best), v128.andnot(f32x4.ne(bl, bl), f32x4.ne(best, best)));
        best = v128.bitselect(bl, best, take); at = v128.bitselect(i32x4.add(idx, i32x4.splat(w)), at, take);
        take = v128.or(f32x4.gt(br, best), v128.andnot(f32x4.ne(br, br), f32x4.ne(best, best)));
        best = v128.bitselect(br, best, take); at = v128.bitselect(i32x4.add(idx, i32x4.splat(w + 1)), at, take);
        v128.store(out + (o << 2), best);
        v128.store(argmax + (o << 2), at);
        o += 4;
        idx = i32x4.add(idx, i32x4.splat(8));
      }
      for (; j < wo; j++) {
        const c = 2 * j;
        let best = load<f32>(r0 + (<usize>c << 2));
        let at = base + c;
        let v = load<f32>(r0 + (<usize>(c + 1) << 2));
        if (v > best || (v != v && best == best)) { best = v; at = base + c + 1; }
        v = load<f32>(r1 + (<usize>c << 2));
        if (v > best || (v != v && best == best)) { best = v; at = base + w + c; }
        v = load<f32>(r1 + (<usize>(c + 1) << 2));
        if (v > best || (v != v && best == best)) { best = v; at = base + w + c + 1; }
        store<f32>(out + (o << 2), best);
        store<i32>(argmax + (o << 2), at);
        o++;
      }
    }
  }
}

/** out [b, a, l] = x [a, b, l] (+ bias[i] on row i of x when bias ≠ 0): runs of l floats change places. */
export function swapAxes(x: usize, a: i32, b: i32, l: i32, out: usize, bias: usize): void {
  swapAxesRange(x, a, b, l, out, bias, 0, a);
}

/** swapAxes for rows i0 ≤ i < i1 of x (one thread's share). */
export function swapAxesRange(x: usize, a: i32, b: i32, l: i32, out: usize, bias: usize, i0: i32, i1: i32): void {
  for (let i = i0; i < i1; i++) {
    if (bias != 0) {
      const v = f32x4.splat(load<f32>(bias + (<usize>i << 2)));
      for (let j = 0; j < b; j++) biasRun(out + (<usize>((j * a + i) * l) << 2), x + (<usize>((i * b + j) * l) << 2), l, v);
    } else {
      for (let j = 0; j < b; j++) copyRun(out + (<usize>((j * a + i) * l) << 2), x + (<usize>((i * b + j) * l) << 2), l);
    }
  }
}

/** dst[0..n) = src[0..n) + v (v splat). */
// @ts-ignore: decorator
@inline function biasRun(dst: usize, src: usize, n: i32, v: v128): void {
  let j = 0;
  for (; j + 4 <= n; j += 4) v128.store(dst + (<usize>j << 2), f32x4.add(v128.load(src + (<usize>j << 2)), v));
  const s = f32x4.extract_lane(v, 0);
  for (; j < n; j++) store<f32>(dst + (<usize>j << 2), load<f32>(src + (<usize>j << 2)) + s);
}

/** Images [i0, i1) of a batch x [n, c, h, w] → their columns of out [c·kh·kw, n·ho·wo]. */
export function im2col(x: usize, n: i32, c: i32, h: i32, w: i32, kh: i32, kw: i32, stride: i32, pad: i32, out: usize, i0: i32, i1: i32): void {
  const hw = outSize(h, kh, stride, pad) * outSize(w, kw, stride, pad);
  if (stride == 1 && pad == 0) {
    im2colRows(x, n, c, h, w, kh, kw, out, i0, i1);
    return;
  }
  for (let i = i0; i < i1; i++) im2colOne(x + (<usize>(i * c * h * w) << 2), c, h, w, kh, kw, stride, pad, out + (<usize>(i * hw) << 2), n * hw);
}

/** Images [i0, i1) of dx [n, c, h, w]: zeroed, then their columns of cols [c·kh·kw, n·ho·wo] added on. */
export function col2im(cols: usize, n: i32, c: i32, h: i32, w: i32, kh: i32, kw: i32, stride: i32, pad: i32, dx: usize, i0: i32, i1: i32): void {
  const hw = outSize(h, kh, stride, pad) * outSize(w, kw, stride, pad);
  memory.fill(dx + (<usize>(i0 * c * h * w) << 2), 0, <usize>((i1 - i0) * c * h * w) << 2);
  if (stride == 1 && pad == 0) {
    col2imRows(cols, n, c, h, w, kh, kw, dx, i0, i1);
    return;
  }
  for (let i = i0; i < i1; i++) col2imOne(cols + (<usize>(i * hw) << 2), c, h, w, kh, kw, stride, pad, dx + (<usize>(i * c * h * w) << 2), n * hw);
}

/**
 * Stride 1, no padding, images [i0, i1) of a batch: row by row of the column matrix, and within a
 * row image by image, so the (large) column matrix is written — or, in col2im, read — in one
 * sequential pass per row while the images' planes (small) stay in cache. Image by image, each
 * image touched every row of the matrix at a different place: c·kh·kw scattered streams.
 */
function im2colRows(x: usize, n: i32, c: i32, h: i32, w: i32, kh: i32, kw: i32, out: usize, i0: i32, i1: i32): void {
  const ho = h - kh + 1;
  const wo = w - kw + 1;
  const hw = ho * wo;
  const ld: usize = <usize>(n * hw) << 2;
  const rowBytes: usize = <usize>w << 2;
  const runBytes: usize = <usize>wo << 2;
  const imageBytes: usize = <usize>(c * h * w) << 2;
  let row = out + (<usize>(i0 * hw) << 2);
  for (let ci = 0; ci < c; ci++) {
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++) {
        let src0 = x + (<usize>i0) * imageBytes + (<usize>((ci * h + ki) * w + kj) << 2);
        let dst = row;
        for (let img = i0; img < i1; img++) {
          let src = src0;
          for (let i = 0; i < ho; i++) {
            copyRun(dst, src, wo);
            src += rowBytes;
            dst += runBytes;
          }
          src0 += imageBytes;
        }
        row += ld;
      }
    }
  }
}

function col2imRows(cols: usize, n: i32, c: i32, h: i32, w: i32, kh: i32, kw: i32, dx: usize, i0: i32, i1: i32): void {
  const ho = h - kh + 1;
  const wo = w - kw + 1;
  const hw = ho * wo;
  const ld: usize = <usize>(n * hw) << 2;
  const rowBytes: usize = <usize>w << 2;
  const runBytes: usize = <usize>wo << 2;
  const imageBytes: usize = <usize>(c * h * w) << 2;
  let row = cols + (<usize>(i0 * hw) << 2);
  for (let ci = 0; ci < c; ci++) {
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++) {
        let d0 = dx + (<usize>i0) * imageBytes + (<usize>((ci * h + ki) * w + kj) << 2);
        let src = row;
        for (let img = i0; img < i1; img++) {
          let d = d0;
          for (let i = 0; i < ho; i++) {
            addRun(d, src, wo);
            d += rowBytes;
            src += runBytes;
          }
          d0 += imageBytes;
        }
        row += ld;
      }
    }
  }
}
