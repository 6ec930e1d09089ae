/**
 * Reference kernels: plain loops, written to be read. This file is the definition every faster
 * backend is tested against. Arithmetic happens in JS doubles and is rounded on store.
 */
import { erfc } from "./erf.js";
import { recurrentBackward, recurrentForward } from "./ref-recurrent.js";
import type { BinaryKernel, BinaryOp, FloatArray, Kernels, UnaryBackwardKernel, UnaryDefinition, UnaryKernel, UnaryOp } from "./types.js";

function sigmoid(x: number): number {
  // Two branches so exp never overflows: for x < 0, σ(x) = eˣ / (1 + eˣ).
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** Each elementwise function beside its derivative (y = f(x) is passed to df to reuse it). */
const UNARY_ROWS = {
  neg: { f: (x) => -x, df: () => -1 },
  exp: { f: Math.exp, df: (_x, y) => y },
  log: { f: Math.log, df: (x) => 1 / x },
  log1p: { f: Math.log1p, df: (x) => 1 / (1 + x) },
  sqrt: { f: Math.sqrt, df: (_x, y) => 0.5 / y },
  abs: { f: Math.abs, df: (x) => (x > 0 ? 1 : x < 0 ? -1 : 0) },
  sign: { f: (x) => (x > 0 ? 1 : x < 0 ? -1 : x), df: () => 0 },
  // σ'(x) = e^−|x| / (1 + e^−|x|)², from x: y·(1−y) loses it once y rounds to 1 in float32 (x > ~17).
  sigmoid: { f: sigmoid, df: (x) => { const e = Math.exp(-Math.abs(x)); return e / ((1 + e) * (1 + e)); } },
  tanh: { f: Math.tanh, df: (_x, y) => 1 - y * y },
  relu: { f: (x) => (x > 0 ? x : x === x ? 0 : x), df: (x) => (x > 0 ? 1 : 0) },
  leakyRelu: { f: (x, slope) => (x > 0 ? x : slope * x), df: (x, _y, slope) => (x > 0 ? 1 : slope) },
  // log(1 + eˣ) = max(x, 0) + log1p(e^−|x|): never overflows.
  softplus: { f: (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))), df: (x) => sigmoid(x) },
  // Exact GELU (Hendrycks & Gimpel 2016; PyTorch's approximate="none"): x·Φ(x), Φ(x) = ½·erfc(−x/√2);
  // its derivative Φ(x) + x·φ(x), φ(x) = e^(−x²/2)/√(2π).
  gelu: { f: (x) => 0.5 * x * erfc(-x * Math.SQRT1_2), df: (x) => 0.5 * erfc(-x * Math.SQRT1_2) + x * Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI) },
  // Like PyTorch, the gradient flows where lo ≤ x ≤ hi (bounds included).
  clamp: { f: (x, lo, hi) => (x < lo ? lo : x > hi ? hi : x), df: (x, _y, lo, hi) => (x >= lo && x <= hi ? 1 : 0) },
} satisfies Record<string, UnaryDefinition>;

/** The table by op name; its keys are the UnaryOp type, so a new elementwise op is one row above. */
export const UNARY: Record<keyof typeof UNARY_ROWS, UnaryDefinition> = UNARY_ROWS;

export const BINARY: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: Math.pow,
};

function gemm(
  a: FloatArray, b: FloatArray, c: FloatArray,
  m: number, k: number, n: number,
  transA: boolean, transB: boolean, accumulate: boolean,
): void {
  if (!accumulate) c.fill(0, 0, m * n);
  if (transB) {
    // c[i,j] += Σ_p A(i,p)·b[j,p]: rows of b are contiguous, so each entry is a dot product.
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += (transA ? a[p * m + i]! : a[i * k + p]!) * b[j * k + p]!;
        c[i * n + j] = c[i * n + j]! + s;
      }
    }
    return;
  }
  // c[i,:] += A(i,p)·b[p,:] for each p: the inner loop runs along contiguous rows of b and c.
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const aip = transA ? a[p * m + i]! : a[i * k + p]!;
      for (let j = 0; j < n; j++) c[i * n + j] = c[i * n + j]! + aip * b[p * n + j]!;
    }
  }
}

