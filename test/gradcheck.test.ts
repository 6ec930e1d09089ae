/**
 * Every differentiable op, loss and layer against central finite differences in float64.
 * Oracle: `gradcheck` (eps 1e-6, atol 1e-5, rtol 1e-3 — ARCHITECTURE.md "Test oracles"), which
 * compares each op's vjp with (f(x + eps) − f(x − eps)) / 2eps computed from the forward pass only.
 * Inputs are seeded and kept away from kinks (relu/abs/leakyRelu at 0, clamp at its bounds, ties
 * in max) where the derivative does not exist. The last block proves gradcheck itself fails on a
 * wrong gradient.
 */
import { distinctValues, randomLabels, expectGradcheck } from "./helpers.js";
import { describe, test, expect } from "vitest";
import { Tensor, fromOp } from "../src/tensor.js";
import { gradcheck } from "../src/gradcheck.js";
import { Rng } from "../src/rng.js";
import * as ops from "../src/ops/index.js";
import {
  binaryCrossEntropy, bceWithLogits, crossEntropy, l1Loss, logLikelihood, mseLoss, nllLoss, oneHot, quadraticCost,
  type Reduction,
} from "../src/nn/losses.js";
import { l1Penalty, l2Penalty } from "../src/nn/regularization.js";
import { Module, Parameter } from "../src/nn/module.js";
import { Linear } from "../src/nn/layers/linear.js";
import { LeakyReLU, Sigmoid, Softmax, Tanh } from "../src/nn/layers/activations.js";
import { Sequential, Flatten } from "../src/nn/layers/sequential.js";
import { mlp } from "../src/nn/mlp.js";
import { forwardScored, objectiveFor } from "../src/train/objective.js";

const rng = new Rng(2718);

/** float64 uniform in [lo, hi). */
function uniform(shape: number[], lo = -1, hi = 1): Tensor {
  return Tensor.rand(shape, rng, lo, hi, { dtype: "float64" });
}
/** float64 values with |x| in [0.2, 2] and a random sign: clear of kinks at 0. */
function awayFromZero(shape: number[]): Tensor {
  const t = uniform(shape, 0.2, 2);
  for (let i = 0; i < t.size; i++) if (rng.uniform() < 0.5) t.data[i] = -t.data[i]!;
  return t;
}
const distinct = (shape: number[]) => distinctValues(shape, rng);
const labels = (n: number, classes: number) => randomLabels(n, classes, rng);

const check = expectGradcheck;

// ---- elementwise -----------------------------------------------------------------------------

describe("unary ops: vjp = finite differences (float64)", () => {
  const cases: [string, (x: Tensor) => Tensor, () => Tensor][] = [
    ["neg", ops.neg, () => uniform([3, 4])],
    ["exp", ops.exp, () => uniform([3, 4], -2, 2)],
    ["log", ops.log, () => uniform([3, 4], 0.1, 3)],
    ["log1p", ops.log1p, () => uniform([3, 4], -0.8, 3)],
    ["sqrt", ops.sqrt, () => uniform([3, 4], 0.1, 3)],
    ["abs", ops.abs, () => awayFromZero([3, 4])],
    ["sign (zero gradient)", ops.sign, () => awayFromZero([3, 4])],
    ["sigmoid", ops.sigmoid, () => uniform([3, 4], -4, 4)],
    ["tanh", ops.tanh, () => uniform([3, 4], -3, 3)],
    ["relu", ops.relu, () => awayFromZero([3, 4])],
    ["leakyRelu (slope 0.2)", (x) => ops.leakyRelu(x, 0.2), () => awayFromZero([3, 4])],
    ["leakyRelu (default 0.01)", (x) => ops.leakyRelu(x), () => awayFromZero([3, 4])],
    ["softplus", ops.softplus, () => uniform([3, 4], -5, 5)],
    ["softplus (large |x|)", ops.softplus, () => new Tensor(Float64Array.of(-30, -8, 8, 30), [4])],
    ["clamp (−0.5, 0.7), clear of the bounds", (x) => ops.clamp(x, -0.5, 0.7), () => new Tensor(Float64Array.of(-1.2, -0.6, -0.4, 0, 0.3, 0.69, 0.71, 1.5), [2, 4])],
    ["square", ops.square, () => uniform([3, 4])],
    ["0-d input", ops.tanh, () => uniform([])],
  ];
  for (const [name, f, make] of cases) test(name, () => check(f, [make()]));
});

