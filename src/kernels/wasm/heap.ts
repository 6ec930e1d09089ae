/**
 * The wasm linear memory as a heap for float32 data, so kernels read and write tensors in place.
 *
 * - Page 0 (64 KiB) belongs to the module's own static data; the heap starts above it.
 * - Blocks come from power-of-two size classes with free lists (O(1) malloc/free).
 * - Three lifetimes: *scratch* (copies of JS arrays for one kernel call), *scoped* (tensors made
 *   inside `scope()`, freed when it ends) and *persistent* (parameters, gradients, optimizer state;
 *   freed when their view is garbage-collected).
 * - With shared memory, growing never detaches existing views, so heap arrays stay valid forever;
 *   each growth hands out a new SharedArrayBuffer object, so all of them are remembered.
 */

import { DescentError } from "../../errors.js";

const PAGE = 65536;
const MIN_CLASS = 6; // 64-byte blocks: every block is 64-byte aligned (cache line, SIMD-friendly)
/** Blocks above this size are sized to whole 64 KiB pages instead of powers of two (which waste up to half). */
const LARGE = 1 << 20;
const LARGE_MARK = 255;

export class WasmHeap {
  readonly memory: WebAssembly.Memory;
  readonly shared: boolean;
  private readonly buffers = new Set<ArrayBufferLike>();
  private readonly free: number[][] = [];
  /** Size class of the block at each 64-byte slot (0 = not allocated); grows with `top`. */
  private classOf = new Uint8Array(1024);
  private lastBuffer: ArrayBufferLike;
  private top = PAGE;
  private f32: Float32Array;
  private i32: Int32Array;
  private readonly finalizer = new FinalizationRegistry<number>((ptr) => this.release(ptr));
  /** Large blocks: free ones by exact size, and the size of each one handed out. */
  private readonly largeFree = new Map<number, number[]>();
  private readonly largeSize = new Map<number, number>();
  /** Bytes handed out and not yet freed (for tests and leak checks). */
  liveBytes = 0;

  constructor(memory: WebAssembly.Memory, shared: boolean) {
    this.memory = memory;
    this.shared = shared;
    this.f32 = new Float32Array(memory.buffer);
    this.i32 = new Int32Array(memory.buffer);
    this.buffers.add(memory.buffer);
    this.lastBuffer = memory.buffer;
  }

  /** Whether `a` is a view into this heap (so a kernel can use it in place). */
  owns(a: ArrayBufferView): boolean {
    const b = a.buffer;
    return b === this.lastBuffer || this.buffers.has(b);
  }

  /** Byte address of a fresh block of at least `bytes` bytes. */
  malloc(bytes: number): number {
    if (bytes > LARGE) return this.mallocLarge(Math.ceil(bytes / PAGE) * PAGE);
    const cls = bytes <= 64 ? MIN_CLASS : 32 - Math.clz32(bytes - 1); // ⌈log2(bytes)⌉
    const list = (this.free[cls] ??= []);
    let ptr = list.pop();
    if (ptr === undefined) {
      ptr = this.top;
      this.top += 2 ** cls;
      // Slack after the last block: SIMD tails may read (never write) up to 12 bytes past an array.
      this.ensure(this.top + 64);
    }
    this.classOf[ptr >>> MIN_CLASS] = cls;
    this.liveBytes += 2 ** cls;
    return ptr;
  }

  /** Large blocks are reused by exact size (a training step asks for the same sizes every time). */
  private mallocLarge(size: number): number {
    let ptr = this.largeFree.get(size)?.pop();
    if (ptr === undefined) {
      ptr = this.top;
      this.top += size;
      this.ensure(this.top + 64);
    }
    this.classOf[ptr >>> MIN_CLASS] = LARGE_MARK;
    this.largeSize.set(ptr, size);
    this.liveBytes += size;
    return ptr;
  }

  release(ptr: number): void {
    const slot = ptr >>> MIN_CLASS;
    const cls = this.classOf[slot];
    if (cls === LARGE_MARK) {
      const size = this.largeSize.get(ptr)!;
      this.largeSize.delete(ptr);
      this.classOf[slot] = 0;
      const list = this.largeFree.get(size);
      if (list) list.push(ptr);
      else this.largeFree.set(size, [ptr]);
      this.liveBytes -= size;
      return;
    }
    if (!cls || ptr % 64 !== 0) throw new Error(`WasmHeap: double free or foreign pointer ${ptr}`);
    this.classOf[slot] = 0;
    this.free[cls]!.push(ptr);
    this.liveBytes -= 2 ** cls;
  }

  private ensure(end: number): void {
    const slots = end >>> MIN_CLASS;
    if (slots >= this.classOf.length) {
      const bigger = new Uint8Array(Math.max(slots + 1, this.classOf.length * 2));
      bigger.set(this.classOf);
      this.classOf = bigger;
    }
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    try {
      this.memory.grow(Math.ceil((end - have) / PAGE));
    } catch {
      this.top = Math.min(this.top, have); // the block was not handed out
      throw new DescentError(
        `out of WebAssembly memory: ${(have / 2 ** 20).toFixed(0)} MiB in use and ${((end - have) / 2 ** 20).toFixed(0)} MiB more needed — ` +
          "use a smaller batch (--batch-size), or the ref backend (--backend ref) for this run",
      );
    }
    this.buffers.add(this.memory.buffer);
    this.lastBuffer = this.memory.buffer;
    this.f32 = new Float32Array(this.memory.buffer);
    this.i32 = new Int32Array(this.memory.buffer);
  }

  /** A float32 view of `n` values at `ptr` (valid until the block is freed). */
  view(ptr: number, n: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, n);
  }

  /** The whole memory as float32 / int32 (refreshed after growth). */
  get F32(): Float32Array {
    if (this.f32.buffer !== this.memory.buffer) this.f32 = new Float32Array(this.memory.buffer);
    return this.f32;
  }
  get I32(): Int32Array {
    if (this.i32.buffer !== this.memory.buffer) this.i32 = new Int32Array(this.memory.buffer);
    return this.i32;
  }

  /** A float32 array in the heap, freed when the returned view is garbage-collected. */
  persistent(n: number): Float32Array {
    const ptr = this.malloc(n * 4);
    const v = this.view(ptr, n);
    this.finalizer.register(v, ptr);
    return v;
  }
}
