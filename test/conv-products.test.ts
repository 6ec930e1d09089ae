/**
 * A convolution's products without transposed copies (assembly/conv-products.ts) and long dot
 * products cut into blocks (assembly/segments.ts). Oracles:
 *  - convProduct and convWeightGradient against the composition they replace, on the same backend:
 *    the whole-batch gemm and swapAxes — byte for byte, at 1 and 2 threads, zero-skipping off, on
 *    and forced, with and without fma;
 *  - convPool and convPoolWeightGradient (assembly/conv-pool.ts) against convProduct, maxPool,
 *    maxPoolBackward, convWeightGradient and sumAxis on the same backend, byte for byte, likewise;
 *  - gemm's A·Bᵀ with a reduction longer than 2048 (now blocked) against a float32 emulation of
 *    the dense kernel's arithmetic (four lane sums in order, the horizontal sum, the scalar tail),
 *    in the plain binary, whose multiply-then-add the emulation rounds exactly as wasm does.
 */
import { afterAll, describe, expect, test } from "vitest";
import "../src/node/index.js";
import { backendInfo, type KernelOptions, kernelOptions, kernelsFor, setKernelOptions, setThreads, wasmRuntime } from "../src/kernels/index.js";
import { SPLIT_FLOPS } from "../src/kernels/wasm/threads.js";
import { Rng } from "../src/rng.js";

const rt = wasmRuntime()!;
const heap = rt.heap;
const bytes = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("hex");
const hasFma = rt.variants[1] !== null;

// Small products are shared between the threads too (the default keeps them on one).
const initial = kernelOptions();
setKernelOptions({ splitFlops: 2e5 });
afterAll(async () => {
  setKernelOptions({ splitFlops: SPLIT_FLOPS, zeroSkip: true, fma: initial.fma });
  await setThreads(1);
});

function filled(rng: Rng, n: number, zeros: number, groups = true): Float32Array {
  const v = heap.persistent(n);
  for (let i = 0; i < n; i++) {
    const run = groups ? Math.floor(i / 8) : i;
    const zero = groups ? ((run * 2654435761) >>> 0) / 2 ** 32 < zeros : rng.uniform() < zeros;
    v[i] = zero ? 0 : rng.range(-2, 2);
  }
  return v;
}

interface Conv { n: number; c: number; h: number; w: number; f: number; kh: number }
// conv1 on MNIST (positions a multiple of 4); an odd number of positions (the copy path); one
// image; more than 256 rows of columns (two reduction blocks in the forward); 3×3 kernels.
const SHAPES: Conv[] = [
  { n: 6, c: 1, h: 28, w: 28, f: 20, kh: 5 },
  { n: 3, c: 3, h: 9, w: 9, f: 6, kh: 3 },
  { n: 1, c: 2, h: 7, w: 7, f: 5, kh: 3 },
  { n: 4, c: 30, h: 10, w: 10, f: 9, kh: 3 },
  { n: 5, c: 4, h: 12, w: 12, f: 16, kh: 5 },
];

const settings = (): { threads: number; zeroSkip: KernelOptions["zeroSkip"]; fma: boolean }[] => {
  const out = [];
  for (const fma of hasFma ? [false, true] : [false]) for (const threads of [1, 2]) for (const zeroSkip of [false, true, "always"] as const) out.push({ threads, zeroSkip, fma });
  return out;
};

