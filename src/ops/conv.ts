/**
 * Convolution and pooling over [N, C, H, W]. A convolution unfolds each image into columns
 * (im2col) and multiplies by the filters as one matrix product per image and group; its
 * gradients are the transposed products and the fold back (col2im).
 */
import { allocate, fromOp, Tensor } from "../tensor.js";
import { kernelsFor } from "../kernels/index.js";
import { fmt } from "../shape.js";
import { ShapeError } from "../errors.js";
import { SUNK, isGradEnabled } from "../autograd.js";

export interface Conv2dOptions {
  stride?: number;
  padding?: number;
  groups?: number;
}

const outSize = (n: number, k: number, stride: number, pad: number) => Math.floor((n + 2 * pad - k) / stride) + 1;

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
  // The unfolded images are kept for the weight gradient: [N, C·kh·kw, Ho·Wo] — unless no
  // gradient will be asked for (evaluation), when one image's worth is reused.
  const keep = isGradEnabled() && (x.requiresGrad || weight.requiresGrad || (bias?.requiresGrad ?? false));
  const colSize = c * kh * kw * hw;
  const cols = allocate(x.dtype, keep ? n * colSize : colSize);
  const y = allocate(x.dtype, n * f * hw);
  for (let i = 0; i < n; i++) {
    const col = keep ? cols.subarray(i * colSize, (i + 1) * colSize) : cols;
    k.im2col(x.data.subarray(i * chw, (i + 1) * chw), c, h, w, kh, kw, stride, pad, col);
    const yi = y.subarray(i * f * hw, (i + 1) * f * hw);
    if (bias) for (let o = 0; o < f; o++) yi.fill(bias.data[o]!, o * hw, (o + 1) * hw);
    for (let g = 0; g < groups; g++) {
      k.gemm(
        weight.data.subarray(g * fg * ck, (g + 1) * fg * ck), col.subarray(g * ck * hw, (g + 1) * ck * hw),
        yi.subarray(g * fg * hw, (g + 1) * fg * hw), fg, ck, hw, false, false, bias !== null,
      );
    }
  }
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return fromOp("conv2d", y, [n, f, ho, wo], inputs, (gy, sinks) => {
    const kk = kernelsFor(gy.data);
    const gd = gy.data;
    let dx: Tensor | null = null;
    if (x.requiresGrad) {
      const dxd = allocate(x.dtype, x.size);
      dxd.fill(0);
      const dcol = allocate(x.dtype, c * kh * kw * hw);
      for (let i = 0; i < n; i++) {
        // dcols = Wᵀ·dY per group, then folded back onto the image.
        for (let g = 0; g < groups; g++) {
          kk.gemm(
            weight.data.subarray(g * fg * ck, (g + 1) * fg * ck), gd.subarray((i * f + g * fg) * hw, (i * f + (g + 1) * fg) * hw),
            dcol.subarray(g * ck * hw, (g + 1) * ck * hw), ck, fg, hw, true, false, false,
          );
        }
        kk.col2im(dcol, c, h, w, kh, kw, stride, pad, dxd.subarray(i * chw, (i + 1) * chw));
      }
      dx = new Tensor(dxd, x.shape);
    }
    let dW: Tensor | typeof SUNK | null = null;
    if (weight.requiresGrad) {
      // dW = Σ_images dY·colsᵀ (per group), accumulated straight into the gradient buffer if offered.
      const sink = sinks?.[1];
      const dwd = sink ? sink.data : allocate(weight.dtype, weight.size);
      for (let i = 0; i < n; i++) {
        for (let g = 0; g < groups; g++) {
          kk.gemm(
            gd.subarray((i * f + g * fg) * hw, (i * f + (g + 1) * fg) * hw), cols.subarray((i * c * kh * kw + g * ck) * hw, (i * c * kh * kw + (g + 1) * ck) * hw),
            dwd.subarray(g * fg * ck, (g + 1) * fg * ck), fg, hw, ck, false, true, i > 0 || (sink?.accumulate ?? false),
          );
        }
      }
      if (n === 0 && !sink?.accumulate) dwd.fill(0);
      dW = sink ? SUNK : new Tensor(dwd, weight.shape);
    }
    let db: Tensor | null = null;
    if (bias?.requiresGrad) {
      // db[f] = Σ over images and positions of dY[·, f, ·].
      const per = allocate(gy.dtype, n * f);
      kk.sumAxis(gd, n * f, hw, 1, per);
      const dbd = allocate(bias.dtype, f);
      kk.sumAxis(per, 1, n, f, dbd);
      db = new Tensor(dbd, bias.shape);
    }
    return [dx, dW, db];
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
  const arg = new Int32Array(n * c * ho * wo);
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
