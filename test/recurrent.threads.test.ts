/**
 * Recurrent layers on two threads. Oracle: the same seeded run on one thread — the products split
 * between threads compute every element with the same float operations, and the step kernels run
 * on one thread, so outputs and every gradient must be bit-identical.
 */
import { afterAll, describe, expect, test } from "vitest";
import "../src/node/index.js";
import { setKernelOptions, setThreads } from "../src/kernels/index.js";
import { SPLIT_FLOPS } from "../src/kernels/wasm/threads.js";
import { scope } from "../src/memory.js";
import { Rng } from "../src/rng.js";
import { Tensor } from "../src/tensor.js";
import { LSTM, GRU, RNN, type RecurrentBase } from "../src/nn/layers/recurrent.js";
import { Sequential } from "../src/nn/layers/sequential.js";
import { Linear } from "../src/nn/layers/linear.js";
import { crossEntropy } from "../src/nn/losses.js";

// These tests exercise the two-thread paths on small products, so they share products from the
// old, lower threshold (2·10⁵ FLOPs); the default (SPLIT_FLOPS) keeps small products on one thread.
const TEST_SPLIT_FLOPS = 2e5;
setKernelOptions({ splitFlops: TEST_SPLIT_FLOPS });
afterAll(() => setKernelOptions({ splitFlops: SPLIT_FLOPS }));

afterAll(() => setThreads(1));

/** One seeded forward + backward: the output and every parameter gradient, as bytes. */
function run(make: (rng: Rng) => RecurrentBase): Buffer {
  const rng = new Rng(3);
  const net = new Sequential(make(rng.fork("init")), new Linear(128, 10, { rng: rng.fork("fc") }));
  const x = Tensor.rand([64, 28, 28], rng.fork("x"), 0, 1);
  const labels = Int32Array.from({ length: 64 }, (_, i) => (i * 7) % 10);
  const parts: Buffer[] = [];
  scope(() => {
    const y = net.forward(x);
    crossEntropy(y, labels).backward();
    parts.push(Buffer.from(Float32Array.from(y.data).buffer));
  });
  for (const p of net.parameters()) parts.push(Buffer.from(Float32Array.from(p.grad!.data).buffer));
  return Buffer.concat(parts);
}

describe("recurrent layers on two threads", () => {
  const makers: [string, (rng: Rng) => RecurrentBase][] = [
    ["LSTM(28→128) on [64, 28, 28]", (rng) => new LSTM(28, 128, { batchFirst: true, returnSequences: false, rng })],
    ["bidirectional GRU(28→64), 2 layers", (rng) => new GRU(28, 64, { batchFirst: true, returnSequences: false, bidirectional: true, numLayers: 2, rng })],
    ["RNN(28→128)", (rng) => new RNN(28, 128, { batchFirst: true, returnSequences: false, rng })],
  ];
  for (const [name, make] of makers) {
    test(`${name}: seeded forward and backward are bit-identical on 1 and 2 threads`, async () => {
      await setThreads(1);
      const one = run(make);
      await setThreads(2);
      const two = run(make);
      expect(two.equals(one)).toBe(true);
    });
  }
});
