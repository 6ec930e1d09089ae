// Work split into chunks that either thread can claim (see src/kernels/wasm/threads.ts). A job
// descriptor in memory says what to run; runChunk(desc, c) runs chunk c of it. Chunks of a gemm
// are bands of rows or columns of C; each element is computed exactly as in a one-thread call.
import { gemmNN, gemmNT } from "./gemm";
import { linearRows } from "./infer";
import { adamStep, sgdStep } from "./optim";
import { im2col, col2im, maxPool, maxPoolBackward, swapAxesRange } from "./conv";
import { sigmoid, sigmoidBackward, tanh, tanhBackward, leakyRelu, leakyReluBackward, relu } from "./elementwise";
import { sumAxis } from "./reduce";
import { convProduct, convWeightRows } from "./conv-products";
import { convPoolImages, convPoolWeightRows } from "./conv-pool";
import { packScratch } from "./gemm";
import { wgData, wgDataAdjoint, wgGradTiles, wgOutput, wgFilters, wgWeights, gemmBatch, gemmBatchBackward, padPlanes, cropPlanes } from "./winograd";

// Descriptor: i32 slots.
// @ts-ignore: decorator
@inline const OP = 0;
// 1 = gemmNN, 2 = gemmNT; then pa pb pc m k n transA mode lda ldb ldc axis (0 rows, 1 columns) chunk
// lr wd (f32, for mode 2: the fused SGD update) skip (zero-skipping, see sparse.ts).

export function runChunk(desc: usize, c: i32): void {
  const op = load<i32>(desc, OP);
  if (op == 3) return sgdChunk(desc, c);
  if (op == 4 || op == 5) return convChunk(op, desc, c);
  if (op == 9) return elementwiseChunk(desc, c);
  if (op == 10) return sumAxisChunk(desc, c);
  if (op == 11) return winogradChunk(desc, c);
  if (op == 20) return linearChunk(desc, c);
  if (op == 21 || op == 22) return convProductChunk(op, desc, c);
  if (op == 23 || op == 24) return convPoolChunk(op, desc, c);
  if (op == 25) return adamChunk(desc, c);
  if (op == 26) return backwardProductsChunk(desc, c);
  if (op >= 6) return planeChunk(op, desc, c);
  const pa = load<usize>(desc, 4), pb = load<usize>(desc, 8), pc = load<usize>(desc, 12);
  const m = load<i32>(desc, 16), k = load<i32>(desc, 20), n = load<i32>(desc, 24);
  const transA = load<i32>(desc, 28), acc = load<i32>(desc, 32);
  const lda = load<i32>(desc, 36), ldb = load<i32>(desc, 40), ldc = load<i32>(desc, 44);
  const axis = load<i32>(desc, 48), size = load<i32>(desc, 52);
  const lr = load<f32>(desc, 56), wd = load<f32>(desc, 60), skip = load<i32>(desc, 64);
  const start = c * size;
  const count = min(size, (axis == 0 ? m : n) - start);
  if (count <= 0) return;
  if (axis == 0) {
    const a = op == 1 && transA ? pa + (<usize>start << 2) : pa + (<usize>(start * lda) << 2);
    const cc = pc + (<usize>(start * ldc) << 2);
    if (op == 1) gemmNN(a, pb, cc, count, k, n, transA, acc, lda, ldb, ldc, lr, wd, skip);
    else gemmNT(a, pb, cc, count, k, n, acc, lda, ldb, ldc, skip);
  } else {
    const b = op == 1 ? pb + (<usize>start << 2) : pb + (<usize>(start * ldb) << 2);
    const cc = pc + (<usize>start << 2);
    if (op == 1) gemmNN(pa, b, cc, m, k, count, transA, acc, lda, ldb, ldc, lr, wd, skip);
    else gemmNT(pa, b, cc, m, k, count, acc, lda, ldb, ldc, skip);
  }
}