const gemmSgdUpdate: Kernels["gemmSgdUpdate"] = (a, b, w, m, k, n, transA, lr, wd) => {
  const grad = w instanceof Float64Array ? new Float64Array(m * n) : new Float32Array(m * n);
  gemm(a, b, grad, m, k, n, transA, false, false);
  sgdStep(w, grad, null, { lr, momentum: 0, dampening: 0, nesterov: false, weightDecay: wd }, true);
};

const linearForward: Kernels["linearForward"] = (x, w, bias, y, m, k, n, act, slope) => {
  if (bias) for (let i = 0; i < m; i++) y.set(bias, i * n);
  gemm(x, w, y, m, k, n, false, true, bias !== null);
  if (act !== "none") unaryKernel(act)(y.subarray(0, m * n), y, slope, 0);
};

function unaryKernel(op: UnaryOp): UnaryKernel {
  const f = UNARY[op].f;
  return (x, out, p, q) => {
    for (let i = 0; i < x.length; i++) out[i] = f(x[i]!, p, q);
  };
}

function unaryBackwardKernel(op: UnaryOp): UnaryBackwardKernel {
  const df = UNARY[op].df;
  return (x, y, g, out, p, q) => {
    for (let i = 0; i < x.length; i++) out[i] = g[i]! * df(x[i]!, y[i]!, p, q);
  };
}

/** One kernel per table entry. */
function perOp<K extends string, F>(table: Record<K, unknown>, make: (op: K) => F): Record<K, F> {
  return Object.fromEntries(Object.keys(table).map((op) => [op, make(op as K)])) as Record<K, F>;
}

/**
 * Walks an N-d index over `shape` in row-major order, calling `visit(outIndex, offsets…)` once per
 * innermost row with each input's offset; the innermost dimension is left to the caller's loop.
 */
function forEachRow(
  shape: readonly number[],
  strides: readonly (readonly number[])[],
  visit: (outStart: number, offsets: number[]) => void,
): void {
  const rank = shape.length;
  let total = 1;
  for (const d of shape) total *= d;
  if (total === 0) return;
  const inner = rank === 0 ? 1 : shape[rank - 1]!;
  const offsets = strides.map(() => 0);
  const idx = new Array<number>(Math.max(rank - 1, 0)).fill(0);
  for (let start = 0; start < total; start += inner) {
    visit(start, offsets);
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]!++;
      for (let s = 0; s < strides.length; s++) offsets[s]! += strides[s]![d]!;
      if (idx[d]! < shape[d]!) break;
      for (let s = 0; s < strides.length; s++) offsets[s]! -= strides[s]![d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}

const binaryKernel = (op: BinaryOp): BinaryKernel => (a, aStrides, b, bStrides, out, shape) => {
  const f = BINARY[op];
  const rank = shape.length;
  const inner = rank === 0 ? 1 : shape[rank - 1]!;
  const sa = rank === 0 ? 0 : aStrides[rank - 1]!;
  const sb = rank === 0 ? 0 : bStrides[rank - 1]!;
  if (rank <= 1) {
    for (let j = 0; j < inner; j++) out[j] = f(a[j * sa]!, b[j * sb]!);
    return;
  }
  forEachRow(shape, [aStrides, bStrides], (start, [ao, bo]) => {
    for (let j = 0; j < inner; j++) out[start + j] = f(a[ao! + j * sa]!, b[bo! + j * sb]!);
  });
};

function copyStrided(x: FloatArray, strides: readonly number[], out: FloatArray, shape: readonly number[]): void {
  const rank = shape.length;
  const inner = rank === 0 ? 1 : shape[rank - 1]!;
  const sx = rank === 0 ? 0 : strides[rank - 1]!;
  forEachRow(shape, [strides], (start, [xo]) => {
    for (let j = 0; j < inner; j++) out[start + j] = x[xo! + j * sx]!;
  });
}

const outSize = (n: number, k: number, stride: number, pad: number) => Math.floor((n + 2 * pad - k) / stride) + 1;

const im2col: Kernels["im2col"] = (xs, n, c, h, w, kh, kw, stride, pad, outs) => {
  const ho = outSize(h, kh, stride, pad);
  const wo = outSize(w, kw, stride, pad);
  const ld = n * ho * wo;
  for (let img = 0; img < n; img++) {
  const x = xs.subarray(img * c * h * w);
  const out = outs.subarray(img * ho * wo);
  for (let ci = 0; ci < c; ci++) {
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++) {
        const row = ((ci * kh + ki) * kw + kj) * ld;
        for (let i = 0; i < ho; i++) {
          const y = i * stride - pad + ki;
          for (let j = 0; j < wo; j++) {
            const xx = j * stride - pad + kj;
            out[row + i * wo + j] = y >= 0 && y < h && xx >= 0 && xx < w ? x[(ci * h + y) * w + xx]! : 0;
          }
        }
      }
    }
  }
  }
};