describe("convolution products straight into [N, F, HoWo]: the bytes of gemm + swapAxes", () => {
  for (const s of SHAPES) {
    const ho = s.h - s.kh + 1, hw = ho * ho, ck = s.c * s.kh * s.kh;
    test(`n ${s.n}, c ${s.c}, ${s.h}×${s.w}, ${s.f} filters ${s.kh}×${s.kh} (${hw} positions)`, async () => {
      const rng = new Rng(s.n * 100 + s.c);
      const x = filled(rng, s.n * s.c * s.h * s.w, 0.8);
      const wt = filled(rng, s.f * ck, 0, false);
      const bias = filled(rng, s.f, 0, false);
      const gy = filled(rng, s.n * s.f * hw, 0.5, false);
      const dw0 = filled(rng, s.f * ck, 0, false);
      for (const { threads, zeroSkip, fma } of settings()) {
        await setThreads(threads);
        setKernelOptions({ fma, zeroSkip: false });
        const K = kernelsFor(x);
        const cols = heap.persistent(ck * s.n * hw);
        K.im2col(x, s.n, s.c, s.h, s.w, s.kh, s.kh, 1, 0, cols);
        // The oracle: the whole-batch products and the transposed copies, zero-skipping off.
        const expected = new Map<string, string>();
        for (const b of [bias, null]) {
          const yT = heap.persistent(s.f * s.n * hw), y = heap.persistent(s.n * s.f * hw);
          K.gemm(wt, cols, yT, s.f, ck, s.n * hw, false, false, false);
          K.swapAxes(yT, s.f, s.n, hw, y, b);
          expected.set(`y ${b ? "bias" : "none"}`, bytes(y));
        }
        const gT = heap.persistent(s.f * s.n * hw);
        K.swapAxes(gy, s.n, s.f, hw, gT);
        for (const acc of [false, true]) {
          const dw = heap.persistent(s.f * ck);
          dw.set(dw0);
          K.gemm(gT, cols, dw, s.f, s.n * hw, ck, false, true, acc);
          expected.set(`dw ${acc}`, bytes(dw));
        }
        setKernelOptions({ zeroSkip });
        const label = `${threads} thread(s), zero-skip ${zeroSkip}, fma ${fma}`;
        for (const b of [bias, null]) {
          const y = heap.persistent(s.n * s.f * hw);
          K.convProduct(wt, cols, y, s.f, ck, s.n, hw, b);
          expect(bytes(y), `convProduct ${label}, bias ${b ? "on" : "off"}`).toBe(expected.get(`y ${b ? "bias" : "none"}`));
        }
        for (const acc of [false, true]) {
          const dw = heap.persistent(s.f * ck);
          dw.set(dw0);
          const before = rt.exports.zeroSkipRuns();
          K.convWeightGradient(gy, cols, dw, s.f, ck, s.n, hw, acc);
          expect(bytes(dw), `convWeightGradient ${label}, accumulate ${acc}`).toBe(expected.get(`dw ${acc}`));
          // Forced, on one thread, with whole groups of four positions: the columns were skipped.
          if (zeroSkip === "always" && threads === 1 && hw % 4 === 0 && s.f >= 4) expect(rt.exports.zeroSkipRuns(), label).toBeGreaterThan(before);
        }
      }
    });
  }

  test("a NaN or Inf in the output gradient: the dense kernel runs, and the bytes still match", async () => {
    await setThreads(1);
    setKernelOptions({ fma: false, zeroSkip: "always" });
    const s = SHAPES[0]!, hw = 24 * 24, ck = 25;
    const rng = new Rng(9);
    const x = filled(rng, s.n * 28 * 28, 0.8);
    const gy = filled(rng, s.n * s.f * hw, 0, false);
    gy[77] = NaN;
    gy[1234] = Infinity;
    const K = kernelsFor(x);
    const cols = heap.persistent(ck * s.n * hw);
    K.im2col(x, s.n, 1, 28, 28, 5, 5, 1, 0, cols);
    const gT = heap.persistent(s.f * s.n * hw);
    K.swapAxes(gy, s.n, s.f, hw, gT);
    const want = heap.persistent(s.f * ck), got = heap.persistent(s.f * ck);
    setKernelOptions({ zeroSkip: false });
    K.gemm(gT, cols, want, s.f, s.n * hw, ck, false, true, false);
    setKernelOptions({ zeroSkip: "always" });
    const before = rt.exports.zeroSkipRuns();
    K.convWeightGradient(gy, cols, got, s.f, ck, s.n, hw, false);
    expect(rt.exports.zeroSkipRuns(), "an Inf/NaN in the gradient must send the product to the dense kernel").toBe(before);
    expect(bytes(got)).toBe(bytes(want));
  });
});