describe("binary ops with broadcasting: vjp = finite differences (float64)", () => {
  const shapes: [string, number[], number[]][] = [
    ["[2,3]∘[2,3]", [2, 3], [2, 3]],
    ["[2,3]∘[3]", [2, 3], [3]],
    ["[3]∘[2,3]", [3], [2, 3]],
    ["[4,1]∘[1,5]", [4, 1], [1, 5]],
    ["[2,3]∘[] (0-d)", [2, 3], []],
    ["[2,1,3]∘[4,1]", [2, 1, 3], [4, 1]],
  ];
  const binops: [string, (a: Tensor, b: Tensor) => Tensor, (s: number[]) => Tensor, (s: number[]) => Tensor][] = [
    ["add", ops.add, (s) => uniform(s), (s) => uniform(s)],
    ["sub", ops.sub, (s) => uniform(s), (s) => uniform(s)],
    ["mul", ops.mul, (s) => uniform(s), (s) => uniform(s)],
    ["div", ops.div, (s) => uniform(s), (s) => awayFromZero(s)],
    ["pow (tensor exponent)", ops.pow, (s) => uniform(s, 0.3, 2.5), (s) => uniform(s, -2, 2)],
  ];
  for (const [op, f, ma, mb] of binops) {
    for (const [shapeName, sa, sb] of shapes) test(`${op} ${shapeName}`, () => check(f, [ma(sa), mb(sb)]));
  }
  test("add/sub/mul/div/pow with a number on either side", () => {
    const x = () => uniform([2, 3], 0.3, 2);
    check((a) => ops.add(a, 2.5), [x()]);
    check((a) => ops.sub(2.5, a), [x()]);
    check((a) => ops.mul(-1.5, a), [x()]);
    check((a) => ops.div(3, a), [x()]);
    check((a) => ops.div(a, 3), [x()]);
    check((a) => ops.pow(a, 3), [x()]);
    check((a) => ops.pow(a, 0.5), [x()]);
    check((a) => ops.pow(2, a), [x()]);
  });
  test("same tensor on both sides: x·x, x/x, xˣ", () => {
    check((x) => ops.mul(x, x), [uniform([3])]);
    check((x) => ops.div(x, x), [awayFromZero([3])]);
    check((x) => ops.pow(x, x), [uniform([3], 0.3, 2)]);
  });
});

// ---- linear algebra --------------------------------------------------------------------------

describe("matmul, gemm and linear: vjp = finite differences (float64)", () => {
  const mm: [string, number[], number[]][] = [
    ["[3,4]·[4,5]", [3, 4], [4, 5]],
    ["[4]·[4,5]", [4], [4, 5]],
    ["[3,4]·[4]", [3, 4], [4]],
    ["[4]·[4]", [4], [4]],
    ["[2,3,4]·[4,2] (leading dims folded)", [2, 3, 4], [4, 2]],
    ["[1,1]·[1,1]", [1, 1], [1, 1]],
  ];
  for (const [name, sa, sb] of mm) test(`matmul ${name}`, () => check(ops.matmul, [uniform(sa), uniform(sb)]));

  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      test(`gemm transA=${transA} transB=${transB} (m=2, k=3, n=4)`, () => {
        const a = uniform(transA ? [3, 2] : [2, 3]);
        const b = uniform(transB ? [4, 3] : [3, 4]);
        check((x, y) => ops.gemm(x, y, transA, transB), [a, b]);
      });
    }
  }

  test("linear with bias: x·Wᵀ + b", () => check(ops.linear, [uniform([4, 3]), uniform([2, 3]), uniform([2])]));
  test("linear without bias", () => check((x, w) => ops.linear(x, w), [uniform([4, 3]), uniform([2, 3])]));
  test("linear, gradient for the weight only", () => {
    const x = uniform([4, 3]);
    const w = uniform([2, 3]).requiresGrad_();
    check((xx, ww) => ops.linear(xx, ww), [x, w]);
  });
});

// ---- movement --------------------------------------------------------------------------------

