/**
 * Convolution, pooling, batch normalisation and residual/conv networks against central finite
 * differences in float64. Oracle: `gradcheck` (eps 1e-6, atol 1e-5, rtol 1e-3 — ARCHITECTURE.md
 * "Test oracles"), which compares each vjp with (f(x + eps) − f(x − eps)) / 2eps from the forward
 * pass only. Max pooling gets inputs spaced ≥ 0.05 apart, so no window has a tie; float64 data
 * always runs on the ref kernels.
 */
import { distinctValues, randomLabels, expectGradcheck } from "./helpers.js";
import { describe, test, expect } from "vitest";
import { Tensor } from "../src/tensor.js";
import { gradcheck } from "../src/gradcheck.js";
import { Rng } from "../src/rng.js";
import { conv2d, maxPool2d, avgPool2d, type Conv2dOptions } from "../src/ops/conv.js";
import { crossEntropy } from "../src/nn/losses.js";
import { Module, Parameter } from "../src/nn/module.js";
import { Conv2d } from "../src/nn/layers/conv.js";
import { MaxPool2d, AvgPool2d } from "../src/nn/layers/pool.js";
import { BatchNorm1d, BatchNorm2d } from "../src/nn/layers/batchnorm.js";
import { Residual } from "../src/nn/layers/residual.js";
import { Linear } from "../src/nn/layers/linear.js";
import { ReLU, Tanh } from "../src/nn/layers/activations.js";
import { Sequential, Flatten } from "../src/nn/layers/sequential.js";

const rng = new Rng(31415);

/** float64 uniform in [lo, hi). */
const uniform = (shape: number[], lo = -1, hi = 1) => Tensor.rand(shape, rng, lo, hi, { dtype: "float64" });
const distinct = (shape: number[]) => distinctValues(shape, rng);
const labels = (n: number, classes: number) => randomLabels(n, classes, rng);

const check = expectGradcheck;

/**
 * Replaces every parameter (with a float64 Parameter) and buffer (with a float64 Tensor) of `m`,
 * recursively, so gradcheck can perturb them; `randomise` redraws the values, e.g. BatchNorm's
 * γ = 1, β = 0 would hide a missing γ factor.
 */
function toFloat64<M extends Module>(m: M, randomise = false): M {
  const fields = m as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(m)) {
    if (value instanceof Parameter) {
      const data = randomise ? uniform(value.shape as number[], 0.5, 1.5).data : Float64Array.from(value.data);
      fields[key] = new Parameter(data, value.shape);
    } else if (value instanceof Tensor) {
      fields[key] = new Tensor(Float64Array.from(value.data), value.shape);
    }
  }
  for (const [, child] of m.namedChildren()) toFloat64(child, randomise);
  return m;
}

// ---- conv2d ----------------------------------------------------------------------------------

