/**
 * Recurrent layers beyond the PyTorch fixtures. Oracles: float64 finite differences (gradcheck) for
 * the fused layer op (every cell, both directions, initial states) and for whole stacked layers
 * (residual, last step, a carried state); the explicit-state call for the stateful carry; the
 * saved model file's own bytes for the round trip; the layer's PyTorch parameter count.
 */
import { describe, expect, test } from "vitest";
import { Tensor } from "../src/tensor.js";
import { Parameter } from "../src/nn/module.js";
import { GRU, LSTM, RNN, type RecurrentBase } from "../src/nn/layers/recurrent.js";
import { Embedding } from "../src/nn/layers/embedding.js";
import { Sequential } from "../src/nn/layers/sequential.js";
import { Linear } from "../src/nn/layers/linear.js";
import { cat0, GATES, recurrentLayer, type DirectionWeights, type RecurrentMode } from "../src/ops/recurrent.js";
import { archTokenSyntax, buildArch } from "../src/nn/arch.js";
import { decodeModel, encodeModel } from "../src/io/model-file.js";
import { layerLabel } from "../src/nn/layer.js";
import { Rng } from "../src/rng.js";
import { ShapeError, UsageError } from "../src/errors.js";
import { expectGradcheck, expectThrows } from "./helpers.js";

const MODES: RecurrentMode[] = ["rnnTanh", "rnnRelu", "lstm", "gru"];
const rng = new Rng(5);
const rand = (shape: number[], scale = 1) => Tensor.rand(shape, rng, -scale, scale, { dtype: "float64" }).requiresGrad_();
/** Everything a layer op returns, as one flat tensor (gradcheck differentiates every element). */
const flat = (...ts: (Tensor | null | undefined)[]) => cat0(ts.filter((t): t is Tensor => !!t).map((t) => t.reshape([t.size])));

/** The module with its parameters replaced by float64 copies (gradcheck needs float64). */
function double(m: RecurrentBase): Parameter[] {
  return m.namedParameters().map(([name, p]) => {
    const q = new Parameter(Float64Array.from(p.data), p.shape);
    (m as unknown as Record<string, Parameter>)[name] = q;
    return q;
  });
}

const same = (a: Tensor, b: Tensor) => a.data.length === b.data.length && a.data.every((v, i) => Object.is(v, b.data[i]));

describe("the fused layer op passes float64 gradcheck", () => {
  for (const mode of MODES) {
    for (const D of [1, 2]) {
      test(`${mode}, ${D === 2 ? "bidirectional" : "one direction"}, with initial state: output, h_n${mode === "lstm" ? ", c_n" : ""}`, () => {
        const [T, B, I, H] = [3, 2, 3, 2];
        const G = GATES[mode];
        const weights: DirectionWeights[] = Array.from({ length: D }, () => ({ weightIh: rand([G * H, I]), weightHh: rand([G * H, H]), biasIh: rand([G * H]), biasHh: rand([G * H]) }));
        const x = rand([T, B, I], 1.5);
        const h0 = rand([D, B, H], 0.5);
        const c0 = mode === "lstm" ? rand([D, B, H], 0.5) : null;
        const inputs = [x, h0, ...(c0 ? [c0] : []), ...weights.flatMap((w) => [w.weightIh, w.weightHh, w.biasIh!, w.biasHh!])];
        expectGradcheck(() => {
          const r = recurrentLayer(mode, x, weights, h0, c0);
          return flat(r.output, r.h, r.c);
        }, inputs);
      });
    }
  }
  test("when only the final states are used (the LSTM's c_n alone, then h_n alone), the gradient still runs through every step", () => {
    const w: DirectionWeights = { weightIh: rand([8, 3]), weightHh: rand([8, 2]), biasIh: rand([8]), biasHh: rand([8]) };
    const [x, h0, c0] = [rand([3, 2, 3]), rand([1, 2, 2], 0.5), rand([1, 2, 2], 0.5)];
    const inputs = [x, h0, c0, w.weightIh, w.weightHh, w.biasIh!, w.biasHh!];
    expectGradcheck(() => recurrentLayer("lstm", x, [w], h0, c0).c!, inputs);
    expectGradcheck(() => recurrentLayer("lstm", x, [w], h0, c0).h, inputs);
  });
  test("without biases and without an initial state", () => {
    const w: DirectionWeights = { weightIh: rand([8, 3]), weightHh: rand([8, 2]), biasIh: null, biasHh: null };
    const x = rand([4, 2, 3]);
    expectGradcheck(() => { const r = recurrentLayer("lstm", x, [w]); return flat(r.output, r.c); }, [x, w.weightIh, w.weightHh]);
  });
});