describe("a convolution and its 2×2 max pooling in one pass: the bytes of the ops one after the other", () => {
  // conv1 on MNIST; 3×3 kernels; beyond one block of lane sums (70 filters: the gradient made whole).
  const POOLED: Conv[] = [SHAPES[0]!, { n: 3, c: 2, h: 10, w: 14, f: 6, kh: 3 }, { n: 2, c: 1, h: 7, w: 7, f: 70, kh: 3 }];
  for (const s of POOLED) {
    const ho = s.h - s.kh + 1, wo = s.w - s.kh + 1, hw = ho * wo, ck = s.c * s.kh * s.kh;
    const pooled = s.n * s.f * (ho / 2) * (wo / 2);
    test(`n ${s.n}, c ${s.c}, ${s.h}×${s.w}, ${s.f} filters ${s.kh}×${s.kh}`, async () => {
      const rng = new Rng(s.n * 31 + s.f);
      const x = filled(rng, s.n * s.c * s.h * s.w, 0.7);
      const wt = filled(rng, s.f * ck, 0, false);
      const bias = filled(rng, s.f, 0, false);
      const gp = filled(rng, pooled, 0.3, false);
      const dw0 = filled(rng, s.f * ck, 0, false);
      for (const { threads, zeroSkip, fma } of settings()) {
        await setThreads(threads);
        setKernelOptions({ fma, zeroSkip: false });
        const K = kernelsFor(x);
        const cols = heap.persistent(ck * s.n * hw);
        K.im2col(x, s.n, s.c, s.h, s.w, s.kh, s.kh, 1, 0, cols);
        // The oracle: the ops one after the other, zero-skipping off.
        const y = heap.persistent(s.n * s.f * hw), want = heap.persistent(pooled), wantArg = new Int32Array(pooled);
        K.convProduct(wt, cols, y, s.f, ck, s.n, hw, bias);
        K.maxPool(y, s.n * s.f, ho, wo, 2, 2, want, wantArg);
        const gy = heap.persistent(s.n * s.f * hw);
        K.maxPoolBackward(gp, wantArg, s.n * s.f, ho, wo, ho / 2, wo / 2, gy);
        const wantDw = new Map<boolean, string>();
        for (const acc of [false, true]) {
          const dw = heap.persistent(s.f * ck);
          dw.set(dw0);
          K.convWeightGradient(gy, cols, dw, s.f, ck, s.n, hw, acc);
          wantDw.set(acc, bytes(dw));
        }
        const planes = heap.persistent(s.n * s.f), wantDb = heap.persistent(s.f);
        K.sumAxis(gy, s.n * s.f, hw, 1, planes);
        K.sumAxis(planes, 1, s.n, s.f, wantDb);
        setKernelOptions({ zeroSkip });
        const label = `${threads} thread(s), zero-skip ${zeroSkip}, fma ${fma}`;
        const got = heap.persistent(pooled), gotArg = new Int32Array(pooled);
        K.convPool(wt, cols, got, gotArg, s.f, ck, s.n, ho, wo, bias);
        expect(bytes(got), `convPool ${label}`).toBe(bytes(want));
        expect([...gotArg], `convPool's argmax ${label}`).toEqual([...wantArg]);
        for (const acc of [false, true]) {
          const dw = heap.persistent(s.f * ck), db = heap.persistent(s.f);
          dw.set(dw0);
          K.convPoolWeightGradient(gp, wantArg, cols, dw, acc ? null : db, s.f, ck, s.n, ho, wo, acc);
          expect(bytes(dw), `convPoolWeightGradient ${label}, accumulate ${acc}`).toBe(wantDw.get(acc));
          if (!acc) expect(bytes(db), `its bias gradient, ${label}`).toBe(bytes(wantDb));
        }
      }
    });
  }
});

