/**
 * Exact zero-skipping in the products (assembly/sparse.ts). Oracle: the dense wasm kernels — the
 * sparse path must give the same bytes for every input, so each product is computed with
 * zero-skipping off, on, and forced on ("always"), at 1 and 2 threads, and the outputs compared
 * byte for byte; zeroSkipRuns() shows the sparse path really ran where it applies. Then whole
 * training runs: the seeded presets give the same model bytes with skipping on and off.
 */
import { afterAll, describe, expect, test } from "vitest";
import { spawnSync } from "node:child_process";
import "../src/node/index.js";
import { type KernelOptions, kernelsFor, setKernelOptions, setThreads, wasmRuntime } from "../src/kernels/index.js";
import { SPLIT_FLOPS } from "../src/kernels/wasm/threads.js";
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
const bytes = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);

afterAll(async () => {
  setKernelOptions({ zeroSkip: true });
  await setThreads(1);
});

type Pattern = "elements" | "groups" | "negative zeros";
type Special = "none" | "NaN" | "+Inf" | "-Inf" | "-0";

/**
 * A sparse operand [rows × cols]: a share `zeros` of it is zero, either element by element or in
 * aligned runs of 8 along the rows (as MNIST's borders are), or −0 instead of +0.
 */
function sparse(rng: Rng, rows: number, cols: number, zeros: number, pattern: Pattern): Float32Array {
  const seed = rng.int(1 << 30);
  const v = heap.persistent(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const run = pattern === "groups" ? Math.floor(j / 8) * 8 : j;
      const zero = pattern === "groups" ? hash(i, run, seed) < zeros : rng.uniform() < zeros;
      v[i * cols + j] = zero ? (pattern === "negative zeros" ? -0 : 0) : rng.range(-2, 2);
    }
  }
  return v;
}

/** A fixed pseudo-random number in [0, 1) per (row, run), so a run is zero or not as a whole. */
function hash(i: number, j: number, seed: number): number {
  let h = Math.imul(i * 73856093 ^ j * 19349663 ^ seed, 0x9e3779b1) >>> 0;
  h ^= h >>> 15;
  return (Math.imul(h, 0x85ebca6b) >>> 0) / 2 ** 32;
}

function dense(rng: Rng, n: number): Float32Array {
  const v = heap.persistent(n);
  for (let i = 0; i < n; i++) v[i] = rng.range(-2, 2);
  return v;
}

function plant(rng: Rng, v: Float32Array, special: Special): void {
  if (special === "none" || v.length === 0) return;
  const value = { NaN: NaN, "+Inf": Infinity, "-Inf": -Infinity, "-0": -0 }[special];
  for (let r = 0; r < 2; r++) v[rng.int(v.length)] = value;
}

/** Runs `product` with each zero-skip setting on a fresh copy of `c0`; returns the outputs' bytes and whether the sparse path ran when forced. */
function eachSetting(c0: Float32Array, product: (c: Float32Array) => void): { out: Map<string, Buffer>; ranForced: boolean } {
  const out = new Map<string, Buffer>();
  let ranForced = false;
  for (const setting of [false, true, "always"] as KernelOptions["zeroSkip"][]) {
    setKernelOptions({ zeroSkip: setting });
    const c = heap.persistent(c0.length);
    c.set(c0);
    const before = rt.exports.zeroSkipRuns();
    product(c);
    if (setting === "always") ranForced = rt.exports.zeroSkipRuns() > before;
    if (setting === false) expect(rt.exports.zeroSkipRuns(), "zeroSkip: false must never take the sparse path").toBe(before);
    out.set(String(setting), Buffer.from(bytes(c)));
  }
  setKernelOptions({ zeroSkip: true });
  return { out, ranForced };
}

function expectAllEqual(out: Map<string, Buffer>, label: string): void {
  const off = out.get("false")!;
  for (const [setting, b] of out) expect(b.equals(off), `${label}: zeroSkip ${setting} differs from the dense kernel`).toBe(true);
}

