/**
 * Instantiates the kernel module (embedded base64, see tools/build-wasm.mjs) on a memory the host
 * owns: shared when SharedArrayBuffer is available (Node; browsers with COOP/COEP), so a helper
 * thread can run the same module on the same memory, and unshared otherwise.
 *
 * Two binaries of the same sources: plain (multiply then add) and fma (the products' relaxed_madd,
 * assembly/madd.ts). Both are instantiated on the one memory where the engine validates relaxed
 * SIMD: neither allocates or keeps data of its own, so switching between them (fma.ts) needs no
 * copying — the tensors stay where they are.
 */
import { MAX_PAGES, SHARED_FMA_WASM, SHARED_WASM, UNSHARED_FMA_WASM, UNSHARED_WASM } from "./binary.generated.js";
import { WasmHeap } from "./heap.js";

/** The module's exports: kernels on byte addresses (see assembly/index.ts). */
export interface WasmExports {
  gemmNN(a: number, b: number, c: number, m: number, k: number, n: number, transA: number, mode: number, lda: number, ldb: number, ldc: number, lr: number, wd: number, skip: number): void;
  gemmNT(a: number, b: number, c: number, m: number, k: number, n: number, accumulate: number, lda: number, ldb: number, ldc: number, skip: number): void;
  linearRows(x: number, w: number, bias: number, y: number, k: number, n: number, act: number, slope: number, skip: number, r0: number, r1: number): void;
  runChunk(desc: number, chunk: number): void;
  /** How many products this (main-thread) instance ran with zero-skipping (assembly/sparse.ts). */
  zeroSkipRuns(): number;
  wgData(x: number, n: number, c: number, h: number, w: number, out: number, ps: number, c0: number, c1: number): void;
  wgDataAdjoint(m: number, ps: number, n: number, c: number, h: number, w: number, dx: number, c0: number, c1: number): void;
  wgGradTiles(dy: number, n: number, f: number, ho: number, wo: number, out: number, ps: number, f0: number, f1: number): void;
  wgFilters(wt: number, f: number, c: number, unscaled: number, out: number, ps: number, q0: number, q1: number): void;
  wgOutput(m: number, ps: number, n: number, f: number, ho: number, wo: number, bias: number, y: number, f0: number, f1: number): void;
  wgWeights(m: number, ps: number, f: number, c: number, dw: number, accumulate: number, q0: number, q1: number): void;
  padPlanes(x: number, h: number, w: number, top: number, left: number, hp: number, wp: number, out: number, p0: number, p1: number): void;
  cropPlanes(x: number, hp: number, wp: number, top: number, left: number, h: number, w: number, out: number, p0: number, p1: number): void;
  gemmBatch(a: number, sa: number, b: number, sb: number, c: number, sc: number, m: number, k: number, n: number, trans: number, i0: number, i1: number): void;
  gemmBatchBackward(plain: number, sf: number, g: number, sy: number, dp: number, sp: number, patches: number, wp: number, f: number, c: number, tiles: number, i0: number, i1: number): void;
  setPackBuffer(ptr: number): void;
  batchNormForward(x: number, n: number, c: number, hw: number, gamma: number, beta: number, eps: number, out: number, xhat: number, mean: number, invstd: number): void;
  channelAffine(x: number, n: number, c: number, hw: number, scale: number, shift: number, out: number): void;
  batchNormBackward(g: number, xhat: number, n: number, c: number, hw: number, gamma: number, invstd: number, dx: number, dgamma: number, dbeta: number): void;
  im2col(x: number, n: number, c: number, h: number, w: number, kh: number, kw: number, stride: number, pad: number, out: number, i0: number, i1: number): void;
  col2im(cols: number, n: number, c: number, h: number, w: number, kh: number, kw: number, stride: number, pad: number, dx: number, i0: number, i1: number): void;
  swapAxes(x: number, a: number, b: number, l: number, out: number, bias: number): void;
  convProduct(w: number, cols: number, y: number, f: number, ck: number, n: number, hw: number, bias: number, skip: number, i0: number, i1: number): void;
  convWeightRows(cols: number, gy: number, t: number, f: number, ck: number, n: number, hw: number, skip: number, r0: number, r1: number): void;
  transposeInto(t: number, ck: number, f: number, dw: number, acc: number): void;
  convPoolImages(w: number, cols: number, out: number, argmax: number, f: number, ck: number, n: number, ho: number, wo: number, bias: number, skip: number, scratch: number, i0: number, i1: number): void;
  convPoolWeightRows(gp: number, argmax: number, cols: number, t: number, sums: number, f: number, ck: number, n: number, ho: number, wo: number, skip: number, scratch: number, buf: number, r0: number, r1: number): void;
  maxPool(x: number, planes: number, h: number, w: number, k: number, stride: number, out: number, argmax: number): void;
  maxPoolBackward(g: number, argmax: number, planes: number, h: number, w: number, ho: number, wo: number, dx: number): void;
  avgPool(x: number, planes: number, h: number, w: number, k: number, stride: number, out: number): void;
  avgPoolBackward(g: number, planes: number, h: number, w: number, k: number, stride: number, dx: number): void;
  gemmTT(a: number, b: number, c: number, m: number, k: number, n: number, accumulate: number): void;
  sigmoid(x: number, out: number, n: number): void;
  sigmoidBackward(x: number, g: number, out: number, n: number): void;
  tanh(x: number, out: number, n: number): void;
  tanhBackward(y: number, g: number, out: number, n: number): void;
  exp(x: number, out: number, n: number): void;
  relu(x: number, out: number, n: number): void;
  leakyRelu(x: number, out: number, n: number, slope: number): void;
  leakyReluBackward(x: number, g: number, out: number, n: number, slope: number): void;
  binarySame(op: number, a: number, b: number, out: number, n: number): void;
  binaryScalar(op: number, a: number, s: number, out: number, n: number): void;
  binaryRow(op: number, a: number, b: number, out: number, rows: number, cols: number): void;
  clamp(x: number, out: number, n: number, lo: number, hi: number): void;
  sumAxis(x: number, outer: number, n: number, inner: number, out: number): void;
  sumSquares(x: number, n: number): number;
  scale(x: number, n: number, alpha: number): void;
  softmaxRows(x: number, out: number, rows: number, cols: number, mode: number): void;
  softmaxCrossEntropy(logits: number, labels: number, rows: number, cols: number, probs: number): number;
  sgdStep(p: number, g: number, buf: number, n: number, lr: number, momentum: number, dampening: number, nesterov: number, wd: number, first: number): void;
  adamStep(p: number, g: number, m: number, v: number, n: number, lr: number, beta1: number, beta2: number, eps: number, wd: number, decoupled: number, stepSize: number, bc2Sqrt: number): void;
  penaltyGrad(p: number, g: number, n: number, l1: number, l2: number): void;
  recurrentForward(mode: number, n: number, h: number, xw: number, hw: number, bhh: number, hPrev: number, cPrev: number, acts: number, hOut: number, cOut: number): void;
  recurrentBackward(mode: number, n: number, h: number, acts: number, hPrev: number, cPrev: number, cCur: number, hCur: number, dy: number, dyStride: number, dh: number, dc: number, dgx: number, dgh: number, dhPrev: number): void;
}

