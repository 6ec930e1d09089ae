/**
 * Linear over [..., in] (as torch.nn.Linear): oracle — the 2-D path on the input reshaped to
 * [-1, in], whose outputs and gradients must match bit for bit (the same product on the same
 * memory); and the fc token applies it per step after a sequence layer.
 */
import { expect, test } from "vitest";
import { Linear } from "../src/nn/layers/linear.js";
import { Tensor } from "../src/tensor.js";
import { Rng } from "../src/rng.js";
import { buildArch } from "../src/nn/arch.js";
import { ShapeError, UsageError } from "../src/errors.js";
import { distinctValues } from "./helpers.js";

test("Linear on [B, T, in] is the 2-D Linear on [B·T, in], bit for bit, forward and backward", () => {
  const rng = new Rng(3);
  const fc = new Linear(5, 4, { rng: rng.fork("init") });
  const x = distinctValues([2, 3, 5], rng);
  const g = distinctValues([2, 3, 4], rng);
  const x3 = new Tensor(Float32Array.from(x.data), [2, 3, 5], true);
  const y3 = fc.forward(x3);
  expect(y3.shape).toEqual([2, 3, 4]);
  y3.mul(g).sum().backward();
  const gw3 = Float32Array.from(fc.weight.grad!.data);
  const gb3 = Float32Array.from(fc.bias!.grad!.data);
  fc.weight.grad = null;
  fc.bias!.grad = null;
  const x2 = new Tensor(Float32Array.from(x.data), [6, 5], true);
  const y2 = fc.forward(x2);
  y2.mul(new Tensor(g.data, [6, 4])).sum().backward();
  expect(Array.from(y3.data)).toEqual(Array.from(y2.data));
  expect(Array.from(x3.grad!.data)).toEqual(Array.from(x2.grad!.data));
  expect(Array.from(gw3)).toEqual(Array.from(fc.weight.grad!.data));
  expect(Array.from(gb3)).toEqual(Array.from(fc.bias!.grad!.data));
});

test("Linear names the last axis when it does not fit", () => {
  const fc = new Linear(5, 4);
  expect(() => fc.forward(Tensor.zeros([2, 3, 6]))).toThrow(ShapeError);
  expect(() => fc.forward(Tensor.zeros([2, 3, 6]))).toThrow(/\[\.\.\., 5\]/);
  expect(() => fc.forward(Tensor.zeros([5]))).toThrow(/expected \[N, 5\]/);
});

test("--arch: fc after a sequence output scores every step; fcv sizes it by the data's vocabulary; images are still flattened", () => {
  expect(buildArch("lstm8seq,fc3", { input: [7, 2] }).output).toEqual([7, 3]);
  expect(buildArch("embed4,lstm8seq,fcv,softmax", { input: [7], vocabulary: 11 }).output).toEqual([7, 11]);
  expect(buildArch("conv2x3,fc5", { input: [1, 6, 6] }).output).toEqual([5]);
  expect(() => buildArch("fc4,fcv", { input: [10] })).toThrow(UsageError);
  expect(() => buildArch("fc4,fcv", { input: [10] })).toThrow(/needs token data/);
});
