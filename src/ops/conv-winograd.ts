/**
 * 5×5 stride-1 convolutions by Winograd F(4×4, 5×5) (assembly/winograd.ts): per channel, 64
 * multiplies for a 4×4 output tile instead of 400. The forward pass, the input gradient (its
 * adjoint: the same tiles, run backwards) and the weight gradient (the output-gradient tiles as
 * 4×4 filters over the same input patches, whose transform the forward pass keeps) are each 64
 * independent matrix products between transforms.
 *
 * Float32 only, and only where it pays: the transforms cost about as much as a product with a
 * handful of channels, so conv2d keeps im2col for few input channels (conv1 on MNIST).
 */
import { allocate, fromOp, Tensor } from "../tensor.js";
import type { FloatArray, Kernels, WinogradKernels } from "../kernels/types.js";
import { SUNK } from "../autograd.js";
import { kernelsFor } from "../kernels/index.js";

/** "auto" takes Winograd where it fits; "im2col" never (for comparisons and tests). */
export const CONV_ALGORITHMS = ["auto", "im2col", "winograd"] as const;
export type ConvAlgorithm = (typeof CONV_ALGORITHMS)[number];
let algorithm: ConvAlgorithm = "auto";

/** Chooses how 5×5 stride-1 convolutions run (a global switch, like the backend). */
export function setConvAlgorithm(a: ConvAlgorithm): void {
  algorithm = a;
}

export function getConvAlgorithm(): ConvAlgorithm {
  return algorithm;
}

/** Fewest input channels for which "auto" picks Winograd. */
const MIN_CHANNELS = 8;

/** An output side rounded up to whole 4×4 tiles. */
const tiled = (side: number) => Math.ceil(side / 4) * 4;

/**
 * The Winograd kernels when this convolution can use them: 5×5, stride 1, one group, float32 on
 * a backend that has them; under "auto" also enough channels, and an output that whole tiles
 * cover with at most twice its area (a 14×14 output is computed as 16×16 and cropped).
 */
export function winogradFor(k: Kernels, c: number, kh: number, kw: number, stride: number, groups: number, ho: number, wo: number): WinogradKernels | null {
  if (!k.winograd || algorithm === "im2col") return null;
  if (kh !== 5 || kw !== 5 || stride !== 1 || groups !== 1) return null;
  if (algorithm === "auto" && (c < MIN_CHANNELS || tiled(ho) * tiled(wo) > 2 * ho * wo)) return null;
  return k.winograd;
}

/**
 * Floats between consecutive points of a [64][rows × cols] buffer: rows·cols rounded up to an
 * odd number of 64-byte lines, so the 64 points' rows never share one cache set.
 */
export function pointStride(floats: number): number {
  let lines = Math.ceil(floats / 16);
  if (lines % 2 === 0) lines++;
  return lines * 16;
}

/** Floats one image needs in the Winograd buffers (for slicing large inference batches). */
export const winogradFloatsPerImage = (c: number, f: number, ho: number, wo: number) => 64 * (c + f) * (tiled(ho) / 4) * (tiled(wo) / 4);