/** Bytes of scratch each thread's gemm needs: packed panels (KC·NC floats) and 64 KiB of lane sums (assembly/gemm.ts). */
export const PACK_BYTES = 256 * 256 * 4 + 65536;

/** One binary, compiled and instantiated on the runtime's memory. */
export interface WasmVariant {
  module: WebAssembly.Module;
  exports: WasmExports;
}

export interface WasmRuntime {
  /** The active variant's exports (plain or fma; see fma.ts). */
  exports: WasmExports;
  heap: WasmHeap;
  /** The active variant's compiled module, to start a helper thread on the same memory. */
  module: WebAssembly.Module;
  /** Which variant is active: 0 plain, 1 fma (the helper thread follows it, threads.ts). */
  variant: 0 | 1;
  /** Both binaries; fma is null where the engine lacks relaxed SIMD. */
  variants: [WasmVariant, WasmVariant | null];
  /** This (main) thread's packing scratch, lent to every variant. */
  pack: number;
  /** A 128-byte job descriptor for chunked kernels (kernels.ts), allocated once. */
  desc: number;
}

function decodeBase64(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/** Whether this engine runs WebAssembly with SIMD (validates a tiny module using v128). */
export function simdSupported(): boolean {
  if (typeof WebAssembly !== "object") return false;
  // (module (func (result v128) v128.const i32x4 0 0 0 0))
  const probe = Uint8Array.of(0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11);
  try {
    return WebAssembly.validate(probe);
  } catch {
    return false;
  }
}

/**
 * Whether this engine validates relaxed SIMD (a module whose one function is f32x4.relaxed_madd):
 * Chrome ≥ 114, Node ≥ 22; Node 20 behind V8's --experimental-wasm-relaxed-simd, which
 * descent/node and the CLI turn on (src/node/relaxed-simd.ts).
 */
export function relaxedSimdSupported(): boolean {
  if (typeof WebAssembly !== "object") return false;
  // (module (func (param v128 v128 v128) (result v128) local.get 0 local.get 1 local.get 2 f32x4.relaxed_madd))
  const probe = Uint8Array.of(0, 97, 115, 109, 1, 0, 0, 0, 1, 8, 1, 96, 3, 123, 123, 123, 1, 123, 3, 2, 1, 0, 10, 13, 1, 11, 0, 32, 0, 32, 1, 32, 2, 253, 133, 2, 11);
  try {
    return WebAssembly.validate(probe);
  } catch {
    return false;
  }
}

function sharedMemoryAvailable(): boolean {
  if (typeof SharedArrayBuffer === "undefined") return false;
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    return true;
  } catch {
    return false;
  }
}

