/**
 * Recurrent layers over whole sequences, as one autograd node per layer call: the forward pass
 * projects every time step's input in one product (x·W_ihᵀ over [T·B, in]), then per step does one
 * product for all gates (h·W_hhᵀ) and one fused kernel for the gate nonlinearities and the state
 * update; the backward pass runs backprop through time over the saved gate activations, then
 * computes the weight gradients as single products over all steps. PyTorch's definitions
 * (torch.nn.RNN, LSTM, GRU) and gate order.
 */
import { allocate, fromOp, Tensor } from "../tensor.js";
import { SUNK, type GradSink } from "../autograd.js";
import { kernelsFor } from "../kernels/index.js";
import type { FloatArray, RecurrentMode } from "../kernels/types.js";
import { ShapeError } from "../errors.js";
import { fmt } from "../shape.js";

export type { RecurrentMode };

/** Gates per cell: the rows of W_ih and W_hh are G·hidden. */
export const GATES: Record<RecurrentMode, number> = { rnnTanh: 1, rnnRelu: 1, lstm: 4, gru: 3 };

/** Values the forward pass keeps per step and unit for backward: LSTM's i, f, g, o; GRU's r, z, n and W_hn·h + b_hn. */
const SAVED: Record<RecurrentMode, number> = { rnnTanh: 0, rnnRelu: 0, lstm: 4, gru: 4 };

/** One direction's parameters: weightIh [G·H, in], weightHh [G·H, H], biases [G·H] or null. */
export interface DirectionWeights {
  weightIh: Tensor;
  weightHh: Tensor;
  biasIh: Tensor | null;
  biasHh: Tensor | null;
}

export interface RecurrentLayerResult {
  /** [T, B, D·H]: every step's hidden state, the directions side by side (forward first). */
  output: Tensor;
  /** [D, B, H]: each direction's last hidden state (the forward one at step T−1, the reverse one at step 0). */
  h: Tensor;
  /** [D, B, H]: the same for the LSTM's cell state; null for RNN and GRU. */
  c: Tensor | null;
}

/**
 * One recurrent layer, all its directions (1, or 2 when bidirectional), over a time-major sequence.
 * @param x [T, B, in]
 * @param weights one entry per direction (the second runs from step T−1 down to 0)
 * @param h0 [D, B, H] initial hidden state, or null for zeros; c0 likewise (LSTM only)
 */
