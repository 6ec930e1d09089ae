/**
 * The autograd engine's bookkeeping. Oracle: derivatives worked by hand for small expressions
 * (noted beside each test), and the documented contract of backward()/noGrad().
 */
import { describe, test, expect } from "vitest";
import { Tensor, tensor, fromOp } from "../src/tensor.js";
import { noGrad, isGradEnabled } from "../src/autograd.js";
import { add, mul, sub, exp } from "../src/ops/elementwise.js";
import { sum } from "../src/ops/reduce.js";
import { reshape } from "../src/ops/movement.js";
import { clipGradNorm } from "../src/optim/clip.js";
import { ShapeError } from "../src/errors.js";

const arr = (t: Tensor | null) => Array.from(t!.data);

describe("gradient accumulation", () => {
  test("two backward calls add up: d/dx Σx² = 2x, twice → 4x", () => {
    const x = tensor([1, -2, 3], { requiresGrad: true });
    sum(mul(x, x)).backward();
    expect(arr(x.grad)).toEqual([2, -4, 6]);
    sum(mul(x, x)).backward();
    expect(arr(x.grad)).toEqual([4, -8, 12]);
  });

  test("setting .grad to null starts over (what zeroGrad does)", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    sum(mul(x, 3)).backward();
    x.grad = null;
    sum(mul(x, 5)).backward();
    expect(arr(x.grad)).toEqual([5, 5]);
  });

  test("a user-supplied gradient seeds the pass: y = 3x, g = [1, 2, 3] → x.grad = [3, 6, 9]", () => {
    const x = tensor([1, 1, 1], { requiresGrad: true });
    mul(x, 3).backward(tensor([1, 2, 3]));
    expect(arr(x.grad)).toEqual([3, 6, 9]);
  });
});

describe("shared subexpressions", () => {
  test("x used twice: d/dx (x·x + x) = 2x + 1", () => {
    const x = tensor([0.5, -1, 2], { requiresGrad: true });
    sum(add(mul(x, x), x)).backward();
    expect(arr(x.grad)).toEqual([2, -1, 5]);
  });

  test("a node reused downstream: s = a·b, y = s² + s ⇒ ∂y/∂a = (2s + 1)·b, ∂y/∂b = (2s + 1)·a", () => {
    const a = tensor([1, 2], { requiresGrad: true, dtype: "float64" });
    const b = tensor([3, -1], { requiresGrad: true, dtype: "float64" });
    const s = mul(a, b); // [3, −2]
    sum(add(mul(s, s), s)).backward();
    expect(arr(a.grad)).toEqual([7 * 3, -3 * -1]);
    expect(arr(b.grad)).toEqual([7 * 1, -3 * 2]);
  });

  test("diamond: y = eˣ·eˣ − eˣ ⇒ dy/dx = 2e²ˣ − eˣ", () => {
    const x = tensor([0.3], { requiresGrad: true, dtype: "float64" });
    const e = exp(x);
    sum(sub(mul(e, e), e)).backward();
    expect(x.grad!.data[0]).toBeCloseTo(2 * Math.exp(0.6) - Math.exp(0.3), 14);
  });

  test("intermediate tensors keep no .grad; only leaves do", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const h = mul(x, 2);
    sum(h).backward();
    expect(h.grad).toBeNull();
    expect(arr(x.grad)).toEqual([2, 2]);
  });

  test("inputs without requiresGrad get no gradient", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const c = tensor([3, 4]);
    sum(mul(x, c)).backward();
    expect(c.grad).toBeNull();
    expect(arr(x.grad)).toEqual([3, 4]);
  });
});

describe("mixed dtypes", () => {
  test("float32 · float64 promotes to float64; each input gets a gradient of its own dtype (d(x·y)/dx = y)", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = tensor([3, 4], { requiresGrad: true, dtype: "float64" });
    const z = sum(mul(x, y));
    expect(z.dtype).toBe("float64");
    z.backward();
    expect(x.grad!.dtype).toBe("float32");
    expect(arr(x.grad)).toEqual([3, 4]);
    expect(y.grad!.dtype).toBe("float64");
    expect(arr(y.grad)).toEqual([1, 2]);
  });
});