describe("layers pass float64 gradcheck", () => {
  test("2-layer bidirectional residual GRU, batch first, last step out", () => {
    const m = new GRU(4, 2, { numLayers: 2, bidirectional: true, residual: true, batchFirst: true, returnSequences: false, rng: rng.fork("a") });
    const params = double(m);
    const x = rand([2, 3, 4]);
    expectGradcheck(() => m.forward(x), [x, ...params]);
  });
  for (const make of [() => new LSTM(3, 2, { numLayers: 2, stateful: true }), () => new RNN(3, 2, { stateful: true, nonlinearity: "relu" })]) {
    test(`through a carried state (${make().constructor.name}, truncated BPTT): the carry is a constant input`, () => {
      const m = make();
      const params = double(m);
      const x1 = rand([3, 2, 3]);
      const x2 = rand([3, 2, 3]);
      const first = m.forward(x1);
      const carried = m.states()!;
      expect(carried).not.toBeNull();
      // The second call starts where the first ended: exactly as if that state were passed in.
      const explicit = m.forwardWithState(x2, carried);
      m.resetStates(carried);
      const second = m.forwardWithState(x2);
      expect(same(second.output, explicit.output) && same(second.state.h, explicit.state.h)).toBe(true);
      // …and its gradient stops there: nothing reaches the first call's input.
      second.output.sum().backward();
      expect(x1.grad).toBeNull();
      expect(first.requiresGrad).toBe(true);
      expectGradcheck(() => {
        m.resetStates(carried);
        const r = m.forwardWithState(x2);
        return flat(r.output, r.state.h, r.state.c);
      }, [x2, ...params]);
    });
  }
});

describe("stateful layers", () => {
  test("carry, reset, and a new batch size starting from zeros", () => {
    const m = new LSTM(3, 4, { stateful: true, batchFirst: true, rng: rng.fork("s") });
    const fresh = new LSTM(3, 4, { batchFirst: true, rng: rng.fork("s") });
    const x = Tensor.rand([2, 5, 3], rng, -1, 1);
    const a = m.forward(x);
    expect(same(a, fresh.forward(x))).toBe(true); // the first call starts from zeros
    const b = m.forward(x);
    expect(same(b, a)).toBe(false); // the second starts from the first's final state
    m.resetStates();
    expect(same(m.forward(x), a)).toBe(true);
    const y = Tensor.rand([3, 5, 3], rng, -1, 1);
    expect(same(m.forward(y), fresh.forward(y))).toBe(true); // batch of 3 after 2: from zeros
  });
});

