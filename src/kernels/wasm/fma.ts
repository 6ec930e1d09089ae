/**
 * Which binary runs the products, per machine: plain (multiply then add) or fma (relaxed_madd,
 * assembly/madd.ts). Relaxed SIMD lets the engine fuse or not; V8 fuses where the CPU has FMA3.
 * The automatic choice is fma exactly where the engine fuses (`engineFuses`: an exact test, not a
 * timing), so it is the same on every run of a machine and engine — a seed's bytes never depend on
 * how busy the machine was. Where the engine has relaxed SIMD but does not fuse, fma would give the
 * plain bytes at no gain, so plain runs. `probeFma` measures the speed for the bench and --version.
 */
import type { WasmRuntime } from "./module.js";

/**
 * Whether this engine fuses f32x4.relaxed_madd: (1 + 2⁻²³)(1 − 2⁻²³) − 1 is −2⁻⁴⁶ fused and 0 when
 * the product is rounded first. False where the engine lacks relaxed SIMD.
 */
export function engineFuses(): boolean {
  const bytes = Uint8Array.of(
    0, 97, 115, 109, 1, 0, 0, 0,
    1, 8, 1, 96, 3, 125, 125, 125, 1, 125, // type (f32 f32 f32) → f32
    3, 2, 1, 0,
    7, 5, 1, 1, 102, 0, 0, // export "f"
    10, 22, 1, 20, 0,
    32, 0, 253, 19, 32, 1, 253, 19, 32, 2, 253, 19, // three f32x4.splat
    253, 133, 2, // f32x4.relaxed_madd
    253, 31, 0, // f32x4.extract_lane 0
    11,
  );
  if (!WebAssembly.validate(bytes)) return false;
  const f = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports.f as (a: number, b: number, c: number) => number;
  return f(1 + 2 ** -23, 1 - 2 ** -23, -1) === -(2 ** -46);
}

export interface FmaProbe {
  /** Plain time ÷ fma time on the probe's products (> 1: fma faster). */
  speedup: number;
  /** Milliseconds the probe took. */
  ms: number;
}

/**
 * Times the same products on both binaries in pairs of rounds and takes the median ratio.
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
  // load. So `warm` rounds do not count; then pairs of rounds, back to back in alternating order
  // (a busy machine slows both of a pair alike), until neither binary's best round has improved
  // (by 2 %) for `settle` pairs — both run optimised code — within the budget. The answer is the
  // median of the last `settle` pairs' ratios: one slow round moves a median little.
  const warm = opts.warm ?? 24;
  const settle = opts.settle ?? 16;
  const budget = opts.budgetMs ?? 150;
  const started = performance.now();
  for (let r = 0; r < warm; r++) {
    round(plain.exports);
    round(fma.exports);
  }
  let bestPlain = Infinity, bestFma = Infinity;
  const ratios: number[] = [];
  // At least one pair, even when a loaded machine spent the whole budget warming up.
  for (let stale = 0, r = 0; r === 0 || (stale < settle && performance.now() - started < budget); r++) {
    const f0 = r % 2 ? round(fma.exports) : 0;
    const p = round(plain.exports);
    const f = r % 2 ? f0 : round(fma.exports);
    stale = p < 0.98 * bestPlain || f < 0.98 * bestFma ? 0 : stale + 1;
    bestPlain = Math.min(bestPlain, p);
    bestFma = Math.min(bestFma, f);
    ratios.push(p / Math.max(f, 1e-6));
  }
  const last = ratios.slice(-settle).sort((x, y) => x - y);
  const speedup = (last[(last.length - 1) >> 1]! + last[last.length >> 1]!) / 2;
  heap.release(pa);
  heap.release(pb);
  heap.release(pc);
  return { speedup, ms: performance.now() - started };
}
