/**
 * Backend choice. `wasm` (WebAssembly SIMD) is the default wherever the engine supports SIMD;
 * `ref` (plain TypeScript loops, the definition) otherwise, or when asked: setBackend("ref"),
 * DESCENT_BACKEND=ref, or `descent --backend ref`. The active set is ref overlaid with the fast
 * kernels — per kernel and, in the per-op tables, per op — so anything a backend lacks runs on
 * `ref`. float64 data (gradient checks) always runs on `ref`.
 */
import { ref } from "./ref.js";
import type { FastKernels, FloatArray, Kernels } from "./types.js";
import { instantiate, simdSupported, type WasmRuntime } from "./wasm/module.js";
import { setZeroSkipMode, wasmKernels } from "./wasm/kernels.js";
import { setThreads as setHelperThreads } from "./wasm/threads.js";

export type BackendName = "ref" | "wasm";
export const BACKENDS: readonly BackendName[] = ["ref", "wasm"];

let runtime: WasmRuntime | null | undefined;

/** The wasm runtime, created on first use (null where WebAssembly SIMD is unavailable). */
export function wasmRuntime(): WasmRuntime | null {
  if (runtime === undefined) runtime = simdSupported() ? instantiate() : null;
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
export function backendInfo(): { backend: BackendName; fastKernels: string[]; sharedMemory: boolean } {
  const names: string[] = [];
  for (const [k, v] of Object.entries(fastSet)) {
    if (typeof v === "function") names.push(k);
    else names.push(...Object.keys(v as object).map((op) => `${k}.${op}`));
  }
  return { backend: activeName, fastKernels: names, sharedMemory: activeName === "wasm" && (runtime?.heap.shared ?? false) };
}

/**
 * Use 1 or 2 threads for large matrix products (wasm backend on shared memory; in Node, import
 * "descent/node" first, which provides the worker). Resolves when the helper thread is running.
 */
export function setThreads(n: number, opts: { spinMs?: number } = {}): Promise<void> {
  return setHelperThreads(n, activeName === "wasm" ? wasmRuntime() : null, opts);
}

export { getThreads, registerSpawner, type Spawner, type HelperData } from "./wasm/threads.js";

export interface KernelOptions {
  /**
   * Exact zero-skipping in the products (wasm backend): all-zero groups of a sparse operand —
   * MNIST pixels, ReLU outputs — are left out of the sums, which stay bit-identical to the dense
   * kernels' (assembly/sparse.ts says exactly why). true (the default): when the operand is sparse
   * enough to pay; false: never (DESCENT_ZERO_SKIP=0); "always": whenever exact (for tests).
   */
  zeroSkip: boolean | "always";
}

const options: KernelOptions = { zeroSkip: true };

/** Changes backend options; the results never change with them, only the time. */
export function setKernelOptions(opts: Partial<KernelOptions>): void {
  if (opts.zeroSkip !== undefined) {
    if (opts.zeroSkip !== true && opts.zeroSkip !== false && opts.zeroSkip !== "always") {
      throw new Error(`zeroSkip must be true, false or "always", got ${String(opts.zeroSkip)}`);
    }
    options.zeroSkip = opts.zeroSkip;
    setZeroSkipMode(opts.zeroSkip === "always" ? 2 : opts.zeroSkip ? 1 : 0);
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
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.DESCENT_BACKEND;
  if (env === "ref" || env === "wasm") return env;
  return wasmRuntime() ? "wasm" : "ref";
}

setBackend(defaultBackend());
// DESCENT_ZERO_SKIP=0 turns zero-skipping off (to see the dense figures), where an environment exists.
if ((globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.DESCENT_ZERO_SKIP === "0") setKernelOptions({ zeroSkip: false });

export { ref };
export type { FloatArray, Kernels };
