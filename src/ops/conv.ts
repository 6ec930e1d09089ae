/**
 * Convolution and pooling over [N, C, H, W]. A convolution unfolds each image into columns
 * (im2col) and multiplies by the filters as one matrix product per image and group; its
 * gradients are the transposed products and the fold back (col2im). 5×5 stride-1 convolutions
 * with enough channels go by Winograd instead (conv-winograd.ts).
 */
import { allocate, fromOp, Tensor } from "../tensor.js";
import { allocInt32 } from "../memory.js";
import { kernelsFor } from "../kernels/index.js";
import { fmt } from "../shape.js";
import { ShapeError } from "../errors.js";
import { SUNK, isGradEnabled } from "../autograd.js";
import { biasGradient, conv2dWinograd, winogradFloatsPerImage, winogradFor } from "./conv-winograd.js";
import type { FloatArray } from "../kernels/types.js";

export interface Conv2dOptions {
  stride?: number;
  padding?: number;
  groups?: number;
}

const outSize = (n: number, k: number, stride: number, pad: number) => Math.floor((n + 2 * pad - k) / stride) + 1;

/**
 * Fewest output positions per image for which the products go image by image (convProduct,
 * convWeightGradient, conv2dMaxPool) rather than as one whole-batch product and a transposed
 * copy: below it the per-image products are too narrow to pay (a 4×4 map is 16 columns).
 */
const PER_IMAGE_POSITIONS = 64;

/** Largest im2col buffer (floats) an inference pass builds at once: 4 Mi floats = 16 MiB. */
const EVAL_COLS = 1 << 22;

/**
 * 2-D cross-correlation, as torch.nn.functional.conv2d. x: [N, C, H, W], weight: [F, C/groups,
 * kh, kw], bias: [F] → [N, F, Ho, Wo] with Ho = ⌊(H + 2·padding − kh)/stride⌋ + 1.
 */
