/**
 * The fma binary (assembly/madd.ts, src/kernels/wasm/fma.ts). Oracles:
 * - the engine's own relaxed_madd on one lane (a 40-byte module built here): whether this engine
 *   fuses. Products built so that every output is −2⁻⁴⁶ when the multiply-add is fused and 0 when
 *   it is not must give exactly that, through every product path — so every path uses the helper,
 *   and the plain binary never fuses;
 * - float64 products: fma results within the float32 error bound, and closer than the plain ones
 *   on average (one rounding per step instead of two);
 * - the same kernels on one thread: two threads give the same bytes, for single products and a
 *   seeded training run, with the fma binary active.
 */
import { execFileSync } from "node:child_process";
import { afterAll, describe, expect, test } from "vitest";
import "../src/node/index.js"; // first: turns Node 20's relaxed-SIMD flag on before the kernels compile
import { backendInfo, kernelOptions, kernelsFor, setKernelOptions, setThreads, wasmRuntime } from "../src/kernels/index.js";
import { SPLIT_FLOPS } from "../src/kernels/wasm/threads.js";
import { relaxedSimdSupported } from "../src/kernels/wasm/module.js";
import { engineFuses, probeFma } from "../src/kernels/wasm/fma.js";
import { Rng } from "../src/rng.js";
import { loadMnist } from "../src/node/mnist.js";
import { buildExperiment } from "../src/train/config.js";
import { presetConfig } from "../src/train/presets.js";
import { encodeModel } from "../src/io/model-file.js";

// These tests exercise the two-thread paths on small products, so they share products from the
// old, lower threshold (2·10⁵ FLOPs); the default (SPLIT_FLOPS) keeps small products on one thread.
const TEST_SPLIT_FLOPS = 2e5;
setKernelOptions({ splitFlops: TEST_SPLIT_FLOPS });
afterAll(() => setKernelOptions({ splitFlops: SPLIT_FLOPS }));

const rt = wasmRuntime()!;
const heap = rt.heap;
const initial = kernelOptions();
afterAll(async () => {
  await setThreads(1);
  setKernelOptions({ fma: initial.fma, zeroSkip: initial.zeroSkip });
});

/** Whether this engine's relaxed_madd rounds once: (module (func (export "f") (param f32 f32 f32) (result f32) … f32x4.relaxed_madd … lane 0)). */

const same = (x: Float32Array, y: Float32Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(y.buffer, y.byteOffset, y.byteLength));