// SGD over a range: 3 p g buf n lr momentum dampening nesterov wd first size (floats as f32).
function sgdChunk(desc: usize, c: i32): void {
  const size = load<i32>(desc, 48);
  const start = c * size;
  const count = min(size, load<i32>(desc, 16) - start);
  if (count <= 0) return;
  const off = <usize>start << 2;
  const buf = load<usize>(desc, 12);
  sgdStep(load<usize>(desc, 4) + off, load<usize>(desc, 8) + off, buf ? buf + off : 0, count,
    load<f32>(desc, 20), load<f32>(desc, 24), load<f32>(desc, 28), load<i32>(desc, 32), load<f32>(desc, 36), load<i32>(desc, 40));
}

// im2col (4) / col2im (5) over a range of images: op src n c h w kh kw stride pad dst imagesPerChunk.
function convChunk(op: i32, desc: usize, c: i32): void {
  const n = load<i32>(desc, 8), size = load<i32>(desc, 44);
  const i0 = c * size, i1 = min(n, i0 + size);
  if (i1 <= i0) return;
  const src = load<usize>(desc, 4), dst = load<usize>(desc, 40);
  const ch = load<i32>(desc, 12), h = load<i32>(desc, 16), w = load<i32>(desc, 20);
  const kh = load<i32>(desc, 24), kw = load<i32>(desc, 28), stride = load<i32>(desc, 32), pad = load<i32>(desc, 36);
  if (op == 4) im2col(src, n, ch, h, w, kh, kw, stride, pad, dst, i0, i1);
  else col2im(src, n, ch, h, w, kh, kw, stride, pad, dst, i0, i1);
}

// Ranges of planes (pooling) or of rows (swapAxes), each plane's work unchanged:
// op x aux y count h w k|ho|b stride|wo|l size — x/y the input/output, aux the argmax indices.
// maxPool (6): x [count, h, w] → y [count, ho, wo], aux the window indices within each plane.
// maxPoolBackward (7): x the output gradient, y the input gradient [count, h, w].
// swapAxes (8): x [count, b, l] → y [b, count, l], plus aux[i] on row i when aux ≠ 0.
function planeChunk(op: i32, desc: usize, c: i32): void {
  const count = load<i32>(desc, 16), size = load<i32>(desc, 40);
  const i0 = c * size, i1 = min(count, i0 + size);
  if (i1 <= i0) return;
  const x = load<usize>(desc, 4), aux = load<usize>(desc, 8), y = load<usize>(desc, 12);
  const h = load<i32>(desc, 20), w = load<i32>(desc, 24), p7 = load<i32>(desc, 28), p8 = load<i32>(desc, 32);
  if (op == 8) return swapAxesRange(x, count, p7, p8, y, aux, i0, i1);
  if (op == 6) {
    const at = <usize>(i0 * ((h - p7) / p8 + 1) * ((w - p7) / p8 + 1)) << 2;
    maxPool(x + (<usize>(i0 * h * w) << 2), i1 - i0, h, w, p7, p8, y + at, aux + at);
  } else {
    const at = <usize>(i0 * p7 * p8) << 2;
    maxPoolBackward(x + at, aux + at, i1 - i0, h, w, p7, p8, y + (<usize>(i0 * h * w) << 2));
  }
}

// An activation or its gradient over a range of whole SIMD groups (every element is computed as
// on one thread; only the array's last chunk has a scalar tail, as on one thread):
// 9 kind x g out n slope size. kind: 0 relu, 1 leakyRelu, 2 leakyReluBackward (relu's with slope
// 0), 3 sigmoid, 4 sigmoidBackward, 5 tanh, 6 tanhBackward (x holds y).
function elementwiseChunk(desc: usize, c: i32): void {
  const size = load<i32>(desc, 28);
  const start = c * size;
  const count = min(size, load<i32>(desc, 20) - start);
  if (count <= 0) return;
  const off = <usize>start << 2;
  const kind = load<i32>(desc, 4);
  const x = load<usize>(desc, 8) + off, g = load<usize>(desc, 12) + off, out = load<usize>(desc, 16) + off;
  const slope = load<f32>(desc, 24);
  if (kind == 0) relu(x, out, count);
  else if (kind == 1) leakyRelu(x, out, count, slope);
  else if (kind == 2) leakyReluBackward(x, g, out, count, slope);
  else if (kind == 3) sigmoid(x, out, count);
  else if (kind == 4) sigmoidBackward(x, g, out, count);
  else if (kind == 5) tanh(x, out, count);
  else tanhBackward(x, g, out, count);
}