function variant(b64: string, memory: WebAssembly.Memory, pack: number): WasmVariant {
  const module = new WebAssembly.Module(decodeBase64(b64));
  const instance = new WebAssembly.Instance(module, { env: { memory, abort: () => { throw new Error("wasm kernel abort"); } } });
  const exports = instance.exports as unknown as WasmExports;
  exports.setPackBuffer(pack);
  return { module, exports };
}

/** Compiles and instantiates synchronously (the module is small); the plain variant is active. */
export function instantiate(opts: { shared?: boolean } = {}): WasmRuntime {
  const shared = opts.shared ?? sharedMemoryAvailable();
  const memory = shared
    ? new WebAssembly.Memory({ initial: 2, maximum: MAX_PAGES, shared: true })
    : new WebAssembly.Memory({ initial: 2 });
  const heap = new WasmHeap(memory, shared);
  const pack = heap.malloc(PACK_BYTES);
  const plain = variant(shared ? SHARED_WASM : UNSHARED_WASM, memory, pack);
  const rt: WasmRuntime = { exports: plain.exports, heap, module: plain.module, variant: 0, variants: [plain, null], pack, desc: heap.malloc(128) };
  addFmaVariant(rt);
  return rt;
}

/** Instantiates the fma binary if the engine now validates it (Node 20 once V8's flag is on); whether it exists. */
export function addFmaVariant(rt: WasmRuntime): boolean {
  if (!rt.variants[1] && relaxedSimdSupported()) {
    rt.variants[1] = variant(rt.heap.shared ? SHARED_FMA_WASM : UNSHARED_FMA_WASM, rt.heap.memory, rt.pack);
  }
  return rt.variants[1] !== null;
}

/** Makes variant 0 (plain) or 1 (fma) the one every kernel call and the helper thread use. */
export function useVariant(rt: WasmRuntime, v: 0 | 1): void {
  const chosen = rt.variants[v];
  if (!chosen) throw new Error("the fma kernels need WebAssembly relaxed SIMD, which this engine lacks");
  rt.variant = v;
  rt.exports = chosen.exports;
  rt.module = chosen.module;
}
