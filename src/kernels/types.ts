/**
 * The kernel contract: what every backend computes. Kernels see typed arrays and numbers only
 * (never a Tensor), write into caller-allocated outputs, and accept Float32Array or Float64Array
 * (float64 exists for gradient checks and always runs on `ref`).
 */

export type FloatArray = Float32Array | Float64Array;

/**
 * Elementwise functions with a derivative: the rows of ref.ts's UNARY table (neg, exp, log, …,
 * sigmoid, tanh, relu, leakyRelu, softplus, clamp), so adding one is a row there. `p`, `q` are
 * parameters (leakyRelu slope; clamp bounds).
 */
export type UnaryOp = keyof typeof import("./ref.js").UNARY;

/** One row of that table: the function, and its derivative given x and y = f(x). */
export interface UnaryDefinition {
  f: (x: number, p: number, q: number) => number;
  df: (x: number, y: number, p: number, q: number) => number;
}

export type BinaryOp = "add" | "sub" | "mul" | "div" | "pow";

export type PointwiseLoss = "squared" | "bceLogits";

/**
 * Recurrent cells, as PyTorch defines them (src/ops/recurrent.ts): an Elman RNN with tanh or ReLU,
 * the LSTM (gates i, f, g, o) and the GRU (gates r, z, n).
 */
export type RecurrentMode = "rnnTanh" | "rnnRelu" | "lstm" | "gru";
/** Activations linearForward fuses into the product's epilogue. */
export type LinearActivation = "none" | "relu" | "leakyRelu" | "sigmoid" | "tanh";

/** out[i] = f(x[i]); p, q are the op's parameters. */
export type UnaryKernel = (x: FloatArray, out: FloatArray, p: number, q: number) => void;

/** out[i] = g[i] · f'(x[i]), with y = f(x). */
export type UnaryBackwardKernel = (x: FloatArray, y: FloatArray, g: FloatArray, out: FloatArray, p: number, q: number) => void;

/**
 * out = a ∘ b over `shape`; aStrides/bStrides map an output index to each input (stride 0 on
 * broadcast dimensions). Callers flatten same-shape operands to one dimension.
 */
export type BinaryKernel = (
  a: FloatArray, aStrides: readonly number[],
  b: FloatArray, bStrides: readonly number[],
  out: FloatArray, shape: readonly number[],
) => void;

export interface SgdHyper {
  lr: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;
}

export interface RmspropHyper {
  lr: number;
  /** Decay of the running mean of g² (PyTorch's alpha). */
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  /** Divide by an estimate of the variance (mean g² − (mean g)²) instead of the raw mean of g². */
  centered: boolean;
}

export interface AdamHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** AdamW (Loshchilov & Hutter 2019): decay the weights directly instead of adding wd·p to the gradient. */
  decoupled: boolean;
  /** 1-based step count, for bias correction. */
  step: number;
}

export interface Kernels {
  /**
   * c[m,n] = (accumulate ? c : 0) + op(a)·op(b), where op(a) is [m,k] and op(b) is [k,n].
   * a is stored [m,k], or [k,m] when transA; b is stored [k,n], or [n,k] when transB.
   * Transposed operands are read in place — no copies.
   */
  gemm(
    a: FloatArray, b: FloatArray, c: FloatArray,
    m: number, k: number, n: number,
    transA: boolean, transB: boolean, accumulate: boolean,
  ): void;

  /**
   * An SGD step on w [m,n] whose gradient is op(A)·B (as in gemm, transB = false), without
   * materialising the gradient: w −= lr·(op(A)·B + wd·w), each element exactly as sgdStep
   * would compute it from the product. (Plain SGD stepping a Linear weight in backward takes its
   * gradient gᵀ·x this way, see optim/in-backward.ts.)
   */
  gemmSgdUpdate(a: FloatArray, b: FloatArray, w: FloatArray, m: number, k: number, n: number, transA: boolean, lr: number, wd: number): void;

