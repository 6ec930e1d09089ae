/**
 * Every fast (wasm) kernel against its reference twin — the oracle — over awkward sizes, NaN/Inf,
 * arrays inside the wasm heap at unaligned offsets (used in place) and ordinary arrays (copied).
 * The case table must cover every kernel the wasm backend exports: a kernel without a case fails.
 */
import { describe, expect, test } from "vitest";
import { ref, wasmRuntime } from "../src/kernels/index.js";
import { wasmKernels } from "../src/kernels/wasm/kernels.js";
import type { FastKernels, FloatArray, Kernels } from "../src/kernels/types.js";
import { Rng } from "../src/rng.js";
import { expectClose } from "./helpers.js";
import { refWinograd } from "../src/kernels/ref-winograd.js";
import { pointStride } from "../src/ops/conv-winograd.js";

const SIZES = [0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 64, 65, 127];
const rt = wasmRuntime()!;
const fast = wasmKernels(rt);

type Place = "js" | "heap";
/** A float32 copy of `src`, either a plain array or a view into the wasm heap 4 bytes off alignment. */
function place(src: ArrayLike<number>, where: Place): Float32Array {
  if (where === "js") return Float32Array.from(src);
  const ptr = rt.heap.malloc(src.length * 4 + 64) + 4;
  const v = rt.heap.view(ptr, src.length);
  v.set(src);
  return v;
}

/** Random values in [lo, hi), with a NaN, +∞ and −∞ planted when `specials` and the array is big enough. */
function values(rng: Rng, n: number, specials: boolean, lo = -4, hi = 4): number[] {
  const v = Array.from({ length: n }, () => rng.range(lo, hi));
  if (specials && n >= 8) {
    v[rng.int(n)] = NaN;
    v[rng.int(n)] = Infinity;
    v[rng.int(n)] = -Infinity;
  }
  return v;
}

/**
 * A case runs one kernel implementation on fresh inputs and returns every array it wrote (and any
 * returned number), so the two implementations can be compared output by output.
 */
type Run = (k: Kernels, where: Place) => (FloatArray | number)[];
type Case = { name: string; run: Run; tol?: { atol?: number; rtol?: number; reduction?: number } }[];

