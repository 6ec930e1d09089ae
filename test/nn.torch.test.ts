/**
 * Losses and layers vs PyTorch. Oracle: test/fixtures/losses.json and layers.json, written by
 * tools/make_fixtures.py with torch 1.13 in float32 (descent's book conventions — the quadratic
 * cost ½·Σ‖y−a‖²/N and "batchmean" = sum/N — computed there by hand from torch ops).
 * Tolerance: the project rule, widened by √K for values that are reductions of length K.
 */
import { describe, test, expect } from "vitest";
import { Tensor } from "../src/tensor.js";
import { forwardScored, objectiveFor } from "../src/train/objective.js";
import {
  binaryCrossEntropy, bceWithLogits, crossEntropy, l1Loss, logLikelihood, mseLoss, nllLoss, quadraticCost,
  type Target,
} from "../src/nn/losses.js";
import { l1Penalty, l2Penalty } from "../src/nn/regularization.js";
import { Module } from "../src/nn/module.js";
import { Linear } from "../src/nn/layers/linear.js";
import { LeakyReLU, ReLU, Sigmoid, Softmax, Tanh } from "../src/nn/layers/activations.js";
import { Dropout } from "../src/nn/layers/dropout.js";
import { Sequential } from "../src/nn/layers/sequential.js";
import { mlp } from "../src/nn/mlp.js";
import { fans } from "../src/nn/init.js";
import { expectClose, fixture, fromFixture } from "./helpers.js";

interface FT { shape: number[]; data: number[] }

// ---- losses ----------------------------------------------------------------------------------

interface LossCase { pred: FT; target?: FT; labels?: number[]; out: FT; grad?: FT }

type LossSpec = (pred: Tensor, target: Target) => Tensor;
const LOSSES: Record<string, LossSpec> = {
  mse_mean: (p, y) => mseLoss(p, y),
  mse_sum: (p, y) => mseLoss(p, y, "sum"),
  mse_batchmean: (p, y) => mseLoss(p, y, "batchmean"),
  l1_mean: (p, y) => l1Loss(p, y),
  l1_sum: (p, y) => l1Loss(p, y, "sum"),
  l1_batchmean: (p, y) => l1Loss(p, y, "batchmean"),
  quadratic: quadraticCost,
  bce_mean: (p, y) => binaryCrossEntropy(p, y),
  bce_sum: (p, y) => binaryCrossEntropy(p, y, "sum"),
  bce_batchmean: (p, y) => binaryCrossEntropy(p, y, "batchmean"),
  bce_saturated: (p, y) => binaryCrossEntropy(p, y),
  bceLogits_mean: (z, y) => bceWithLogits(z, y),
  bceLogits_sum: (z, y) => bceWithLogits(z, y, "sum"),
  bceLogits_extreme: (z, y) => bceWithLogits(z, y),
  // The experiment's pairing of a sigmoid output with cross-entropy (train/objective.ts): the cost
  // reads the sigmoid's input, so the gradient reaching z must be torch's BCEWithLogits gradient.
  bce_of_sigmoid: (z, y) => bceWithLogits(forwardScored(new Sequential(new Sigmoid()), z, true).scored, y),
  crossEntropy: (z, l) => crossEntropy(z, l),
  crossEntropy_extreme: (z, l) => crossEntropy(z, l),
  // The experiment's log-likelihood on a softmax output reads the logits: oracle is torch's cross_entropy on them.
  logLikelihood_of_softmax: (z, l) => objectiveFor("log-likelihood", "softmax").loss(forwardScored(new Sequential(new Softmax()), z, true).scored, l),
  nll: (lp, l) => nllLoss(lp, l),
  logLikelihood_probs: (p, l) => logLikelihood(p, l),
};

const losses = fixture<Record<string, LossCase & { inputs?: Record<string, FT>; grads?: Record<string, FT>; params: { strength?: number } }>>("losses");