describe("noGrad", () => {
  test("records nothing: outputs have no node and do not require grad", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = noGrad(() => {
      expect(isGradEnabled()).toBe(false);
      return sum(mul(x, x));
    });
    expect(isGradEnabled()).toBe(true);
    expect(y.requiresGrad).toBe(false);
    expect(y.node).toBeNull();
    expect(() => y.backward()).toThrow(/does not require grad/);
    expect(x.grad).toBeNull();
  });

  test("restores the previous state even when the body throws, and nests", () => {
    expect(() => noGrad(() => { throw new Error("boom"); })).toThrow("boom");
    expect(isGradEnabled()).toBe(true);
    noGrad(() => {
      noGrad(() => undefined);
      expect(isGradEnabled()).toBe(false);
    });
    expect(isGradEnabled()).toBe(true);
  });

  test("detach() cuts the graph: d/dx (x · detach(x)) = detach(x)", () => {
    const x = tensor([2, 3], { requiresGrad: true });
    sum(mul(x, x.detach())).backward();
    expect(arr(x.grad)).toEqual([2, 3]);
  });
});

describe("leaves own their .grad buffers", () => {
  test("y = a + b hands the same gradient to both; clipping a.grad leaves b.grad alone", () => {
    const a = tensor([3, 4], { requiresGrad: true });
    const b = tensor([1, 1], { requiresGrad: true });
    sum(add(a, b)).backward();
    expect(a.grad!.data).not.toBe(b.grad!.data);
    a.grad!.data[0] = 100; // an in-place edit, as a penalty gradient would do
    expect(arr(b.grad)).toEqual([1, 1]);
    clipGradNorm([b], 0.1);
    expect(a.grad!.data[1]).toBe(1);
  });

  test("a non-scalar root with a user gradient: y = a + b, backward(g) copies g for both leaves", () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3, 4], { requiresGrad: true });
    const g = tensor([0.5, -1]);
    add(a, b).backward(g);
    expect(a.grad!.data).not.toBe(g.data);
    expect(b.grad!.data).not.toBe(g.data);
    a.grad!.data[0] = 9;
    expect(arr(g)).toEqual([0.5, -1]);
    expect(arr(b.grad)).toEqual([0.5, -1]);
  });

  test("a leaf used by two ops accumulates into its own buffer, not into either op's gradient", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const w = tensor([5, 6], { requiresGrad: true });
    sum(add(x, w)).backward();
    sum(add(x, w)).backward();
    expect(arr(x.grad)).toEqual([2, 2]);
    expect(arr(w.grad)).toEqual([2, 2]);
  });

  // Oracle: linearity — three passes with seed g accumulate 3g, and the caller's g is never written.
  test("backward(g) through a reshape does not alias or modify the caller's g (3 passes → 3g)", () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
    const g = tensor([1, 1, 1, 1, 1, 1]);
    for (let i = 0; i < 3; i++) reshape(x, [6]).backward(g);
    expect(arr(g)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(arr(x.grad)).toEqual([3, 3, 3, 3, 3, 3]);
  });
});

describe("backward() errors say what to do", () => {
  test("a non-scalar output without a gradient throws a ShapeError naming the shape", () => {
    const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const y = mul(x, 2);
    expect(() => y.backward()).toThrow(ShapeError);
    expect(() => y.backward()).toThrow(/shape \[2, 2\].*pass a gradient/);
  });

  test("a gradient of the wrong shape is rejected with both shapes", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    expect(() => mul(x, 2).backward(tensor([1, 2]))).toThrow(/\[2\].*\[3\]/);
  });

  test("a vjp returning a wrongly shaped gradient is caught, naming the op", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const bad = fromOp("badOp", x.data.slice(), x.shape, [x], () => [tensor([1, 2])]);
    expect(() => sum(bad).backward()).toThrow(/gradient of shape \[2\] for a tensor of shape \[3\]/);
  });
});

describe("backend", () => {
  // Oracle: the project's own configuration — each vitest project pins DESCENT_BACKEND.
  test("the suite runs on the backend its project names", async () => {
    const { getBackend } = await import("../src/kernels/index.js");
    expect(getBackend()).toBe(process.env.DESCENT_BACKEND);
  });
});
