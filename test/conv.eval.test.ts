/**
 * Inference on big batches convolves in slices (bounded im2col memory). Oracle: the same call
 * with gradients recorded, which takes the whole batch at once — results must be bit-identical.
 */
import { expect, test } from "vitest";
import { Tensor } from "../src/tensor.js";
import { noGrad } from "../src/autograd.js";
import { conv2d } from "../src/ops/conv.js";
import { Rng } from "../src/rng.js";

test("a sliced inference pass equals the whole-batch pass, bit for bit", () => {
  const rng = new Rng(4);
  const x = Tensor.rand([200, 20, 12, 12], rng, -1, 1);
  const w = Tensor.randn([40, 20, 5, 5], rng).mul(0.1);
  const b = Tensor.randn([40], rng);
  const sliced = noGrad(() => conv2d(x, w, b));
  x.requiresGrad = true; // recording: one pass over the whole batch
  const whole = conv2d(x, w, b);
  expect(sliced.shape).toEqual(whole.shape);
  expect(Buffer.from(sliced.data.buffer, sliced.data.byteOffset, sliced.data.byteLength).equals(Buffer.from(whole.data.buffer, whole.data.byteOffset, whole.data.byteLength))).toBe(true);
});