export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, opts: Conv2dOptions = {}): Tensor {
  const stride = opts.stride ?? 1;
  const pad = opts.padding ?? 0;
  const groups = opts.groups ?? 1;
  if (x.rank !== 4 || weight.rank !== 4) {
    throw new ShapeError(`conv2d: expected input [N, C, H, W] and weight [F, C/groups, kh, kw], got ${fmt(x.shape)} and ${fmt(weight.shape)}`);
  }
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const [f, cg, kh, kw] = weight.shape as [number, number, number, number];
  if (c !== cg * groups || f % groups !== 0) {
    throw new ShapeError(`conv2d: input has ${c} channels; weight ${fmt(weight.shape)} with ${groups} group(s) expects ${cg * groups} (and filters divisible by groups)`);
  }
  if (bias && (bias.rank !== 1 || bias.size !== f)) throw new ShapeError(`conv2d: bias ${fmt(bias.shape)} does not fit ${f} filters`);
  const ho = outSize(h, kh, stride, pad);
  const wo = outSize(w, kw, stride, pad);
  if (ho < 1 || wo < 1) {
    throw new ShapeError(`conv2d: a ${kh}×${kw} kernel (stride ${stride}, padding ${pad}) does not fit a ${h}×${w} input`);
  }
  const k = kernelsFor(x.data);
  const fg = f / groups;
  const ck = cg * kh * kw; // rows of one group's columns
  const hw = ho * wo;
  const chw = c * h * w;
  const nhw = n * hw;
  const recording = isGradEnabled() && (x.requiresGrad || weight.requiresGrad || (bias?.requiresGrad ?? false));
  const wg = winogradFor(k, c, kh, kw, stride, groups, ho, wo);
  const perImage = wg ? winogradFloatsPerImage(c, f, ho, wo) : c * kh * kw * hw;
  if (!recording && n > 1 && n * perImage > EVAL_COLS) {
    // Inference on a large batch: convolve it in slices, so the buffers stay a few MiB.
    const per = Math.max(1, Math.floor(EVAL_COLS / perImage));
    const y = allocate(x.dtype, n * f * hw);
    for (let i0 = 0; i0 < n; i0 += per) {
      const i1 = Math.min(n, i0 + per);
      const part = conv2d(new Tensor(x.data.subarray(i0 * chw, i1 * chw), [i1 - i0, c, h, w]), weight, bias, opts);
      y.set(part.data, i0 * f * hw);
    }
    return new Tensor(y, [n, f, ho, wo]);
  }
  if (wg) return conv2dWinograd(wg, x, weight, bias, pad, recording);
  // The whole batch's columns side by side: [C·kh·kw, N·Ho·Wo] (image i in columns i·HoWo…), so
  // each direction is one large product per group rather than one small one per image. They
  // are kept for the weight gradient.
  const cols = allocate(x.dtype, c * kh * kw * nhw);
  k.im2col(x.data, n, c, h, w, kh, kw, stride, pad, cols);
  const y = allocate(x.dtype, n * f * hw);
  const byImage = groups === 1 && hw >= PER_IMAGE_POSITIONS;
  if (byImage) {
    // y [N, F, HoWo] = W·cols image by image, the bias added on (no transposed copy).
    k.convProduct(weight.data, cols, y, f, ck, n, hw, bias?.data ?? null);
  } else {
    // yT [F, N·HoWo] = W·cols per group, then swapped to [N, F, HoWo] with the bias added on the way.
    const yT = allocate(x.dtype, f * nhw);
    for (let g = 0; g < groups; g++) {
      k.gemm(
        weight.data.subarray(g * fg * ck, (g + 1) * fg * ck), cols.subarray(g * ck * nhw, (g + 1) * ck * nhw),
        yT.subarray(g * fg * nhw, (g + 1) * fg * nhw), fg, ck, nhw, false, false, false,
      );
    }
    k.swapAxes(yT, f, n, hw, y, bias?.data ?? null);
  }
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return fromOp("conv2d", y, [n, f, ho, wo], inputs, (gy, sinks) => {
    const kk = kernelsFor(gy.data);
    // gT [F, N·HoWo]: the gradient in the columns' order, for the input gradient and groups.
    let gT: FloatArray | null = null;
    if (x.requiresGrad || !byImage) {
      gT = allocate(gy.dtype, f * nhw);
      kk.swapAxes(gy.data, n, f, hw, gT);
    }
    let dx: Tensor | null = null;
    if (x.requiresGrad) {
      // dcols = Wᵀ·gT per group, then each image's block folded back onto it.
      const dcol = allocate(x.dtype, c * kh * kw * nhw);
      for (let g = 0; g < groups; g++) {
        kk.gemm(
          weight.data.subarray(g * fg * ck, (g + 1) * fg * ck), gT!.subarray(g * fg * nhw, (g + 1) * fg * nhw),
          dcol.subarray(g * ck * nhw, (g + 1) * ck * nhw), ck, fg, nhw, true, false, false,
        );
      }
      const dxd = allocate(x.dtype, x.size);
      kk.col2im(dcol, n, c, h, w, kh, kw, stride, pad, dxd);
      dx = new Tensor(dxd, x.shape);
    }
    let dW: Tensor | typeof SUNK | null = null;
    if (weight.requiresGrad) {
      // dW = gT·colsᵀ per group (the reduction runs over every image and position at once),
      // written straight into the gradient buffer when one is offered.
      const sink = sinks?.[1];
      const dwd = sink ? sink.data : allocate(weight.dtype, weight.size);
      if (byImage) kk.convWeightGradient(gy.data, cols, dwd, f, ck, n, hw, sink?.accumulate ?? false);
      else {
        for (let g = 0; g < groups; g++) {
          kk.gemm(
            gT!.subarray(g * fg * nhw, (g + 1) * fg * nhw), cols.subarray(g * ck * nhw, (g + 1) * ck * nhw),
            dwd.subarray(g * fg * ck, (g + 1) * fg * ck), fg, nhw, ck, false, true, sink?.accumulate ?? false,
          );
        }
      }
      dW = sink ? SUNK : new Tensor(dwd, weight.shape);
    }
    let db: Tensor | null = null;
    if (bias?.requiresGrad) db = biasGradient(gy, n, f, hw, bias);
    return [dx, dW, db];
  });
}

/**
 * conv2d then 2×2 max pooling (stride 2) in one op: the convolution's output [N, F, Ho, Wo] is
 * made image by image in a scratch buffer and pooled at once, and in backward the pooling's
 * gradient is made image by image for the weight gradient (kernels' convPool,
 * convPoolWeightGradient) — neither goes to memory. Each value as conv2d then maxPool2d give it.
 * For the im2col path only (no Winograd, one group), an input that needs no gradient (a
 * network's first layer) and an even output; null otherwise: run the two ops.
 */