describe("losses match PyTorch (fixtures/losses.json)", () => {
  test("every loss case has a descent spec", () => {
    const penalties = ["l1Penalty", "l2Penalty"];
    expect(Object.keys(losses).filter((k) => !(k in LOSSES) && !penalties.includes(k))).toEqual([]);
    expect(Object.keys(LOSSES).filter((k) => !(k in losses))).toEqual([]);
  });

  for (const [name, spec] of Object.entries(LOSSES)) {
    test(`${name}: value and ∂loss/∂pred match PyTorch`, () => {
      const c = losses[name]!;
      const pred = fromFixture(c.pred).requiresGrad_();
      const target: Target = c.target ? fromFixture(c.target) : Int32Array.from(c.labels!);
      const loss = spec(pred, target);
      expect(loss.shape).toEqual([]);
      const k = pred.size; // the loss sums every element
      expectClose(loss, c.out.data, { reduction: k }, `${name} loss`);
      if (!c.grad) return;
      loss.backward();
      expectClose(pred.grad!, c.grad.data, { reduction: pred.shape[pred.rank - 1] }, `${name} ∂/∂pred`);
    });
  }

  test("crossEntropy with one-hot tensor targets equals PyTorch with the labels they encode", () => {
    const c = losses.crossEntropy!;
    const labels = c.labels!;
    const classes = c.pred.shape[1]!;
    const onehot = new Tensor(new Float32Array(labels.length * classes), [labels.length, classes]);
    labels.forEach((l, i) => (onehot.data[i * classes + l] = 1));
    const z = fromFixture(c.pred).requiresGrad_();
    const loss = crossEntropy(z, onehot);
    expectClose(loss, c.out.data, { reduction: z.size });
    loss.backward();
    expectClose(z.grad!, c.grad!.data, { reduction: classes });
  });

  for (const [name, f] of [["l2Penalty", l2Penalty], ["l1Penalty", l1Penalty]] as const) {
    test(`${name}: value and gradients match PyTorch (by hand: (s/2)·Σw², s·Σ|w|)`, () => {
      const c = losses[name]!;
      const ws = Object.values(c.inputs!).map((t) => fromFixture(t).requiresGrad_());
      const out = f(ws, c.params.strength!);
      expectClose(out, c.out.data, { reduction: 16 });
      out.backward();
      Object.values(c.grads!).forEach((g, i) => expectClose(ws[i]!.grad!, g.data, {}, `${name} ∂/∂w${i}`));
    });
  }
});

// ---- layers ----------------------------------------------------------------------------------

interface LayerCase {
  x: FT;
  params: Record<string, FT>;
  out: FT;
  upstream?: FT;
  loss?: FT;
  labels?: number[];
  target?: FT;
  grads: Record<string, FT>;
}

interface LayerSpec { build: () => Module; loss?: (out: Tensor, c: LayerCase) => Tensor; k: number }

const LAYERS: Record<string, LayerSpec> = {
  linear: { build: () => new Linear(4, 3), k: 5 },
  linear_nobias: { build: () => new Linear(4, 3, { bias: false }), k: 5 },
  // Nielsen's network (sigmoid hidden and output) under his quadratic cost.
  mlp_sigmoid: { build: () => mlp([4, 6, 3]), loss: (a, c) => quadraticCost(a, fromFixture(c.target!)), k: 6 },
  mlp_relu: {
    build: () => mlp([4, 8, 5, 3], { activation: "relu", output: "identity" }),
    loss: (z, c) => crossEntropy(z, Int32Array.from(c.labels!)),
    k: 8,
  },
  mlp_relu_upstream: { build: () => new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 3), new Tanh()), k: 8 },
  leakyRelu: { build: () => new LeakyReLU(0.2), k: 1 },
  softmax_last: { build: () => new Softmax(-1), k: 5 },
  softmax_0: { build: () => new Softmax(0), k: 5 },
  dropout_eval: { build: () => new Dropout(0.5).eval(), k: 1 },
};

const layers = fixture<{ cases: Record<string, LayerCase>; fans: Record<string, { shape: number[]; fanIn: number; fanOut: number }> }>("layers");

describe("layers match PyTorch (fixtures/layers.json)", () => {
  test("every layer case has a descent spec", () => {
    expect(Object.keys(layers.cases).sort()).toEqual(Object.keys(LAYERS).sort());
  });

  for (const [name, spec] of Object.entries(LAYERS)) {
    test(`${name}: forward, input gradient and parameter gradients match PyTorch`, () => {
      const c = layers.cases[name]!;
      const model = spec.build();
      model.loadStateDict(c.params, `fixture ${name}`);
      const x = fromFixture(c.x).requiresGrad_();
      const out = model.forward(x);
      expect(out.shape).toEqual(c.out.shape);
      const tol = { reduction: spec.k };
      expectClose(out, c.out.data, tol, `${name} output`);
      if (spec.loss) {
        const loss = spec.loss(out, c);
        expectClose(loss, c.loss!.data, { reduction: out.size }, `${name} loss`);
        loss.backward();
      } else {
        out.backward(fromFixture(c.upstream!));
      }
      expectClose(x.grad!, c.grads.x!.data, tol, `${name} ∂/∂x`);
      const named = Object.fromEntries(model.namedParameters());
      expect(Object.keys(named).sort()).toEqual(Object.keys(c.params).sort());
      for (const [pname, p] of Object.entries(named)) {
        expect(p.grad, `${name}: ${pname}.grad`).not.toBeNull();
        expectClose(p.grad!, c.grads[pname]!.data, tol, `${name} ∂/∂${pname}`);
      }
    });
  }

  test("fans match torch.nn.init._calculate_fan_in_and_fan_out", () => {
    for (const { shape, fanIn, fanOut } of Object.values(layers.fans)) {
      expect(fans(shape), `fans(${JSON.stringify(shape)})`).toEqual({ fanIn, fanOut });
    }
  });
});