// Forward X·Wᵀ: m = batch, k = in, n = out; X is the sparse operand.
const FORWARD: [number, number, number][] = [[1, 784, 30], [3, 17, 5], [10, 784, 30], [10, 784, 100], [17, 33, 17], [100, 5, 8], [4, 257, 3], [64, 100, 10], [3, 1, 4]];
// Weight gradient δᵀ·X (transA) and plain A·B: m = out, k = batch, n = in; X (B) is the sparse operand.
const GRADIENT: [number, number, number][] = [[30, 10, 784], [100, 10, 784], [17, 3, 33], [4, 300, 17], [5, 17, 1], [3, 10, 100], [64, 1, 9], [100, 257, 40]];
const ZEROS = [0, 0.5, 0.81, 0.95, 1];

describe("zero-skipping is bit-identical to the dense kernels", () => {
  for (const threads of [1, 2]) {
    for (const pattern of ["elements", "groups", "negative zeros"] as Pattern[]) {
      test(`forward X·Wᵀ, ${pattern}, ${threads} thread(s), specials in either operand`, async () => {
        await setThreads(threads);
        let ran = 0;
        for (const [m, k, n] of FORWARD) {
          for (const zeros of ZEROS) {
            for (const special of ["none", "NaN", "+Inf", "-Inf", "-0"] as Special[]) {
              for (const where of ["x", "w"] as const) {
                const rng = new Rng(m * 1000 + k * 7 + n + Math.round(zeros * 100));
                const x = sparse(rng, m, k, zeros, pattern);
                const w = dense(rng, n * k);
                plant(rng, where === "x" ? x : w, special);
                for (const acc of [false, true]) {
                  const c0 = dense(rng, m * n);
                  const K = kernelsFor(x);
                  const r = eachSetting(c0, (c) => K.gemm(x, w, c, m, k, n, false, true, acc));
                  expectAllEqual(r.out, `${m}×${k}×${n} zeros ${zeros} ${special} in ${where}${acc ? " +=" : ""}`);
                  // The sparse path needs k ≥ 4, n ≥ 4 and a finite W; where it applies it must have run.
                  const finiteW = where === "x" || special === "-0" || special === "none";
                  if (threads === 1 && k >= 4 && n >= 4 && finiteW) {
                    expect(r.ranForced, `${m}×${k}×${n}: the sparse path did not run`).toBe(true);
                    ran++;
                  }
                  if (threads === 1 && !finiteW) expect(r.ranForced, "an Inf/NaN weight must send the product to the dense kernel").toBe(false);
                }
              }
            }
          }
        }
        if (threads === 1) expect(ran).toBeGreaterThan(100);
      });

      test(`weight gradient δᵀ·X, A·B and the fused SGD step, ${pattern}, ${threads} thread(s), specials in either operand`, async () => {
        await setThreads(threads);
        let ran = 0;
        for (const [m, k, n] of GRADIENT) {
          for (const zeros of ZEROS) {
            for (const special of ["none", "NaN", "+Inf", "-0"] as Special[]) {
              for (const where of ["x", "g"] as const) {
                const rng = new Rng(m * 1000 + k * 7 + n + Math.round(zeros * 100));
                const x = sparse(rng, k, n, zeros, pattern);
                const g = dense(rng, k * m);
                plant(rng, where === "x" ? x : g, special);
                const c0 = dense(rng, m * n);
                const K = kernelsFor(x);
                const finiteG = where === "x" || special === "-0" || special === "none";
                const label = `${m}×${k}×${n} zeros ${zeros} ${special} in ${where}`;
                for (const transA of [true, false]) {
                  for (const acc of [false, true]) {
                    const r = eachSetting(c0, (c) => K.gemm(g, x, c, m, k, n, transA, false, acc));
                    expectAllEqual(r.out, `${label} ${transA ? "T" : "N"}N${acc ? " +=" : ""}`);
                    if (threads === 1 && m >= 4 && finiteG) {
                      expect(r.ranForced, `${label}: the sparse path did not run`).toBe(true);
                      ran++;
                    }
                    if (threads === 1 && !finiteG) expect(r.ranForced, "an Inf/NaN in δ must send the product to the dense kernel").toBe(false);
                  }
                  const r = eachSetting(c0, (wt) => K.gemmSgdUpdate(g, x, wt, m, k, n, transA, 0.1, 0.01));
                  expectAllEqual(r.out, `${label} gemmSgdUpdate ${transA ? "T" : "N"}`);
                  if (threads === 1 && m >= 4 && finiteG) expect(r.ranForced, `${label}: the fused SGD step did not skip`).toBe(true);
                }
              }
            }
          }
        }
        if (threads === 1) expect(ran).toBeGreaterThan(100);
      });
    }
  }
});