function cases(kernel: string, op?: string): Case {
  const out: Case = [];
  for (const n of SIZES) {
    for (const specials of [false, true]) {
      const rng = new Rng(n * 7 + (specials ? 1 : 0));
      const tag = `n=${n}${specials ? " NaN/Inf" : ""}`;
      const x = values(rng, n, specials);
      const g = values(rng, n, false);
      switch (kernel) {
        case "gemm":
          // The last: a reduction long enough to be cut into blocks (assembly/segments.ts).
          for (const [m, k, nn] of [[n, n, n], [1, n, 3], [n, 5, 17], [3, n, n + 1], [n, 10, 784 % (n + 1) + 1], [3, 2049 + n, 5]] as const) {
            const a = values(rng, m * k, specials);
            const b = values(rng, k * nn, false);
            const c0 = values(rng, m * nn, false);
            for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
              for (const acc of [false, true]) {
                out.push({
                  name: `${tag} ${m}×${k}×${nn} ${ta ? "T" : "N"}${tb ? "T" : "N"}${acc ? " +=" : ""}`,
                  tol: { reduction: k + 1 },
                  run: (K, w) => { const c = place(c0, w); K.gemm(place(a, w), place(b, w), c, m, k, nn, ta, tb, acc); return [c]; },
                });
              }
            }
          }
          break;
        case "gemmSgdUpdate":
          for (const [m, k, nn] of [[n, n, n], [n, 10, 784 % (n + 1) + 1], [3, n * 5, n + 1]] as const) {
            for (const ta of [false, true]) {
              const a = values(rng, m * k, specials);
              const b = values(rng, k * nn, false);
              const w0 = values(rng, m * nn, false);
              out.push({
                name: `${tag} ${m}×${k}×${nn} ${ta ? "T" : "N"}N`,
                tol: { reduction: k + 1 },
                run: (K, where) => { const wt = place(w0, where); K.gemmSgdUpdate(place(a, where), place(b, where), wt, m, k, nn, ta, 0.1, 0.01); return [wt]; },
              });
            }
          }
          break;
        case "linearForward":
          for (const [m, k, nn] of [[n, n, n], [3, n * 5, n + 1], [n, 784 % (n + 1) + 9, 10]] as const) {
            const a = values(rng, m * k, specials);
            const wt = values(rng, nn * k, false);
            const bias = values(rng, nn, false);
            for (const act of ["none", "relu", "leakyRelu", "sigmoid", "tanh"] as const) {
              out.push({
                name: `${tag} ${m}×${k}×${nn} ${act}`,
                tol: { reduction: k + 1 },
                run: (K, w) => { const y = place(new Float32Array(m * nn), w); K.linearForward(place(a, w), place(wt, w), act === "none" ? null : place(bias, w), y, m, k, nn, act, 0.1); return [y]; },
              });
            }
          }
          break;
        case "im2col":
        case "col2im":
          for (const [b, c, h, w, kk, stride, pad] of [[1, n % 3, (n % 11) + 3, (n % 7) + 3, 3, 1, 0], [n % 4, 1, (n % 9) + 5, (n % 5) + 5, 5, 1, 2], [2, 2, (n % 6) + 4, (n % 8) + 4, 2, 2, 1], [3, 1, 3, 3, 1, 1, 0], [1, 1, 4, 4, 3, 3, 4], [n % 5 + 1, 2, 12, 12, 5, 1, 0]] as const) {
            const ho = Math.floor((h + 2 * pad - kk) / stride) + 1;
            const wo = Math.floor((w + 2 * pad - kk) / stride) + 1;
            const img = values(rng, b * c * h * w, specials);
            const cols = values(rng, c * kk * kk * b * ho * wo, specials);
            const name = `${tag} ${b}×c${c} ${h}×${w} k${kk} s${stride} p${pad}`;
            if (kernel === "im2col") out.push({ name, run: (K, where) => { const o = place(new Float32Array(c * kk * kk * b * ho * wo), where); K.im2col(place(img, where), b, c, h, w, kk, kk, stride, pad, o); return [o]; } });
            else out.push({ name, tol: { reduction: kk * kk }, run: (K, where) => { const dx = place(img, where); K.col2im(place(cols, where), b, c, h, w, kk, kk, stride, pad, dx); return [dx]; } });
          }
          break;
        case "winograd": {
          // Shapes whose tile counts and filter/channel counts leave partial groups of 4 lanes.
          if (n % 4 !== 1 || specials) break;
          const W = (K: Kernels) => K.winograd ?? refWinograd;
          const tol = { atol: 1e-5, rtol: 1e-4, reduction: 64 };
          for (const [b, c, th, tw, f] of [[1, 1, 1, 1, 1], [2, 3, 1, 2, 5], [n % 5 + 1, 8, 2, 2, 3], [1, 2, 3, 3, 7]] as const) {
            const h = 4 * th + 4, w = 4 * tw + 4, T = b * th * tw;
            const name = `${tag} ${b}×c${c}×f${f} tiles ${th}×${tw}`;
            const ps = pointStride(Math.max(c, f) * T) + (n % 3) * 16;
            const img = values(rng, b * c * h * w, false);
            const pts = values(rng, 64 * ps, false);
            const dy = values(rng, b * f * 4 * th * 4 * tw, false);
            const wt = values(rng, f * c * 25, false);
            const bias = values(rng, f, false);
            const prior = values(rng, f * c * 25, false);
            if (op === "data") out.push({ name, tol, run: (K, where) => { const o = place(new Float32Array(64 * ps), where); W(K).data(place(img, where), b, c, h, w, o, ps); return [o]; } });
            if (op === "dataAdjoint") out.push({ name, tol, run: (K, where) => { const dx = place(new Float32Array(b * c * h * w).fill(7), where); W(K).dataAdjoint(place(pts, where), ps, b, c, h, w, dx); return [dx]; } });
            if (op === "gradTiles") out.push({ name, tol, run: (K, where) => { const o = place(new Float32Array(64 * ps), where); W(K).gradTiles(place(dy, where), b, f, 4 * th, 4 * tw, o, ps); return [o]; } });
            for (const unscaled of [false, true]) {
              if (op === "filters") out.push({ name: `${name} unscaled ${unscaled}`, tol, run: (K, where) => { const o = place(new Float32Array(64 * ps), where); W(K).filters(place(wt, where), f, c, unscaled, o, ps); return [o]; } });
            }
            for (const withBias of [false, true]) {
              if (op === "output") out.push({ name: `${name} bias ${withBias}`, tol, run: (K, where) => { const y = place(new Float32Array(b * f * 16 * th * tw).fill(7), where); W(K).output(place(pts, where), ps, b, f, 4 * th, 4 * tw, withBias ? place(bias, where) : null, y); return [y]; } });
            }
            for (const acc of [false, true]) {
              if (op === "weights") out.push({ name: `${name} accumulate ${acc}`, tol, run: (K, where) => { const dw = place(prior, where); W(K).weights(place(pts, where), ps, f, c, dw, acc); return [dw]; } });
            }
            if (op === "pad" || op === "crop") {
              // A window at (top, left) with different margins on every side.
              const [top, left] = [n % 3, (n + 1) % 3];
              const [hp, wp] = [h + top + n % 4 + 1, w + left + 2];
              const big = values(rng, b * c * hp * wp, false);
              const where_ = `${name} window at (${top}, ${left}) of ${hp}×${wp}`;
              if (op === "pad") out.push({ name: where_, run: (K, where) => { const o = place(new Float32Array(big.length).fill(7), where); W(K).pad(place(img, where), b * c, h, w, top, left, hp, wp, o); return [o]; } });
              else out.push({ name: where_, run: (K, where) => { const o = place(new Float32Array(img.length).fill(7), where); W(K).crop(place(big, where), b * c, hp, wp, top, left, h, w, o); return [o]; } });
            }
            if (op === "products") {
              const [m, k, nn] = [f, c + n % 7, T + 2];
              const sa = pointStride(m * k), sb = pointStride(k * nn), sc = pointStride(m * nn);
              const A = values(rng, 64 * sa, false), B = values(rng, 64 * sb, false);
              for (const trans of ["nn", "tn", "nt"] as const) {
                out.push({ name: `${name} ${m}×${k}×${nn} ${trans}`, tol: { atol: 1e-6, rtol: 1e-5, reduction: k }, run: (K, where) => { const o = place(new Float32Array(64 * sc), where); W(K).products(place(A, where), sa, place(B, where), sb, o, sc, m, k, nn, trans); return [o]; } });
              }
            }
            if (op === "backwardProducts") {
              const sf = pointStride(f * c), sy = pointStride(f * T), sp = pointStride(c * T) + 16;
              const plain = values(rng, 64 * sf, false), g = values(rng, 64 * sy, false), patches = values(rng, 64 * sp, false);
              out.push({
                name, tol: { atol: 1e-6, rtol: 1e-5, reduction: Math.max(f, T) },
                run: (K, where) => {
                  const dp = place(new Float32Array(64 * sp), where), wp = place(new Float32Array(64 * sf), where);
                  W(K).backwardProducts(place(plain, where), sf, place(g, where), sy, dp, sp, place(patches, where), wp, f, c, T);
                  return [dp, wp];
                },
              });
            }
          }
          break;
        }
        case "maxPool":
        case "maxPoolBackward":
        case "avgPool":
        case "avgPoolBackward":
          // The 2×2 windows of the last two tile the planes, as in the convnets (their own backward pass).
          for (const [h, w, kk, stride] of [[(n % 6) + 4, (n % 5) + 4, 2, 2], [7, 7, 3, 2], [(n % 4) + 3, 5, 3, 1], [12, 16, 2, 2], [24, 24, 2, 2]] as const) {
            const planes = n % 9;
            const ho = Math.floor((h - kk) / stride) + 1;
            const wo = Math.floor((w - kk) / stride) + 1;
            const img = values(rng, planes * h * w, specials);
            const grad = values(rng, planes * ho * wo, false);
            const arg = new Int32Array(planes * ho * wo);
            ref.maxPool(Float32Array.from(img), planes, h, w, kk, stride, new Float32Array(planes * ho * wo), arg);
            const name = `${tag} ${planes}×${h}×${w} k${kk} s${stride}`;
            if (kernel === "maxPool") out.push({ name, run: (K, where) => { const o = place(new Float32Array(planes * ho * wo), where); const a = new Int32Array(planes * ho * wo); K.maxPool(place(img, where), planes, h, w, kk, stride, o, a); return [o, Float32Array.from(a)]; } });
            if (kernel === "maxPoolBackward") out.push({ name, run: (K, where) => { const dx = place(new Float32Array(planes * h * w).fill(7), where); K.maxPoolBackward(place(grad, where), arg, planes, h, w, ho, wo, dx); return [dx]; } });
            if (kernel === "avgPool") out.push({ name, tol: { reduction: kk * kk }, run: (K, where) => { const o = place(new Float32Array(planes * ho * wo), where); K.avgPool(place(img, where), planes, h, w, kk, stride, o); return [o]; } });
            if (kernel === "avgPoolBackward") out.push({ name, tol: { reduction: kk * kk }, run: (K, where) => { const dx = place(new Float32Array(planes * h * w).fill(7), where); K.avgPoolBackward(place(grad, where), planes, h, w, kk, stride, dx); return [dx]; } });
          }
          break;
        case "swapAxes":
          for (const [a, b, l] of [[n, 3, 5], [2, n, 64], [n % 7 + 1, n % 5 + 1, n]] as const) {
            const src = values(rng, a * b * l, specials);
            out.push({ name: `${tag} [${a},${b},${l}]`, run: (K, where) => { const o = place(new Float32Array(a * b * l), where); K.swapAxes(place(src, where), a, b, l, o); return [o]; } });
            const bias = values(rng, a, specials);
            out.push({ name: `${tag} [${a},${b},${l}] + bias`, run: (K, where) => { const o = place(new Float32Array(a * b * l), where); K.swapAxes(place(src, where), a, b, l, o, place(bias, where)); return [o]; } });
          }
          break;
        case "convProduct":
        case "convWeightGradient":
          // [images, filters, rows of columns, positions]: positions a multiple of 4 or not, one image.
          for (const [b, f, ck, hw] of [[n % 4 + 2, 5, 9, 16], [3, n % 6 + 1, n + 1, 25], [1, 4, 2 * n, 12], [2, 20, 25, 576]] as const) {
            const cols = values(rng, ck * b * hw, specials);
            if (kernel === "convProduct") {
              const wt = values(rng, f * ck, false), bias = values(rng, f, false);
              for (const withBias of [false, true]) {
                out.push({
                  name: `${tag} ${b}×${f}×${ck}×${hw}${withBias ? " + bias" : ""}`, tol: { reduction: ck + 1 },
                  run: (K, where) => { const y = place(new Float32Array(b * f * hw), where); K.convProduct(place(wt, where), place(cols, where), y, f, ck, b, hw, withBias ? place(bias, where) : null); return [y]; },
                });
              }
            } else {
              const gy = values(rng, b * f * hw, false), dw0 = values(rng, f * ck, false);
              for (const acc of [false, true]) {
                out.push({
                  name: `${tag} ${b}×${f}×${ck}×${hw}${acc ? " +=" : ""}`, tol: { reduction: b * hw + 1 },
                  run: (K, where) => { const dw = place(dw0, where); K.convWeightGradient(place(gy, where), place(cols, where), dw, f, ck, b, hw, acc); return [dw]; },
                });
              }
            }
          }
          break;
        case "convPool":
        case "convPoolWeightGradient":
          // [images, filters, rows of columns, output height, width]; the last beyond one block of lane sums.
          for (const [b, f, ck, ho, wo] of [[n % 3 + 2, 5, 9, 4, 8], [1, n % 6 + 1, n + 1, 2, 6], [2, 20, 25, 24, 24], [2, 70, 3, 4, 4]] as const) {
            const hw = ho * wo, pooled = b * f * (ho / 2) * (wo / 2);
            const cols = values(rng, ck * b * hw, specials);
            const wt = values(rng, f * ck, false), bias = values(rng, f, false);
            if (kernel === "convPool") {
              for (const withBias of [false, true]) {
                out.push({
                  name: `${tag} ${b}×${f}×${ck}×${ho}×${wo}${withBias ? " + bias" : ""}`, tol: { reduction: ck + 1 },
                  run: (K, where) => {
                    const y = place(new Float32Array(pooled), where), a = new Int32Array(pooled);
                    K.convPool(place(wt, where), place(cols, where), y, a, f, ck, b, ho, wo, withBias ? place(bias, where) : null);
                    return [y, Float32Array.from(a)];
                  },
                });
              }
            } else {
              // The argmax of ref's forward, so both backends route the gradient alike.
              const arg = new Int32Array(pooled);
              ref.convPool(Float32Array.from(wt), Float32Array.from(cols), new Float32Array(pooled), arg, f, ck, b, ho, wo, null);
              const gp = values(rng, pooled, false), dw0 = values(rng, f * ck, false);
              for (const acc of [false, true]) {
                out.push({
                  name: `${tag} ${b}×${f}×${ck}×${ho}×${wo}${acc ? " +=" : ""}`, tol: { reduction: b * hw + 1 },
                  run: (K, where) => {
                    const dw = place(dw0, where), db = place(new Float32Array(f), where);
                    K.convPoolWeightGradient(place(gp, where), arg, place(cols, where), dw, db, f, ck, b, ho, wo, acc);
                    return [dw, db];
                  },
                });
              }
            }
          }
          break;
        case "batchNormForward":
        case "batchNormBackward":
        case "channelAffine":
          for (const [bn, c, hw] of [[n, 3, 1], [2, n % 5 + 1, n], [n % 4 + 1, 2, 7]] as const) {
            const size = bn * c * hw;
            const xs = values(rng, size, specials);
            const gs = values(rng, size, false);
            const gamma = values(rng, c, false);
            const beta = values(rng, c, false);
            const name = `${tag} [${bn},${c},${hw}]`;
            const tol = { atol: 1e-5, rtol: 1e-4, reduction: bn * hw + 1 };
            if (kernel === "batchNormForward") out.push({ name, tol, run: (K, where) => { const [o, xh, mu, inv] = [place(new Float32Array(size), where), place(new Float32Array(size), where), place(new Float32Array(c), where), place(new Float32Array(c), where)]; K.batchNormForward(place(xs, where), bn, c, hw, place(gamma, where), place(beta, where), 1e-5, o, xh, mu, inv); return [o, xh, mu, inv]; } });
            if (kernel === "channelAffine") out.push({ name, run: (K, where) => { const o = place(new Float32Array(size), where); K.channelAffine(place(xs, where), bn, c, hw, place(gamma, where), place(beta, where), o); return [o]; } });
            if (kernel === "batchNormBackward") out.push({ name, tol, run: (K, where) => { const [dx, dg, db] = [place(new Float32Array(size), where), place(new Float32Array(c), where), place(new Float32Array(c), where)]; K.batchNormBackward(place(gs, where), place(xs, where), bn, c, hw, place(gamma, where), place(beta.map(Math.abs), where), dx, dg, db); return [dx, dg, db]; } });
          }
          break;
        case "unary": {
          const [p, q] = op === "clamp" ? [-1, 2] : [0.1, 0];
          out.push({ name: tag, run: (K, w) => { const o = place(new Float32Array(n), w); K.unary[op as keyof Kernels["unary"]](place(x, w), o, p, q); return [o]; } });
          break;
        }
        case "unaryBackward": {
          const u = op as keyof Kernels["unary"];
          const y = new Float32Array(n);
          ref.unary[u](Float32Array.from(x), y, 0.1, 0);
          out.push({ name: tag, run: (K, w) => { const o = place(new Float32Array(n), w); K.unaryBackward[u](place(x, w), place(y, w), place(g, w), o, 0.1, 0); return [o]; } });
          break;
        }
        case "binary": {
          const bop = op as keyof Kernels["binary"];
          const rows = (n % 5) + 1;
          const shapes: [string, number[], number[], number[], number[], number[]][] = [
            ["same", [n], [1], [1], x, g],
            ["scalar", [n], [1], [0], x, [2.5]],
            ["row", [rows, n], [n, 1], [0, 1], values(rng, rows * n, specials), values(rng, n, false)],
            ["column", [n, 3], [3, 1], [1, 0], values(rng, n * 3, specials), values(rng, n, false)],
          ];
          for (const [kind, shape, as, bs, av, bv] of shapes) {
            const size = shape.reduce((s, d) => s * d, 1);
            out.push({ name: `${tag} ${kind}`, run: (K, w) => { const o = place(new Float32Array(size), w); K.binary[bop](place(av, w), as, place(bv, w), bs, o, shape); return [o]; } });
          }
          break;
        }
        case "sumAxis":
          for (const [outer, len, inner] of [[1, n, 1], [3, n, 1], [1, n, 5], [2, 3, n], [n, 4, 7]] as const) {
            const src = values(rng, outer * len * inner, specials);
            out.push({ name: `${tag} [${outer},${len},${inner}]`, tol: { reduction: len + 1 }, run: (K, w) => { const o = place(new Float32Array(outer * inner), w); K.sumAxis(place(src, w), outer, len, inner, o); return [o]; } });
          }
          break;
        case "softmax":
        case "logSoftmax":
          for (const [outer, len, inner] of [[n, 10, 1], [2, n, 1], [2, n, 3]] as const) {
            const src = values(rng, outer * len * inner, specials, -30, 30);
            out.push({ name: `${tag} [${outer},${len},${inner}]`, tol: { atol: 1e-5, rtol: 1e-5 }, run: (K, w) => { const o = place(new Float32Array(outer * len * inner), w); K[kernel](place(src, w), outer, len, inner, o); return [o]; } });
          }
          break;
        case "softmaxCrossEntropy":
          for (const cols of [10, n + 1]) {
            const logits = values(rng, n * cols, specials, -30, 30);
            const labels = Int32Array.from({ length: n }, () => rng.int(cols));
            out.push({ name: `${tag} ${n}×${cols}`, tol: { atol: 1e-5, rtol: 1e-5, reduction: n + 1 }, run: (K, w) => { const pr = place(new Float32Array(n * cols), w); const l = K.softmaxCrossEntropy(place(logits, w), labels, n, cols, pr); return [pr, l]; } });
          }
          break;
        case "sumSquares":
          out.push({ name: tag, tol: { reduction: n + 1 }, run: (K, w) => [K.sumSquares(place(x, w))] });
          break;
        case "scale":
          out.push({ name: tag, run: (K, w) => { const a = place(x, w); K.scale(a, -0.75); return [a]; } });
          break;
        case "penaltyGrad":
          for (const [l1, l2] of [[0, 0.3], [0.2, 0], [0.2, 0.3]] as const) {
            out.push({ name: `${tag} l1=${l1} l2=${l2}`, run: (K, w) => { const gr = place(g, w); K.penaltyGrad(place(x, w), gr, l1, l2); return [gr]; } });
          }
          break;
        case "sgdStep":
          for (const [momentum, nesterov, first, wd] of [[0, false, true, 0], [0.9, false, true, 0.01], [0.9, false, false, 0], [0.9, true, false, 0.1]] as const) {
            const buf0 = values(rng, n, false);
            out.push({
              name: `${tag} μ=${momentum}${nesterov ? " nesterov" : ""}${first ? " first" : ""}`,
              run: (K, w) => {
                const p = place(x, w);
                const buf = momentum ? place(buf0, w) : null;
                K.sgdStep(p, place(g, w), buf, { lr: 0.1, momentum, dampening: 0, nesterov, weightDecay: wd }, first);
                return buf ? [p, buf] : [p];
              },
            });
          }
          break;
        case "recurrentForward":
        case "recurrentBackward":
          // Every cell, with and without bias, over n % 4 + 1 rows of n units (full SIMD groups and tails);
          // backward reads what the reference forward saved, and a gradient of rows dyStride apart.
          for (const mode of ["rnnTanh", "rnnRelu", "lstm", "gru"] as const) {
            for (const withBias of [false, true]) {
              const [rows, h] = [n % 4 + 1, n];
              const G = mode === "lstm" ? 4 : mode === "gru" ? 3 : 1;
              const S = mode === "lstm" || mode === "gru" ? 4 : 0;
              const xw = values(rng, rows * G * h, specials), hw = values(rng, rows * G * h, false), bhh = values(rng, G * h, false);
              const hPrev = values(rng, rows * h, false, -1, 1), cPrev = values(rng, rows * h, false);
              const acts = new Float32Array(rows * S * h), hCur = new Float32Array(rows * h), cCur = new Float32Array(rows * h);
              ref.recurrentForward(mode, rows, h, Float32Array.from(xw), Float32Array.from(hw), withBias ? Float32Array.from(bhh) : null, Float32Array.from(hPrev), S ? Float32Array.from(cPrev) : null, S ? acts : null, hCur, mode === "lstm" ? cCur : null);
              const stride = h + 3;
              const dy = values(rng, rows * stride, false), dh = values(rng, rows * h, false), dc = values(rng, rows * h, false);
              const name = `${tag} ${mode} ${rows}×${h}${withBias ? " + bias" : ""}`;
              const lstm = mode === "lstm", gru = mode === "gru";
              if (kernel === "recurrentForward") {
                out.push({
                  name,
                  run: (K, w) => {
                    const [a, ho, co] = [place(new Float32Array(rows * S * h), w), place(new Float32Array(rows * h), w), place(new Float32Array(rows * h), w)];
                    K.recurrentForward(mode, rows, h, place(xw, w), place(hw, w), withBias ? place(bhh, w) : null, place(hPrev, w), lstm ? place(cPrev, w) : null, S ? a : null, ho, lstm ? co : null);
                    return [a, ho, co];
                  },
                });
              } else {
                out.push({
                  name,
                  run: (K, w) => {
                    const [gx, gh, dhp, dcc] = [place(new Float32Array(rows * G * h), w), place(new Float32Array(rows * G * h), w), place(new Float32Array(rows * h), w), place(dc, w)];
                    K.recurrentBackward(mode, rows, h, S ? place(acts, w) : null, place(hPrev, w), lstm ? place(cPrev, w) : null, lstm ? place(cCur, w) : null, place(hCur, w), place(dy, w), stride, place(dh, w), lstm ? dcc : null, gx, gru ? gh : null, gru ? dhp : null);
                    return [gx, gh, dhp, dcc];
                  },
                });
              }
            }
          }
          break;
        case "adamStep":
          for (const decoupled of [false, true]) {
            const m0 = values(rng, n, false, -0.1, 0.1);
            const v0 = values(rng, n, false, 0, 0.1);
            out.push({
              name: `${tag} ${decoupled ? "AdamW" : "Adam"}`,
              tol: { atol: 2e-5, rtol: 1e-5 },
              run: (K, w) => {
                const [p, m, v] = [place(x, w), place(m0, w), place(v0, w)];
                K.adamStep(p, place(g, w), m, v, { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.05, decoupled, step: 3 });
                return [p, m, v];
              },
            });
          }
          break;
        default:
          return [];
      }
    }
  }
  return out;
}

