/**
 * Backend choice. `wasm` (WebAssembly SIMD) is the default wherever the engine supports SIMD;
 * `ref` (plain TypeScript loops, the definition) otherwise, or when asked: setBackend("ref"),
 * DESCENT_BACKEND=ref, or `descent --backend ref`. The active set is ref overlaid with the fast
 * kernels — per kernel and, in the per-op tables, per op — so anything a backend lacks runs on
 * `ref`. float64 data (gradient checks) always runs on `ref`.
 */
import { ref } from "./ref.js";
import type { FastKernels, FloatArray, Kernels } from "./types.js";
import { addFmaVariant, instantiate, relaxedSimdSupported, simdSupported, useVariant, type WasmRuntime } from "./wasm/module.js";
import { engineFuses, probeFma, type FmaProbe } from "./wasm/fma.js";
import { setSplitFlops, setZeroSkipMode, wasmKernels } from "./wasm/kernels.js";
import { SPLIT_FLOPS, setThreads as setHelperThreads } from "./wasm/threads.js";

export type BackendName = "ref" | "wasm";
export const BACKENDS: readonly BackendName[] = ["ref", "wasm"];

let runtime: WasmRuntime | null | undefined;

/** The wasm runtime, created on first use (null where WebAssembly SIMD is unavailable). */
export function wasmRuntime(): WasmRuntime | null {
  if (runtime === undefined) {
    runtime = simdSupported() ? instantiate() : null;
    if (runtime) chooseFma(runtime);
  }
  return runtime;
}

function overlay(fast: FastKernels): Kernels {
  return {
    ...ref,
    ...fast,
    unary: { ...ref.unary, ...fast.unary },
    unaryBackward: { ...ref.unaryBackward, ...fast.unaryBackward },
    binary: { ...ref.binary, ...fast.binary },
  } as Kernels;
}

let activeName: BackendName = "ref";
let fastSet: FastKernels = {};
let active: Kernels = ref;

export function setBackend(name: BackendName): void {
  if (name === "ref") {
    fastSet = {};
  } else if (name === "wasm") {
    const rt = wasmRuntime();
    if (!rt) throw new Error("the wasm backend needs WebAssembly SIMD, which this engine lacks (use the ref backend)");
    fastSet = wasmKernels(rt);
  } else {
    throw new Error(`unknown backend "${String(name)}" (available: ${BACKENDS.join(", ")})`);
  }
  activeName = name;
  active = overlay(fastSet);
}

export function getBackend(): BackendName {
  return activeName;
}

/** Which backend is active and which kernels it accelerates (everything else runs on `ref`). */
export function backendInfo(): { backend: BackendName; fastKernels: string[]; sharedMemory: boolean; fma: FmaStatus } {
  const names: string[] = [];
  for (const [k, v] of Object.entries(fastSet)) {
    if (typeof v === "function") names.push(k);
    else names.push(...Object.keys(v as object).map((op) => `${k}.${op}`));
  }
  const fma = activeName === "wasm" ? { ...fmaStatus } : { active: false, reason: "the ref backend (plain TypeScript loops)" };
  return { backend: activeName, fastKernels: names, sharedMemory: activeName === "wasm" && (runtime?.heap.shared ?? false), fma };
}

/**
 * Use 1 or 2 threads for large matrix products (wasm backend on shared memory; in Node, import
 * "descent/node" first, which provides the worker). Resolves when the helper thread is running.
 */
export function setThreads(n: number, opts: { spinMs?: number } = {}): Promise<void> {
  return setHelperThreads(n, activeName === "wasm" ? wasmRuntime() : null, opts);
}

export { getThreads, registerSpawner, type Spawner, type HelperData } from "./wasm/threads.js";

/** Whether the products run the fma binary, and why (for --version and the bench header). */
export interface FmaStatus {
  active: boolean;
  reason: string;
  /** The probe's plain ÷ fma time, where it ran (wasm/fma.ts). */
  speedup?: number;
}

export interface KernelOptions {
  /**
   * Exact zero-skipping in the products (wasm backend): all-zero groups of a sparse operand —
   * MNIST pixels, ReLU outputs — are left out of the sums, which stay bit-identical to the dense
   * kernels' (assembly/sparse.ts says exactly why). true (the default): when the operand is sparse
   * enough to pay; false: never (DESCENT_ZERO_SKIP=0); "always": whenever exact (for tests).
   */
  zeroSkip: boolean | "always";
  /**
   * With two threads, products of at least this many FLOPs (2·m·k·n) are shared with the helper
   * (default SPLIT_FLOPS). Speed only: results are bit-identical wherever it is set.
   */
  splitFlops: number;
  /**
   * Fused multiply-add in the products (wasm backend; the fma binary, assembly/madd.ts). "auto"
   * (the default): where the engine has WebAssembly relaxed SIMD and fuses its multiply-add on this
   * CPU (an exact test, so the choice never varies from run to run); true: always (an error where the engine lacks it);
   * false: never (DESCENT_FMA=0; DESCENT_FMA=1 is true). Unlike zeroSkip this changes results in
   * the last bits: the fused products round once where the plain ones round twice.
   */
  fma: boolean | "auto";
}

function envVar(name: string): string | undefined {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
}

