/**
 * Reference recurrent-cell kernels (see Kernels.recurrentForward / recurrentBackward): one time
 * step after the products, in plain loops, as PyTorch's cells define it. The oracle for
 * assembly/recurrent.ts.
 */
import type { Kernels } from "./types.js";

function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

export const recurrentForward: Kernels["recurrentForward"] = (mode, n, h, xw, hw, bhh, hPrev, cPrev, acts, hOut, cOut) => {
  const G = mode === "lstm" ? 4 : mode === "gru" ? 3 : 1;
  const gh = G * h;
  const pre = (r: number, k: number) => xw[r * gh + k]! + hw[r * gh + k]! + (bhh ? bhh[k]! : 0);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < h; j++) {
      const o = r * h + j;
      if (mode === "rnnTanh") {
        hOut[o] = Math.tanh(pre(r, j));
      } else if (mode === "rnnRelu") {
        const a = pre(r, j);
        hOut[o] = a > 0 ? a : a === a ? 0 : a;
      } else if (mode === "lstm") {
        const i = sigmoid(pre(r, j)), f = sigmoid(pre(r, h + j)), g = Math.tanh(pre(r, 2 * h + j)), og = sigmoid(pre(r, 3 * h + j));
        const c = f * cPrev![o]! + i * g;
        cOut![o] = c;
        hOut[o] = og * Math.tanh(c);
        const a = r * 4 * h + j;
        acts![a] = i; acts![a + h] = f; acts![a + 2 * h] = g; acts![a + 3 * h] = og;
      } else {
        const rg = sigmoid(pre(r, j)), z = sigmoid(pre(r, h + j));
        const hn = hw[r * gh + 2 * h + j]! + (bhh ? bhh[2 * h + j]! : 0);
        const nn = Math.tanh(xw[r * gh + 2 * h + j]! + rg * hn);
        hOut[o] = nn + z * (hPrev[o]! - nn);
        const a = r * 4 * h + j;
        acts![a] = rg; acts![a + h] = z; acts![a + 2 * h] = nn; acts![a + 3 * h] = hn;
      }
    }
  }
};

export const recurrentBackward: Kernels["recurrentBackward"] = (mode, n, h, acts, hPrev, cPrev, cCur, hCur, dy, dyStride, dh, dc, dgx, dgh, dhPrev) => {
  const G = mode === "lstm" ? 4 : mode === "gru" ? 3 : 1;
  const gh = G * h;
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < h; j++) {
      const o = r * h + j;
      const d = dy[r * dyStride + j]! + dh[o]!;
      if (mode === "rnnTanh") {
        const y = hCur[o]!;
        dgx[r * gh + j] = d * (1 - y * y);
      } else if (mode === "rnnRelu") {
        dgx[r * gh + j] = hCur[o]! > 0 ? d : 0;
      } else if (mode === "lstm") {
        const a = r * 4 * h + j;
        const i = acts![a]!, f = acts![a + h]!, g = acts![a + 2 * h]!, og = acts![a + 3 * h]!;
        const tc = Math.tanh(cCur![o]!);
        const dct = dc![o]! + d * og * (1 - tc * tc);
        const b = r * gh + j;
        dgx[b] = dct * g * i * (1 - i);
        dgx[b + h] = dct * cPrev![o]! * f * (1 - f);
        dgx[b + 2 * h] = dct * i * (1 - g * g);
        dgx[b + 3 * h] = d * tc * og * (1 - og);
        dc![o] = dct * f;
      } else {
        const a = r * 4 * h + j;
        const rg = acts![a]!, z = acts![a + h]!, nn = acts![a + 2 * h]!, hn = acts![a + 3 * h]!;
        const dnp = d * (1 - z) * (1 - nn * nn);
        const b = r * gh + j;
        const dr = dnp * hn * rg * (1 - rg);
        const dz = d * (hPrev[o]! - nn) * z * (1 - z);
        dgx[b] = dr; dgx[b + h] = dz; dgx[b + 2 * h] = dnp;
        dgh![b] = dr; dgh![b + h] = dz; dgh![b + 2 * h] = dnp * rg;
        dhPrev![o] = d * z;
      }
    }
  }
};