const col2im: Kernels["col2im"] = (colss, n, c, h, w, kh, kw, stride, pad, dxs) => {
  dxs.fill(0, 0, n * c * h * w);
  const ho = outSize(h, kh, stride, pad);
  const wo = outSize(w, kw, stride, pad);
  const ld = n * ho * wo;
  for (let img = 0; img < n; img++) {
  const cols = colss.subarray(img * ho * wo);
  const dx = dxs.subarray(img * c * h * w);
  for (let ci = 0; ci < c; ci++) {
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++) {
        const row = ((ci * kh + ki) * kw + kj) * ld;
        for (let i = 0; i < ho; i++) {
          const y = i * stride - pad + ki;
          if (y < 0 || y >= h) continue;
          for (let j = 0; j < wo; j++) {
            const xx = j * stride - pad + kj;
            if (xx >= 0 && xx < w) dx[(ci * h + y) * w + xx] = dx[(ci * h + y) * w + xx]! + cols[row + i * wo + j]!;
          }
        }
      }
    }
  }
  }
};

const swapAxes: Kernels["swapAxes"] = (x, a, b, l, out, bias = null) => {
  for (let i = 0; i < a; i++) {
    const add = bias ? bias[i]! : 0;
    for (let j = 0; j < b; j++) {
      for (let k = 0; k < l; k++) out[(j * a + i) * l + k] = bias ? x[(i * b + j) * l + k]! + add : x[(i * b + j) * l + k]!;
    }
  }
};

const like = (x: FloatArray, n: number): FloatArray => (x instanceof Float64Array ? new Float64Array(n) : new Float32Array(n));

const convProduct: Kernels["convProduct"] = (w, cols, y, f, ck, n, hw, bias) => {
  const t = like(y, f * n * hw);
  gemm(w, cols, t, f, ck, n * hw, false, false, false);
  swapAxes(t, f, n, hw, y, bias);
};

const convWeightGradient: Kernels["convWeightGradient"] = (gy, cols, dw, f, ck, n, hw, accumulate) => {
  const gT = like(gy, f * n * hw);
  swapAxes(gy, n, f, hw, gT);
  gemm(gT, cols, dw, f, n * hw, ck, false, true, accumulate);
};

const convPool: Kernels["convPool"] = (w, cols, pooled, argmax, f, ck, n, ho, wo, bias) => {
  const y = like(pooled, n * f * ho * wo);
  convProduct(w, cols, y, f, ck, n, ho * wo, bias);
  maxPool(y, n * f, ho, wo, 2, 2, pooled, argmax);
};

const convPoolWeightGradient: Kernels["convPoolWeightGradient"] = (gp, argmax, cols, dw, db, f, ck, n, ho, wo, accumulate) => {
  const gy = like(gp, n * f * ho * wo);
  maxPoolBackward(gp, argmax, n * f, ho, wo, ho >> 1, wo >> 1, gy);
  convWeightGradient(gy, cols, dw, f, ck, n, ho * wo, accumulate);
  if (db) {
    const planes = like(gp, n * f);
    sumAxis(gy, n * f, ho * wo, 1, planes);
    sumAxis(planes, 1, n, f, db);
  }
};