describe("stacking options", () => {
  test("residual: a stacked layer's output is its recurrence plus its input (two single layers with the same weights as the oracle)", () => {
    const stacked = new LSTM(4, 4, { numLayers: 2, residual: true, rng: rng.fork("res") });
    const [a, b] = [new LSTM(4, 4), new LSTM(4, 4)];
    const w = stacked.stateDict();
    a.loadStateDict({ weight_ih_l0: w.weight_ih_l0!, weight_hh_l0: w.weight_hh_l0!, bias_ih_l0: w.bias_ih_l0!, bias_hh_l0: w.bias_hh_l0! });
    b.loadStateDict({ weight_ih_l0: w.weight_ih_l1!, weight_hh_l0: w.weight_hh_l1!, bias_ih_l0: w.bias_ih_l1!, bias_hh_l0: w.bias_hh_l1! });
    const x = Tensor.rand([5, 2, 4], rng, -1, 1);
    // Widths match from the input on (4 → 4 → 4), so both layers add their input.
    const y1 = a.forward(x).add(x);
    const want = b.forward(y1).add(y1);
    expect(same(stacked.forward(x), want)).toBe(true);
  });
  test("dropout between layers: only in training, from the layer's own stream (a child Dropout, so checkpoints save it)", () => {
    const m = new GRU(3, 8, { numLayers: 2, dropout: 0.5, rng: rng.fork("d"), dropoutRng: new Rng(9).fork("dropout0") });
    const plain = new GRU(3, 8, { numLayers: 2, rng: rng.fork("d") });
    const x = Tensor.rand([4, 2, 3], rng, -1, 1);
    expect(m.namedChildren().map(([k]) => k)).toEqual(["drop"]);
    expect(same(m.forward(x), plain.forward(x))).toBe(false);
    m.eval();
    expect(same(m.forward(x), plain.forward(x))).toBe(true);
  });
});

describe("model files and the registry", () => {
  const cases: [string, () => RecurrentBase][] = [
    ["RNN relu", () => new RNN(3, 5, { nonlinearity: "relu", batchFirst: true, rng: rng.fork("r") })],
    ["LSTM 2 layers bidirectional", () => new LSTM(3, 4, { numLayers: 2, bidirectional: true, returnSequences: false, residual: true, rng: rng.fork("l") })],
    ["GRU without bias", () => new GRU(3, 6, { bias: false, dropout: 0.3, numLayers: 2, batchFirst: true, rng: rng.fork("g") })],
  ];
  for (const [name, make] of cases) {
    test(`${name}: save → load gives the same spec, parameters and bit-identical outputs`, () => {
      const m = make();
      m.eval();
      const net = m.returnSequences ? new Sequential(m) : new Sequential(m, new Linear(m.directions * m.hiddenSize, 2));
      const x = Tensor.rand(m.batchFirst ? [2, 5, 3] : [5, 2, 3], rng, -1, 1);
      const before = net.forward(x);
      const { model } = decodeModel(encodeModel(net, { training: {} } as never), "round.safetensors");
      model.eval();
      expect(model.spec()).toEqual(net.spec());
      expect(Object.keys(model.stateDict())).toEqual(Object.keys(net.stateDict()));
      expect(same(model.forward(x), before)).toBe(true);
    });
  }
  test("the parameter count planned from a spec is PyTorch's (Σ per layer and direction of G·H·(in + H) + 2·G·H)", () => {
    const m = new LSTM(28, 128, { numLayers: 2, bidirectional: true });
    // sum(p.numel() for p in torch.nn.LSTM(28, 128, num_layers=2, bidirectional=True).parameters()) = 557 056
    // = 2·(512·(28 + 128) + 1024) + 2·(512·(256 + 128) + 1024).
    expect(m.numParameters()).toBe(557_056);
    const { model } = decodeModel(encodeModel(m, { training: {} } as never), "x");
    expect(model.numParameters()).toBe(557_056);
  });
  test("Embedding: save → load, and its label", () => {
    const e = new Embedding(10, 3, { rng: rng.fork("e") });
    const ids = new Tensor(Float32Array.from([1, 9, 9, 0]), [2, 2]);
    const { model } = decodeModel(encodeModel(e, { training: {} } as never), "e");
    expect(same(model.forward(ids), e.forward(ids))).toBe(true);
    expect(layerLabel(e.spec())).toBe("embed 10→3");
  });
});