export function conv2dMaxPool(x: Tensor, weight: Tensor, bias: Tensor | null, opts: Conv2dOptions = {}): Tensor | null {
  const stride = opts.stride ?? 1;
  const pad = opts.padding ?? 0;
  if ((opts.groups ?? 1) !== 1 || x.rank !== 4 || weight.rank !== 4 || x.requiresGrad) return null;
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const [f, cg, kh, kw] = weight.shape as [number, number, number, number];
  if (c !== cg || (bias && bias.size !== f)) return null;
  const ho = outSize(h, kh, stride, pad);
  const wo = outSize(w, kw, stride, pad);
  if (ho % 2 !== 0 || wo % 2 !== 0 || ho * wo < PER_IMAGE_POSITIONS) return null;
  const k = kernelsFor(x.data);
  if (winogradFor(k, c, kh, kw, stride, 1, ho, wo)) return null;
  const recording = isGradEnabled() && (weight.requiresGrad || (bias?.requiresGrad ?? false));
  const ck = c * kh * kw, hw = ho * wo, chw = c * h * w, pooledPlane = (ho / 2) * (wo / 2);
  if (!recording && n > 1 && n * ck * hw > EVAL_COLS) {
    // Inference on a large batch: in slices, so the columns stay a few MiB (as conv2d).
    const per = Math.max(1, Math.floor(EVAL_COLS / (ck * hw)));
    const y = allocate(x.dtype, n * f * pooledPlane);
    for (let i0 = 0; i0 < n; i0 += per) {
      const i1 = Math.min(n, i0 + per);
      const part = conv2dMaxPool(new Tensor(x.data.subarray(i0 * chw, i1 * chw), [i1 - i0, c, h, w]), weight, bias, opts)!;
      y.set(part.data, i0 * f * pooledPlane);
    }
    return new Tensor(y, [n, f, ho / 2, wo / 2]);
  }
  const cols = allocate(x.dtype, ck * n * hw);
  k.im2col(x.data, n, c, h, w, kh, kw, stride, pad, cols);
  const pooled = allocate(x.dtype, n * f * pooledPlane);
  const argmax = allocInt32(n * f * pooledPlane);
  k.convPool(weight.data, cols, pooled, argmax, f, ck, n, ho, wo, bias?.data ?? null);
  const shape = [n, f, ho / 2, wo / 2];
  if (!recording) return new Tensor(pooled, shape);
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return fromOp("conv2dMaxPool", pooled, shape, inputs, (gp, sinks) => {
    const kk = kernelsFor(gp.data);
    const sink = sinks?.[1];
    const dwd = weight.requiresGrad ? (sink ? sink.data : allocate(weight.dtype, weight.size)) : allocate(weight.dtype, weight.size);
    const dbd = bias?.requiresGrad ? allocate(bias.dtype, f) : null;
    kk.convPoolWeightGradient(gp.data, argmax, cols, dwd, dbd, f, ck, n, ho, wo, sink?.accumulate ?? false);
    const dW = !weight.requiresGrad ? null : sink ? SUNK : new Tensor(dwd, weight.shape);
    return [null, dW, dbd ? new Tensor(dbd, bias!.shape) : null];
  });
}

function poolShape(x: Tensor, k: number, stride: number, op: string): [number, number, number, number, number, number] {
  if (x.rank !== 4) throw new ShapeError(`${op}: expected [N, C, H, W], got ${fmt(x.shape)}`);
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const ho = outSize(h, k, stride, 0);
  const wo = outSize(w, k, stride, 0);
  if (ho < 1 || wo < 1) throw new ShapeError(`${op}: a ${k}×${k} window does not fit a ${h}×${w} input`);
  return [n, c, h, w, ho, wo];
}

/** Max pooling with a k×k window (stride k by default), as torch.nn.functional.max_pool2d. */
export function maxPool2d(x: Tensor, kernel: number, stride = kernel): Tensor {
  const [n, c, h, w, ho, wo] = poolShape(x, kernel, stride, "maxPool2d");
  const out = allocate(x.dtype, n * c * ho * wo);
  const arg = allocInt32(n * c * ho * wo);
  kernelsFor(x.data).maxPool(x.data, n * c, h, w, kernel, stride, out, arg);
  return fromOp("maxPool2d", out, [n, c, ho, wo], [x], (g) => {
    const dx = allocate(x.dtype, x.size);
    kernelsFor(g.data).maxPoolBackward(g.data, arg, n * c, h, w, ho, wo, dx);
    return [new Tensor(dx, x.shape)];
  });
}

/** Average pooling with a k×k window (stride k by default). */
export function avgPool2d(x: Tensor, kernel: number, stride = kernel): Tensor {
  const [n, c, h, w, ho, wo] = poolShape(x, kernel, stride, "avgPool2d");
  const out = allocate(x.dtype, n * c * ho * wo);
  kernelsFor(x.data).avgPool(x.data, n * c, h, w, kernel, stride, out);
  return fromOp("avgPool2d", out, [n, c, ho, wo], [x], (g) => {
    const dx = allocate(x.dtype, x.size);
    kernelsFor(g.data).avgPoolBackward(g.data, n * c, h, w, kernel, stride, dx);
    return [new Tensor(dx, x.shape)];
  });
}