/** Every kernel (and every op inside the per-op tables) the wasm backend provides. */
function fastKernelNames(k: FastKernels): [string, string | undefined][] {
  const names: [string, string | undefined][] = [];
  for (const [name, v] of Object.entries(k)) {
    if (typeof v === "function") names.push([name, undefined]);
    else for (const op of Object.keys(v as object)) names.push([name, op]);
  }
  return names;
}

describe("every wasm kernel matches ref", () => {
  for (const [kernel, op] of fastKernelNames(fast)) {
    const label = op ? `${kernel}.${op}` : kernel;
    test(`${label} has parity cases`, () => {
      expect(cases(kernel, op).length, `no parity case for wasm kernel "${label}": add one to test/parity.test.ts`).toBeGreaterThan(0);
    });
    for (const where of ["js", "heap"] as const) {
      test(`${label} (${where === "heap" ? "in the wasm heap, unaligned" : "plain arrays, copied"})`, () => {
        const wasmSet = { ...ref, ...fast, unary: { ...ref.unary, ...fast.unary }, unaryBackward: { ...ref.unaryBackward, ...fast.unaryBackward }, binary: { ...ref.binary, ...fast.binary } } as Kernels;
        for (const c of cases(kernel, op)) {
          const want = c.run(ref, "js");
          const got = c.run(wasmSet, where);
          want.forEach((w, i) => {
            const gv = got[i]!;
            if (typeof w === "number") expectClose([gv as number], [w], c.tol ?? { atol: 1e-6, rtol: 1e-5 }, `${label} ${c.name} result`);
            else expectClose(gv as FloatArray, w, c.tol ?? { atol: 1e-6, rtol: 1e-5 }, `${label} ${c.name} output ${i}`);
          });
        }
      });
    }
  }
});