const maxPool: Kernels["maxPool"] = (x, planes, h, w, k, stride, out, argmax) => {
  const ho = outSize(h, k, stride, 0);
  const wo = outSize(w, k, stride, 0);
  for (let p = 0; p < planes; p++) {
    for (let i = 0; i < ho; i++) {
      for (let j = 0; j < wo; j++) {
        let best = -Infinity;
        let at = (i * stride) * w + j * stride;
        for (let ki = 0; ki < k; ki++) {
          for (let kj = 0; kj < k; kj++) {
            const idx = (i * stride + ki) * w + j * stride + kj;
            const v = x[p * h * w + idx]!;
            if (v > best || (v !== v && best === best)) {
              best = v;
              at = idx;
            }
          }
        }
        out[(p * ho + i) * wo + j] = best;
        argmax[(p * ho + i) * wo + j] = at;
      }
    }
  }
};

const maxPoolBackward: Kernels["maxPoolBackward"] = (g, argmax, planes, h, w, ho, wo, dx) => {
  dx.fill(0);
  for (let p = 0; p < planes; p++) {
    for (let o = 0; o < ho * wo; o++) {
      const at = p * h * w + argmax[p * ho * wo + o]!;
      dx[at] = dx[at]! + g[p * ho * wo + o]!;
    }
  }
};

const avgPool: Kernels["avgPool"] = (x, planes, h, w, k, stride, out) => {
  const ho = outSize(h, k, stride, 0);
  const wo = outSize(w, k, stride, 0);
  for (let p = 0; p < planes; p++) {
    for (let i = 0; i < ho; i++) {
      for (let j = 0; j < wo; j++) {
        let s = 0;
        for (let ki = 0; ki < k; ki++) for (let kj = 0; kj < k; kj++) s += x[(p * h + i * stride + ki) * w + j * stride + kj]!;
        out[(p * ho + i) * wo + j] = s / (k * k);
      }
    }
  }
};

const avgPoolBackward: Kernels["avgPoolBackward"] = (g, planes, h, w, k, stride, dx) => {
  const ho = outSize(h, k, stride, 0);
  const wo = outSize(w, k, stride, 0);
  dx.fill(0);
  for (let p = 0; p < planes; p++) {
    for (let i = 0; i < ho; i++) {
      for (let j = 0; j < wo; j++) {
        const share = g[(p * ho + i) * wo + j]! / (k * k);
        for (let ki = 0; ki < k; ki++) for (let kj = 0; kj < k; kj++) {
          const at = (p * h + i * stride + ki) * w + j * stride + kj;
          dx[at] = dx[at]! + share;
        }
      }
    }
  }
};

const batchNormForward: Kernels["batchNormForward"] = (x, n, c, hw, gamma, beta, eps, out, xhat, mean, invstd) => {
  const m = n * hw;
  for (let ch = 0; ch < c; ch++) {
    let s = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < hw; j++) s += x[(i * c + ch) * hw + j]!;
    const mu = s / m;
    let v = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < hw; j++) v += (x[(i * c + ch) * hw + j]! - mu) ** 2;
    const inv = 1 / Math.sqrt(v / m + eps);
    mean[ch] = mu;
    invstd[ch] = inv;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < hw; j++) {
        const at = (i * c + ch) * hw + j;
        const xh = (x[at]! - mu) * inv;
        xhat[at] = xh;
        out[at] = gamma[ch]! * xh + beta[ch]!;
      }
    }
  }
};

const channelAffine: Kernels["channelAffine"] = (x, n, c, hw, scale, shift, out) => {
  for (let i = 0; i < n; i++) {
    for (let ch = 0; ch < c; ch++) {
      for (let j = 0; j < hw; j++) {
        const at = (i * c + ch) * hw + j;
        out[at] = x[at]! * scale[ch]! + shift[ch]!;
      }
    }
  }
};