describe("reshape, flatten, permute, transpose, expand: vjp = finite differences (float64)", () => {
  const x = () => uniform([2, 3, 4]);
  test("reshape [2,3,4] → [6,4]", () => check((t) => ops.reshape(t, [6, 4]), [x()]));
  test("reshape with −1 → [4,-1]", () => check((t) => ops.reshape(t, [4, -1]), [x()]));
  test("reshape to 0-d and back", () => check((t) => ops.reshape(ops.reshape(t, []), [1, 1]), [uniform([1])]));
  test("flatten (from dim 1)", () => check((t) => ops.flatten(t), [x()]));
  test("flatten from dim 0", () => check((t) => ops.flatten(t, 0), [x()]));
  test("permute [2,0,1]", () => check((t) => ops.permute(t, [2, 0, 1]), [x()]));
  test("permute [1,2,0]", () => check((t) => ops.permute(t, [1, 2, 0]), [x()]));
  test("transpose last two", () => check((t) => ops.transpose(t), [x()]));
  test("transpose (0, 2)", () => check((t) => ops.transpose(t, 0, 2), [x()]));
  test("2-D .t()", () => check((t) => t.t(), [uniform([3, 4])]));
  test("expand [1,4] → [3,4]", () => check((t) => ops.expand(t, [3, 4]), [uniform([1, 4])]));
  test("expand [4] → [2,3,4]", () => check((t) => ops.expand(t, [2, 3, 4]), [uniform([4])]));
  test("expand [2,1,4] → [2,3,4]", () => check((t) => ops.expand(t, [2, 3, 4]), [uniform([2, 1, 4])]));
  test("expand 0-d → [2,3]", () => check((t) => ops.expand(t, [2, 3]), [uniform([])]));
});

// ---- reductions ------------------------------------------------------------------------------

describe("sum, mean, max over axes: vjp = finite differences (float64)", () => {
  const axesList: (number | number[] | undefined)[] = [undefined, 0, 1, -1, [0, 2], [0, 1], [1, 2], [0, 1, 2]];
  for (const red of ["sum", "mean"] as const) {
    for (const axes of axesList) {
      for (const keep of [false, true]) {
        test(`${red}(axes ${JSON.stringify(axes) ?? "all"}, keepDims ${keep})`, () =>
          check((t) => ops[red](t, axes, keep), [uniform([2, 3, 4])]));
      }
    }
  }
  for (const axis of [undefined, 0, 1, 2, -1]) {
    for (const keep of [false, true]) {
      test(`max(axis ${axis ?? "all"}, keepDims ${keep}), no ties`, () =>
        check((t) => ops.max(t, axis, keep), [distinct([2, 3, 4])]));
    }
  }
});

// ---- softmax ---------------------------------------------------------------------------------

describe("softmax, logSoftmax, softmaxCrossEntropy: vjp = finite differences (float64)", () => {
  for (const axis of [0, 1, 2, -1]) {
    test(`softmax over axis ${axis} of [2,3,4]`, () => check((t) => ops.softmax(t, axis), [uniform([2, 3, 4], -3, 3)]));
    test(`logSoftmax over axis ${axis} of [2,3,4]`, () => check((t) => ops.logSoftmax(t, axis), [uniform([2, 3, 4], -3, 3)]));
  }
  test("softmax of a vector and of large logits", () => {
    check((t) => ops.softmax(t), [uniform([5], -3, 3)]);
    check((t) => ops.logSoftmax(t), [new Tensor(Float64Array.of(40, 41, 39.5, -40), [4])]);
  });
  test("softmaxCrossEntropy(logits [5,4], labels)", () => {
    const l = labels(5, 4);
    check((z) => ops.softmaxCrossEntropy(z, l), [uniform([5, 4], -3, 3)]);
  });
  test("softmaxCrossEntropy with one row and with saturated logits", () => {
    check((z) => ops.softmaxCrossEntropy(z, Int32Array.of(2)), [uniform([1, 3], -2, 2)]);
    check((z) => ops.softmaxCrossEntropy(z, Int32Array.of(0, 1)), [new Tensor(Float64Array.of(20, -20, 0, -20, 20, 1), [2, 3])]);
  });
});

// ---- losses ----------------------------------------------------------------------------------