describe("conv2d: vjp w.r.t. input, weight and bias = finite differences (float64)", () => {
  const cases: [string, number[], number[], boolean, Conv2dOptions][] = [
    ["stride 1, padding 0", [2, 2, 4, 4], [3, 2, 3, 3], true, {}],
    ["stride 2, padding 1", [1, 2, 5, 5], [2, 2, 3, 3], true, { stride: 2, padding: 1 }],
    ["stride 3, padding 2, 7×5 input", [1, 2, 7, 5], [2, 2, 3, 3], true, { stride: 3, padding: 2 }],
    ["2×3 kernel, padding 1", [1, 2, 4, 5], [2, 2, 2, 3], true, { padding: 1 }],
    ["stride 3 > kernel 2 (skipped pixels)", [1, 1, 7, 7], [2, 1, 2, 2], true, { stride: 3 }],
    ["groups 2", [1, 4, 4, 4], [4, 2, 3, 3], true, { padding: 1, groups: 2 }],
    ["depthwise (groups = channels)", [1, 3, 4, 4], [3, 1, 3, 3], true, { padding: 1, groups: 3 }],
    ["depthwise, 2 filters per channel, stride 2", [1, 3, 5, 5], [6, 1, 3, 3], true, { stride: 2, groups: 3 }],
    ["no bias", [2, 2, 4, 4], [3, 2, 3, 3], false, {}],
    ["1×1 kernel", [2, 3, 3, 3], [4, 3, 1, 1], true, {}],
    ["1×1 kernel, padding 2 (border outputs are bias only)", [1, 2, 3, 3], [2, 2, 1, 1], true, { padding: 2 }],
    ["5×5 kernel, stride 2, padding 2, batch 2", [2, 3, 7, 7], [4, 3, 5, 5], true, { stride: 2, padding: 2 }],
  ];
  for (const [name, xs, ws, hasBias, opts] of cases) {
    test(name, () => {
      const inputs = [uniform(xs), uniform(ws), ...(hasBias ? [uniform([ws[0]!])] : [])];
      check((x, w, b) => conv2d(x!, w!, b ?? null, opts), inputs);
    });
  }
  test("weight and bias only (the input needs no gradient)", () => {
    const x = uniform([2, 2, 4, 4]);
    check((xx, w, b) => conv2d(xx!, w!, b!, { padding: 1 }), [x, uniform([2, 2, 3, 3]).requiresGrad_(), uniform([2]).requiresGrad_()]);
  });
  test("input only (weight and bias are constants)", () => {
    const w = uniform([2, 2, 3, 3]);
    const b = uniform([2]);
    check((x) => conv2d(x, w, b, { stride: 2, padding: 1 }), [uniform([1, 2, 5, 5])]);
  });
});

// ---- pooling ---------------------------------------------------------------------------------

describe("maxPool2d and avgPool2d: vjp = finite differences (float64)", () => {
  const cases: [string, number[], number, number][] = [
    ["k 2, stride 2", [2, 2, 4, 4], 2, 2],
    ["k 3, stride 2 on 7×7 (overlapping windows)", [1, 2, 7, 7], 3, 2],
    ["k 2, stride 2 on 5×7 (last row and column unused)", [1, 1, 5, 7], 2, 2],
    ["k 3, stride 1", [1, 1, 5, 5], 3, 1],
    ["k 2, stride 3 (gaps between windows)", [1, 1, 8, 8], 2, 3],
  ];
  for (const [name, shape, k, s] of cases) {
    test(`maxPool2d ${name}`, () => check((x) => maxPool2d(x, k, s), [distinct(shape)]));
    test(`avgPool2d ${name}`, () => check((x) => avgPool2d(x, k, s), [uniform(shape)]));
  }
  test("MaxPool2d and AvgPool2d layers (default stride = kernel)", () => {
    check((x) => new MaxPool2d(2).forward(x), [distinct([1, 2, 4, 6])]);
    check((x) => new AvgPool2d(3).forward(x), [uniform([1, 2, 6, 6])]);
  });
});

// ---- batch normalisation ---------------------------------------------------------------------

describe("BatchNorm1d / BatchNorm2d: vjp w.r.t. the input and γ, β = finite differences (float64)", () => {
  const cases: [string, () => BatchNorm1d | BatchNorm2d, number[]][] = [
    ["BatchNorm1d(3), N = 6", () => new BatchNorm1d(3), [6, 3]],
    ["BatchNorm1d(2), N = 2", () => new BatchNorm1d(2), [2, 2]],
    ["BatchNorm2d(2), [3, 2, 3, 3]", () => new BatchNorm2d(2), [3, 2, 3, 3]],
    ["BatchNorm2d(3), N = 1, [1, 3, 2, 3]", () => new BatchNorm2d(3), [1, 3, 2, 3]],
    ["BatchNorm2d(2, eps 0.1, momentum 0.3)", () => new BatchNorm2d(2, 0.1, 0.3), [2, 2, 2, 2]],
  ];
  for (const [name, make, shape] of cases) {
    test(`${name}, training mode: as a function of x`, () => {
      const bn = toFloat64(make(), true);
      expect(bn.runningMean.dtype).toBe("float64");
      check((x) => bn.forward(x), [uniform(shape, -2, 3)]);
    });
    test(`${name}, training mode: as a function of x, γ and β`, () => {
      const bn = toFloat64(make(), true);
      check((x) => bn.forward(x!), [uniform(shape, -2, 3).requiresGrad_(), bn.weight, bn.bias]);
    });
  }
  test("BatchNorm2d in eval mode (running statistics as constants): x, γ, β", () => {
    const bn = toFloat64(new BatchNorm2d(2), true);
    bn.runningMean.data.set([0.3, -0.7]);
    bn.runningVar.data.set([0.5, 2.0]);
    bn.eval();
    check((x) => bn.forward(x!), [uniform([2, 2, 2, 3]).requiresGrad_(), bn.weight, bn.bias]);
  });
  test("BatchNorm1d in eval mode: x, γ, β", () => {
    const bn = toFloat64(new BatchNorm1d(3), true);
    bn.runningMean.data.set([0.3, -0.7, 1.1]);
    bn.runningVar.data.set([0.5, 2.0, 0.1]);
    bn.eval();
    check((x) => bn.forward(x!), [uniform([4, 3]).requiresGrad_(), bn.weight, bn.bias]);
  });
});