const batchNormBackward: Kernels["batchNormBackward"] = (g, xhat, n, c, hw, gamma, invstd, dx, dgamma, dbeta) => {
  const m = n * hw;
  for (let ch = 0; ch < c; ch++) {
    let sg = 0;
    let sgx = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < hw; j++) {
        const at = (i * c + ch) * hw + j;
        sg += g[at]!;
        sgx += g[at]! * xhat[at]!;
      }
    }
    dbeta[ch] = sg;
    dgamma[ch] = sgx;
    const k = (gamma[ch]! * invstd[ch]!) / m;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < hw; j++) {
        const at = (i * c + ch) * hw + j;
        dx[at] = k * (m * g[at]! - sg - xhat[at]! * sgx);
      }
    }
  }
};

function sumAxis(x: FloatArray, outer: number, n: number, inner: number, out: FloatArray): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += x[(o * n + j) * inner + i]!;
      out[o * inner + i] = s;
    }
  }
}

function maxAxis(x: FloatArray, outer: number, n: number, inner: number, out: FloatArray, argmax: Int32Array): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let best = -Infinity;
      let at = 0;
      for (let j = 0; j < n; j++) {
        const v = x[(o * n + j) * inner + i]!;
        // NaN wins, as in PyTorch: a NaN anywhere makes the max NaN.
        if (v > best || (v !== v && best === best)) {
          best = v;
          at = j;
        }
      }
      out[o * inner + i] = n === 0 ? -Infinity : best;
      argmax[o * inner + i] = at;
    }
  }
}

/** Max and log Σ exp(x − max) over one softmax slice. */
function logSumExp(x: FloatArray, base: number, n: number, inner: number): { max: number; lse: number } {
  let max = -Infinity;
  for (let j = 0; j < n; j++) max = Math.max(max, x[base + j * inner]!);
  // A row of all −∞ has no finite max; shifting by 0 keeps it NaN-free until the division.
  const shift = Number.isFinite(max) ? max : 0;
  let s = 0;
  for (let j = 0; j < n; j++) s += Math.exp(x[base + j * inner]! - shift);
  return { max: shift, lse: shift + Math.log(s) };
}

function softmax(x: FloatArray, outer: number, n: number, inner: number, out: FloatArray): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      const { lse } = logSumExp(x, base, n, inner);
      for (let j = 0; j < n; j++) out[base + j * inner] = Math.exp(x[base + j * inner]! - lse);
    }
  }
}

function logSoftmax(x: FloatArray, outer: number, n: number, inner: number, out: FloatArray): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      const { lse } = logSumExp(x, base, n, inner);
      for (let j = 0; j < n; j++) out[base + j * inner] = x[base + j * inner]! - lse;
    }
  }
}

function softmaxBackward(y: FloatArray, g: FloatArray, outer: number, n: number, inner: number, out: FloatArray): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let dot = 0;
      for (let j = 0; j < n; j++) dot += g[base + j * inner]! * y[base + j * inner]!;
      for (let j = 0; j < n; j++) out[base + j * inner] = y[base + j * inner]! * (g[base + j * inner]! - dot);
    }
  }
}

function logSoftmaxBackward(y: FloatArray, g: FloatArray, outer: number, n: number, inner: number, out: FloatArray): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let total = 0;
      for (let j = 0; j < n; j++) total += g[base + j * inner]!;
      for (let j = 0; j < n; j++) out[base + j * inner] = g[base + j * inner]! - Math.exp(y[base + j * inner]!) * total;
    }
  }
}

function softmaxCrossEntropy(logits: FloatArray, labels: Int32Array, rows: number, cols: number, probs: FloatArray): number {
  let loss = 0;
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    const { lse } = logSumExp(logits, base, cols, 1);
    for (let j = 0; j < cols; j++) probs[base + j] = Math.exp(logits[base + j]! - lse);
    loss += lse - logits[base + labels[r]!]!;
  }
  return loss;
}

const pointwiseLoss: Kernels["pointwiseLoss"] = (kind, pred, target, labels, rows, cols, grad) => {
  let total = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      const y = target ? target[i]! : labels![r] === c ? 1 : 0;
      const a = pred[i]!;
      if (kind === "squared") {
        total += (a - y) * (a - y);
        grad[i] = 2 * (a - y);
      } else {
        total += UNARY.softplus.f(a, 0, 0) - y * a;
        grad[i] = sigmoid(a) - y;
      }
    }
  }
  return total;
};