describe("losses: vjp = finite differences (float64), gradient w.r.t. the prediction", () => {
  const reductions: Reduction[] = ["mean", "sum", "batchmean"];
  const N = 4;
  const C = 3;
  const target = () => uniform([N, C]);
  const binaryTarget = () => new Tensor(Float64Array.from({ length: N * C }, (_, i) => [0, 1, 0.3][i % 3]!), [N, C]);

  test("quadraticCost (½·Σ‖y−a‖²/N) with tensor targets and with labels", () => {
    const y = target();
    check((a) => quadraticCost(a, y), [uniform([N, C])]);
    const l = labels(N, C);
    check((a) => quadraticCost(a, l), [uniform([N, C])]);
  });
  for (const r of reductions) {
    test(`mseLoss (${r})`, () => {
      const y = target();
      check((a) => mseLoss(a, y, r), [uniform([N, C])]);
    });
    test(`l1Loss (${r}), clear of a = y`, () => {
      const y = target();
      const a = y.add(awayFromZero([N, C]));
      check((p) => l1Loss(p, y, r), [a]);
    });
    test(`bceWithLogits (${r})`, () => {
      const y = binaryTarget();
      check((z) => bceWithLogits(z, y, r), [uniform([N, C], -4, 4)]);
    });
    test(`binaryCrossEntropy on probabilities (${r})`, () => {
      const y = binaryTarget();
      check((a) => binaryCrossEntropy(a, y, r), [uniform([N, C], 0.05, 0.95)]);
    });
    test(`binaryCrossEntropy(sigmoid(z)) on the probabilities (${r})`, () => {
      const y = binaryTarget();
      check((z) => binaryCrossEntropy(ops.sigmoid(z), y, r), [uniform([N, C], -4, 4)]);
    });
  }
  test("binaryCrossEntropy on probabilities with class labels (one-hot targets)", () => {
    const l = labels(N, C);
    check((a) => binaryCrossEntropy(a, l), [uniform([N, C], 0.05, 0.95)]);
  });
  test("bceWithLogits on saturated logits (±30)", () => {
    const y = new Tensor(Float64Array.of(1, 0, 0, 1), [2, 2]);
    check((z) => bceWithLogits(z, y), [new Tensor(Float64Array.of(30, -30, 30, -30), [2, 2])]);
  });
  test("crossEntropy with labels and with one-hot targets", () => {
    const l = labels(N, C);
    check((z) => crossEntropy(z, l), [uniform([N, C], -3, 3)]);
    const onehot = oneHot(l, C, "float64");
    check((z) => crossEntropy(z, onehot), [uniform([N, C], -3, 3)]);
  });
  test("nllLoss on log-probabilities", () => {
    const l = labels(N, C);
    check((lp) => nllLoss(lp, l), [uniform([N, C], -3, -0.1)]);
    check((z) => nllLoss(ops.logSoftmax(z), l), [uniform([N, C], -3, 3)]);
  });
  test("logLikelihood on probabilities (clamped-log path)", () => {
    const l = labels(N, C);
    check((p) => logLikelihood(p, l), [uniform([N, C], 0.05, 0.95)]);
  });
  test("logLikelihood(softmax(z)) on the probabilities", () => {
    const l = labels(N, C);
    check((z) => logLikelihood(ops.softmax(z), l), [uniform([N, C], -3, 3)]);
  });
  test("the experiment's cross-entropy on a sigmoid or softmax output reads the logits (train/objective.ts)", () => {
    const y = binaryTarget();
    const bce = objectiveFor("cross-entropy", "sigmoid");
    expect(bce.lossOnLogits).toBe(true);
    check((z) => bce.loss(forwardScored(new Sequential(new Sigmoid()), z, true).scored, y), [uniform([N, C], -4, 4)]);
    const l = labels(N, C);
    const ll = objectiveFor("log-likelihood", "softmax");
    check((z) => ll.loss(forwardScored(new Sequential(new Softmax()), z, true).scored, l), [uniform([N, C], -3, 3)]);
  });
  test("l2Penalty (s/2)·Σw² and l1Penalty s·Σ|w| over two tensors", () => {
    check((a, b) => l2Penalty([a, b], 0.3), [uniform([3, 4]), uniform([4])]);
    check((a, b) => l1Penalty([a, b], 0.3), [awayFromZero([3, 4]), awayFromZero([4])]);
  });
});

// ---- modules ---------------------------------------------------------------------------------

/** Replaces every parameter of `m` (recursively) with a float64 copy, so gradcheck can perturb it. */
function toFloat64(m: Module): Module {
  for (const [key, value] of Object.entries(m)) {
    if (value instanceof Parameter) (m as unknown as Record<string, unknown>)[key] = new Parameter(Float64Array.from(value.data), value.shape);
  }
  for (const [, child] of m.namedChildren()) toFloat64(child);
  return m;
}

