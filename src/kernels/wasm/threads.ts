/**
 * The optional second thread: a helper running the same kernel module on the same shared memory.
 *
 * A big product is cut into chunks (bands of rows or columns of C). The main thread posts a job —
 * a descriptor in wasm memory and a chunk count — and then both threads claim chunks from one
 * shared counter (compare-and-swap) until none is left; the main thread then waits only for a
 * chunk the helper is still computing. A helper that is slow to wake, or descheduled by a busy
 * machine, costs at most one chunk: the main thread simply takes the rest.
 *
 * Between jobs the helper spins for a couple of milliseconds (waking a sleeping thread takes
 * microseconds, longer than batch-10 products) and then sleeps with Atomics.wait.
 *
 * Each output element is computed by the same float operations whichever thread computes it, so
 * results are bit-identical for any thread count. The helper instantiates every binary the main
 * thread has (plain and fma, module.ts) and each job says which one to run, so both threads always
 * run the same one.
 *
 * Starting a helper needs an environment: `descent/node` registers a worker_threads spawner; a
 * browser app registers one that makes a Web Worker (shared memory needs COOP/COEP there).
 */
import { PACK_BYTES, type WasmRuntime } from "./module.js";

/**
 * Products below this many FLOPs (2·m·k·n) run on one thread: splitting would not pay. Measured
 * (bench/split-threshold.ts, Intel Xeon 2.3 GHz, one process, medians of 3): the batch-10 MLPs' 0.5–1.6
 * MFLOP products shared from 2e5 made two threads slower than one (W1 0.279 against 0.243 s/epoch,
 * W2 0.573 against 0.474); from 4e6 they run on one thread (0.237, 0.489), while a convnet's,
 * an LSTM's (64×128×512) and inference's products are still shared.
 */
export const SPLIT_FLOPS = 4e6;
/** Elementwise updates (SGD) are split from this many elements. */
export const SPLIT_ELEMENTS = 32768;

/** Control block (Int32 slots). CLAIM packs the job id (high 23 bits) and the next chunk (low 8). */
const SEQ = 0;
const SLEEPING = 2;
const READY = 3;
const DESC = 4;
const NCHUNKS = 5;
const CLAIM = 6;
const INFLIGHT = 7;
const STOP = 8;
const VARIANT = 9;
const CHUNK_BITS = 8;
export const MAX_CHUNKS = (1 << CHUNK_BITS) - 1;

/** What a helper thread receives. */
export interface HelperData {
  /** The binaries, indexed by variant (0 plain, 1 fma). */
  modules: WebAssembly.Module[];
  memory: WebAssembly.Memory;
  ctrl: SharedArrayBuffer;
  /** How long the helper spins waiting for the next job before it sleeps. */
  spinMs: number;
  /** The helper's own scratch for packed gemm panels. */
  pack: number;
}

/** Starts `source` (a script evaluating to a function of HelperData) as a thread. */
export type Spawner = (source: string, data: HelperData) => { terminate(): unknown };

let spawner: Spawner | null = null;

/** Lets an environment provide threads (descent/node does this on import). */
export function registerSpawner(s: Spawner): void {
  spawner = s;
}

/**
 * The helper's whole program, run inside the thread. It must not reference anything outside
 * itself — no imports, no module constants — because it is shipped as source text
 * (`helperMain.toString()`); the slot numbers below repeat the ones above.
 */
function helperMain(data: HelperData): void {
  const ws = data.modules.map((m) => new WebAssembly.Instance(m, { env: { memory: data.memory, abort: Object } }).exports as Record<string, (...a: number[]) => void>);
  for (const w of ws) w.setPackBuffer!(data.pack);
  const ctrl = new Int32Array(data.ctrl);
  const [SEQ, SLEEPING, READY, DESC, NCHUNKS, CLAIM, INFLIGHT, STOP, VARIANT] = [0, 2, 3, 4, 5, 6, 7, 8, 9];
  Atomics.store(ctrl, READY, 1);
  let last = Atomics.load(ctrl, SEQ);
  for (;;) {
    let spins = 0;
    let since = 0;
    while (Atomics.load(ctrl, SEQ) === last) {
      if ((++spins & 1023) !== 0) continue;
      const now = performance.now();
      if (since === 0) since = now;
      else if (now - since > data.spinMs) {
        Atomics.store(ctrl, SLEEPING, 1);
        Atomics.wait(ctrl, SEQ, last);
        Atomics.store(ctrl, SLEEPING, 0);
        since = 0;
      }
    }
    last = Atomics.load(ctrl, SEQ);
    if (Atomics.load(ctrl, STOP) === 1) return;
    const job = (last & 0x7fffff) << 8;
    const desc = ctrl[DESC]!;
    const n = ctrl[NCHUNKS]!;
    const w = ws[ctrl[VARIANT]!]!;
    for (;;) {
      Atomics.add(ctrl, INFLIGHT, 1); // announce before claiming, so the main thread waits for us
      const c = Atomics.load(ctrl, CLAIM);
      if ((c & ~0xff) !== job || (c & 0xff) >= n || Atomics.compareExchange(ctrl, CLAIM, c, c + 1) !== c) {
        Atomics.sub(ctrl, INFLIGHT, 1);
        if ((c & ~0xff) !== job || (c & 0xff) >= n) break;
        continue;
      }
      w.runChunk!(desc, c & 0xff);
      Atomics.sub(ctrl, INFLIGHT, 1);
    }
  }
}