function sumSquares(x: FloatArray): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return s;
}

function scale(x: FloatArray, alpha: number): void {
  for (let i = 0; i < x.length; i++) x[i] = x[i]! * alpha;
}

function penaltyGrad(p: FloatArray, g: FloatArray, l1: number, l2: number): void {
  for (let i = 0; i < p.length; i++) {
    const w = p[i]!;
    g[i] = g[i]! + l1 * (w > 0 ? 1 : w < 0 ? -1 : 0) + l2 * w;
  }
}

const sgdStep: Kernels["sgdStep"] = (p, g, buf, h, firstStep) => {
  for (let i = 0; i < p.length; i++) {
    let d = g[i]! + h.weightDecay * p[i]!;
    if (buf) {
      const b = firstStep ? d : h.momentum * buf[i]! + (1 - h.dampening) * d;
      buf[i] = b;
      d = h.nesterov ? d + h.momentum * b : b;
    }
    p[i] = p[i]! - h.lr * d;
  }
};

const rmspropStep: Kernels["rmspropStep"] = (p, g, squareAvg, momentumBuf, gradAvg, h) => {
  for (let i = 0; i < p.length; i++) {
    const d = g[i]! + h.weightDecay * p[i]!;
    const sq = h.alpha * squareAvg[i]! + (1 - h.alpha) * d * d;
    squareAvg[i] = sq;
    let avg: number;
    if (gradAvg) {
      const ga = h.alpha * gradAvg[i]! + (1 - h.alpha) * d;
      gradAvg[i] = ga;
      avg = Math.sqrt(sq - ga * ga) + h.eps;
    } else {
      avg = Math.sqrt(sq) + h.eps;
    }
    if (momentumBuf) {
      const b = h.momentum * momentumBuf[i]! + d / avg;
      momentumBuf[i] = b;
      p[i] = p[i]! - h.lr * b;
    } else {
      p[i] = p[i]! - (h.lr * d) / avg;
    }
  }
};

const adamStep: Kernels["adamStep"] = (p, g, m, v, h) => {
  const bc1 = 1 - Math.pow(h.beta1, h.step);
  const bc2 = 1 - Math.pow(h.beta2, h.step);
  const stepSize = h.lr / bc1;
  const bc2Sqrt = Math.sqrt(bc2);
  for (let i = 0; i < p.length; i++) {
    let w = p[i]!;
    let d = g[i]!;
    if (h.decoupled) w *= 1 - h.lr * h.weightDecay;
    else d += h.weightDecay * w;
    const mi = h.beta1 * m[i]! + (1 - h.beta1) * d;
    const vi = h.beta2 * v[i]! + (1 - h.beta2) * d * d;
    m[i] = mi;
    v[i] = vi;
    p[i] = w - (stepSize * mi) / (Math.sqrt(vi) / bc2Sqrt + h.eps);
  }
};

export const ref = {
  gemm,
  gemmSgdUpdate,
  linearForward,
  im2col,
  col2im,
  swapAxes,
  convProduct,
  convWeightGradient,
  convPool,
  convPoolWeightGradient,
  maxPool,
  maxPoolBackward,
  avgPool,
  avgPoolBackward,
  batchNormForward,
  channelAffine,
  batchNormBackward,
  unary: perOp(UNARY, unaryKernel),
  unaryBackward: perOp(UNARY, unaryBackwardKernel),
  binary: perOp(BINARY, binaryKernel),
  copyStrided,
  sumAxis,
  maxAxis,
  softmax,
  logSoftmax,
  softmaxBackward,
  logSoftmaxBackward,
  softmaxCrossEntropy,
  pointwiseLoss,
  sumSquares,
  scale,
  penaltyGrad,
  sgdStep,
  rmspropStep,
  adamStep,
  recurrentForward,
  recurrentBackward,
} satisfies Kernels;
