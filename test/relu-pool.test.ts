/**
 * Sequential runs "ReLU, then max pooling" as pooling then ReLU (src/nn/layers/sequential.ts).
 * Oracle: the ops in the written order (relu, then maxPool2d) on the same backend.
 *  - The output: the same bytes; the input gradient: the same values, on inputs made of ties,
 *    zeros, windows with no positive value, a NaN, and overlapping windows; float32 (wasm) and
 *    float64 (ref). Only the sign of a zero gradient may differ (written order: g·0 = −0 for a
 *    negative g at a window's non-positive maximum; reordered: that −0 is added onto +0).
 *  - Training: a small convnet trained for a few steps either way ends with the same weight bytes
 *    (a zero's sign vanishes in the sums that follow).
 */
import { describe, expect, test } from "vitest";
import "../src/node/index.js";
import { Tensor } from "../src/tensor.js";
import { Rng } from "../src/rng.js";
import { relu, mul } from "../src/ops/elementwise.js";
import { sum } from "../src/ops/reduce.js";
import { maxPool2d } from "../src/ops/conv.js";
import { Sequential } from "../src/nn/layers/sequential.js";
import { ReLU } from "../src/nn/layers/activations.js";
import { MaxPool2d } from "../src/nn/layers/pool.js";
import { Conv2d } from "../src/nn/layers/conv.js";
import { Linear } from "../src/nn/layers/linear.js";
import { Flatten } from "../src/nn/layers/flatten.js";
import { crossEntropy } from "../src/nn/losses.js";
import { Adam } from "../src/optim/adam.js";
import { setThreads } from "../src/kernels/index.js";

const hex = (t: Tensor) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString("hex");
/** The bytes with every −0 made +0. */
const unsigned = (t: Tensor) => {
  const c = t.data.slice();
  for (let i = 0; i < c.length; i++) if (c[i] === 0) c[i] = 0;
  return hex(new Tensor(c, t.shape));
};

describe("ReLU then max pooling, reordered inside Sequential: the same bytes", () => {
  for (const dtype of ["float32", "float64"] as const) {
    for (const [k, stride] of [[2, 2], [3, 2], [2, 1]] as const) {
      test(`${dtype}, ${k}×${k} windows, stride ${stride}`, () => {
        const rng = new Rng(k * 10 + stride);
        const shape = [3, 4, 9, 10];
        const size = shape.reduce((a, b) => a * b, 1);
        // Values from a few levels, so windows tie; a third of the windows all ≤ 0.
        const data = dtype === "float32" ? new Float32Array(size) : new Float64Array(size);
        for (let i = 0; i < size; i++) data[i] = [-2, -1, -0.5, 0, 0, 0.5, 1, 1, 2][rng.int(9)]!;
        for (let i = 0; i < size; i += 37) data[i] = -Math.abs(data[i]!) - 0.25;
        data[41] = NaN;
        const weights = Tensor.rand([3, 4, Math.floor((9 - k) / stride) + 1, Math.floor((10 - k) / stride) + 1], rng, -1, 1, { dtype });
        const run = (f: (x: Tensor) => Tensor) => {
          const x = new Tensor(data.slice(), shape, true);
          const y = f(x);
          sum(mul(y, weights)).backward();
          return { y: hex(y), dx: unsigned(x.grad!) };
        };
        const written = run((x) => maxPool2d(relu(x), k, stride));
        const model = new Sequential(new ReLU(), new MaxPool2d(k, stride));
        expect(run((x) => model.forward(x))).toEqual(written);
      });
    }
  }
});

test("a small convnet trained either way: the same weight bytes (1 and 2 threads)", async () => {
  const build = () => {
    const rng = new Rng(7);
    return new Sequential(
      new Conv2d(1, 6, 5, { rng, init: "he-normal" }), new ReLU(), new MaxPool2d(2),
      new Conv2d(6, 8, 3, { rng, init: "he-normal" }), new ReLU(), new MaxPool2d(2),
      new Flatten(), new Linear(8 * 2 * 2, 10, { rng }),
    );
  };
  const data = new Rng(3);
  const batches = Array.from({ length: 6 }, () => ({
    x: Tensor.rand([16, 1, 16, 16], data, -1, 1),
    y: Int32Array.from({ length: 16 }, () => data.int(10)),
  }));
  const train = (forward: (m: Sequential, x: Tensor) => Tensor) => {
    const model = build();
    const opt = new Adam(model.parameters(), { lr: 1e-2 });
    for (const b of batches) {
      opt.zeroGrad();
      crossEntropy(forward(model, b.x), b.y).backward();
      opt.step();
    }
    return model.parameters().map(hex).join("|");
  };
  // The written order: every layer's own forward, one after the other.
  const inOrder = (m: Sequential, x: Tensor) => m.layers.reduce((y, l) => l.forward(y), x);
  const written = train(inOrder);
  for (const threads of [1, 2]) {
    await setThreads(threads);
    expect(train((m, x) => m.forward(x)), `${threads} thread(s)`).toBe(written);
  }
  await setThreads(1);
});

test("maxPoolBackward over 2×2 windows that tile the planes (written window by window): ref's bytes, −0, NaN and Inf included", async () => {
  const { ref } = await import("../src/kernels/ref.js");
  const { kernelsFor } = await import("../src/kernels/index.js");
  const rng = new Rng(11);
  for (const [planes, h, w] of [[3, 24, 24], [5, 8, 16], [2, 12, 8]] as const) {
    const [ho, wo] = [h / 2, w / 2];
    const x = new Float32Array(planes * h * w).map(() => [-1, 0, 0.5, 1][rng.int(4)]!);
    const arg = new Int32Array(planes * ho * wo);
    ref.maxPool(x, planes, h, w, 2, 2, new Float32Array(planes * ho * wo), arg);
    const g = new Float32Array(planes * ho * wo).map(() => [-0, 0, NaN, Infinity, -2.5, 1e-30][rng.int(6)]!);
    const want = new Float32Array(planes * h * w).fill(7), got = new Float32Array(planes * h * w).fill(7);
    ref.maxPoolBackward(g, arg, planes, h, w, ho, wo, want);
    kernelsFor(got).maxPoolBackward(g, arg, planes, h, w, ho, wo, got);
    expect(Buffer.from(got.buffer).equals(Buffer.from(want.buffer)), `${planes}×${h}×${w}`).toBe(true);
  }
});