  /**
   * Inference of a Linear layer and its activation, no tape: y [m,n] = act(x [m,k]·wᵀ + bias),
   * w [n,k], bias [n] or null; slope is leakyRelu's. Each value exactly as the taped forward gets
   * it from this backend: bias rows written, gemm(x, w, y, …, transB, accumulate) onto them, then
   * unary[act] — only the passes over memory are fused.
   */
  linearForward(x: FloatArray, w: FloatArray, bias: FloatArray | null, y: FloatArray, m: number, k: number, n: number, act: LinearActivation, slope: number): void;

  /**
   * Unfolds a batch x [n, c, h, w] into columns out [c·kh·kw, n·ho·wo] for a convolution: row
   * (ci·kh + ki)·kw + kj, column (img·ho + i)·wo + j holds x[img, ci, i·stride − pad + ki,
   * j·stride − pad + kj], 0 outside the image; ho = ⌊(h + 2·pad − kh)/stride⌋ + 1, likewise wo.
   */
  im2col(x: FloatArray, n: number, c: number, h: number, w: number, kh: number, kw: number, stride: number, pad: number, out: FloatArray): void;

  /**
   * A convolution's product for a whole batch, straight into y [n, f, hw]: image i's plane
   * y[i] = w [f, ck] · its hw columns of cols [ck, n·hw] (im2col's layout), plus bias[f] on row f.
   * Each value as gemm(w, cols) followed by swapAxes(…, bias) gives it.
   */
  convProduct(w: FloatArray, cols: FloatArray, y: FloatArray, f: number, ck: number, n: number, hw: number, bias: FloatArray | null): void;

  /**
   * A convolution's weight gradient from the output gradient gy [n, f, hw] and the columns
   * [ck, n·hw]: dw [f, ck] (+)= Σ over images and positions of gy · cols. Each value as
   * gemm(swapAxes(gy), cols, …, transB) gives it.
   */
  convWeightGradient(gy: FloatArray, cols: FloatArray, dw: FloatArray, f: number, ck: number, n: number, hw: number, accumulate: boolean): void;

  /**
   * A convolution followed by 2×2 max pooling (stride 2) for a whole batch: pooled [n, f, ho/2,
   * wo/2] and argmax (each window's first maximum, an index within its plane) of
   * y = convProduct(w, cols, …, bias) [n, f, ho, wo], ho and wo even. Each value as convProduct
   * then maxPool give it; y itself is not kept.
   */
  convPool(w: FloatArray, cols: FloatArray, pooled: FloatArray, argmax: Int32Array, f: number, ck: number, n: number, ho: number, wo: number, bias: FloatArray | null): void;

  /**
   * The weight gradient through convPool: with gy = maxPoolBackward(gp, argmax) [n, f, ho, wo],
   * dw (+)= convWeightGradient(gy, cols, …), and when db is given, db = Σ of gy per filter (each
   * plane summed with sumAxis, then the planes over the images). Each value as those give it;
   * gy itself is not kept.
   */
  convPoolWeightGradient(
    gp: FloatArray, argmax: Int32Array, cols: FloatArray, dw: FloatArray, db: FloatArray | null,
    f: number, ck: number, n: number, ho: number, wo: number, accumulate: boolean,
  ): void;

  /** The adjoint of im2col: dx [n, c, h, w] = every column entry added back onto its image position (dx is overwritten). */
  col2im(cols: FloatArray, n: number, c: number, h: number, w: number, kh: number, kw: number, stride: number, pad: number, dx: FloatArray): void;

  /**
   * out [b, a, l] = x [a, b, l] with the first two axes swapped (l contiguous values move
   * together), plus bias[i] on every value of x's row i when a bias [a] is given.
   */
  swapAxes(x: FloatArray, a: number, b: number, l: number, out: FloatArray, bias?: FloatArray | null): void;

  /**
   * Max pooling of `planes` images [h, w] with a k×k window and `stride` (no padding):
   * out [planes, ho, wo]; argmax gets each window's first maximum as an index within its plane.
   */
  maxPool(x: FloatArray, planes: number, h: number, w: number, k: number, stride: number, out: FloatArray, argmax: Int32Array): void;

  /** Scatters g [planes, ho, wo] back through argmax into dx [planes, h, w] (dx is overwritten). */
  maxPoolBackward(g: FloatArray, argmax: Int32Array, planes: number, h: number, w: number, ho: number, wo: number, dx: FloatArray): void;