describe("the fma binary", () => {
  test("the engine validates relaxed SIMD once descent/node has loaded, and the fma binary is instantiated", () => {
    expect(relaxedSimdSupported()).toBe(true);
    expect(rt.variants[1]).not.toBeNull();
  });

  test("setKernelOptions({ fma }) switches the binary, and backendInfo says so", () => {
    setKernelOptions({ fma: true });
    expect(rt.variant).toBe(1);
    expect(backendInfo().fma).toMatchObject({ active: true, reason: "on (setKernelOptions({ fma: true }))" });
    setKernelOptions({ fma: false });
    expect(rt.variant).toBe(0);
    expect(backendInfo().fma.active).toBe(false);
    expect(() => setKernelOptions({ fma: "yes" as unknown as boolean })).toThrow(/fma must be true, false or "auto"/);
  });

  // The probe only reports (the choice is the exact test above): its ratio is a timing, which a
  // shared machine can push anywhere, so this checks what it returns, not how fast anything is
  // (speed is measured by the benches: npm run bench prints it).
  test("the probe times both binaries and reports a ratio, leaving the active binary as it was", () => {
    const before = rt.variant;
    const p = probeFma(rt);
    expect(Number.isFinite(p.speedup) && p.speedup > 0).toBe(true);
    expect(p.ms).toBeGreaterThan(0);
    expect(rt.variant).toBe(before);
    // A budget the warm-up alone overruns (as on a loaded machine) still gives a ratio, not NaN.
    expect(probeFma(rt, { budgetMs: 0 }).speedup).toBeGreaterThan(0);
  });

  // k = 8, A's rows [−1, 0, 0, 0, 1+2⁻²³, 0, 0, 0], B's columns [1, 0, 0, 0, 1−2⁻²³, 0, 0, 0]: the
  // accumulator (a lane, or a register of the tile) holds −1 when (1+2⁻²³)(1−2⁻²³) = 1 − 2⁻⁴⁶ is
  // added to it: fused, −2⁻⁴⁶ exactly; multiplied then added, the product rounds to 1 and gives 0.
  const e = 2 ** -23;
  const rowA = [-1, 0, 0, 0, 1 + e, 0, 0, 0];
  const colB = [1, 0, 0, 0, 1 - e, 0, 0, 0];
  /** A [m×8] or stored [8×m]; B [8×n] or stored [n×8]. */
  function operands(m: number, n: number, ta: boolean, tb: boolean) {
    const a = heap.persistent(m * 8), b = heap.persistent(8 * n);
    for (let i = 0; i < m; i++) for (let p = 0; p < 8; p++) a[ta ? p * m + i : i * 8 + p] = rowA[p]!;
    for (let j = 0; j < n; j++) for (let p = 0; p < 8; p++) b[tb ? j * 8 + p : p * n + j] = colB[p]!;
    return { a, b };
  }
  // Register tiles 4×8, 4×4, 1×8, 1×4 and ragged columns; packed panels (m ≥ 32); A·Bᵀ's 2×4 tile
  // and its single rows; products split between two threads (2mkn ≥ 2·10⁵).
  const shapes = [[4, 8], [5, 13], [1, 8], [3, 6], [40, 24], [64, 300], [2, 4], [7, 9], [160, 128]] as const;
  for (const fma of [false, true]) {
    for (const threads of [1, 2]) {
      for (const zeroSkip of [false, "always"] as const) {
        test(`${fma ? "fma" : "plain"} products, ${threads} thread${threads > 1 ? "s" : ""}, zero-skipping ${zeroSkip ? "always" : "off"}: ${fma ? "fused exactly where the engine fuses" : "never fused"}`, async () => {
          setKernelOptions({ fma, zeroSkip });
          await setThreads(threads);
          const want = fma && engineFuses() ? -(2 ** -46) : 0;
          for (const [m, n] of shapes) {
            for (const [ta, tb] of [[false, false], [true, false], [false, true]] as const) {
              const { a, b } = operands(m, n, ta, tb);
              const K = kernelsFor(a);
              const c = heap.persistent(m * n);
              K.gemm(a, b, c, m, 8, n, ta, tb, false);
              expect([...new Set(c)], `gemm ${m}×8×${n} ${ta ? "T" : "N"}${tb ? "T" : "N"}`).toEqual([want]);
              if (tb) {
                // The lean inference path: y = x·Wᵀ + 0 (bias written first, product added).
                const y = heap.persistent(m * n);
                K.linearForward(a, b, new Float32Array(n), y, m, 8, n, "none", 0);
                expect([...new Set(y)], `linearForward ${m}×8×${n}`).toEqual([want]);
              } else {
                // The fused SGD step on W = 0 with lr = −1: W = op(A)·B exactly as the product.
                const w = heap.persistent(m * n);
                K.gemmSgdUpdate(a, b, w, m, 8, n, ta, -1, 0);
                expect([...new Set(w)], `gemmSgdUpdate ${m}×8×${n}`).toEqual([want]);
              }
            }
          }
          // Winograd's batched products (gemmBatch): 64 transform points of [m×8]·[8×n].
          const [m, n] = [6, 10];
          const { a, b } = operands(m, n, false, false);
          const A = heap.persistent(64 * m * 8), B = heap.persistent(64 * 8 * n), C = heap.persistent(64 * m * n);
          for (let q = 0; q < 64; q++) { A.set(a, q * m * 8); B.set(b, q * 8 * n); }
          kernelsFor(A).winograd!.products(A, m * 8, B, 8 * n, C, m * n, m, 8, n, "nn");
          expect([...new Set(C)], "winograd products").toEqual([want]);
        });
      }
    }
  }

  test("V8 fuses relaxed_madd on x86-64 (FMA3), so the tests above see fused results there", () => {
    // Elsewhere relaxed_madd may legally not fuse (then the fma binary gives the plain bits).
    expect(process.arch !== "x64" || engineFuses()).toBe(true);
  });

  test("fma products are within float32's error bound of the float64 product, and closer on average than plain", async () => {
    await setThreads(1);
    const rng = new Rng(7);
    const [m, k, n] = [48, 700, 40];
    const a = heap.persistent(m * k), b = heap.persistent(k * n);
    for (let i = 0; i < a.length; i++) a[i] = rng.range(-1, 1);
    for (let i = 0; i < b.length; i++) b[i] = rng.range(-1, 1);
    const exact = new Float64Array(m * n), bound = new Float64Array(m * n);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0, t = 0;
        for (let p = 0; p < k; p++) { s += a[i * k + p]! * b[p * n + j]!; t += Math.abs(a[i * k + p]! * b[p * n + j]!); }
        exact[i * n + j] = s;
        bound[i * n + j] = (k * 2 ** -24 / (1 - k * 2 ** -24)) * t; // γ_k·Σ|a||b| (Higham, Thm 3.5)
      }
    }
    const err = (fma: boolean) => {
      setKernelOptions({ fma, zeroSkip: false });
      const c = heap.persistent(m * n);
      kernelsFor(a).gemm(a, b, c, m, k, n, false, false, false);
      let total = 0;
      for (let i = 0; i < c.length; i++) {
        const d = Math.abs(c[i]! - exact[i]!);
        expect(d).toBeLessThanOrEqual(bound[i]!);
        total += d;
      }
      return { c, total };
    };
    const plain = err(false), fused = err(true);
    expect(same(plain.c, fused.c)).toBe(!engineFuses()); // fused results differ in the last bits
    if (engineFuses()) expect(fused.total).toBeLessThan(plain.total);
  });

  test("with the fma binary, a seeded training run gives the same model bytes with 1 and 2 threads", async () => {
    setKernelOptions({ fma: true, zeroSkip: true });
    const mnist = await loadMnist();
    const data = { train: mnist.train.slice(0, 1000), validation: mnist.validation.slice(0, 200) };
    const run = () => {
      const ex = buildExperiment({ ...presetConfig("nielsen-ch3"), layers: [784, 64, 10], batchSize: 32, epochs: 1 }, data);
      ex.trainer.fit(ex.loader, ex.fitOptions);
      return Buffer.from(encodeModel(ex.model, { training: {} }));
    };
    await setThreads(1);
    const one = run();
    await setThreads(2);
    const two = run();
    expect(two.equals(one)).toBe(true);
    setKernelOptions({ fma: false });
    await setThreads(1);
    expect(run().equals(one)).toBe(!engineFuses()); // and plain gives other bytes where fma fuses
  });
});

