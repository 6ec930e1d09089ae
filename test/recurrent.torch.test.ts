/**
 * RNN, LSTM, GRU and Embedding against PyTorch. Oracle: test/fixtures/recurrent.json, written by
 * tools/make_recurrent_fixtures.py with torch 1.13 in float32: torch's own weights loaded under
 * their own names, the loss sum(output·R) + sum(h_n·S) (+ sum(c_n·Sc)), and every output, final
 * state and gradient compared. Tolerance: the project's float32 rule (atol 1e-5, rtol 1.3e-6), not widened.
 */
import { describe, expect, test } from "vitest";
import { Tensor } from "../src/tensor.js";
import { GRU, LSTM, RNN, type RecurrentBase, type RecurrentState } from "../src/nn/layers/recurrent.js";
import { Embedding } from "../src/nn/layers/embedding.js";
import { finalSteps } from "../src/ops/recurrent.js";
import { expectClose, fixture, fromFixture } from "./helpers.js";

interface FT { shape: number[]; data: number[] }
interface Case {
  mode: "rnnTanh" | "rnnRelu" | "lstm" | "gru";
  inputSize: number; hiddenSize: number; numLayers: number; bidirectional: boolean; batchFirst: boolean;
  x: FT; h0?: FT; c0?: FT; params: Record<string, FT>; R: FT; S: FT; Sc?: FT;
  output: FT; h_n: FT; c_n?: FT; grads: Record<string, FT>;
}
const fx = fixture<{ cases: Record<string, Case>; embedding: { ids: FT; weight: FT; R: FT; out: FT; grad: FT } }>("recurrent");

function build(c: Case, returnSequences = true): RecurrentBase {
  const opts = { numLayers: c.numLayers, bidirectional: c.bidirectional, batchFirst: c.batchFirst, returnSequences };
  const m = c.mode === "lstm" ? new LSTM(c.inputSize, c.hiddenSize, opts) : c.mode === "gru" ? new GRU(c.inputSize, c.hiddenSize, opts)
    : new RNN(c.inputSize, c.hiddenSize, { ...opts, nonlinearity: c.mode === "rnnRelu" ? "relu" : "tanh" });
  m.loadStateDict(c.params, "torch");
  return m;
}

/** The fixture's scalar loss; R, S, Sc are constants. */
function loss(c: Case, output: Tensor, state: RecurrentState): Tensor {
  let l = output.mul(fromFixture(c.R)).sum().add(state.h.mul(fromFixture(c.S)).sum());
  if (c.Sc) l = l.add(state.c!.mul(fromFixture(c.Sc)).sum());
  return l;
}

describe("recurrent layers match PyTorch (fixtures/recurrent.json)", () => {
  test("the fixture covers every mode, 1 and 2 layers, both directions, both layouts, with and without initial state", () => {
    const cases = Object.values(fx.cases);
    for (const mode of ["rnnTanh", "rnnRelu", "lstm", "gru"]) {
      const mine = cases.filter((c) => c.mode === mode);
      for (const has of [(c: Case) => c.numLayers === 2, (c: Case) => c.bidirectional, (c: Case) => c.batchFirst, (c: Case) => c.h0 !== undefined]) {
        expect(mine.some(has) && mine.some((c) => !has(c)), mode).toBe(true);
      }
    }
  });

  for (const [name, c] of Object.entries(fx.cases)) {
    test(`${name}: output, final states and every gradient`, () => {
      const m = build(c);
      // Same parameter names and order as torch.named_parameters().
      expect(m.namedParameters().map(([k]) => k)).toEqual(Object.keys(c.params));
      const x = fromFixture(c.x).requiresGrad_();
      const h0 = c.h0 ? fromFixture(c.h0).requiresGrad_() : undefined;
      const c0 = c.c0 ? fromFixture(c.c0).requiresGrad_() : undefined;
      const { output, state } = m.forwardWithState(x, h0 ? (c0 ? { h: h0, c: c0 } : { h: h0 }) : undefined);
      // The plain float32 rule, not widened: at these sizes the worst value is within a tenth of it.
      expect(output.shape).toEqual(c.output.shape);
      expectClose(output, c.output.data, {}, "output");
      expectClose(state.h, c.h_n.data, {}, "h_n");
      if (c.c_n) expectClose(state.c!, c.c_n.data, {}, "c_n");
      loss(c, output, state).backward();
      expectClose(x.grad!, c.grads.x!.data, {}, "dx");
      if (h0) expectClose(h0.grad!, c.grads.h0!.data, {}, "dh0");
      if (c0) expectClose(c0.grad!, c.grads.c0!.data, {}, "dc0");
      for (const [k, p] of m.namedParameters()) expectClose(p.grad!, c.grads[k]!.data, {}, `d${k}`);
    });
  }

  test("returnSequences: false gives the last step — torch's h_n of the top layer, both directions side by side", () => {
    for (const [name, c] of Object.entries(fx.cases)) {
      const m = build(c, false);
      const x = fromFixture(c.x);
      const h0 = c.h0 ? fromFixture(c.h0) : undefined;
      const c0 = c.c0 ? fromFixture(c.c0) : undefined;
      const out = m.forwardWithState(x, h0 ? (c0 ? { h: h0, c: c0 } : { h: h0 }) : undefined).output;
      const D = c.bidirectional ? 2 : 1;
      const [B, H] = [c.h_n.shape[1]!, c.h_n.shape[2]!];
      expect(out.shape, name).toEqual([B, D * H]);
      // torch's h_n rows of the last layer: [D, B, H] → [B, D·H].
      const top = c.h_n.data.slice((c.numLayers - 1) * D * B * H);
      const want = Array.from({ length: B * D * H }, (_, i) => { const b = Math.floor(i / (D * H)), d = Math.floor((i % (D * H)) / H), j = i % H; return top[(d * B + b) * H + j]!; });
      expectClose(out, want, {}, `${name} last step`);
    }
  });

  test("finalSteps reads torch's output: the forward half at step T−1, the reverse half at step 0", () => {
    const c = fx.cases.gru_l1_bi_state!;
    const y = fromFixture(c.output); // [T, B, 2H] (this case is time-first)
    expect(c.batchFirst).toBe(false);
    expectClose(finalSteps(y, 2, "state"), c.h_n.data, { atol: 0, rtol: 0 }, "h_n");
  });
});

describe("Embedding matches PyTorch", () => {
  test("rows looked up; repeated ids accumulate their gradients", () => {
    const e = fx.embedding;
    const emb = new Embedding(e.weight.shape[0]!, e.weight.shape[1]!);
    emb.loadStateDict({ weight: e.weight });
    const out = emb.forward(fromFixture(e.ids));
    expect(out.shape).toEqual(e.out.shape);
    expectClose(out, e.out.data, { atol: 0, rtol: 0 }, "lookup");
    out.mul(fromFixture(e.R)).sum().backward();
    expectClose(emb.weight.grad!, e.grad.data, {}, "dweight");
  });
});