  /** Average pooling, k×k window, `stride`, no padding: out [planes, ho, wo]. */
  avgPool(x: FloatArray, planes: number, h: number, w: number, k: number, stride: number, out: FloatArray): void;

  /** Gradient of avgPool: each g spreads g/k² over its window (dx is overwritten). */
  avgPoolBackward(g: FloatArray, planes: number, h: number, w: number, k: number, stride: number, dx: FloatArray): void;

  /**
   * Batch normalisation with batch statistics, x viewed as [n, c, hw]: per channel the mean and
   * biased variance over n·hw values; writes out = γ·x̂ + β, x̂ = (x − mean)·invstd, and the
   * per-channel mean and invstd = 1/√(var + eps) (for the running averages and the gradient).
   */
  batchNormForward(
    x: FloatArray, n: number, c: number, hw: number, gamma: FloatArray, beta: FloatArray, eps: number,
    out: FloatArray, xhat: FloatArray, mean: FloatArray, invstd: FloatArray,
  ): void;

  /** out = x·scale[c] + shift[c] over [n, c, hw] (batch normalisation with fixed statistics). */
  channelAffine(x: FloatArray, n: number, c: number, hw: number, scale: FloatArray, shift: FloatArray, out: FloatArray): void;

  /**
   * Gradient of batchNormForward: dβ = Σ g, dγ = Σ g·x̂ (per channel), and
   * dx = γ·invstd/m · (m·g − dβ − x̂·dγ) with m = n·hw.
   */
  batchNormBackward(
    g: FloatArray, xhat: FloatArray, n: number, c: number, hw: number, gamma: FloatArray, invstd: FloatArray,
    dx: FloatArray, dgamma: FloatArray, dbeta: FloatArray,
  ): void;

  /** Per op: out[i] = f(x[i]). `out` may be `x`. */
  unary: Record<UnaryOp, UnaryKernel>;

  /** Per op: out[i] = g[i] · f'(x[i]), where y = f(x) is supplied so derivatives can reuse it. */
  unaryBackward: Record<UnaryOp, UnaryBackwardKernel>;

  /** Per op: out = a ∘ b over a (broadcast) shape. */
  binary: Record<BinaryOp, BinaryKernel>;

  /** out (contiguous, `shape`) = x read through `strides` — materialises transposes and broadcasts. */
  copyStrided(x: FloatArray, strides: readonly number[], out: FloatArray, shape: readonly number[]): void;

  /** x viewed as [outer, n, inner] → out [outer, inner] = Σ over n. */
  sumAxis(x: FloatArray, outer: number, n: number, inner: number, out: FloatArray): void;

  /** x viewed as [outer, n, inner] → out [outer, inner] = max over n; argmax gets the first index of the max. */
  maxAxis(x: FloatArray, outer: number, n: number, inner: number, out: FloatArray, argmax: Int32Array): void;

  /** Softmax over the middle axis of [outer, n, inner], shifted by the max for stability. */
  softmax(x: FloatArray, outer: number, n: number, inner: number, out: FloatArray): void;

  /** log-softmax over the middle axis: x − max − log Σ exp(x − max). */
  logSoftmax(x: FloatArray, outer: number, n: number, inner: number, out: FloatArray): void;

  /** Given y = softmax(x) and g = ∂L/∂y: out = y ⊙ (g − Σ g⊙y). */
  softmaxBackward(y: FloatArray, g: FloatArray, outer: number, n: number, inner: number, out: FloatArray): void;

  /** Given y = logSoftmax(x) and g = ∂L/∂y: out = g − exp(y) · Σ g. */
  logSoftmaxBackward(y: FloatArray, g: FloatArray, outer: number, n: number, inner: number, out: FloatArray): void;

  /**
   * Fused softmax + negative log-likelihood over rows of logits [rows, cols]:
   * writes the softmax into `probs` and returns Σ_rows −log p[label] (a sum, not a mean).
   */
  softmaxCrossEntropy(logits: FloatArray, labels: Int32Array, rows: number, cols: number, probs: FloatArray): number;

