/**
 * Which binary runs the products, per machine: plain (multiply then add) or fma (relaxed_madd,
 * assembly/madd.ts). Relaxed SIMD lets the engine fuse or not; V8 fuses where the CPU has FMA3.
 * Whether that is faster depends on the core — Intel cores with two FMA ports gain, AMD Zen gained
 * nothing when measured — so the choice is measured, once, on a short product (`probeFma`).
 */
import type { WasmRuntime } from "./module.js";

/** fma is chosen only when the probe finds it at least this much faster (speedup ≥ 1.1). */
export const FMA_MIN_SPEEDUP = 1.1;

export interface FmaProbe {
  /** Plain time ÷ fma time on the probe's products (> 1: fma faster). */
  speedup: number;
  /** Milliseconds the probe took. */
  ms: number;
}

/**
 * Times the same products on both binaries, alternating, and compares each one's best round (a
 * busy machine only adds time).
 * Uses a gemm (A·B, packed panels: the backward products and the fused SGD step) and an A·Bᵀ (the
 * forward products) of 32×128×256 each, about 4 MFLOP a round; 15–150 ms in all.
 */
export function probeFma(rt: WasmRuntime, opts: { warm?: number; settle?: number; budgetMs?: number } = {}): FmaProbe {
  const [plain, fma] = rt.variants;
  if (!fma) throw new Error("probeFma needs the fma binary (relaxed SIMD)");
  const [m, k, n] = [32, 128, 256];
  const { heap } = rt;
  const pa = heap.malloc(m * k * 4), pb = heap.malloc(k * n * 4), pc = heap.malloc(m * n * 4);
  const F = heap.F32;
  // Dense, finite, non-trivial values (no zeros: zero-skipping is off here anyway).
  for (let i = 0; i < m * k; i++) F[(pa >> 2) + i] = ((i * 7919) % 1000) / 1000 - 0.5;
  for (let i = 0; i < k * n; i++) F[(pb >> 2) + i] = ((i * 104729) % 997) / 997 - 0.5;
  const round = (w: typeof plain.exports): number => {
    const t = performance.now();
    w.gemmNN(pa, pb, pc, m, k, n, 0, 0, k, n, n, 0, 0, 0);
    w.gemmNT(pa, pb, pc, m, k, n, 0, k, k, n, 0); // B read as [n × k]: same bytes, another shape
    return performance.now() - t;
  };
  // V8 first runs baseline code (about half the speed) and swaps in optimised code once a
  // function is hot and compiled in the background — a moment that varies with the machine's
  // load. So: `warm` rounds that do not count, then rounds until neither best has improved (by
  // 2 %) for `settle` rounds and the ratio is one optimised code can give (a ratio outside
  // 0.75–1.6 means one side still runs baseline code), within the budget.
  const warm = opts.warm ?? 24;
  const settle = opts.settle ?? 8;
  const budget = opts.budgetMs ?? 150;
  const started = performance.now();
  for (let r = 0; r < warm; r++) {
    round(plain.exports);
    round(fma.exports);
  }
  let bestPlain = Infinity, bestFma = Infinity;
  for (let stale = 0; performance.now() - started < budget; ) {
    const p = round(plain.exports), f = round(fma.exports);
    stale = p < 0.98 * bestPlain || f < 0.98 * bestFma ? 0 : stale + 1;
    bestPlain = Math.min(bestPlain, p);
    bestFma = Math.min(bestFma, f);
    const ratio = bestPlain / bestFma;
    if (stale >= settle && ratio > 0.75 && ratio < 1.6) break;
  }
  heap.release(pa);
  heap.release(pb);
  heap.release(pc);
  return { speedup: bestPlain / Math.max(bestFma, 1e-6), ms: performance.now() - started };
}