test("Winograd's two backward products point by point: the bytes of products(tn) and products(nt), 1 and 2 threads", async () => {
  const { pointStride } = await import("../src/ops/conv-winograd.js");
  const [f, c, T] = [40, 20, 256];
  const sf = pointStride(f * c), sy = pointStride(f * T), sp = pointStride(c * T);
  const rng = new Rng(8);
  const plain = filled(rng, 64 * sf, 0, false), g = filled(rng, 64 * sy, 0.3, false), patches = filled(rng, 64 * sp, 0, false);
  for (const { threads, fma } of settings().filter((s) => s.zeroSkip === true)) {
    await setThreads(threads);
    setKernelOptions({ fma });
    const W = kernelsFor(g).winograd!;
    const dp0 = heap.persistent(64 * sp), wp0 = heap.persistent(64 * sf);
    W.products(plain, sf, g, sy, dp0, sp, c, f, T, "tn");
    W.products(g, sy, patches, sp, wp0, sf, f, T, c, "nt");
    const dp = heap.persistent(64 * sp), wp = heap.persistent(64 * sf);
    W.backwardProducts(plain, sf, g, sy, dp, sp, patches, wp, f, c, T);
    expect(bytes(dp), `dPatches, ${threads} thread(s), fma ${fma}`).toBe(bytes(dp0));
    expect(bytes(wp), `wPoints, ${threads} thread(s), fma ${fma}`).toBe(bytes(wp0));
  }
});

/** The plain dense kernel's arithmetic for one output of A·Bᵀ (gemm.ts: ntBlock, dotRow, finishDot). */
function emulatedDot(a: Float32Array, ia: number, b: Float32Array, ib: number, k: number): number {
  const f = Math.fround;
  const lanes = [0, 0, 0, 0];
  const k4 = k & ~3;
  for (let p = 0; p < k4; p++) lanes[p & 3] = f(lanes[p & 3]! + f(a[ia + p]! * b[ib + p]!));
  let s = f(f(f(lanes[0]! + lanes[1]!) + lanes[2]!) + lanes[3]!);
  for (let p = k4; p < k; p++) s = f(s + f(a[ia + p]! * b[ib + p]!));
  return s;
}

describe("A·Bᵀ with a long reduction (cut into blocks of 1024)", () => {
  const SIZES: [number, number, number][] = [[20, 36867, 25], [3, 2049, 5], [7, 4100, 1], [9, 8192, 66], [1, 3000, 4]];
  for (const [m, k, n] of SIZES) {
    test(`${m}×${k}×${n}: the dense kernel's bytes, emulated; zero-skipping and two threads change nothing`, async () => {
      const rng = new Rng(m + k + n);
      const a = filled(rng, m * k, 0.7), b = filled(rng, n * k, 0.2, false);
      const c0 = filled(rng, m * n, 0, false);
      for (const acc of [false, true]) {
        const want = new Float32Array(m * n);
        for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
          const s = emulatedDot(a, i * k, b, j * k, k);
          want[i * n + j] = acc ? Math.fround(c0[i * n + j]! + s) : s;
        }
        for (const threads of [1, 2]) {
          for (const zeroSkip of [false, true, "always"] as const) {
            await setThreads(threads);
            setKernelOptions({ fma: false, zeroSkip });
            const c = heap.persistent(m * n);
            c.set(c0);
            kernelsFor(a).gemm(a, b, c, m, k, n, false, true, acc);
            expect(bytes(c), `${threads} thread(s), zero-skip ${zeroSkip}, accumulate ${acc}`).toBe(bytes(want));
          }
        }
      }
      if (hasFma) {
        // The fused binary: its own bytes, the same whatever the threads and zero-skipping.
        const seen = new Set<string>();
        for (const threads of [1, 2]) for (const zeroSkip of [false, "always"] as const) {
          await setThreads(threads);
          setKernelOptions({ fma: true, zeroSkip });
          expect(backendInfo().fma.active).toBe(true);
          const c = heap.persistent(m * n);
          kernelsFor(a).gemm(a, b, c, m, k, n, false, true, false);
          seen.add(bytes(c));
        }
        expect(seen.size).toBe(1);
      }
    });
  }
});