// sumAxis over a range of its independent outer slices: 10 x outer n inner out size.
function sumAxisChunk(desc: usize, c: i32): void {
  const size = load<i32>(desc, 24);
  const o0 = c * size, o1 = min(load<i32>(desc, 8), o0 + size);
  if (o1 <= o0) return;
  const n = load<i32>(desc, 12), inner = load<i32>(desc, 16);
  sumAxis(load<usize>(desc, 4) + (<usize>(o0 * n * inner) << 2), o1 - o0, n, inner, load<usize>(desc, 20) + (<usize>(o0 * inner) << 2));
}

// A Winograd piece (assembly/winograd.ts) over a range of its independent items — channels,
// filters, filter/channel pairs (in multiples of 4) or transform points; each item is computed
// exactly as on one thread: 11 kind a0 … a9 total size, the arguments in the piece's own order
// before its range.
function winogradChunk(desc: usize, c: i32): void {
  const size = load<i32>(desc, 52);
  const r0 = c * size, r1 = min(load<i32>(desc, 48), r0 + size);
  if (r1 <= r0) return;
  const kind = load<i32>(desc, 4);
  const a0 = load<i32>(desc, 8), a1 = load<i32>(desc, 12), a2 = load<i32>(desc, 16), a3 = load<i32>(desc, 20), a4 = load<i32>(desc, 24);
  const a5 = load<i32>(desc, 28), a6 = load<i32>(desc, 32), a7 = load<i32>(desc, 36), a8 = load<i32>(desc, 40), a9 = load<i32>(desc, 44);
  if (kind == 0) wgData(a0, a1, a2, a3, a4, a5, a6, r0, r1);
  else if (kind == 1) wgDataAdjoint(a0, a1, a2, a3, a4, a5, a6, r0, r1);
  else if (kind == 2) wgGradTiles(a0, a1, a2, a3, a4, a5, a6, r0, r1);
  else if (kind == 3) wgOutput(a0, a1, a2, a3, a4, a5, a6, a7, r0, r1);
  else if (kind == 4) wgFilters(a0, a1, a2, a3, a4, a5, r0, r1);
  else if (kind == 5) wgWeights(a0, a1, a2, a3, a4, a5, r0, r1);
  else if (kind == 6) gemmBatch(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, r0, r1);
  else if (kind == 7) padPlanes(a0, a1, a2, a3, a4, a5, a6, a7, r0, r1);
  else cropPlanes(a0, a1, a2, a3, a4, a5, a6, a7, r0, r1);
}

// A Linear layer's inference (assembly/infer.ts) over a band of rows of the batch:
// 20 x w bias y m k n act slope skip size.
function linearChunk(desc: usize, c: i32): void {
  const m = load<i32>(desc, 20), size = load<i32>(desc, 44);
  const r0 = c * size, r1 = min(m, r0 + size);
  if (r1 <= r0) return;
  linearRows(load<usize>(desc, 4), load<usize>(desc, 8), load<usize>(desc, 12), load<usize>(desc, 16), load<i32>(desc, 24), load<i32>(desc, 28),
    load<i32>(desc, 32), load<f32>(desc, 36), load<i32>(desc, 40), r0, r1);
}

// A convolution's products (assembly/conv-products.ts) over a range of images (21: the forward) or
// of rows of the transposed weight gradient (22): op cols w|gy y|t f ck n hw bias skip size.
function convProductChunk(op: i32, desc: usize, c: i32): void {
  const size = load<i32>(desc, 40);
  const total = op == 21 ? load<i32>(desc, 24) : load<i32>(desc, 20);
  const r0 = c * size, r1 = min(total, r0 + size);
  if (r1 <= r0) return;
  const cols = load<usize>(desc, 4), x = load<usize>(desc, 8), y = load<usize>(desc, 12);
  const f = load<i32>(desc, 16), ck = load<i32>(desc, 20), n = load<i32>(desc, 24), hw = load<i32>(desc, 28);
  const bias = load<usize>(desc, 32), skip = load<i32>(desc, 36);
  if (op == 21) convProduct(x, cols, y, f, ck, n, hw, bias, skip, r0, r1);
  else convWeightRows(cols, x, y, f, ck, n, hw, skip, r0, r1);
}

