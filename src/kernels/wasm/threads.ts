/**
 * The optional second thread: a helper running the same kernel module on the same shared memory.
 * The main thread posts a job (an op code and integer arguments) in a small shared control
 * block, does its own half of the work, then spins until the helper reports done. Between jobs
 * the helper spins for a while (a sleeping thread takes microseconds to wake, longer than the
 * small matrix products of batch-10 training) and then sleeps with Atomics.wait.
 *
 * Only gemm is split, and only when it is big enough to pay (2·m·k·n ≥ SPLIT_FLOPS). Each output
 * element is computed by the same sequence of float operations whichever thread computes it, so
 * results are bit-identical for any thread count.
 *
 * Starting a helper needs an environment: `descent/node` registers a worker_threads spawner; a
 * browser app registers one that makes a Web Worker (shared memory needs COOP/COEP there).
 */
import type { WasmRuntime } from "./module.js";

export const SPLIT_FLOPS = 2e5;

/** Control block layout (Int32 slots). */
const SEQ = 0;
const DONE = 1;
const SLEEPING = 2;
const READY = 3;
const OP = 4;
const ARGS = 8;
export const OP_GEMM_NN = 1;
export const OP_GEMM_NT = 2;
const OP_STOP = 99;

/** What a helper thread receives. */
export interface HelperData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  ctrl: SharedArrayBuffer;
  /** How long the helper spins waiting for the next job before it sleeps. */
  spinMs: number;
}

/** Starts `source` (a self-contained script body reading its HelperData) as a thread. */
export type Spawner = (source: string, data: HelperData) => { terminate(): unknown };

let spawner: Spawner | null = null;

/** Lets an environment provide threads (descent/node does this on import). */
export function registerSpawner(s: Spawner): void {
  spawner = s;
}

/**
 * The helper's whole program, run inside the thread. It must not reference anything outside
 * itself — no imports, no helpers, not even a named inner function (bundlers may wrap those) —
 * because it is shipped as source text (`helperMain.toString()`).
 */
function helperMain(data: HelperData): void {
  const w = new WebAssembly.Instance(data.module, { env: { memory: data.memory, abort: () => {} } }).exports as Record<string, (...a: number[]) => void>;
  const ctrl = new Int32Array(data.ctrl);
  const [SEQ, DONE, SLEEPING, READY, OP] = [0, 1, 2, 3, 4];
  const a = ctrl.subarray(8); // job arguments
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
    const op = ctrl[OP];
    if (op === 1) w.gemmNN!(a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!, a[8]!, a[9]!, a[10]!);
    else if (op === 2) w.gemmNT!(a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!, a[8]!, a[9]!);
    Atomics.store(ctrl, DONE, last);
    if (op === 99) return;
  }
}

export class Helper {
  private readonly ctrl: Int32Array;
  private seq = 0;

  constructor(private readonly thread: { terminate(): unknown }, buffer: SharedArrayBuffer) {
    this.ctrl = new Int32Array(buffer);
  }

  get ready(): boolean {
    return Atomics.load(this.ctrl, READY) === 1;
  }

  /** Hands a job to the helper; returns at once. */
  post(op: number, args: readonly number[]): void {
    const c = this.ctrl;
    c[OP] = op;
    for (let i = 0; i < args.length; i++) c[ARGS + i] = args[i]!;
    Atomics.store(c, SEQ, ++this.seq);
    if (Atomics.load(c, SLEEPING) === 1) Atomics.notify(c, SEQ);
  }

  /** Spins until the last job is done (the main thread may not block in browsers). */
  wait(): void {
    while (Atomics.load(this.ctrl, DONE) !== this.seq) {
      /* spin: the helper finishes within microseconds */
    }
  }

  stop(): void {
    this.post(OP_STOP, []);
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
  const data: HelperData = { module: rt.module, memory: rt.heap.memory, ctrl, spinMs: opts.spinMs ?? 2 };
  // Bundlers that keep function names wrap arrows in a `__name` helper: give the shipped source one.
  const source = `(function () { var __name = function (f) { return f; }; return (${helperMain.toString()}); })()`;
  const h = new Helper(spawner(source, data), ctrl);
  helper = h;
  const started = performance.now();
  while (!h.ready) {
    if (performance.now() - started > 10_000) throw new Error("the helper thread did not start within 10 s");
    await new Promise((r) => setTimeout(r, 1));
  }
}