export function recurrentLayer(mode: RecurrentMode, x: Tensor, weights: readonly DirectionWeights[], h0: Tensor | null = null, c0: Tensor | null = null): RecurrentLayerResult {
  const D = weights.length;
  const w0 = weights[0];
  if (!w0 || D > 2) throw new ShapeError(`recurrent layer: expected weights for 1 or 2 directions, got ${D}`);
  const G = GATES[mode];
  const H = w0.weightHh.shape[1]!;
  const GH = G * H;
  if (x.rank !== 3) throw new ShapeError(`recurrent layer: input has shape ${fmt(x.shape)}, expected [T, B, features] (time first)`);
  const [T, B, I] = x.shape as [number, number, number];
  for (const w of weights) {
    const ok = w.weightIh.rank === 2 && w.weightIh.shape[0] === GH && w.weightIh.shape[1] === I &&
      w.weightHh.rank === 2 && w.weightHh.shape[0] === GH && w.weightHh.shape[1] === H &&
      (!w.biasIh || (w.biasIh.rank === 1 && w.biasIh.size === GH)) && (!w.biasHh || (w.biasHh.rank === 1 && w.biasHh.size === GH));
    if (!ok) {
      throw new ShapeError(`recurrent layer (${mode}): weights ${fmt(w.weightIh.shape)}, ${fmt(w.weightHh.shape)} do not fit input ${fmt(x.shape)} (expected [${GH}, ${I}] and [${GH}, ${H}])`);
    }
  }
  const stateShape = [D, B, H];
  for (const [name, s] of [["h0", h0], ["c0", c0]] as const) {
    if (s && fmt(s.shape) !== fmt(stateShape)) throw new ShapeError(`recurrent layer: ${name} has shape ${fmt(s.shape)}, expected ${fmt(stateShape)} [directions, batch, hidden]`);
  }
  if (c0 && mode !== "lstm") throw new ShapeError(`recurrent layer: a cell state c0 was given to a ${mode} layer (only the LSTM has one)`);
  if (T === 0) throw new ShapeError(`recurrent layer: the sequence is empty (input ${fmt(x.shape)})`);

  const dtype = x.dtype;
  const K = kernelsFor(x.data);
  const BH = B * H, DH = D * H, TB = T * B;
  const S = SAVED[mode];
  const lstm = mode === "lstm";

  /** What one direction keeps for backward, indexed by time. hx [T+1, B, H]: states around the outputs (see slot). */
  interface Saved { hx: FloatArray; cx: FloatArray | null; acts: FloatArray | null }
  // The states live in T+1 slots: the forward direction's h_t is slot t+1 (slot 0 = h0); the
  // reverse direction's is slot t (slot T = h0). Either way the previous states of all steps are
  // T contiguous slots, so dW_hh is one product.
  const outSlot = (rev: boolean, t: number) => (rev ? t : t + 1);
  const prevSlot = (rev: boolean, t: number) => (rev ? t + 1 : t);
  const slot = (a: FloatArray, s: number) => a.subarray(s * BH, (s + 1) * BH);

  const y = allocate(dtype, TB * DH);
  const hN = allocate(dtype, D * BH);
  const cN = lstm ? allocate(dtype, D * BH) : null;
  const saved: Saved[] = [];
  const hw = allocate(dtype, B * GH);
  for (let d = 0; d < D; d++) {
    const w = weights[d]!;
    const rev = d === 1;
    // The products read the weights transposed, [in, G·H] and [H, G·H]: copied once per call, as
    // the plain (NN) product runs about twice as fast as the one reading Wᵀ in place at these shapes.
    const wIhT = allocate(dtype, I * GH);
    K.swapAxes(w.weightIh.data, GH, I, 1, wIhT);
    const wHhT = allocate(dtype, H * GH);
    K.swapAxes(w.weightHh.data, GH, H, 1, wHhT);
    const xw = allocate(dtype, TB * GH);
    K.gemm(x.data, wIhT, xw, TB, I, GH, false, false, false);
    if (w.biasIh) K.binary.add(xw, [GH, 1], w.biasIh.data, [0, 1], xw, [TB, GH]);
    const hx = allocate(dtype, (T + 1) * BH);
    const cx = lstm ? allocate(dtype, (T + 1) * BH) : null;
    const acts = S ? allocate(dtype, TB * S * H) : null;
    const first = rev ? T : 0;
    if (h0) slot(hx, first).set(h0.data.subarray(d * BH, (d + 1) * BH));
    else slot(hx, first).fill(0);
    if (cx) {
      if (c0) slot(cx, first).set(c0.data.subarray(d * BH, (d + 1) * BH));
      else slot(cx, first).fill(0);
    }
    for (let s = 0; s < T; s++) {
      const t = rev ? T - 1 - s : s;
      const hPrev = slot(hx, prevSlot(rev, t));
      if (s === 0 && !h0) hw.fill(0);
      else K.gemm(hPrev, wHhT, hw, B, H, GH, false, false, false);
      K.recurrentForward(
        mode, B, H, xw.subarray(t * B * GH, (t + 1) * B * GH), hw, w.biasHh?.data ?? null, hPrev,
        cx ? slot(cx, prevSlot(rev, t)) : null, acts ? acts.subarray(t * B * S * H, (t + 1) * B * S * H) : null,
        slot(hx, outSlot(rev, t)), cx ? slot(cx, outSlot(rev, t)) : null,
      );
    }
    // The output: each step's state, this direction's half of every row.
    if (D === 1) y.set(hx.subarray(BH)); // one (forward) direction: slots 1…T are the output as is
    else for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) y.set(hx.subarray(outSlot(rev, t) * BH + b * H, outSlot(rev, t) * BH + (b + 1) * H), (t * B + b) * DH + d * H);
    hN.set(slot(hx, rev ? 0 : T), d * BH);
    if (cN) cN.set(slot(cx!, rev ? 0 : T), d * BH);
    saved.push({ hx, cx, acts });
  }

  // The cell state's gradient reaches this layer's node through `pending` (see cellState below).
  const pending: { dc: Tensor | null } = { dc: null };
  const params = weights.flatMap((w) => [w.weightIh, w.weightHh, ...(w.biasIh ? [w.biasIh] : []), ...(w.biasHh ? [w.biasHh] : [])]);
  const inputs = [x, ...(h0 ? [h0] : []), ...(c0 ? [c0] : []), ...params];
  const output = fromOp(mode, y, [T, B, DH], inputs, (g, sinks) => {
    const dcN = pending.dc;
    pending.dc = null;
    const wantH0 = h0?.requiresGrad ?? false;
    const wantC0 = c0?.requiresGrad ?? false;
    const dx = x.requiresGrad ? allocate(dtype, TB * I) : null;
    const dh0 = wantH0 ? allocate(dtype, D * BH) : null;
    const dc0 = wantC0 ? allocate(dtype, D * BH) : null;
    const grads: (Tensor | null | typeof SUNK)[] = [];
    let next = 1 + (h0 ? 1 : 0) + (c0 ? 1 : 0);
    for (let d = 0; d < D; d++) {
      const w = weights[d]!;
      const rev = d === 1;
      const { hx, cx, acts } = saved[d]!;
      const dgx = allocate(dtype, TB * GH);
      const dgh = mode === "gru" ? allocate(dtype, TB * GH) : dgx;
      let dh = allocate(dtype, BH);
      dh.fill(0);
      let spare = mode === "gru" ? allocate(dtype, BH) : null;
      const dc = lstm ? allocate(dtype, BH) : null;
      if (dc) {
        if (dcN) dc.set(dcN.data.subarray(d * BH, (d + 1) * BH));
        else dc.fill(0);
      }
      for (let s = 0; s < T; s++) {
        const t = rev ? s : T - 1 - s; // backward visits the steps in the reverse of their forward order
        const ps = prevSlot(rev, t), os = outSlot(rev, t);
        const rows = (a: FloatArray, width: number) => a.subarray(t * B * width, (t + 1) * B * width);
        K.recurrentBackward(
          mode, B, H, acts ? rows(acts, S * H) : null, slot(hx, ps), cx ? slot(cx, ps) : null, cx ? slot(cx, os) : null,
          slot(hx, os), g.data.subarray(t * B * DH + d * H, t * B * DH + (B - 1) * DH + (d + 1) * H), DH, dh, dc, rows(dgx, GH), mode === "gru" ? rows(dgh, GH) : null, spare,
        );
        if (s === T - 1 && !wantH0) break; // nothing needs the gradient reaching h0
        // The gradient reaching the previous state: through the product h·W_hhᵀ (+ directly, for the GRU).
        if (spare) {
          K.gemm(rows(dgh, GH), w.weightHh.data, spare, B, GH, H, false, false, true);
          [dh, spare] = [spare, dh];
        } else {
          K.gemm(rows(dgh, GH), w.weightHh.data, dh, B, GH, H, false, false, false);
        }
      }
      if (dh0) dh0.set(dh, d * BH);
      if (dc0) dc0.set(dc!, d * BH);
      // All steps at once: dW_ih = dGxᵀ·x, dW_hh = dGhᵀ·h_prev, biases = column sums, dx += dGx·W_ih.
      if (dx) K.gemm(dgx, w.weightIh.data, dx, TB, GH, I, false, false, d > 0);
      const from = rev ? BH : 0; // the previous states of steps 0…T−1: slots 0…T−1 (forward) or 1…T (reverse)
      const hPrev = hx.subarray(from, from + TB * H);
      grads.push(weightGrad(w.weightIh, sinks?.[next++] ?? null, (out, acc) => K.gemm(dgx, x.data, out, GH, TB, I, true, false, acc)));
      grads.push(weightGrad(w.weightHh, sinks?.[next++] ?? null, (out, acc) => K.gemm(dgh, hPrev, out, GH, TB, H, true, false, acc)));
      if (w.biasIh) grads.push(biasGrad(w.biasIh, sinks?.[next++] ?? null, dgx, TB, GH));
      if (w.biasHh) grads.push(biasGrad(w.biasHh, sinks?.[next++] ?? null, dgh, TB, GH));
    }
    const lead = [
      dx ? new Tensor(dx, x.shape) : null,
      ...(h0 ? [dh0 ? new Tensor(dh0, stateShape) : null] : []),
      ...(c0 ? [dc0 ? new Tensor(dc0, stateShape) : null] : []),
    ];
    return [...lead, ...grads];
  });

  const h = finalSteps(output, D, "state", hN);
  const c = cN ? cellState(output, cN, stateShape, pending) : null;
  return { output, h, c };
}

