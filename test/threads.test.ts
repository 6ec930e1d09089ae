/**
 * The optional second thread. Oracle: the single-thread wasm kernels — every output element is
 * computed by the same float operations whichever thread computes it, so results must be
 * bit-identical, for single products and for whole training runs.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import "../src/node/index.js";
import { getThreads, kernelsFor, setThreads, wasmRuntime } from "../src/kernels/index.js";
import { SPLIT_FLOPS } from "../src/kernels/wasm/threads.js";
import { Rng } from "../src/rng.js";
import { loadMnist } from "../src/node/mnist.js";
import { buildExperiment } from "../src/train/config.js";
import { presetConfig } from "../src/train/presets.js";
import { encodeModel } from "../src/io/model-file.js";

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

  // Shapes on both sides of the split threshold, split by rows (m ≥ 16) and by columns.
  const shapes = [[10, 784, 30], [10, 784, 100], [100, 10, 784], [30, 10, 784], [64, 784, 100], [17, 33, 65], [128, 256, 10], [9, 500, 300], [3, 7, 5]] as const;
  for (const [m, k, n] of shapes) {
    for (const [ta, tb] of [[false, false], [true, false], [false, true]] as const) {
      test(`gemm ${m}×${k}×${n} ${ta ? "T" : "N"}${tb ? "T" : "N"} is bit-identical to one thread${2 * m * k * n >= SPLIT_FLOPS ? "" : " (below the split threshold)"}`, async () => {
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
  });

  test("a seeded convnet run (im2col, col2im and products split between threads) is bit-identical too", async () => {
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