// A convolution and its 2×2 max pooling (assembly/conv-pool.ts) over a range of images (23: the
// forward) or of rows of the transposed weight gradient (24); each chunk has its own scratch of
// f·ho·wo floats at scratch + chunk·f·ho·wo·4.
// 23: w cols out argmax f ck n ho wo bias skip scratch size
// 24: gp argmax cols t sums f ck n ho wo skip scratch size (sums only by the last chunk, the smaller)
function convPoolChunk(op: i32, desc: usize, c: i32): void {
  if (op == 23) {
    const size = load<i32>(desc, 52), n = load<i32>(desc, 28);
    const i0 = c * size, i1 = min(n, i0 + size);
    if (i1 <= i0) return;
    const f = load<i32>(desc, 20), ho = load<i32>(desc, 32), wo = load<i32>(desc, 36);
    convPoolImages(load<usize>(desc, 4), load<usize>(desc, 8), load<usize>(desc, 12), load<usize>(desc, 16), f, load<i32>(desc, 24), n, ho, wo,
      load<usize>(desc, 40), load<i32>(desc, 44), load<usize>(desc, 48) + (<usize>(c * f * ho * wo) << 2), i0, i1);
    return;
  }
  const size = load<i32>(desc, 52), ck = load<i32>(desc, 28);
  const r0 = c * size, r1 = min(ck, r0 + size);
  if (r1 <= r0) return;
  const f = load<i32>(desc, 24), ho = load<i32>(desc, 36), wo = load<i32>(desc, 40);
  convPoolWeightRows(load<usize>(desc, 4), load<usize>(desc, 8), load<usize>(desc, 12), load<usize>(desc, 16), r1 == ck ? load<usize>(desc, 20) : 0,
    f, ck, load<i32>(desc, 32), ho, wo, load<i32>(desc, 44), load<usize>(desc, 48) + (<usize>(c * f * ho * wo) << 2), packScratch(), r0, r1);
}

// Adam over a range of whole SIMD groups (each element computed as on one thread):
// 25 p g m v n lr beta1 beta2 eps wd decoupled stepSize bc2Sqrt size (floats as f32).
function adamChunk(desc: usize, c: i32): void {
  const size = load<i32>(desc, 56);
  const start = c * size;
  const count = min(size, load<i32>(desc, 20) - start);
  if (count <= 0) return;
  const off = <usize>start << 2;
  adamStep(load<usize>(desc, 4) + off, load<usize>(desc, 8) + off, load<usize>(desc, 12) + off, load<usize>(desc, 16) + off, count,
    load<f32>(desc, 24), load<f32>(desc, 28), load<f32>(desc, 32), load<f32>(desc, 36), load<f32>(desc, 40), load<i32>(desc, 44),
    load<f32>(desc, 48), load<f32>(desc, 52));
}

// The Winograd backward's two products over a range of points (assembly/winograd.ts):
// 26 plain sf g sy dp sp patches wp f c tiles size.
function backwardProductsChunk(desc: usize, c: i32): void {
  const size = load<i32>(desc, 48);
  const i0 = c * size, i1 = min(64, i0 + size);
  if (i1 <= i0) return;
  gemmBatchBackward(load<usize>(desc, 4), load<i32>(desc, 8), load<usize>(desc, 12), load<i32>(desc, 16), load<usize>(desc, 20), load<i32>(desc, 24),
    load<usize>(desc, 28), load<usize>(desc, 32), load<i32>(desc, 36), load<i32>(desc, 40), load<i32>(desc, 44), i0, i1);
}