  /**
   * Fused elementwise loss over a [rows, cols] prediction against a target given either as an
   * array (`target`) or, when that is null, as class labels (one-hot). Writes the gradient of the
   * unscaled sum into `grad` and returns the sum:
   *  - "squared": Σ (a − y)², gradient 2(a − y);
   *  - "bceLogits": Σ softplus(z) − y·z (binary cross-entropy from logits), gradient σ(z) − y.
   */
  pointwiseLoss(
    kind: PointwiseLoss, pred: FloatArray, target: FloatArray | null, labels: Int32Array | null,
    rows: number, cols: number, grad: FloatArray,
  ): number;

  /** Σ x[i]² (accumulated in float64). */
  sumSquares(x: FloatArray): number;

  /** x[i] *= alpha, in place. */
  scale(x: FloatArray, alpha: number): void;

  /** g[i] += l1 · sign(p[i]) + l2 · p[i] — the gradient of (l1·|p| + ½·l2·p²), in place. */
  penaltyGrad(p: FloatArray, g: FloatArray, l1: number, l2: number): void;

  /**
   * One SGD step in place (PyTorch's torch.optim.SGD semantics); `buf` is null without momentum.
   * On the first step PyTorch copies the gradient into the momentum buffer instead of blending.
   */
  sgdStep(p: FloatArray, g: FloatArray, buf: FloatArray | null, h: SgdHyper, firstStep: boolean): void;

  /** One RMSProp step in place (torch.optim.RMSprop); buffers are null when unused. */
  rmspropStep(
    p: FloatArray, g: FloatArray, squareAvg: FloatArray,
    momentumBuf: FloatArray | null, gradAvg: FloatArray | null, h: RmspropHyper,
  ): void;

  /** One Adam/AdamW step in place (torch.optim.Adam / AdamW). */
  adamStep(p: FloatArray, g: FloatArray, m: FloatArray, v: FloatArray, h: AdamHyper): void;

  /**
   * One time step of a recurrent cell over n rows (the batch) of h units, everything after the two
   * products: gate pre-activations are xw + hw + bhh (xw = x·W_ihᵀ + b_ih, hw = h·W_hhᵀ, both
   * [n, G·h] with G gates in PyTorch's row order; bhh [G·h] or null), then the nonlinearities and
   * the state update, writing hOut [n, h] (and cOut for the LSTM, from cPrev).
   *  - rnnTanh / rnnRelu: h' = act(pre) (acts unused, may be null);
   *  - lstm: i, f, o = σ, g = tanh; c' = f⊙c + i⊙g, h' = o⊙tanh(c'); acts [n, 4h] gets i, f, g, o;
   *  - gru: r, z = σ, hn = hw_n + bhh_n, n = tanh(xw_n + r⊙hn), h' = n + z⊙(hPrev − n);
   *    acts [n, 4h] gets r, z, n, hn.
   */
  recurrentForward(
    mode: RecurrentMode, n: number, h: number, xw: FloatArray, hw: FloatArray, bhh: FloatArray | null,
    hPrev: FloatArray, cPrev: FloatArray | null, acts: FloatArray | null, hOut: FloatArray, cOut: FloatArray | null,
  ): void;

  /**
   * The gradient of recurrentForward for one step, given what it saved. The gradient reaching
   * hOut is dy (rows `dyStride` apart: a step of the layer's output, maybe one direction's half) +
   * dh (from the next step, [n, h]); dc [n, h] (LSTM) holds the gradient reaching cOut and is
   * overwritten with the one reaching cPrev. Writes dgx [n, G·h], the gradient of the gate
   * pre-activations on the input side (= of xw), and for the GRU dgh, that of hw + bhh (its n rows
   * differ: r⊙ of them) and dhPrev = the gradient reaching hPrev directly (through z); the part
   * through hw is the caller's product dgh·W_hh.
   */
  recurrentBackward(
    mode: RecurrentMode, n: number, h: number, acts: FloatArray | null, hPrev: FloatArray, cPrev: FloatArray | null,
    cCur: FloatArray | null, hCur: FloatArray, dy: FloatArray, dyStride: number, dh: FloatArray, dc: FloatArray | null,
    dgx: FloatArray, dgh: FloatArray | null, dhPrev: FloatArray | null,
  ): void;

