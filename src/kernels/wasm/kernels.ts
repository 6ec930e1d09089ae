/**
 * The wasm backend: kernels that run the SIMD module on tensor data. Arrays already in the wasm
 * heap are used in place; others are copied into scratch blocks and results copied back.
 * float64 never gets here (kernelsFor sends it to `ref`). Shapes the module has no fast path for
 * (general broadcasting, softmax over a middle axis) go to the reference loops from inside the
 * wrapper, so callers never need to know.
 */
import { ref } from "../ref.js";
import type { BinaryKernel, BinaryOp, FastKernels, FloatArray, LinearActivation, RecurrentMode, WinogradKernels } from "../types.js";
import type { WasmRuntime } from "./module.js";
import { activeHelper, SPLIT_ELEMENTS, SPLIT_FLOPS, type Helper } from "./threads.js";

const OPCODE: Record<Exclude<BinaryOp, "pow">, number> = { add: 0, sub: 1, mul: 2, div: 3 };
const CELL: Record<RecurrentMode, number> = { rnnTanh: 0, rnnRelu: 1, lstm: 2, gru: 3 };

/**
 * Zero-skipping in the products (assembly/sparse.ts): 0 off, 1 when the sparse operand is sparse
 * enough (the default), 2 whenever it is exact (tests, measurements). Results are bit-identical
 * in every mode; only the time changes. Set through setKernelOptions (kernels/index.ts).
 */
let zeroSkip = 1;
export function setZeroSkipMode(mode: 0 | 1 | 2): void {
  zeroSkip = mode;
}

/**
 * Products of at least this many FLOPs (2·m·k·n) are shared with the helper thread when there is
 * one. Where the cut falls changes only the time, never a bit (each element is computed by the
 * same operations on either thread). Set through setKernelOptions({ splitFlops }).
 */
let splitFlops = SPLIT_FLOPS;
export function setSplitFlops(flops: number): void {
  splitFlops = flops;
}

/** linearForward's activation codes (assembly/infer.ts). */
const ACT: Record<LinearActivation, number> = { none: 0, relu: 1, leakyRelu: 2, sigmoid: 3, tanh: 4 };