export class Helper {
  private readonly ctrl: Int32Array;
  private seq = 0;

  /**
   * rt: the main thread's runtime, whose active variant (module.ts) each job runs; `variants`:
   * how many binaries the helper instantiated.
   */
  constructor(private readonly thread: { terminate(): unknown }, buffer: SharedArrayBuffer, private readonly rt: WasmRuntime, private readonly variants: number) {
    this.ctrl = new Int32Array(buffer);
  }

  get ready(): boolean {
    return Atomics.load(this.ctrl, READY) === 1;
  }

  /** Runs chunks 0..n−1 of the job described at `desc`, on both threads; returns when all are done. */
  run(desc: number, n: number): void {
    const c = this.ctrl;
    const variant = this.rt.variant;
    const runChunk = this.rt.exports.runChunk;
    if (variant >= this.variants) {
      // A binary added after the helper started (module.ts addFmaVariant): this thread alone.
      for (let i = 0; i < n; i++) runChunk(desc, i);
      return;
    }
    c[VARIANT] = variant;
    const job = (++this.seq & 0x7fffff) << CHUNK_BITS;
    c[DESC] = desc;
    c[NCHUNKS] = n;
    Atomics.store(c, CLAIM, job);
    Atomics.store(c, SEQ, this.seq);
    if (Atomics.load(c, SLEEPING) === 1) Atomics.notify(c, SEQ);
    for (;;) {
      const cl = Atomics.load(c, CLAIM);
      if ((cl & 0xff) >= n) break;
      if (Atomics.compareExchange(c, CLAIM, cl, cl + 1) === cl) runChunk(desc, cl & 0xff);
    }
    while (Atomics.load(c, INFLIGHT) !== 0) {
      /* the helper is finishing a chunk it claimed */
    }
  }

  stop(): void {
    Atomics.store(this.ctrl, STOP, 1);
    Atomics.store(this.ctrl, SEQ, ++this.seq);
    Atomics.notify(this.ctrl, SEQ);
    this.thread.terminate();
  }
}

let helper: Helper | null = null;

/** The running helper, if threads are on and it has started. */
export function activeHelper(): Helper | null {
  return helper?.ready ? helper : null;
}

export function getThreads(): number {
  return helper ? 2 : 1;
}

/**
 * 1 or 2 threads. Turning 2 on starts the helper and resolves once it runs; it needs shared
 * memory and a registered spawner (import "descent/node" in Node).
 */
export async function setThreads(n: number, rt: WasmRuntime | null, opts: { spinMs?: number } = {}): Promise<void> {
  if (n !== 1 && n !== 2) throw new RangeError(`threads must be 1 or 2, got ${n}`);
  if (n === 1) {
    helper?.stop();
    helper = null;
    return;
  }
  if (helper) return;
  if (!rt || !rt.heap.shared) throw new Error("2 threads need the wasm backend on shared memory (SharedArrayBuffer; in browsers, COOP/COEP headers)");
  if (!spawner) throw new Error('2 threads need a thread spawner: in Node, import "descent/node" first');
  const ctrl = new SharedArrayBuffer(64 * 4);
  const modules = rt.variants.filter((v) => v !== null).map((v) => v.module);
  const data: HelperData = { modules, memory: rt.heap.memory, ctrl, spinMs: opts.spinMs ?? 2, pack: rt.heap.malloc(PACK_BYTES) };
  // Bundlers that keep function names wrap arrows in a `__name` helper: give the shipped source one.
  const source = `(function () { var __name = function (f) { return f; }; return (${helperMain.toString()}); })()`;
  const h = new Helper(spawner(source, data), ctrl, rt, modules.length);
  helper = h;
  const started = performance.now();
  while (!h.ready) {
    if (performance.now() - started > 10_000) throw new Error("the helper thread did not start within 10 s");
    await new Promise((r) => setTimeout(r, 1));
  }
}
