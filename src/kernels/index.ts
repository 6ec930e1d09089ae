/**
 * Backend choice. The active set is `{ ...ref, ...fast }`, so a kernel a backend lacks falls back
 * to its reference twin one kernel at a time. float64 data (gradient checks) always runs on `ref`.
 */
import { ref } from "./ref.js";
import type { FloatArray, Kernels } from "./types.js";

export type BackendName = "ref";

const backends: Record<BackendName, Partial<Kernels>> = { ref: {} };

let activeName: BackendName = "ref";
let active: Kernels = ref;

export function setBackend(name: BackendName): void {
  const fast = backends[name];
  if (!fast) throw new Error(`unknown backend "${name}" (available: ${Object.keys(backends).join(", ")})`);
  activeName = name;
  active = { ...ref, ...fast };
}

export function getBackend(): BackendName {
  return activeName;
}

/** Which backend is active and which kernels it accelerates (the rest run on `ref`). */
export function backendInfo(): { backend: BackendName; fastKernels: string[] } {
  return { backend: activeName, fastKernels: Object.keys(backends[activeName]) };
}

/** Kernels for data of this type: float64 always goes to the reference loops. */
export function kernelsFor(data: FloatArray): Kernels {
  return data instanceof Float64Array ? ref : active;
}

export { ref };
export type { FloatArray, Kernels };
