/**
 * Backward hooks (autograd's BackwardHooks) and the optimizer stepping inside backward
 * (optim/in-backward.ts). Oracles: the graph's structure (a leaf's hook comes after the vjp of every
 * op reading it), derivatives worked by hand, the gradient the same code computes without hooks,
 * and — for the in-backward update — the two-pass path: backward, then optimizer.step().
 */
import { describe, test, expect } from "vitest";
import { Tensor, tensor, fromOp } from "../src/tensor.js";
import { backward, type GradProduct } from "../src/autograd.js";
import { mul, relu } from "../src/ops/elementwise.js";
import { sum } from "../src/ops/reduce.js";
import { linear } from "../src/ops/linalg.js";
import { Parameter } from "../src/nn/module.js";
import { Linear } from "../src/nn/layers/linear.js";
import { Sequential } from "../src/nn/layers/sequential.js";
import { ReLU } from "../src/nn/layers/activations.js";
import { crossEntropy } from "../src/nn/losses.js";
import { SGD } from "../src/optim/sgd.js";
import { Adam } from "../src/optim/adam.js";
import type { Optimizer } from "../src/optim/optimizer.js";
import { stepInBackward } from "../src/optim/in-backward.js";
import { Trainer } from "../src/train/trainer.js";
import { Rng } from "../src/rng.js";

const seed = (t: Tensor) => Tensor.full(t.shape, 1, { dtype: t.dtype });
const bytes = (t: Tensor) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString("hex");
const randoms = (n: number, rng: Rng) => Array.from({ length: n }, () => rng.range(-1, 1));

/** A parameter with random values (float32 in persistent memory, or float64). */
function param(shape: number[], rng: Rng, dtype: "float32" | "float64" = "float32"): Parameter {
  const n = shape.reduce((a, b) => a * b, 1);
  return new Parameter(dtype === "float64" ? Float64Array.from(randoms(n, rng)) : Float32Array.from(randoms(n, rng)), shape);
}

describe("postAccumulateGrad", () => {
  test("runs once per leaf, after the vjp of every op reading it, with its complete gradient", () => {
    // u = a·w, v = u·w (w read twice), L = Σv = Σ a·w²  ⇒  ∂L/∂a = w², ∂L/∂w = 2·a·w (by hand).
    const log: string[] = [];
    const a = tensor([1, -2, 3], { requiresGrad: true, dtype: "float64" });
    const w = tensor([0.5, 4, -1], { requiresGrad: true, dtype: "float64" });
    const logged = (name: string, x: Tensor, y: Tensor) =>
      fromOp(name, mul(x, y).data, x.shape, [x, y], (g) => {
        log.push(`vjp ${name}`);
        return [mul(g, y), mul(g, x)];
      });
    const loss = sum(logged("v", logged("u", a, w), w));
    const seen = new Map<Tensor, number[]>();
    loss.backward(undefined, {
      postAccumulateGrad(leaf) {
        log.push(`hook ${leaf === a ? "a" : "w"}`);
        seen.set(leaf, Array.from(leaf.grad!.data));
      },
    });
    expect(log.filter((e) => e.startsWith("hook")).sort()).toEqual(["hook a", "hook w"]);
    expect(log.indexOf("hook a")).toBeGreaterThan(log.indexOf("vjp u"));
    expect(log.indexOf("hook w")).toBeGreaterThan(Math.max(log.indexOf("vjp u"), log.indexOf("vjp v")));
    expect(seen.get(a)).toEqual([0.25, 16, 1]);
    expect(seen.get(w)).toEqual([2 * 1 * 0.5, 2 * -2 * 4, 2 * 3 * -1]);
  });

  test("a parameter read by two products (its gradient written twice into its buffer) is reported once, with the sum", () => {
    // Weight tying: y = W·(W·x) through two Linear ops, each writing its share straight into W's
    // gradient buffer. Oracle: the same graph's gradient without hooks.
    const rng = new Rng(3);
    const x = new Tensor(Float32Array.from(randoms(12, rng)), [4, 3]);
    const w = param([3, 3], rng);
    const b = param([3], rng);
    const other = param([3], rng); // outside the graph: no gradient, no call
    const run = (hooks: Parameters<typeof backward>[2]) => {
      w.grad = b.grad = null;
      const loss = sum(relu(linear(linear(x, w, b), w)));
      backward(loss, seed(loss), hooks);
      return bytes(w.grad!);
    };
    const oracle = run(undefined);
    const calls: { leaf: Tensor; grad: string }[] = [];
    const offered: Tensor[] = [];
    const got = run({
      postAccumulateGrad: (leaf) => calls.push({ leaf, grad: bytes(leaf.grad!) }),
      takeGradProduct: (leaf) => (offered.push(leaf), false),
    });
    expect(got).toBe(oracle);
    expect(calls.map((c) => c.leaf === w ? "w" : c.leaf === b ? "b" : "?").sort()).toEqual(["b", "w"]);
    expect(calls.find((c) => c.leaf === w)!.grad).toBe(oracle);
    expect(calls.some((c) => c.leaf === other)).toBe(false);
    expect(offered).toEqual([]); // read twice: no single op holds its whole gradient
  });
});