/** A weight's gradient, written into its sink when it has one (no copy), else as a new tensor. */
function weightGrad(p: Tensor, sink: GradSink | null, product: (out: FloatArray, accumulate: boolean) => void): Tensor | null | typeof SUNK {
  if (!p.requiresGrad) return null;
  if (sink) {
    product(sink.data, sink.accumulate);
    return SUNK;
  }
  const out = allocate(p.dtype, p.size);
  product(out, false);
  return new Tensor(out, p.shape);
}

/** A bias's gradient: the column sums of the gate gradients [rows, cols]. */
function biasGrad(p: Tensor, sink: GradSink | null, dg: FloatArray, rows: number, cols: number): Tensor | null | typeof SUNK {
  if (!p.requiresGrad) return null;
  const K = kernelsFor(dg);
  if (sink && !sink.accumulate) {
    K.sumAxis(dg, 1, rows, cols, sink.data);
    return SUNK;
  }
  const out = allocate(p.dtype, cols);
  K.sumAxis(dg, 1, rows, cols, out);
  return new Tensor(out, p.shape);
}

/**
 * The LSTM's final cell state [D, B, H] as a tensor whose gradient joins BPTT: its node reads the
 * layer's output (so it runs first in the backward pass) and leaves its gradient in `pending` for
 * the layer's node, which starts the cell-state recurrence from it.
 */