test("a forward whose first rows are sparse and the rest dense: blocks of rows choose their own path, same bytes", async () => {
  await setThreads(1);
  const [m, k, n] = [420, 784, 12]; // 784 columns: blocks of 166 rows
  const rng = new Rng(5);
  const x = heap.persistent(m * k);
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) x[i * k + p] = i < 180 ? (p % 97 === 0 ? rng.range(-1, 1) : 0) : rng.range(-1, 1);
  const w = dense(rng, n * k);
  const c0 = dense(rng, m * n);
  const r = eachSetting(c0, (c) => kernelsFor(x).gemm(x, w, c, m, k, n, false, true, true));
  expectAllEqual(r.out, "mixed blocks");
  setKernelOptions({ zeroSkip: true });
  const before = rt.exports.zeroSkipRuns();
  kernelsFor(x).gemm(x, w, heap.persistent(m * n), m, k, n, false, true, false);
  expect(rt.exports.zeroSkipRuns(), "the sparse first block should take the sparse path").toBe(before + 1);
});

describe("whole training runs", () => {
  // MNIST once for the file: each load takes ~180 MiB of wasm memory, freed only when collected,
  // and nine loads could reach the 2 GiB cap on a busy run.
  let loaded: ReturnType<typeof loadMnist> | undefined;
  const run = async (preset: string, over: Record<string, unknown>, zeroSkip: boolean, threads: number) => {
    const mnist = await (loaded ??= loadMnist());
    const data = { train: mnist.train.slice(0, 2000), validation: mnist.validation.slice(0, 200) };
    await setThreads(threads);
    setKernelOptions({ zeroSkip });
    try {
      const ex = buildExperiment({ ...presetConfig(preset), epochs: 1, ...over }, data);
      ex.trainer.fit(ex.loader, ex.fitOptions);
      return Buffer.from(encodeModel(ex.model, { training: {} }));
    } finally {
      setKernelOptions({ zeroSkip: true });
    }
  };
  for (const [preset, over] of [["nielsen-ch1", {}], ["nielsen-ch3", {}], ["nielsen-ch3", { activation: "relu", layers: [784, 64, 32, 10], batchSize: 32 }]] as const) {
    test(`${preset} ${JSON.stringify(over)}: the same model bytes with zero-skipping on and off, 1 and 2 threads`, async () => {
      const off = await run(preset, over, false, 1);
      expect((await run(preset, over, true, 1)).equals(off)).toBe(true);
      expect((await run(preset, over, true, 2)).equals(off)).toBe(true);
    });
  }
});

test("DESCENT_ZERO_SKIP=0 turns it off; setKernelOptions refuses other values", () => {
  const read = (env: Record<string, string>) => spawnSync(process.execPath, ["--input-type=module", "-e", "const m = await import('./dist/kernels/index.js'); console.log(JSON.stringify(m.kernelOptions()))"], { encoding: "utf8", env: { ...process.env, ...env } });
  expect(JSON.parse(read({ DESCENT_ZERO_SKIP: "0", DESCENT_FMA: "0" }).stdout)).toEqual({ zeroSkip: false, fma: false, splitFlops: SPLIT_FLOPS });
  expect(JSON.parse(read({ DESCENT_ZERO_SKIP: "", DESCENT_FMA: "" }).stdout)).toEqual({ zeroSkip: true, fma: "auto", splitFlops: SPLIT_FLOPS });
  expect(() => setKernelOptions({ zeroSkip: "sometimes" as never })).toThrow(/zeroSkip must be true, false or "always"/);
});
