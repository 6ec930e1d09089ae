/**
 * The optional second thread. Oracle: the single-thread wasm kernels — every output element is
 * computed by the same float operations whichever thread computes it, so results must be
 * bit-identical, for single products and for whole training runs.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import "../src/node/index.js";
import { getThreads, kernelsFor, setKernelOptions, setThreads, wasmRuntime } from "../src/kernels/index.js";
import { SPLIT_FLOPS } from "../src/kernels/wasm/threads.js";
import { Rng } from "../src/rng.js";
import { loadMnist } from "../src/node/mnist.js";
import { buildExperiment } from "../src/train/config.js";
import { presetConfig } from "../src/train/presets.js";
import { encodeModel } from "../src/io/model-file.js";
import { ref } from "../src/kernels/ref.js";
import { Tensor } from "../src/tensor.js";
import { conv2d } from "../src/ops/conv.js";
import { winogradFor } from "../src/ops/conv-winograd.js";

// These tests exercise the two-thread paths on small products, so they share products from the
// old, lower threshold (2·10⁵ FLOPs); the default (SPLIT_FLOPS) keeps small products on one thread.
const TEST_SPLIT_FLOPS = 2e5;
setKernelOptions({ splitFlops: TEST_SPLIT_FLOPS });
afterAll(() => setKernelOptions({ splitFlops: SPLIT_FLOPS }));

const heap = wasmRuntime()!.heap;
const rng = new Rng(11);
const filled = (n: number) => {
  const v = heap.persistent(n);
  for (let i = 0; i < n; i++) v[i] = rng.range(-1, 1);
  return v;
};

afterAll(() => setThreads(1));

describe("two threads", () => {
  beforeAll(() => setThreads(2));

  test("setThreads(2) starts the helper", () => {
    expect(getThreads()).toBe(2);
  });

  // Shapes on both sides of the split threshold, split by columns (n ≥ 4m, or m < 16) and by
  // rows (the others with m ≥ 16), with ragged last bands.
  const shapes = [[10, 784, 30], [10, 784, 100], [100, 10, 784], [30, 10, 784], [64, 784, 100], [17, 33, 65], [128, 256, 10], [9, 500, 300], [3, 7, 5], [40, 500, 700], [203, 30, 41]] as const;
  for (const [m, k, n] of shapes) {
    for (const [ta, tb] of [[false, false], [true, false], [false, true]] as const) {
      test(`gemm ${m}×${k}×${n} ${ta ? "T" : "N"}${tb ? "T" : "N"} is bit-identical to one thread${2 * m * k * n >= TEST_SPLIT_FLOPS ? "" : " (below the split threshold)"}`, async () => {
        const a = filled(m * k);
        const b = filled(k * n);
        const c0 = filled(m * n);
        const one = c0.slice();
        const two = c0.slice();
        const K = kernelsFor(a);
        await setThreads(1);
        K.gemm(a, b, one, m, k, n, ta, tb, true);
        await setThreads(2);
        K.gemm(a, b, two, m, k, n, ta, tb, true);
        expect(Buffer.from(two.buffer).equals(Buffer.from(one.buffer))).toBe(true);
      });
    }
  }

  // Pooling and swapAxes split over planes: equal to the reference loops, with 1 and 2 threads.
  const same = (x: Float32Array | Int32Array, y: Float32Array | Int32Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(y.buffer, y.byteOffset, y.byteLength));
  for (const [planes, h, w, k, stride] of [[64 * 20, 24, 24, 2, 2], [37, 13, 15, 3, 2], [2, 128, 130, 2, 2]] as const) {
    test(`maxPool and its gradient over ${planes} planes of ${h}×${w} (k ${k}, stride ${stride}) match the reference on 1 and 2 threads`, async () => {
      const ho = Math.floor((h - k) / stride) + 1;
      const wo = Math.floor((w - k) / stride) + 1;
      const x = filled(planes * h * w);
      const g = filled(planes * ho * wo);
      const want = new Float32Array(planes * ho * wo), wantArg = new Int32Array(planes * ho * wo), wantDx = new Float32Array(planes * h * w);
      ref.maxPool(x, planes, h, w, k, stride, want, wantArg);
      ref.maxPoolBackward(g, wantArg, planes, h, w, ho, wo, wantDx);
      for (const threads of [1, 2]) {
        await setThreads(threads);
        const out = heap.persistent(planes * ho * wo), arg = new Int32Array(planes * ho * wo), dx = heap.persistent(planes * h * w);
        kernelsFor(x).maxPool(x, planes, h, w, k, stride, out, arg);
        kernelsFor(x).maxPoolBackward(g, arg, planes, h, w, ho, wo, dx);
        expect(same(out, want) && same(arg, wantArg) && same(dx, wantDx), `${threads} thread(s)`).toBe(true);
      }
    });
  }
  for (const [a, b, l] of [[40, 64, 64], [64, 40, 576], [3, 100, 200], [5, 7, 9]] as const) {
    test(`swapAxes [${a}, ${b}, ${l}] (with and without a bias) matches the reference on 1 and 2 threads`, async () => {
      const x = filled(a * b * l);
      const bias = filled(a);
      for (const withBias of [false, true]) {
        const want = new Float32Array(a * b * l);
        ref.swapAxes(x, a, b, l, want, withBias ? bias : null);
        for (const threads of [1, 2]) {
          await setThreads(threads);
          const out = heap.persistent(a * b * l);
          kernelsFor(x).swapAxes(x, a, b, l, out, withBias ? bias : null);
          expect(same(out, want), `${threads} thread(s)${withBias ? ", with bias" : ""}`).toBe(true);
        }
      }
    });
  }

  // Activations, their gradients and sumAxis split into ranges: bit-identical to one thread
  // (each element or slice is computed by the same code), including a ragged scalar tail.
  test("activations and their gradients over 100,003 elements are bit-identical on 1 and 2 threads", async () => {
    const n = 100_003;
    const x = filled(n), g = filled(n);
    const K = kernelsFor(x);
    const runs: [string, (out: Float32Array) => void][] = [
      ["relu", (o) => K.unary.relu(x, o, 0, 0)],
      ["leakyRelu", (o) => K.unary.leakyRelu(x, o, 0.01, 0)],
      ["sigmoid", (o) => K.unary.sigmoid(x, o, 0, 0)],
      ["tanh", (o) => K.unary.tanh(x, o, 0, 0)],
      ["relu'", (o) => K.unaryBackward.relu(x, x, g, o, 0, 0)],
      ["leakyRelu'", (o) => K.unaryBackward.leakyRelu(x, x, g, o, 0.01, 0)],
      ["sigmoid'", (o) => K.unaryBackward.sigmoid(x, x, g, o, 0, 0)],
      ["tanh'", (o) => K.unaryBackward.tanh(x, x, g, o, 0, 0)],
    ];
    for (const [name, run] of runs) {
      await setThreads(1);
      const one = heap.persistent(n);
      run(one);
      await setThreads(2);
      const two = heap.persistent(n);
      run(two);
      expect(same(two, one), name).toBe(true);
    }
  });
  test("Adam and SGD steps over 100,003 parameters (ranges on both threads) are bit-identical on 1 and 2 threads", async () => {
    const n = 100_003;
    const p0 = filled(n), g = filled(n), m0 = filled(n), v0 = filled(n).map(Math.abs);
    const K = kernelsFor(p0);
    const states: Float32Array[][] = [];
    for (const threads of [1, 2]) {
      await setThreads(threads);
      const [p, m, v, q, buf] = [heap.persistent(n), heap.persistent(n), heap.persistent(n), heap.persistent(n), heap.persistent(n)];
      p.set(p0); m.set(m0); v.set(v0); q.set(p0); buf.set(m0);
      for (const decoupled of [false, true]) K.adamStep(p, g, m, v, { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decoupled, step: 3 });
      K.sgdStep(q, g, buf, { lr: 0.1, momentum: 0.9, dampening: 0, nesterov: true, weightDecay: 1e-4 }, false);
      states.push([p, m, v, q, buf]);
    }
    states[1]!.forEach((t, i) => expect(same(t, states[0]![i]!), ["p", "m", "v", "sgd p", "sgd buffer"][i]).toBe(true));
  });

  for (const [outer, n, inner] of [[40, 4096, 1], [64, 20, 576], [3, 30_000, 1], [5, 7, 3]] as const) {
    test(`sumAxis [${outer}, ${n}, ${inner}] is bit-identical on 1 and 2 threads`, async () => {
      const x = filled(outer * n * inner);
      await setThreads(1);
      const one = heap.persistent(outer * inner);
      kernelsFor(x).sumAxis(x, outer, n, inner, one);
      await setThreads(2);
      const two = heap.persistent(outer * inner);
      kernelsFor(x).sumAxis(x, outer, n, inner, two);
      expect(same(two, one)).toBe(true);
    });
  }

  test("a Winograd convolution's output and gradients (every piece split between threads) are bit-identical on 1 and 2 threads", async () => {
    const x = filled(64 * 20 * 12 * 12), w = filled(40 * 20 * 25), b = filled(40), g = filled(64 * 40 * 12 * 12);
    const run = () => {
      const xt = new Tensor(x, [64, 20, 12, 12], true), wt = new Tensor(w, [40, 20, 5, 5], true), bt = new Tensor(b, [40], true);
      const y = conv2d(xt, wt, bt, { padding: 2 });
      y.backward(new Tensor(g, y.shape));
      return [y.data, xt.grad!.data, wt.grad!.data, bt.grad!.data].map((a) => Float32Array.from(a));
    };
    expect(winogradFor(kernelsFor(x), 20, 5, 5, 1, 1, 12, 12)).not.toBeNull();
    await setThreads(1);
    const one = run();
    await setThreads(2);
    const two = run();
    one.forEach((a, i) => expect(same(two[i]!, a), `output ${i}`).toBe(true));
  });

  test("a seeded training run gives the same model bytes with 1 and 2 threads", async () => {
    const mnist = await loadMnist();
    const data = { train: mnist.train.slice(0, 1000), validation: mnist.validation.slice(0, 200) };
    const run = () => {
      const ex = buildExperiment({ ...presetConfig("nielsen-ch3"), layers: [784, 64, 10], batchSize: 32, epochs: 1 }, data);
      ex.trainer.fit(ex.loader, ex.fitOptions);
      return Buffer.from(encodeModel(ex.model, { training: {} }));
    };
    await setThreads(1);
    const one = run();
    await setThreads(2);
    const two = run();
    expect(two.equals(one)).toBe(true);
    // Where products start to be shared (splitFlops) moves only the time: every product split, or none.
    try {
      for (const splitFlops of [0, 1e12]) {
        setKernelOptions({ splitFlops });
        expect(run().equals(one), `splitFlops ${splitFlops}`).toBe(true);
      }
    } finally {
      setKernelOptions({ splitFlops: TEST_SPLIT_FLOPS });
    }
    expect(() => setKernelOptions({ splitFlops: -1 })).toThrow(/splitFlops must be a number ≥ 0/);
  });

  test("a seeded convnet run (im2col, Winograd, pooling, swaps and products split between threads) is bit-identical too", async () => {
    const mnist = await loadMnist();
    const data = { train: mnist.train.slice(0, 640), validation: mnist.validation.slice(0, 100) };
    const run = () => {
      const ex = buildExperiment({ ...presetConfig("w3-adam"), epochs: 1 }, data);
      ex.trainer.fit(ex.loader, ex.fitOptions);
      return Buffer.from(encodeModel(ex.model, { training: {} }));
    };
    await setThreads(1);
    const one = run();
    await setThreads(2);
    const two = run();
    expect(two.equals(one)).toBe(true);
  });
});