function cellState(output: Tensor, data: FloatArray, shape: number[], pending: { dc: Tensor | null }): Tensor {
  return fromOp("lstm.cN", data, shape, [output], (g) => {
    pending.dc = pending.dc ? pending.dc.add(g) : g;
    const zero = allocate(output.dtype, output.size);
    zero.fill(0); // the layer's node must still run when only c_N is used
    return [new Tensor(zero, output.shape)];
  });
}

/**
 * Each direction's last step of a layer's output y [T, B, D·H] (the forward direction's step T−1,
 * the reverse direction's step 0), as "state" [D, B, H] (PyTorch's h_n) or "features" [B, D·H]
 * (Keras's return_sequences=False; for one direction, output[T−1]). `data`, when given, holds the
 * values already.
 */
export function finalSteps(y: Tensor, D: number, layout: "state" | "features", data?: FloatArray): Tensor {
  if (y.rank !== 3 || y.shape[2]! % D !== 0) throw new ShapeError(`finalSteps: expected [T, B, ${D}·H], got ${fmt(y.shape)}`);
  const [T, B, DH] = y.shape as [number, number, number];
  const H = DH / D;
  const step = (d: number) => (d === 1 ? 0 : T - 1);
  // (source offset in y, destination offset in the result) of each run of H values.
  const runs: [number, number][] = [];
  for (let d = 0; d < D; d++) {
    for (let b = 0; b < B; b++) runs.push([(step(d) * B + b) * DH + d * H, layout === "state" ? (d * B + b) * H : b * DH + d * H]);
  }
  const out = data ?? allocate(y.dtype, D * B * H);
  if (!data) for (const [src, dst] of runs) out.set(y.data.subarray(src, src + H), dst);
  const shape = layout === "state" ? [D, B, H] : [B, DH];
  return fromOp("finalSteps", out, shape, [y], (g) => {
    const dy = allocate(y.dtype, y.size);
    dy.fill(0);
    for (const [src, dst] of runs) dy.set(g.data.subarray(dst, dst + H), src);
    return [new Tensor(dy, y.shape)];
  });
}

/** Rows [start, start + count) of x along its first axis (a copy); the gradient fills the rest with zeros. */
export function narrow0(x: Tensor, start: number, count: number): Tensor {
  if (start === 0 && count === x.shape[0]) return x;
  const row = x.size / x.shape[0]!;
  const out = allocate(x.dtype, count * row);
  out.set(x.data.subarray(start * row, (start + count) * row));
  return fromOp("narrow", out, [count, ...x.shape.slice(1)], [x], (g) => {
    const dx = allocate(x.dtype, x.size);
    dx.fill(0);
    dx.set(g.data, start * row);
    return [new Tensor(dx, x.shape)];
  });
}

/** Tensors of equal trailing shape joined along the first axis. */
export function cat0(xs: readonly Tensor[]): Tensor {
  if (xs.length === 1) return xs[0]!;
  const tail = xs[0]!.shape.slice(1);
  const total = xs.reduce((n, t) => n + t.size, 0);
  const out = allocate(xs[0]!.dtype, total);
  let at = 0;
  for (const t of xs) {
    out.set(t.data, at);
    at += t.size;
  }
  const rows = xs.reduce((n, t) => n + t.shape[0]!, 0);
  return fromOp("cat", out, [rows, ...tail], xs, (g) => {
    let from = 0;
    return xs.map((t) => {
      const part = allocate(t.dtype, t.size);
      part.set(g.data.subarray(from, from + t.size));
      from += t.size;
      return new Tensor(part, t.shape);
    });
  });
}
