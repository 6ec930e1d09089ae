/**
 * Scoped memory. Oracles: the heap's own accounting (live bytes return to where they were), and
 * the documented contract (a tensor used after its scope throws; a returned one is copied out).
 */
import { describe, expect, test } from "vitest";
import { scope } from "../src/memory.js";
import { getBackend, wasmRuntime } from "../src/kernels/index.js";
import { tensor } from "../src/tensor.js";
import { Rng } from "../src/rng.js";
import { mlp } from "../src/nn/mlp.js";
import { Trainer } from "../src/train/trainer.js";
import { SGD } from "../src/optim/sgd.js";
import { quadraticCost } from "../src/nn/losses.js";
import { Tensor } from "../src/tensor.js";

describe("scope()", () => {
  test("a tensor made inside and used outside throws a clear error", () => {
    let leaked: Tensor | null = null;
    scope(() => {
      leaked = tensor([1, 2, 3]).mul(2);
    });
    if (getBackend() === "wasm") expect(() => leaked!.data).toThrow(/made inside scope\(\).*clone\(\)/);
    else expect(Array.from(leaked!.data)).toEqual([2, 4, 6]); // plain arrays: nothing to reclaim
  });

  test("a returned tensor is copied out and stays valid", () => {
    const out = scope(() => tensor([1, 2, 3]).mul(2).add(1));
    expect(Array.from(out.data)).toEqual([3, 5, 7]);
  });

  test.runIf(getBackend() === "wasm")("training steps give back all their scratch memory", () => {
    const heap = wasmRuntime()!.heap;
    const rng = new Rng(2);
    const model = mlp([20, 16, 4], { rng });
    const t = new Trainer(model, { loss: quadraticCost, optimizer: new SGD(model.parameters(), { lr: 0.1 }) });
    const batch = () => ({ x: Tensor.randn([8, 20], rng), y: Int32Array.from({ length: 8 }, () => rng.int(4)) });
    t.step(batch()); // first step allocates the persistent gradient buffers
    const before = heap.liveBytes;
    for (let i = 0; i < 50; i++) t.step(batch());
    expect(heap.liveBytes).toBe(before);
  });
});

describe("scope() and errors", () => {
  test.runIf(getBackend() === "wasm")("a scope that throws still gives its memory back", () => {
    const heap = wasmRuntime()!.heap;
    const before = heap.liveBytes;
    expect(() => scope(() => {
      tensor([1, 2, 3]).mul(2);
      throw new Error("boom");
    })).toThrow("boom");
    expect(heap.liveBytes).toBe(before);
  });
});