  /** Winograd convolution pieces, where the backend has them (the reference loops do not). */
  winograd?: WinogradKernels;
}

/**
 * Winograd F(4×4, 5×5) pieces (see assembly/winograd.ts) for 5×5 stride-1 convolutions, on
 * float32 data only: a backend that has them offers them as `Kernels.winograd`. "Points" are the
 * 64 transform points; T counts 4×4 output tiles over the batch (image, tile row, tile column).
 */
export interface WinogradKernels {
  /** x [n, c, h, w] (h, w = 4·tiles + 4) → out [64][c][T] (points ps floats apart): every 8×8 patch at stride 4, transformed. */
  data(x: FloatArray, n: number, c: number, h: number, w: number, out: FloatArray, ps: number): void;
  /** dy [n, f, ho, wo] (ho, wo multiples of 4) → out [64][f][T]: every 4×4 tile, transformed as a filter. */
  gradTiles(dy: FloatArray, n: number, f: number, ho: number, wo: number, out: FloatArray, ps: number): void;
  /** Adjoint of data: m [64][c][T] → dx [n, c, h, w] (overwritten), each patch's gradient added where it came from. */
  dataAdjoint(m: FloatArray, ps: number, n: number, c: number, h: number, w: number, dx: FloatArray): void;
  /** w [f, c, 5, 5] → out [64][f][c], with the 1/s row scaling of the data transform's partner, or without (unscaled). */
  filters(w: FloatArray, f: number, c: number, unscaled: boolean, out: FloatArray, ps: number): void;
  /** m [64][f][T] → y [n, f, ho, wo] (+ bias per filter): every 4×4 tile transformed back. */
  output(m: FloatArray, ps: number, n: number, f: number, ho: number, wo: number, bias: FloatArray | null, y: FloatArray): void;
  /** m [64][f][c] → dw [f, c, 5, 5], written or added (accumulate). */
  weights(m: FloatArray, ps: number, f: number, c: number, dw: FloatArray, accumulate: boolean): void;
  /** Zero-padded copy: x [planes, h, w] placed at (top, left) in out [planes, hp, wp]. */
  pad(x: FloatArray, planes: number, h: number, w: number, top: number, left: number, hp: number, wp: number, out: FloatArray): void;
  /** Inverse of pad: the [h, w] window at (top, left) of x [planes, hp, wp] → out [planes, h, w]. */
  crop(x: FloatArray, planes: number, hp: number, wp: number, top: number, left: number, h: number, w: number, out: FloatArray): void;
  /**
   * For each point i < 64: c_i [m×n] = op(a_i)·op(b_i), operand i at i·(its stride) floats.
   * trans: "nn" a_i [m×k], b_i [k×n]; "tn" a_i stored [k×m]; "nt" b_i stored [n×k].
   */
  products(a: FloatArray, sa: number, b: FloatArray, sb: number, c: FloatArray, sc: number, m: number, k: number, n: number, trans: "nn" | "tn" | "nt"): void;
  /**
   * The backward pass's two products, point by point, so each point's gradient tiles are read
   * once for both: dPatches_i [c×tiles] = plain_iᵀ·gTiles_i and wPoints_i [f×c] = gTiles_i·patches_iᵀ
   * (plain, wPoints at stride sf; gTiles sy; dPatches, patches sp). Each value as
   * products(…, "tn") and products(…, "nt") give it.
   */
  backwardProducts(
    plain: FloatArray, sf: number, gTiles: FloatArray, sy: number, dPatches: FloatArray, sp: number,
    patches: FloatArray, wPoints: FloatArray, f: number, c: number, tiles: number,
  ): void;
}

/**
 * What a fast backend provides: any subset of the kernels, and any subset of the ops inside the
 * per-op tables. Whatever is missing runs on `ref`, kernel by kernel.
 */
export type FastKernels = {
  [K in keyof Kernels]?: Kernels[K] extends Record<string, (...args: never[]) => unknown> ? Partial<Kernels[K]> : Kernels[K];
};
