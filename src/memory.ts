/**
 * Where float32 tensor data lives. By default in ordinary typed arrays. When the wasm backend runs
 * on shared memory, data lives in the wasm heap instead, so kernels work on it in place:
 *  - parameters, their gradients and optimizer state stay there for good (`persistentFloat32`);
 *  - tensors made inside `scope(fn)` stay there until `fn` returns, then the memory is reused.
 * A tensor used after its scope ended throws a clear error instead of reading reused memory.
 */
import { getBackend, wasmRuntime } from "./kernels/index.js";
import type { WasmHeap } from "./kernels/wasm/heap.js";

/** What a scope must release: its heap blocks and the tensors that point at them. */
interface Scope {
  blocks: number[];
  arrays: Set<object>;
  tensors: { release(): void }[];
}

let current: Scope | null = null;

/** The wasm heap, when the active backend can hand out arrays that never move. */
function heap(): WasmHeap | null {
  if (getBackend() !== "wasm") return null;
  const h = wasmRuntime()?.heap;
  return h?.shared ? h : null;
}

/**
 * A float32 array for an op's result, in the current scope's heap memory when possible. Its
 * contents are unspecified (reused memory): callers write every element.
 */
export function allocFloat32(n: number): Float32Array {
  const h = current ? heap() : null;
  if (!h || !current) return new Float32Array(n);
  const ptr = h.malloc(n * 4);
  current.blocks.push(ptr);
  const v = h.view(ptr, n);
  current.arrays.add(v);
  return v;
}

/**
 * An int32 array for an op's bookkeeping (max pooling's window indices), in the current scope's
 * heap memory when possible, so the kernels that write and then read it need not copy it. Only
 * for arrays the op's own backward reads: that runs before the scope ends, as the tensors it
 * belongs to do not outlive it either.
 */
export function allocInt32(n: number): Int32Array {
  const h = current ? heap() : null;
  if (!h || !current) return new Int32Array(n);
  const ptr = h.malloc(n * 4);
  current.blocks.push(ptr);
  return new Int32Array(h.memory.buffer, ptr, n);
}

/** A zeroed float32 array that lives as long as it is referenced (parameters, optimizer state). */
export function persistentFloat32(n: number): Float32Array {
  const h = heap();
  if (!h) return new Float32Array(n);
  const v = h.persistent(n);
  v.fill(0);
  return v;
}

/** Called by the Tensor constructor: a tensor over scoped memory is released with its scope. */
export function trackTensor(t: { release(): void }, data: object): void {
  if (current && current.arrays.has(data)) current.tensors.push(t);
}

export const inScope = (): boolean => current !== null;

/**
 * Runs `fn` with its temporaries in fast memory that is reclaimed when it returns (like
 * tf.tidy). Tensors made inside must not be used afterwards — return plain numbers, or a tensor
 * (which is copied out). Trainer.step and evaluation run inside scopes.
 */
export function scope<T>(fn: () => T): T {
  const outer = current;
  const mine: Scope = { blocks: [], arrays: new Set(), tensors: [] };
  current = mine;
  let finished = false;
  let result: T | undefined;
  try {
    result = fn();
    finished = true;
  } finally {
    current = outer;
    // On an exception too: the scope's memory is reclaimed before the error propagates.
    const keep = finished ? copyOut(result as T, mine) : undefined;
    for (const t of mine.tensors) t.release();
    const h = heap();
    if (h) for (const ptr of mine.blocks) h.release(ptr);
    result = keep;
  }
  return result as T;
}

/** A tensor returned from a scope is copied into the enclosing memory; anything else passes through. */
function copyOut<T>(value: T, s: Scope): T {
  const t = value as { data?: unknown; clone?: () => T; detach?: () => unknown };
  if (t && typeof t === "object" && t.data && s.arrays.has(t.data as object) && t.clone) return t.clone();
  return value;
}

/**
 * The tensor itself, or — inside a scope on the wasm heap — a copy in scoped memory, so the kernels
 * that read it several times (a batch: forward, then the weight gradient) need not copy it each time.
 */
export function intoScope<T extends { data: object; clone(): T }>(t: T): T {
  const h = current ? heap() : null;
  return h && !h.owns(t.data as ArrayBufferView) ? t.clone() : t;
}