export function conv2dWinograd(
  wg: WinogradKernels, x: Tensor, weight: Tensor, bias: Tensor | null, pad: number, recording: boolean,
): Tensor {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const f = weight.shape[0]!;
  const ho = h + 2 * pad - 4, wo = w + 2 * pad - 4;
  // Whole tiles cover [th, tw] ≥ [ho, wo] of output, from a zero-padded input [hp, wp]: the
  // padding on every side, and past the bottom and right edges what the last tiles need.
  const th = tiled(ho), tw = tiled(wo);
  const hp = th + 4, wp = tw + 4;
  const exact = th === ho && tw === wo;
  const tiles = n * (th / 4) * (tw / 4);
  let xp = x.data;
  if (hp !== h || wp !== w) {
    xp = allocate(x.dtype, n * c * hp * wp);
    wg.pad(x.data, n * c, h, w, pad, pad, hp, wp, xp);
  }
  // The input patches' transform, kept for the weight gradient.
  const sp = pointStride(c * tiles), sf = pointStride(f * c), sy = pointStride(f * tiles);
  const patches = allocate(x.dtype, 64 * sp);
  wg.data(xp, n, c, hp, wp, patches, sp);
  const filters = allocate(x.dtype, 64 * sf);
  wg.filters(weight.data, f, c, false, filters, sf);
  const points = allocate(x.dtype, 64 * sy);
  wg.products(filters, sf, patches, sp, points, sy, f, c, tiles, "nn");
  let y = allocate(x.dtype, n * f * th * tw);
  wg.output(points, sy, n, f, th, tw, bias?.data ?? null, y);
  if (!exact) {
    const whole = y;
    y = allocate(x.dtype, n * f * ho * wo);
    wg.crop(whole, n * f, th, tw, 0, 0, ho, wo, y);
  }
  const inputs = bias ? [x, weight, bias] : [x, weight];
  if (!recording) return new Tensor(y, [n, f, ho, wo]);
  return fromOp("conv2d", y, [n, f, ho, wo], inputs, (gy, sinks) => {
    // The output gradient's 4×4 tiles, transformed as filters (rows scaled by 1/s): the
    // weight gradient pairs them with the kept patches, the input gradient with the plain
    // (unscaled) filter transform.
    let gTiles: FloatArray | null = null;
    if (x.requiresGrad || weight.requiresGrad) {
      // Outputs past [ho, wo] were cropped away: their gradient is zero.
      let g = gy.data;
      if (!exact) {
        g = allocate(gy.dtype, n * f * th * tw);
        wg.pad(gy.data, n * f, ho, wo, 0, 0, th, tw, g);
      }
      gTiles = allocate(gy.dtype, 64 * sy);
      wg.gradTiles(g, n, f, th, tw, gTiles, sy);
    }
    // dW[f, c] = Σ over tiles of (gy tile ⋆ input patch): per point, gTiles·patchesᵀ — with dx's
    // product point by point when both are wanted (backwardProducts: the tiles read once).
    const wPoints = weight.requiresGrad ? allocate(gy.dtype, 64 * sf) : null;
    let dx: Tensor | null = null;
    if (x.requiresGrad) {
      // dx is the adjoint of the forward pass: per point, the patches' gradient filtersᵀ·gTiles,
      // then each patch's gradient transformed back and added where the patch came from.
      const plain = allocate(gy.dtype, 64 * sf);
      wg.filters(weight.data, f, c, true, plain, sf);
      const dPatches = allocate(gy.dtype, 64 * sp);
      if (wPoints) wg.backwardProducts(plain, sf, gTiles!, sy, dPatches, sp, patches, wPoints, f, c, tiles);
      else wg.products(plain, sf, gTiles!, sy, dPatches, sp, c, f, tiles, "tn");
      const dxp = allocate(x.dtype, n * c * hp * wp);
      wg.dataAdjoint(dPatches, sp, n, c, hp, wp, dxp);
      let dxd = dxp;
      if (hp !== h || wp !== w) {
        dxd = allocate(x.dtype, x.size);
        wg.crop(dxp, n * c, hp, wp, pad, pad, h, w, dxd);
      }
      dx = new Tensor(dxd, x.shape);
    }
    let dW: Tensor | typeof SUNK | null = null;
    if (wPoints) {
      if (!x.requiresGrad) wg.products(gTiles!, sy, patches, sp, wPoints, sf, f, tiles, c, "nt");
      const sink = sinks?.[1];
      const dwd = sink ? sink.data : allocate(weight.dtype, weight.size);
      wg.weights(wPoints, sf, f, c, dwd, sink?.accumulate ?? false);
      dW = sink ? SUNK : new Tensor(dwd, weight.shape);
    }
    let db: Tensor | null = null;
    if (bias?.requiresGrad) db = biasGradient(gy, n, f, ho * wo, bias);
    return [dx, dW, db];
  });
}

/** db[f] = Σ over images and positions of gy [n, f, hw] (per plane, then over the images). */
export function biasGradient(gy: Tensor, n: number, f: number, hw: number, bias: Tensor): Tensor {
  const k = kernelsFor(gy.data);
  const perPlane = allocate(gy.dtype, n * f);
  k.sumAxis(gy.data, n * f, hw, 1, perPlane);
  const db = allocate(bias.dtype, f);
  k.sumAxis(perPlane, 1, n, f, db);
  return new Tensor(db, bias.shape);
}