// ---- residual and conv networks --------------------------------------------------------------

describe("Residual and conv Sequentials: gradients w.r.t. input and every parameter (float64)", () => {
  test("Residual(Linear(4 → 4)): x + Wx + b", () => {
    const res = toFloat64(new Residual(new Linear(4, 4, { rng: new Rng(1) })));
    check((x) => res.forward(x!), [uniform([3, 4]).requiresGrad_(), ...res.parameters()]);
  });
  test("Residual(Linear → Tanh → Linear)", () => {
    const res = toFloat64(new Residual(new Sequential(new Linear(3, 5, { rng: new Rng(2) }), new Tanh(), new Linear(5, 3, { rng: new Rng(3) }))));
    check((x) => res.forward(x!), [uniform([2, 3]).requiresGrad_(), ...res.parameters()]);
  });
  test("Residual(Conv2d(2 → 2, 3×3, padding 1)): a shape-keeping convolution", () => {
    const res = toFloat64(new Residual(new Conv2d(2, 2, 3, { padding: 1, rng: new Rng(4) })));
    check((x) => res.forward(x!), [uniform([1, 2, 4, 4]).requiresGrad_(), ...res.parameters()]);
  });
  test("one Conv2d applied twice (its weight gradient accumulates from both uses)", () => {
    const conv = toFloat64(new Conv2d(2, 2, 3, { padding: 1, rng: new Rng(5) }));
    const relu = new ReLU();
    check((x) => conv.forward(relu.forward(conv.forward(x!))), [uniform([1, 2, 4, 4]).requiresGrad_(), ...conv.parameters()]);
  });

  const convNet = () => toFloat64(new Sequential(
    new Conv2d(1, 2, 3, { rng: new Rng(6) }), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(8, 3, { rng: new Rng(7) }),
  ));
  test("Conv2d → ReLU → MaxPool2d → Flatten → Linear: output w.r.t. x and every parameter", () => {
    const net = convNet();
    expect(net.parameters()).toHaveLength(4);
    check((x) => net.forward(x!), [uniform([2, 1, 6, 6]).requiresGrad_(), ...net.parameters()]);
  });
  test("the same net under cross-entropy: loss w.r.t. every parameter", () => {
    const net = convNet();
    const x = uniform([3, 1, 6, 6]);
    const l = labels(3, 3);
    check(() => crossEntropy(net.forward(x), l), net.parameters());
  });
  test("Conv2d → BatchNorm2d (training) → ReLU → AvgPool2d → Flatten → Linear, under cross-entropy", () => {
    const net = toFloat64(new Sequential(
      new Conv2d(1, 2, 3, { padding: 1, rng: new Rng(8) }), new BatchNorm2d(2), new ReLU(), new AvgPool2d(2), new Flatten(),
      new Linear(8, 3, { rng: new Rng(9) }),
    ));
    const x = uniform([2, 1, 4, 4]).requiresGrad_();
    const l = labels(2, 3);
    check((xx) => crossEntropy(net.forward(xx!), l), [x, ...net.parameters()]);
  });
});