export function wasmKernels(rt: WasmRuntime) {
  const { exports: w, heap } = rt;
  const scratch: number[] = [];

  /** Address of `a` in the heap: itself, or a scratch copy (filled when `fill`). */
  function addr(a: FloatArray | Int32Array, fill = true): number {
    if (heap.owns(a)) return a.byteOffset;
    const ptr = heap.malloc(a.length * 4);
    scratch.push(ptr);
    if (fill) (a instanceof Int32Array ? heap.I32 : heap.F32).set(a, ptr >> 2);
    return ptr;
  }

  /** Copies results at `ptr` back into `out` when `out` lives outside the heap. */
  function copyBack(out: FloatArray, ptr: number): void {
    if (!heap.owns(out)) out.set(heap.F32.subarray(ptr >> 2, (ptr >> 2) + out.length));
  }

  /** Copies one result back (if any) and frees this call's scratch blocks. */
  function done(out?: FloatArray, ptr?: number): void {
    if (out && ptr !== undefined) copyBack(out, ptr);
    for (const p of scratch) heap.release(p);
    scratch.length = 0;
  }

  /**
   * An activation (or its gradient: kind, see assembly/chunks.ts) over n elements, in ranges of
   * whole SIMD groups on both threads when n is large; false when it should run here alone.
   */
  function elementwise(kind: number, x: number, g: number, o: number, n: number, slope: number): boolean {
    const helper = activeHelper();
    if (!helper || n < 2 * SPLIT_ELEMENTS) return false;
    const size = Math.ceil(n / 32) * 4;
    const I = heap.I32;
    const d = desc >> 2;
    I[d] = 9; I[d + 1] = kind; I[d + 2] = x; I[d + 3] = g; I[d + 4] = o; I[d + 5] = n;
    heap.F32[d + 6] = slope; I[d + 7] = size;
    helper.run(desc, Math.ceil(n / size));
    return true;
  }

  const unaryOut = (kind: number, run: (x: number, o: number, n: number) => void, slope = 0) => (x: FloatArray, out: FloatArray) => {
    const px = addr(x);
    const po = out === x ? px : addr(out, false);
    if (kind < 0 || !elementwise(kind, px, 0, po, x.length, slope)) run(px, po, x.length);
    done(out, po);
  };

  const backwardOut = (kind: number, run: (x: number, g: number, o: number, n: number) => void, useY: boolean, slope = 0) =>
    (x: FloatArray, y: FloatArray, g: FloatArray, out: FloatArray) => {
      const px = addr(useY ? y : x);
      const pg = addr(g);
      const po = addr(out, false);
      if (kind < 0 || !elementwise(kind, px, pg, po, x.length, slope)) run(px, pg, po, x.length);
      done(out, po);
    };

  function binary(op: Exclude<BinaryOp, "pow">): BinaryKernel {
    const code = OPCODE[op];
    return (a, as, b, bs, out, shape) => {
      const rank = shape.length;
      if (rank === 1 && as[0] === 1 && (bs[0] === 1 || bs[0] === 0)) {
        const pa = addr(a);
        const po = addr(out, false);
        if (bs[0] === 1) w.binarySame(code, pa, addr(b), po, out.length);
        else w.binaryScalar(code, pa, b[0]!, po, out.length);
        return done(out, po);
      }
      if (rank === 2 && as[0] === shape[1] && as[1] === 1 && bs[0] === 0 && bs[1] === 1) {
        const po = addr(out, false);
        w.binaryRow(code, addr(a), addr(b), po, shape[0]!, shape[1]!);
        return done(out, po);
      }
      ref.binary[op](a, as, b, bs, out, shape);
    };
  }

  /** Job descriptor for chunked products (see assembly/chunks.ts), allocated once per runtime. */
  const desc = rt.desc;

  /**
   * Two threads on one product: chunks are bands of rows or of columns of C. Each chunk reads
   * all of the other operand — a band of rows sweeps (and packs) the whole of B, a band of
   * columns the whole of A — so a much wider C is cut into columns: a conv's [40 × 4096] output
   * cut into 8-row bands packed its 2 M-float columns five times and ran no faster on two
   * threads. Near-square outputs ([64 × 100]) stay in row bands, which measured faster there.
   * Bands are multiples of 8 wide, so both threads run full register tiles; about eight chunks
   * per product.
   */
  function splitGemm(h: Helper, pa: number, pb: number, pc: number, m: number, k: number, n: number, transA: boolean, transB: boolean, acc: number, lr = 0, wd = 0): void {
    const axis = n >= 4 * m || m < 16 ? 1 : 0;
    const len = axis === 0 ? m : n;
    const size = Math.max(8, Math.ceil(len / 64) * 8);
    const I = heap.I32;
    const d = desc >> 2;
    I[d] = transB ? 2 : 1;
    I[d + 1] = pa; I[d + 2] = pb; I[d + 3] = pc;
    I[d + 4] = m; I[d + 5] = k; I[d + 6] = n;
    I[d + 7] = transA ? 1 : 0; I[d + 8] = acc;
    I[d + 9] = transB ? k : transA ? m : k; I[d + 10] = transB ? k : n; I[d + 11] = n;
    I[d + 12] = axis; I[d + 13] = size;
    heap.F32[d + 14] = lr; heap.F32[d + 15] = wd; I[d + 16] = zeroSkip;
    h.run(desc, Math.ceil(len / size));
  }

  /**
   * An optimizer's step over n parameters: on both threads in eight ranges of whole SIMD groups
   * when n is large (`describe` writes the job descriptor, given the range size; see
   * assembly/chunks.ts), else `alone` on this thread. Each parameter is stepped as on one thread.
   */
  function optimizerRanges(n: number, describe: (I: Int32Array, F: Float32Array, d: number, size: number) => void, alone: () => void): void {
    const helper = activeHelper();
    if (helper && n >= SPLIT_ELEMENTS) {
      const size = Math.ceil(n / 32) * 4;
      describe(heap.I32, heap.F32, desc >> 2, size);
      helper.run(desc, Math.ceil(n / size));
    } else {
      alone();
    }
  }

  /** A convolution's product over images (21) or rows of its weight gradient (22), assembly/chunks.ts. */
  function convJob(op: 21 | 22, cols: number, x: number, y: number, f: number, ck: number, n: number, hw: number, bias: number, size: number, total: number, h: Helper): void {
    const I = heap.I32;
    const d = desc >> 2;
    I[d] = op; I[d + 1] = cols; I[d + 2] = x; I[d + 3] = y; I[d + 4] = f; I[d + 5] = ck; I[d + 6] = n; I[d + 7] = hw;
    I[d + 8] = bias; I[d + 9] = zeroSkip; I[d + 10] = size;
    h.run(desc, Math.ceil(total / size));
  }

  /** im2col (op 4) or col2im (op 5) over a batch: images shared between threads when big enough. */
  function convImages(op: 4 | 5, src: number, n: number, c: number, h: number, wd: number, kh: number, kw: number, stride: number, pad: number, dst: number, floats: number): void {
    const helper = activeHelper();
    if (helper && n >= 4 && floats >= SPLIT_ELEMENTS) {
      const I = heap.I32;
      const d = desc >> 2;
      I[d] = op; I[d + 1] = src; I[d + 2] = n; I[d + 3] = c; I[d + 4] = h; I[d + 5] = wd;
      I[d + 6] = kh; I[d + 7] = kw; I[d + 8] = stride; I[d + 9] = pad; I[d + 10] = dst;
      const size = Math.max(1, Math.ceil(n / 8));
      I[d + 11] = size;
      helper.run(desc, Math.ceil(n / size));
    } else if (op === 4) {
      w.im2col(src, n, c, h, wd, kh, kw, stride, pad, dst, 0, n);
    } else {
      w.col2im(src, n, c, h, wd, kh, kw, stride, pad, dst, 0, n);
    }
  }

  /**
   * Pooling (ops 6, 7) or swapAxes (8) over ranges of planes or rows, on both threads when the
   * data is large enough; false when it should run on this thread alone.
   */
  function planes(op: 6 | 7 | 8, x: number, aux: number, y: number, count: number, h: number, wd: number, p7: number, p8: number, floats: number): boolean {
    const helper = activeHelper();
    if (!helper || count < 2 || floats < SPLIT_ELEMENTS) return false;
    const I = heap.I32;
    const d = desc >> 2;
    const size = Math.ceil(count / 8);
    I[d] = op; I[d + 1] = x; I[d + 2] = aux; I[d + 3] = y; I[d + 4] = count;
    I[d + 5] = h; I[d + 6] = wd; I[d + 7] = p7; I[d + 8] = p8; I[d + 10] = size;
    helper.run(desc, Math.ceil(count / size));
    return true;
  }

  /**
   * A Winograd piece (op 11, kinds as in assembly/chunks.ts) over `total` independent items —
   * channels, filters, filter/channel pairs or transform points — split between the threads
   * when there is enough work (about `floats` touched); else run here on all of them.
   */
  function winogradRange(kind: number, args: number[], total: number, floats: number, quantum = 1): void {
    const helper = activeHelper();
    if (helper && total >= 2 * quantum && floats >= SPLIT_ELEMENTS) {
      const I = heap.I32;
      const d = desc >> 2;
      I[d] = 11; I[d + 1] = kind;
      for (let i = 0; i < args.length; i++) I[d + 2 + i] = args[i]!;
      const size = Math.ceil(total / 8 / quantum) * quantum;
      I[d + 12] = total; I[d + 13] = size;
      helper.run(desc, Math.ceil(total / size));
      return;
    }
    const run = [w.wgData, w.wgDataAdjoint, w.wgGradTiles, w.wgOutput, w.wgFilters, w.wgWeights, w.gemmBatch, w.padPlanes, w.cropPlanes][kind]!;
    (run as (...a: number[]) => void)(...args, 0, total);
  }

  /**
   * Winograd pieces; each takes heap arrays in place (or copies, like every kernel here). The
   * point buffers' outputs are copied in as well: their padding between points is never
   * written, and a copy must not fill it with scratch garbage.
   */
  const winograd: WinogradKernels = {
    data(x, n, c, h, wd, out, ps) {
      const po = addr(out);
      winogradRange(0, [addr(x), n, c, h, wd, po, ps], c, 64 * ps);
      done(out, po);
    },
    dataAdjoint(m, ps, n, c, h, wd, dx) {
      const pd = addr(dx, false);
      winogradRange(1, [addr(m), ps, n, c, h, wd, pd], c, 64 * ps);
      done(dx, pd);
    },
    gradTiles(dy, n, f, ho, wo, out, ps) {
      const po = addr(out);
      winogradRange(2, [addr(dy), n, f, ho, wo, po, ps], f, 64 * ps);
      done(out, po);
    },
    filters(wt, f, c, unscaled, out, ps) {
      const po = addr(out);
      winogradRange(4, [addr(wt), f, c, unscaled ? 1 : 0, po, ps], f * c, 64 * ps, 4);
      done(out, po);
    },
    output(m, ps, n, f, ho, wo, bias, y) {
      const py = addr(y, false);
      winogradRange(3, [addr(m), ps, n, f, ho, wo, bias ? addr(bias) : 0, py], f, 64 * ps);
      done(y, py);
    },
    weights(m, ps, f, c, dw, accumulate) {
      const pd = addr(dw, accumulate);
      winogradRange(5, [addr(m), ps, f, c, pd, accumulate ? 1 : 0], f * c, 64 * ps, 4);
      done(dw, pd);
    },
    pad(x, planes, h, wd, top, left, hp, wp, out) {
      const po = addr(out, false);
      winogradRange(7, [addr(x), h, wd, top, left, hp, wp, po], planes, out.length);
      done(out, po);
    },
    crop(x, planes, hp, wp, top, left, h, wd, out) {
      const po = addr(out, false);
      winogradRange(8, [addr(x), hp, wp, top, left, h, wd, po], planes, x.length);
      done(out, po);
    },
    backwardProducts(plain, sf, gTiles, sy, dPatches, sp, patches, wPoints, f, c, tiles) {
      const [pp, pg, pt] = [addr(plain), addr(gTiles), addr(patches)];
      const [pd, pw] = [addr(dPatches), addr(wPoints)];
      const helper = activeHelper();
      if (helper && 2 * 64 * f * c * tiles >= SPLIT_ELEMENTS) {
        const size = 8;
        const I = heap.I32;
        const d = desc >> 2;
        I[d] = 26; I[d + 1] = pp; I[d + 2] = sf; I[d + 3] = pg; I[d + 4] = sy; I[d + 5] = pd; I[d + 6] = sp;
        I[d + 7] = pt; I[d + 8] = pw; I[d + 9] = f; I[d + 10] = c; I[d + 11] = tiles; I[d + 12] = size;
        helper.run(desc, 64 / size);
      } else {
        w.gemmBatchBackward(pp, sf, pg, sy, pd, sp, pt, pw, f, c, tiles, 0, 64);
      }
      copyBack(dPatches, pd);
      done(wPoints, pw);
    },
    products(a, sa, b, sb, c, sc, m, k, n, trans) {
      const pc = addr(c);
      winogradRange(6, [addr(a), sa, addr(b), sb, pc, sc, m, k, n, trans === "nn" ? 0 : trans === "tn" ? 1 : 2], 64, 64 * m * k * n / 4);
      done(c, pc);
    },
  };

  return {
    winograd,
    gemm(a, b, c, m, k, n, transA, transB, accumulate) {
      const pa = addr(a);
      const pb = addr(b);
      const pc = addr(c, accumulate);
      const acc = accumulate ? 1 : 0;
      const helper = activeHelper();
      if (transA && transB) w.gemmTT(pa, pb, pc, m, k, n, acc);
      else if (helper && 2 * m * k * n >= splitFlops && (m >= 16 || n >= 16)) splitGemm(helper, pa, pb, pc, m, k, n, transA, transB, acc);
      else if (!transB) w.gemmNN(pa, pb, pc, m, k, n, transA ? 1 : 0, acc, transA ? m : k, n, n, 0, 0, zeroSkip);
      else w.gemmNT(pa, pb, pc, m, k, n, acc, k, k, n, zeroSkip);
      done(c, pc);
    },
    gemmSgdUpdate(a, b, wt, m, k, n, transA, lr, wd) {
      const pa = addr(a);
      const pb = addr(b);
      const pw = addr(wt);
      const helper = activeHelper();
      if (k > 256) {
        // The fused epilogue needs the whole reduction in one block (the batch is the reduction):
        // larger batches take two passes, product then update — the same arithmetic.
        const pg = heap.malloc(m * n * 4);
        scratch.push(pg);
        w.gemmNN(pa, pb, pg, m, k, n, transA ? 1 : 0, 0, transA ? m : k, n, n, 0, 0, zeroSkip);
        w.sgdStep(pw, pg, 0, m * n, lr, 0, 0, 0, wd, 1);
      } else if (helper && 2 * m * k * n >= splitFlops && (m >= 16 || n >= 16)) {
        splitGemm(helper, pa, pb, pw, m, k, n, transA, false, 2, lr, wd);
      } else {
        w.gemmNN(pa, pb, pw, m, k, n, transA ? 1 : 0, 2, transA ? m : k, n, n, lr, wd, zeroSkip);
      }
      done(wt, pw);
    },
    linearForward(x, wt, bias, y, m, k, n, act, slope) {
      const px = addr(x);
      const pw = addr(wt);
      const pb = bias ? addr(bias) : 0;
      const py = addr(y, false);
      const code = ACT[act];
      const helper = activeHelper();
      if (helper && m >= 16 && 2 * m * k * n >= splitFlops) {
        // Bands of whole rows on both threads (each row computed as on one thread), ~8 chunks.
        const size = Math.max(4, Math.ceil(m / 8));
        const I = heap.I32;
        const d = desc >> 2;
        I[d] = 20; I[d + 1] = px; I[d + 2] = pw; I[d + 3] = pb; I[d + 4] = py; I[d + 5] = m; I[d + 6] = k; I[d + 7] = n;
        I[d + 8] = code; heap.F32[d + 9] = slope; I[d + 10] = zeroSkip; I[d + 11] = size;
        helper.run(desc, Math.ceil(m / size));
      } else {
        w.linearRows(px, pw, pb, py, k, n, code, slope, zeroSkip, 0, m);
      }
      done(y, py);
    },
    batchNormForward(x, n, c, hw, gamma, beta, eps, out, xhat, mean, invstd) {
      const [po, ph, pm, pi] = [addr(out, false), addr(xhat, false), addr(mean, false), addr(invstd, false)];
      w.batchNormForward(addr(x), n, c, hw, addr(gamma), addr(beta), eps, po, ph, pm, pi);
      copyBack(xhat, ph);
      copyBack(mean, pm);
      copyBack(invstd, pi);
      done(out, po);
    },
    channelAffine(x, n, c, hw, scale, shift, out) {
      const po = addr(out, false);
      w.channelAffine(addr(x), n, c, hw, addr(scale), addr(shift), po);
      done(out, po);
    },
    batchNormBackward(g, xhat, n, c, hw, gamma, invstd, dx, dgamma, dbeta) {
      const [pd, pg, pb] = [addr(dx, false), addr(dgamma, false), addr(dbeta, false)];
      w.batchNormBackward(addr(g), addr(xhat), n, c, hw, addr(gamma), addr(invstd), pd, pg, pb);
      copyBack(dgamma, pg);
      copyBack(dbeta, pb);
      done(dx, pd);
    },
    im2col(x, n, c, h, wd, kh, kw, stride, pad, out) {
      const po = addr(out, false);
      convImages(4, addr(x), n, c, h, wd, kh, kw, stride, pad, po, out.length);
      done(out, po);
    },
    col2im(cols, n, c, h, wd, kh, kw, stride, pad, dx) {
      const pd = addr(dx, false);
      convImages(5, addr(cols), n, c, h, wd, kh, kw, stride, pad, pd, cols.length);
      done(dx, pd);
    },
    swapAxes(x, a, b, l, out, bias = null) {
      const px = addr(x);
      const pb = bias ? addr(bias) : 0;
      const po = addr(out, false);
      if (!planes(8, px, pb, po, a, 0, 0, b, l, x.length)) w.swapAxes(px, a, b, l, po, pb);
      done(out, po);
    },
    convProduct(wt, cols, y, f, ck, n, hw, bias) {
      const [pw, pc, pb] = [addr(wt), addr(cols), bias ? addr(bias) : 0];
      const py = addr(y, false);
      const helper = activeHelper();
      if (helper && n >= 2 && 2 * f * ck * n * hw >= splitFlops) {
        // Images shared between the threads, about eight chunks; each image computed as on one.
        convJob(21, pc, pw, py, f, ck, n, hw, pb, Math.ceil(n / 8), n, helper);
      } else {
        w.convProduct(pw, pc, py, f, ck, n, hw, pb, zeroSkip, 0, n);
      }
      done(y, py);
    },
    convWeightGradient(gy, cols, dw, f, ck, n, hw, accumulate) {
      if (n > 1 && hw % 4 !== 0) {
        // The images' runs must be whole groups of four (assembly/segments.ts): the transposed copy.
        const pt = heap.malloc(f * n * hw * 4);
        try {
          const gT = heap.view(pt, f * n * hw);
          this.swapAxes!(gy, n, f, hw, gT);
          this.gemm!(gT, cols, dw, f, n * hw, ck, false, true, accumulate);
        } finally {
          heap.release(pt);
        }
        return;
      }
      const [pg, pc] = [addr(gy), addr(cols)];
      const pd = addr(dw, accumulate);
      const pt = heap.malloc(ck * f * 4);
      scratch.push(pt);
      const helper = activeHelper();
      if (helper && ck >= 4 && 2 * f * ck * n * hw >= splitFlops) {
        // Two bands of rows of dWᵀ (even, so the row pairs are those of one thread).
        convJob(22, pc, pg, pt, f, ck, n, hw, 0, Math.ceil(ck / 4) * 2, ck, helper);
      } else {
        w.convWeightRows(pc, pg, pt, f, ck, n, hw, zeroSkip, 0, ck);
      }
      w.transposeInto(pt, ck, f, pd, accumulate ? 1 : 0);
      done(dw, pd);
    },
    convPool(wt, cols, pooled, argmax, f, ck, n, ho, wo, bias) {
      const [pw, pc, pb] = [addr(wt), addr(cols), bias ? addr(bias) : 0];
      const [po, pa] = [addr(pooled, false), addr(argmax, false)];
      const plane = f * ho * wo * 4;
      const helper = activeHelper();
      const split = helper && n >= 2 && 2 * f * ck * n * ho * wo >= splitFlops;
      const size = split ? Math.ceil(n / 8) : n;
      const chunks = Math.ceil(n / size);
      const scratchPtr = heap.malloc(chunks * plane);
      scratch.push(scratchPtr);
      if (split) {
        const I = heap.I32;
        const d = desc >> 2;
        I[d] = 23; I[d + 1] = pw; I[d + 2] = pc; I[d + 3] = po; I[d + 4] = pa; I[d + 5] = f; I[d + 6] = ck; I[d + 7] = n;
        I[d + 8] = ho; I[d + 9] = wo; I[d + 10] = pb; I[d + 11] = zeroSkip; I[d + 12] = scratchPtr; I[d + 13] = size;
        helper.run(desc, chunks);
      } else {
        w.convPoolImages(pw, pc, po, pa, f, ck, n, ho, wo, pb, zeroSkip, scratchPtr, 0, n);
      }
      if (!heap.owns(argmax)) argmax.set(heap.I32.subarray(pa >> 2, (pa >> 2) + argmax.length));
      done(pooled, po);
    },
    convPoolWeightGradient(gp, argmax, cols, dw, db, f, ck, n, ho, wo, accumulate) {
      if (ck * f > 4096 || ck > 256 || f > 64 || (n > 1 && (ho * wo) % 4 !== 0)) {
        // Beyond one block of lane sums (assembly/conv-pool.ts): the pooling's gradient made whole.
        const pt = heap.malloc(n * f * ho * wo * 4);
        try {
          const gy = heap.view(pt, n * f * ho * wo);
          this.maxPoolBackward!(gp, argmax, n * f, ho, wo, ho >> 1, wo >> 1, gy);
          this.convWeightGradient!(gy, cols, dw, f, ck, n, ho * wo, accumulate);
          if (db) {
            const planes = new Float32Array(n * f);
            this.sumAxis!(gy, n * f, ho * wo, 1, planes);
            this.sumAxis!(planes, 1, n, f, db);
          }
        } finally {
          heap.release(pt);
        }
        return;
      }
      const [pg, pa, pc] = [addr(gp), addr(argmax), addr(cols)];
      const pd = addr(dw, accumulate);
      const pt = heap.malloc(ck * f * 4);
      const ps = db ? heap.malloc(n * f * 4) : 0;
      scratch.push(pt);
      if (ps) scratch.push(ps);
      const plane = f * ho * wo * 4;
      const helper = activeHelper();
      if (helper && ck >= 4 && 2 * f * ck * n * ho * wo >= splitFlops) {
        // Two bands of rows of dWᵀ (even, so the row pairs are those of one thread).
        const size = Math.ceil(ck / 4) * 2;
        const chunks = Math.ceil(ck / size);
        const sp = heap.malloc(chunks * plane);
        scratch.push(sp);
        const I = heap.I32;
        const d = desc >> 2;
        I[d] = 24; I[d + 1] = pg; I[d + 2] = pa; I[d + 3] = pc; I[d + 4] = pt; I[d + 5] = ps; I[d + 6] = f; I[d + 7] = ck;
        I[d + 8] = n; I[d + 9] = ho; I[d + 10] = wo; I[d + 11] = zeroSkip; I[d + 12] = sp; I[d + 13] = size;
        helper.run(desc, chunks);
      } else {
        const sp = heap.malloc(plane);
        scratch.push(sp);
        w.convPoolWeightRows(pg, pa, pc, pt, ps, f, ck, n, ho, wo, zeroSkip, sp, rt.pack, 0, ck);
      }
      w.transposeInto(pt, ck, f, pd, accumulate ? 1 : 0);
      if (db && ps) {
        const pdb = addr(db, false);
        w.sumAxis(ps, 1, n, f, pdb);
        copyBack(db, pdb);
      }
      done(dw, pd);
    },
    maxPool(x, count, h, wd, k, stride, out, argmax) {
      const px = addr(x);
      const po = addr(out, false);
      const pa = addr(argmax, false);
      if (!planes(6, px, pa, po, count, h, wd, k, stride, x.length)) w.maxPool(px, count, h, wd, k, stride, po, pa);
      if (!heap.owns(argmax)) argmax.set(heap.I32.subarray(pa >> 2, (pa >> 2) + argmax.length));
      done(out, po);
    },
    maxPoolBackward(g, argmax, count, h, wd, ho, wo, dx) {
      const pg = addr(g);
      const pa = addr(argmax);
      const pd = addr(dx, false);
      if (!planes(7, pg, pa, pd, count, h, wd, ho, wo, dx.length)) w.maxPoolBackward(pg, pa, count, h, wd, ho, wo, pd);
      done(dx, pd);
    },
    avgPool(x, planes, h, wd, k, stride, out) {
      const po = addr(out, false);
      w.avgPool(addr(x), planes, h, wd, k, stride, po);
      done(out, po);
    },
    avgPoolBackward(g, planes, h, wd, k, stride, dx) {
      const pd = addr(dx, false);
      w.avgPoolBackward(addr(g), planes, h, wd, k, stride, pd);
      done(dx, pd);
    },
    unary: {
      sigmoid: unaryOut(3, w.sigmoid),
      tanh: unaryOut(5, w.tanh),
      exp: unaryOut(-1, w.exp),
      relu: unaryOut(0, w.relu),
      leakyRelu: (x, out, slope) => unaryOut(1, (px, po, n) => w.leakyRelu(px, po, n, slope), slope)(x, out),
      clamp: (x, out, lo, hi) => unaryOut(-1, (px, po, n) => w.clamp(px, po, n, lo, hi))(x, out),
    },
    unaryBackward: {
      sigmoid: backwardOut(4, w.sigmoidBackward, false),
      tanh: backwardOut(6, w.tanhBackward, true),
      relu: backwardOut(2, (px, pg, po, n) => w.leakyReluBackward(px, pg, po, n, 0), false),
      leakyRelu: (x, y, g, out, slope) => backwardOut(2, (px, pg, po, n) => w.leakyReluBackward(px, pg, po, n, slope), false, slope)(x, y, g, out),
      exp: backwardOut(-1, (py, pg, po, n) => w.binarySame(OPCODE.mul, py, pg, po, n), true),
    },
    binary: { add: binary("add"), sub: binary("sub"), mul: binary("mul"), div: binary("div") },
    sumAxis(x, outer, n, inner, out) {
      const px = addr(x);
      const po = addr(out, false);
      const helper = activeHelper();
      if (helper && outer >= 2 && x.length >= 2 * SPLIT_ELEMENTS) {
        // Independent outer slices (a conv's bias gradient: one row per filter), on both threads.
        const size = Math.ceil(outer / 8);
        const I = heap.I32;
        const d = desc >> 2;
        I[d] = 10; I[d + 1] = px; I[d + 2] = outer; I[d + 3] = n; I[d + 4] = inner; I[d + 5] = po; I[d + 6] = size;
        helper.run(desc, Math.ceil(outer / size));
      } else {
        w.sumAxis(px, outer, n, inner, po);
      }
      done(out, po);
    },
    softmax(x, outer, n, inner, out) {
      if (inner !== 1) return ref.softmax(x, outer, n, inner, out);
      const po = addr(out, false);
      w.softmaxRows(addr(x), po, outer, n, 0);
      done(out, po);
    },
    logSoftmax(x, outer, n, inner, out) {
      if (inner !== 1) return ref.logSoftmax(x, outer, n, inner, out);
      const po = addr(out, false);
      w.softmaxRows(addr(x), po, outer, n, 1);
      done(out, po);
    },
    softmaxCrossEntropy(logits, labels, rows, cols, probs) {
      const pp = addr(probs, false);
      const loss = w.softmaxCrossEntropy(addr(logits), addr(labels), rows, cols, pp);
      done(probs, pp);
      return loss;
    },
    sumSquares(x) {
      const s = w.sumSquares(addr(x), x.length);
      done();
      return s;
    },
    scale(x, alpha) {
      const px = addr(x);
      w.scale(px, x.length, alpha);
      done(x, px);
    },
    penaltyGrad(p, g, l1, l2) {
      const pg = addr(g);
      w.penaltyGrad(addr(p), pg, p.length, l1, l2);
      done(g, pg);
    },
    sgdStep(p, g, buf, h, firstStep) {
      const pp = addr(p);
      const pbuf = buf ? addr(buf) : 0;
      const pg = addr(g);
      optimizerRanges(p.length, (I, F, d, size) => {
        I[d] = 3; I[d + 1] = pp; I[d + 2] = pg; I[d + 3] = pbuf; I[d + 4] = p.length;
        F[d + 5] = h.lr; F[d + 6] = h.momentum; F[d + 7] = h.dampening; I[d + 8] = h.nesterov ? 1 : 0;
        F[d + 9] = h.weightDecay; I[d + 10] = firstStep ? 1 : 0; I[d + 12] = size;
      }, () => w.sgdStep(pp, pg, pbuf, p.length, h.lr, h.momentum, h.dampening, h.nesterov ? 1 : 0, h.weightDecay, firstStep ? 1 : 0));
      if (buf) copyBack(buf, pbuf);
      done(p, pp);
    },
    adamStep(p, g, m, v, h) {
      const pp = addr(p);
      const pm = addr(m);
      const pv = addr(v);
      const stepSize = h.lr / (1 - Math.pow(h.beta1, h.step));
      const bc2Sqrt = Math.sqrt(1 - Math.pow(h.beta2, h.step));
      const pg = addr(g);
      optimizerRanges(p.length, (I, F, d, size) => {
        I[d] = 25; I[d + 1] = pp; I[d + 2] = pg; I[d + 3] = pm; I[d + 4] = pv; I[d + 5] = p.length;
        F[d + 6] = h.lr; F[d + 7] = h.beta1; F[d + 8] = h.beta2; F[d + 9] = h.eps; F[d + 10] = h.weightDecay; I[d + 11] = h.decoupled ? 1 : 0;
        F[d + 12] = stepSize; F[d + 13] = bc2Sqrt; I[d + 14] = size;
      }, () => w.adamStep(pp, pg, pm, pv, p.length, h.lr, h.beta1, h.beta2, h.eps, h.weightDecay, h.decoupled ? 1 : 0, stepSize, bc2Sqrt));
      copyBack(m, pm);
      copyBack(v, pv);
      done(p, pp);
    },
    // One recurrent step (assembly/recurrent.ts); absent arrays are address 0.
    recurrentForward(mode, n, h, xw, hw, bhh, hPrev, cPrev, acts, hOut, cOut) {
      const [pa, pc, ph] = [acts ? addr(acts, false) : 0, cOut ? addr(cOut, false) : 0, addr(hOut, false)];
      w.recurrentForward(CELL[mode], n, h, addr(xw), addr(hw), bhh ? addr(bhh) : 0, addr(hPrev), cPrev ? addr(cPrev) : 0, pa, ph, pc);
      if (acts) copyBack(acts, pa);
      if (cOut) copyBack(cOut, pc);
      done(hOut, ph);
    },
    recurrentBackward(mode, n, h, acts, hPrev, cPrev, cCur, hCur, dy, dyStride, dh, dc, dgx, dgh, dhPrev) {
      const [pc, pgx, pgh, pdh] = [dc ? addr(dc) : 0, addr(dgx, false), dgh ? addr(dgh, false) : 0, dhPrev ? addr(dhPrev, false) : 0];
      w.recurrentBackward(
        CELL[mode], n, h, acts ? addr(acts) : 0, addr(hPrev), cPrev ? addr(cPrev) : 0, cCur ? addr(cCur) : 0, addr(hCur),
        addr(dy), dyStride, addr(dh), pc, pgx, pgh, pdh,
      );
      if (dc) copyBack(dc, pc);
      if (dgh) copyBack(dgh, pgh);
      if (dhPrev) copyBack(dhPrev, pdh);
      done(dgx, pgx);
    },
  } satisfies FastKernels;
}