describe("takeGradProduct", () => {
  test("a Linear weight read once is offered gᵀ·x; taken, it gets no .grad and no postAccumulateGrad", () => {
    const rng = new Rng(5);
    const x = new Tensor(Float64Array.from(randoms(8, rng)), [4, 2]);
    const w = param([3, 2], rng, "float64");
    const b = param([3], rng, "float64");
    const forward = () => {
      const y = linear(x, w, b);
      return sum(mul(y, y));
    };
    // Oracle: the gradient stored without hooks.
    let loss = forward();
    backward(loss, seed(loss));
    const oracle = Array.from(w.grad!.data);
    w.grad = b.grad = null;

    let product: GradProduct | null = null;
    const hooked: Tensor[] = [];
    loss = forward();
    backward(loss, seed(loss), {
      takeGradProduct(leaf, p) {
        if (leaf !== w) return false;
        product = { ...p, a: p.a.slice(), b: p.b.slice() };
        return true;
      },
      postAccumulateGrad: (leaf) => hooked.push(leaf),
    });
    expect(w.grad).toBeNull();
    expect(hooked).toEqual([b]);
    // op(A)·B by hand, from the product's own description.
    const { a, b: bb, m, k, n, transA } = product!;
    const dW: number[] = [];
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += (transA ? a[p * m + i]! : a[i * k + p]!) * bb[p * n + j]!;
        dW.push(s);
      }
    }
    dW.forEach((v, i) => expect(v).toBeCloseTo(oracle[i]!, 12));
  });
});

describe("stepping the optimizer inside backward", () => {
  // Oracle: the two-pass path — backward stores every gradient, then optimizer.step() — whose
  // optimizers are checked against PyTorch in optim.torch.test.ts. In backward must give the same bytes.
  // `taken`: weights updated from their product per step (plain SGD takes both Linear weights).
  const cases: { name: string; make: (ps: Tensor[]) => Optimizer<{ lr: number }>; batch: number; taken: number; dtype?: "float64" }[] = [
    { name: "plain SGD with weight decay, batch 10 (the product's kernel updates the weights)", make: (ps) => new SGD(ps, { lr: 0.1, weightDecay: 1e-3 }), batch: 10, taken: 2 },
    { name: "plain SGD, batch 300 (a reduction too long for one block: product, then update)", make: (ps) => new SGD(ps, { lr: 0.05, weightDecay: 1e-4 }), batch: 300, taken: 2 },
    { name: "plain SGD in float64", make: (ps) => new SGD(ps, { lr: 0.1, weightDecay: 1e-3 }), batch: 10, taken: 2, dtype: "float64" },
    { name: "SGD with Nesterov momentum (from the stored gradient)", make: (ps) => new SGD(ps, { lr: 0.1, momentum: 0.9, nesterov: true }), batch: 10, taken: 0 },
    { name: "Adam (from the stored gradient)", make: (ps) => new Adam(ps, { lr: 0.01 }), batch: 10, taken: 0 },
  ];
  for (const c of cases) {
    test(`${c.name}: weights and optimizer state as backward then step()`, () => {
      const run = (inBackward: boolean) => {
        const rng = new Rng(11);
        const layers = [param([16, 20], rng, c.dtype), param([16], rng, c.dtype), param([4, 16], rng, c.dtype), param([4], rng, c.dtype)];
        const [w1, b1, w2, b2] = layers as [Parameter, Parameter, Parameter, Parameter];
        const opt = c.make(layers);
        const inner = stepInBackward(opt);
        let taken = 0;
        const hooks = inBackward
          ? { ...inner, takeGradProduct: (leaf: Tensor, p: GradProduct) => inner.takeGradProduct!(leaf, p) && ++taken > 0 }
          : undefined;
        const data = new Rng(12);
        for (let s = 0; s < 3; s++) {
          const xs = randoms(c.batch * 20, data);
          const x = new Tensor(c.dtype === "float64" ? Float64Array.from(xs) : Float32Array.from(xs), [c.batch, 20]);
          const labels = Int32Array.from({ length: c.batch }, () => Math.floor(data.uniform() * 4));
          opt.zeroGrad();
          const loss = crossEntropy(linear(relu(linear(x, w1, b1)), w2, b2), labels);
          backward(loss, seed(loss), hooks);
          if (inBackward) expect(layers.every((p) => p.grad === null)).toBe(true);
          opt.step();
        }
        if (inBackward) expect(taken).toBe(3 * c.taken);
        return { weights: layers.map(bytes), state: JSON.stringify(opt.stateDict(), (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v)) };
      };
      const two = run(false);
      const one = run(true);
      expect(one.weights).toEqual(two.weights);
      expect(one.state).toBe(two.state);
    });
  }

  test("the Trainer with Adam: fuseUpdates true and false give the same bytes; true leaves no .grad", () => {
    const run = (fuseUpdates: boolean) => {
      const model = new Sequential(new Linear(6, 8, { rng: new Rng(1) }), new ReLU(), new Linear(8, 3, { rng: new Rng(2) }));
      const t = new Trainer(model, { loss: crossEntropy, optimizer: new Adam(model.parameters(), { lr: 0.01 }), fuseUpdates });
      const data = new Rng(4);
      for (let s = 0; s < 4; s++) {
        t.step({ x: new Tensor(Float32Array.from(randoms(30, data)), [5, 6]), y: Int32Array.from({ length: 5 }, (_, i) => i % 3) });
      }
      return model;
    };
    const fused = run(true);
    const plain = run(false);
    expect(fused.parameters().map(bytes)).toEqual(plain.parameters().map(bytes));
    expect(fused.parameters().every((p) => p.grad === null)).toBe(true);
    expect(plain.parameters().every((p) => p.grad !== null)).toBe(true);
  });
});