describe("modules: gradients w.r.t. input and every parameter = finite differences (float64)", () => {
  test("Linear(3 → 2) with bias", () => {
    const fc = toFloat64(new Linear(3, 2, { rng: new Rng(1) }));
    check((x) => fc.forward(x), [uniform([4, 3]).requiresGrad_(), ...fc.parameters()]);
  });
  test("Linear(3 → 2) without bias", () => {
    const fc = toFloat64(new Linear(3, 2, { bias: false, rng: new Rng(2) }));
    expect(fc.parameters()).toHaveLength(1);
    check((x) => fc.forward(x), [uniform([4, 3]).requiresGrad_(), ...fc.parameters()]);
  });
  test("Sequential sigmoid MLP [3, 4, 2] under the quadratic cost (Nielsen's network)", () => {
    const net = toFloat64(mlp([3, 4, 2], { rng: new Rng(3) }));
    const y = uniform([5, 2], 0, 1);
    const x = uniform([5, 3]);
    check((...ps) => { void ps; return quadraticCost(net.forward(x), y); }, net.parameters());
    check((xx) => net.forward(xx), [uniform([2, 3])]);
  });
  test("Sequential relu MLP [3, 5, 4, 3] with cross-entropy on logits", () => {
    const net = toFloat64(mlp([3, 5, 4, 3], { activation: "relu", output: "identity", init: "he-normal", biasInit: "pytorch", rng: new Rng(4) }));
    const x = uniform([6, 3]);
    const l = labels(6, 3);
    check((...ps) => { void ps; return crossEntropy(net.forward(x), l); }, net.parameters());
  });
  test("Sequential with Flatten, Tanh, LeakyReLU, Sigmoid and Softmax + logLikelihood", () => {
    const net = toFloat64(new Sequential(
      new Flatten(), new Linear(6, 4, { rng: new Rng(5) }), new Tanh(), new Linear(4, 4, { rng: new Rng(6) }),
      new LeakyReLU(0.1), new Linear(4, 3, { rng: new Rng(7) }), new Sigmoid(), new Linear(3, 3, { rng: new Rng(8) }), new Softmax(),
    ));
    const x = uniform([2, 2, 3]).requiresGrad_(); // parameters require grad, so mark x too
    const l = labels(2, 3);
    check((xx, ...ps) => { void ps; return logLikelihood(net.forward(xx), l); }, [x, ...net.parameters()]);
  });
});

// ---- gradcheck checks itself -----------------------------------------------------------------

describe("gradcheck rejects wrong gradients", () => {
  /** y = 3x with a vjp scaled by `factor` (1 is correct). */
  const scaled = (factor: number) => (x: Tensor) =>
    fromOp("triple", Float64Array.from(x.data, (v) => 3 * v), x.shape, [x], (g) => [g.mul(3 * factor)]);

  test("a vjp off by a factor of 2 fails (returns false when quiet, throws otherwise)", () => {
    expect(gradcheck(scaled(2), [uniform([3])], { quiet: true })).toBe(false);
    expect(() => gradcheck(scaled(2), [uniform([3])])).toThrow(/gradcheck: d output\[\d\] \/ d input0\[\d\]: analytic 6, numeric (3|2\.9999)/);
  });
  test("a vjp with the wrong sign fails; the correct vjp passes", () => {
    expect(gradcheck(scaled(-1), [uniform([3])], { quiet: true })).toBe(false);
    expect(gradcheck(scaled(1), [uniform([3])])).toBe(true);
  });
  test("a vjp that routes the gradient to the wrong element fails", () => {
    // y = x (identity) but the vjp reverses the gradient: right values, wrong places.
    const flipped = (x: Tensor) =>
      fromOp("flip", x.data.slice(), x.shape, [x], (g) => [new Tensor(Float64Array.from(g.data).reverse(), g.shape)]);
    expect(gradcheck(flipped, [uniform([3])], { quiet: true })).toBe(false);
  });
  test("a gradient that is wrong only by 1 % of a large value fails under rtol 1e-3", () => {
    expect(gradcheck(scaled(1.01), [uniform([3], 10, 20)], { quiet: true })).toBe(false);
  });
  test("float32 inputs are refused", () => {
    expect(() => gradcheck(ops.exp, [Tensor.zeros([2])])).toThrow(/float64/);
  });
});