describe("--arch tokens", () => {
  test("lstm128 on [28, 28] sequences returns the last step; fc10 follows; labels and counts", () => {
    const { model, output } = buildArch("lstm128,fc10", { input: [28, 28], rng: new Rng(1) });
    expect(output).toEqual([10]);
    expect(model.numParameters()).toBe(4 * 128 * (28 + 128) + 8 * 128 + 128 * 10 + 10);
    expect(layerLabel(model.layers[0]!.spec())).toBe("lstm 28→128 (last step)");
    const y = model.forward(Tensor.rand([4, 28, 28], rng, 0, 1));
    expect(y.shape).toEqual([4, 10]);
  });
  test("gru64x2, bilstm32seq, rnnrelu16 and embed<D>: shapes, types and options", () => {
    const a = buildArch("gru64x2", { input: [10, 3] });
    expect(a.output).toEqual([64]);
    expect(a.model.layers[0]!.spec()).toMatchObject({ type: "GRU", numLayers: 2, batchFirst: true, returnSequences: false });
    const b = buildArch("bilstm32seq,lstm8", { input: [7, 5] });
    expect(b.output).toEqual([8]);
    expect(layerLabel(b.model.layers[0]!.spec())).toBe("bilstm 5→2×32");
    expect(b.model.forward(Tensor.rand([2, 7, 5], rng, 0, 1)).shape).toEqual([2, 8]);
    expect(buildArch("rnnrelu16", { input: [4, 2] }).model.layers[0]!.spec()).toMatchObject({ type: "RNN", nonlinearity: "relu" });
    const e = buildArch("embed8,lstm16,fc5", { input: [12], vocabulary: 30 });
    expect(e.output).toEqual([5]);
    expect(e.model.forward(new Tensor(Float32Array.from({ length: 24 }, (_, i) => i % 30), [2, 12])).shape).toEqual([2, 5]);
    expect(buildArch("embed8v40", { input: [12] }).output).toEqual([12, 8]);
  });
  test("--help lists them", () => {
    expect(archTokenSyntax()).toEqual(expect.arrayContaining(["[bi]rnn[relu]<H>[x<L>][seq][stateful]", "[bi]lstm<H>[x<L>][seq][stateful]", "[bi]gru<H>[x<L>][seq][stateful]", "embed<D>[v<V>]", "fcv"]));
  });
  test("refusals name the token and what to do", () => {
    expectThrows(UsageError, () => buildArch("lstm128", { input: [784] }), '"lstm128"', "[steps, features]");
    expectThrows(UsageError, () => buildArch("embed8", { input: [12] }), '"embed8"', "vocabulary", "embed<D>v<V>");
    expectThrows(UsageError, () => buildArch("lstm0", { input: [4, 4] }), '"lstm0"');
  });
});

describe("errors a user can cause", () => {
  test("a wrong input shape, a wrong state shape, a cell state given to a GRU", () => {
    const m = new GRU(3, 4);
    expectThrows(ShapeError, () => m.forward(Tensor.zeros([5, 2, 4])), "gru 3→4", "[5, 2, 4]", "3 features");
    expectThrows(ShapeError, () => m.forwardWithState(Tensor.zeros([5, 2, 3]), { h: Tensor.zeros([1, 3, 4]) }), "initial h", "[1, 2, 4]");
    expectThrows(ShapeError, () => m.forwardWithState(Tensor.zeros([5, 2, 3]), { h: Tensor.zeros([1, 2, 4]), c: Tensor.zeros([1, 2, 4]) }), "only the LSTM");
  });
  test("Embedding refuses ids that are not integers in range, naming the id and the table size", () => {
    const e = new Embedding(5, 2);
    expectThrows(ShapeError, () => e.forward(new Tensor(Float32Array.from([1, 2.5]), [2])), "2.5", "position 1", "[0, 4]");
    expectThrows(ShapeError, () => e.forward(new Tensor(Float32Array.from([5]), [1])), "token id 5", "[0, 4]");
    expectThrows(ShapeError, () => e.forward(new Tensor(Float32Array.from([0, -1]), [1, 2])), "-1", "flat index 1");
  });
  test("Embedding passes float64 gradcheck (repeated ids)", () => {
    const e = new Embedding(4, 3, { rng: rng.fork("eg") });
    const w = new Parameter(Float64Array.from(e.weight.data), e.weight.shape);
    (e as unknown as { weight: Parameter }).weight = w;
    const ids = new Tensor(Float64Array.from([3, 1, 3, 3, 0]), [5]);
    expectGradcheck(() => e.forward(ids).mul(e.forward(ids)), [ids, w]);
  });
});