const fmaEnv = envVar("DESCENT_FMA");
const options: KernelOptions = { zeroSkip: true, splitFlops: SPLIT_FLOPS, fma: fmaEnv === "0" ? false : fmaEnv === "1" ? true : "auto" };
/** Where options.fma came from, for the reason line. */
let fmaSource = fmaEnv === "0" || fmaEnv === "1" ? `DESCENT_FMA=${fmaEnv}` : "";
let fmaStatus: FmaStatus = { active: false, reason: "not decided yet" };
/** The exact fusing test runs once per process. */
let fuses: boolean | null = null;

/** The fma binary's speed against plain on this CPU (for the bench and --version); measured once, 15–150 ms. */
export function measureFma(): FmaProbe | null {
  const rt = runtime;
  if (!rt || !rt.variants[1]) return null;
  probed ??= probeFma(rt);
  return probed;
}
let probed: FmaProbe | null = null;

/**
 * Activates the plain or the fma binary per options.fma (see KernelOptions); measures once when
 * "auto". Throws only when fma was asked for through setKernelOptions and cannot be had.
 */
function chooseFma(rt: WasmRuntime, strict = false): void {
  const available = addFmaVariant(rt);
  const setting = options.fma;
  let status: FmaStatus;
  if (setting === false) {
    status = { active: false, reason: `off (${fmaSource || "setKernelOptions({ fma: false })"})` };
  } else if (!available) {
    if (setting === true && strict) {
      throw new Error("fma needs WebAssembly relaxed SIMD, which this engine lacks (Node ≥ 22, Chrome ≥ 114; in Node 20 import \"descent/node\" first, which turns V8's flag on)");
    }
    status = { active: false, reason: `off: this engine lacks WebAssembly relaxed SIMD${setting === true ? ` (${fmaSource || "fma: true"} asked for it)` : ""}` };
  } else if (setting === true) {
    status = { active: true, reason: `on (${fmaSource || "setKernelOptions({ fma: true })"})` };
  } else {
    fuses ??= engineFuses();
    status = fuses
      ? { active: true, reason: "on: this engine fuses relaxed SIMD's multiply-add on this CPU (DESCENT_FMA=0 gives the plain bytes, the same on every machine)" }
      : { active: false, reason: "off: this engine's relaxed multiply-add is not fused on this CPU, so it would give the plain bytes at no gain" };
  }
  useVariant(rt, status.active ? 1 : 0);
  fmaStatus = status;
}

/**
 * Chooses again if the engine gained relaxed SIMD after the kernels loaded: descent/node turns
 * Node 20's flag on, and `import "descent"` before it has already compiled them.
 */
export function refreshFma(): void {
  const rt = runtime;
  if (!rt || rt.variants[1] || !relaxedSimdSupported()) return;
  chooseFma(rt);
  if (activeName === "wasm") {
    fastSet = wasmKernels(rt);
    active = overlay(fastSet);
  }
}

/**
 * Changes backend options. zeroSkip never changes results, only the time; fma changes the last
 * bits of every product (and is then the same on 1 and 2 threads).
 */
export function setKernelOptions(opts: Partial<KernelOptions>): void {
  if (opts.zeroSkip !== undefined) {
    if (opts.zeroSkip !== true && opts.zeroSkip !== false && opts.zeroSkip !== "always") {
      throw new Error(`zeroSkip must be true, false or "always", got ${String(opts.zeroSkip)}`);
    }
    options.zeroSkip = opts.zeroSkip;
    setZeroSkipMode(opts.zeroSkip === "always" ? 2 : opts.zeroSkip ? 1 : 0);
  }
  if (opts.splitFlops !== undefined) {
    if (!(Number.isFinite(opts.splitFlops) && opts.splitFlops >= 0)) throw new Error(`splitFlops must be a number ≥ 0, got ${String(opts.splitFlops)}`);
    options.splitFlops = opts.splitFlops;
    setSplitFlops(opts.splitFlops);
  }
  if (opts.fma !== undefined) {
    if (opts.fma !== true && opts.fma !== false && opts.fma !== "auto") throw new Error(`fma must be true, false or "auto", got ${String(opts.fma)}`);
    const before = options.fma;
    options.fma = opts.fma;
    fmaSource = "";
    const rt = wasmRuntime();
    if (rt) {
      try {
        chooseFma(rt, true);
      } catch (e) {
        options.fma = before;
        throw e;
      }
      if (activeName === "wasm") {
        fastSet = wasmKernels(rt);
        active = overlay(fastSet);
      }
    }
  }
}

export function kernelOptions(): Readonly<KernelOptions> {
  return { ...options };
}

/** Kernels for data of this type: float64 always goes to the reference loops. */
export function kernelsFor(data: FloatArray): Kernels {
  return data instanceof Float64Array ? ref : active;
}

/** The default: DESCENT_BACKEND if set (where an environment exists), else wasm when SIMD works. */
function defaultBackend(): BackendName {
  const env = envVar("DESCENT_BACKEND");
  if (env === "ref" || env === "wasm") return env;
  return wasmRuntime() ? "wasm" : "ref";
}

setBackend(defaultBackend());
// DESCENT_ZERO_SKIP=0 turns zero-skipping off (to see the dense figures), where an environment exists.
if (envVar("DESCENT_ZERO_SKIP") === "0") setKernelOptions({ zeroSkip: false });

export { ref };
export type { FloatArray, Kernels };