describe("choosing per machine", () => {
  const cli = (env: Record<string, string>, args: string[] = ["bin/descent.js", "--version"]) =>
    execFileSync(process.execPath, args, { env: { ...process.env, ...env }, encoding: "utf8" });

  test("descent --version says which binary is active and why; DESCENT_FMA forces it", () => {
    expect(cli({ DESCENT_FMA: "0" })).toMatch(/^fma: off \(DESCENT_FMA=0\)$/m);
    expect(cli({ DESCENT_FMA: "1" })).toMatch(/^fma: on \(DESCENT_FMA=1\)$/m);
    // Unforced, the choice is the engine's exact fusing test, never a timing: on where it fuses.
    expect(cli({ DESCENT_FMA: "" })).toMatch(engineFuses() ? /^fma: on: this engine fuses relaxed SIMD's multiply-add on this CPU/m : /^fma: off/m);
  });

  test("setKernelOptions({ fma: true }) fails, naming the remedy, where the engine lacks relaxed SIMD (Node 20 without descent/node)", () => {
    const script = `import("./dist/index.js").then((d) => { try { d.setKernelOptions({ fma: true }); console.log("no error"); } catch (e) { console.log(e.message); } console.log(d.backendInfo().fma.reason); })`;
    const out = cli({ DESCENT_FMA: "" }, ["-e", script]);
    if (process.versions.node.split(".")[0] === "20") {
      expect(out).toMatch(/^fma needs WebAssembly relaxed SIMD, which this engine lacks .*import "descent\/node" first/m);
      expect(out).toMatch(/^off: this engine lacks WebAssembly relaxed SIMD$/m);
    } else {
      expect(out).toMatch(/^no error$/m); // Node ≥ 22 validates relaxed SIMD without a flag
    }
  });
});
