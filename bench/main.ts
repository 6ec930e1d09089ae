/**
 * `npm run bench`: what descent does on this machine, printed as tables and written to
 * bench/results/bench-<time>.json.
 *  1. gemm GFLOP/s at MNIST shapes, for each layout backprop uses: ref, wasm 1 thread, wasm 2 threads;
 *  2. µs per training step and per op (tiny networks show the fixed cost per op);
 *  3. ms per forward + backward of W3's two convolutions at batch 64, im2col and Winograd, 1 and 2 threads;
 *  4. seconds per epoch for W1 (nielsen-ch1) and W2 (nielsen-ch3), 1 and 2 threads, zero-skipping on
 *     and off, the plain and (where the engine has relaxed SIMD) the fma binary, and inference
 *     images/s on the test set (nn.infer, and the taped forward) — beside the peers' figures from
 *     shared/reference/FACTS.md;
 *  5. zero-skipping in the products: sparse ÷ dense time on MNIST batches and across densities
 *     (where assembly/sparse.ts's thresholds come from).
 * Sections 1, 4 and 4b run the plain binary and the fma one (assembly/madd.ts) where the engine has
 * it; the header says which one this machine's choice is, and why.
 * Side-by-side runs of the peers themselves: `npm run bench:peers`.
 *   npm run bench -- --quick     (skips the epochs)
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { backendInfo, kernelOptions, kernelsFor, setBackend, setKernelOptions, setThreads, wasmRuntime } from "../src/kernels/index.js";
import { Rng } from "../src/rng.js";
import { loadMnist } from "../src/node/mnist.js";
import { buildExperiment } from "../src/train/config.js";
import { presetConfig } from "../src/train/presets.js";
import { DataLoader, TensorDataset } from "../src/data/dataset.js";
import { VERSION } from "../src/version.js";
import { table, timeIt } from "./harness.js";
import { graphOps } from "./op-count.js";
import { cpuModel, measureWorkload } from "./workloads.js";
import "../src/node/index.js"; // Node 20: V8's relaxed-SIMD flag, so the fma binary can be measured
import { Tensor } from "../src/tensor.js";
import { intoScope, scope } from "../src/memory.js";
import { noGrad } from "../src/autograd.js";
import { infer } from "../src/nn/infer.js";
import { conv2d } from "../src/ops/conv.js";
import { setConvAlgorithm } from "../src/ops/conv-winograd.js";

const quick = process.argv.includes("--quick");
const results: Record<string, unknown> = {
  descent: VERSION, date: new Date().toISOString(), node: process.version, cpu: cpuModel(), backend: backendInfo(),
};
const info = backendInfo();
console.log(`descent ${VERSION} · ${cpuModel()} · node ${process.version}`);
console.log(`default backend: ${info.backend}${info.backend === "wasm" ? ` (${info.sharedMemory ? "shared" : "unshared"} memory; fast kernels: ${info.fastKernels.join(" ")})` : ""}`);
// After the import of descent/node above (which may have turned relaxed SIMD on): the choice made.
const fmaChoice = backendInfo().fma;
const fmaAvailable = wasmRuntime()?.variants[1] != null;
const fmaSetting = kernelOptions().fma;
console.log(`fma: ${fmaChoice.reason}\n`);
results.fma = fmaChoice;

// ---- 1. gemm ------------------------------------------------------------------------------
const SHAPES: [number, number, number][] = [[10, 784, 30], [10, 784, 100], [64, 784, 100], [128, 784, 256], [784, 128, 256], [128, 256, 10]];
const LAYOUTS = [["A·B", false, false], ["A·Bᵀ", false, true], ["Aᵀ·B", true, false]] as const;
const rng = new Rng(7);
const heap = wasmRuntime()!.heap;
const fill = (v: Float32Array) => { for (let i = 0; i < v.length; i++) v[i] = rng.range(-1, 1); return v; };
const gemmRows: Record<string, string | number>[] = [];
for (const [m, k, n] of SHAPES) {
  for (const [label, tA, tB] of LAYOUTS) {
    const row: Record<string, string | number> = { "M×K×N": `${m}×${k}×${n}`, layout: label };
    const flops = 2 * m * k * n;
    const cols = [["ref", "ref", 1, false], ["wasm 1 thread", "wasm", 1, false], ["wasm 2 threads", "wasm", 2, false]] as [string, "ref" | "wasm", number, boolean][];
    if (fmaAvailable) cols.push(["fma 1 thread", "wasm", 1, true], ["fma 2 threads", "wasm", 2, true]);
    for (const [col, backend, threads, fma] of cols) {
      setBackend(backend);
      if (fmaAvailable) setKernelOptions({ fma });
      await setThreads(threads);
      // wasm operands live in its heap (as tensors do during training); ref gets plain arrays.
      const mk = (len: number) => fill(backend === "wasm" ? heap.persistent(len) : new Float32Array(len));
      const [a, b, c] = [mk(m * k), mk(k * n), mk(m * n)];
      const kern = kernelsFor(a);
      const s = timeIt(() => kern.gemm(a, b, c, m, k, n, tA, tB, false), { minSeconds: backend === "ref" ? 0.2 : quick ? 0.15 : 0.4 });
      row[`${col} GFLOP/s`] = flops / s / 1e9;
    }
    row["2 threads ÷ 1"] = (row["wasm 2 threads GFLOP/s"] as number) / (row["wasm 1 thread GFLOP/s"] as number);
    if (fmaAvailable) row["fma ÷ plain 1T"] = (row["fma 1 thread GFLOP/s"] as number) / (row["wasm 1 thread GFLOP/s"] as number);
    gemmRows.push(row);
  }
}
await setThreads(1);
setBackend(info.backend);
if (fmaAvailable) setKernelOptions({ fma: fmaSetting });
results.gemm = gemmRows;
console.log(`gemm, operands in place; wasm = the plain binary, fma = relaxed_madd${fmaAvailable ? "" : " (not measured: this engine lacks relaxed SIMD)"} (FACTS.md on an AMD EPYC: plain JS 1.5, TF.js wasm 24–40, PyTorch 1 thread 35–109, 128-bit wasm SIMD tops out near 58 GFLOP/s)`);
console.log(table(gemmRows), "\n");

// ---- 2. per-step and per-op cost ----------------------------------------------------------
const data = await loadMnist();
function fakeData(features: number, n: number): TensorDataset {
  const r = new Rng(3);
  const x = new Float32Array(n * features).map(() => r.uniform());
  const y = new Int32Array(n).map(() => r.int(4));
  return new TensorDataset(x, [features], y);
}
const stepRows: Record<string, string | number>[] = [];
const stepCases: [string, string, Partial<ReturnType<typeof presetConfig>>][] = [
  ["W1 nielsen-ch1, batch 10", "nielsen-ch1", {}],
  ["W2 nielsen-ch3, batch 10", "nielsen-ch3", {}],
  ["[784,4,10], batch 1", "nielsen-ch1", { layers: [784, 4, 10], batchSize: 1 }],
  ["[4,4,4], batch 1 (per-op cost)", "nielsen-ch1", { layers: [4, 4, 4], batchSize: 1 }],
];
for (const backend of ["wasm", "ref"] as const) {
  setBackend(backend);
  for (const [label, preset, over] of stepCases) {
    const config = { ...presetConfig(preset), ...over };
    const features = config.layers[0]!;
    const ex = buildExperiment(config, { train: features === 784 ? data.train : fakeData(features, 1000) });
    const batches = [...new DataLoader(ex.loader.dataset.slice(0, 2000), { batchSize: config.batchSize })];
    let i = 0;
    const s = timeIt(() => ex.trainer.step(batches[i++ % batches.length]!), { minSeconds: quick ? 0.3 : 1, warmup: 100 });
    // Ops per step: the forward graph, its backward (one vjp per op), one update per parameter.
    const forward = graphOps(ex.trainer.opts.loss(ex.model.forward(batches[0]!.x), batches[0]!.y));
    const ops = 2 * forward + ex.model.parameters().length;
    stepRows.push({ backend, workload: label, "µs/step": s * 1e6, "ops/step": ops, "µs/op": (s * 1e6) / ops });
  }
}
setBackend(info.backend);
results.steps = stepRows;
console.log("one training step: forward, backward, update (FACTS.md, batch 10: numpy 56, PyTorch 157, TF.js wasm 540 µs/step)");
console.log(table(stepRows), "\n");

// ---- 3. convolutions ---------------------------------------------------------------------
const convRows: Record<string, string | number>[] = [];
const convCases = [["conv1 1→20 @5×5, 28×28", 1, 28, 20], ["conv2 20→40 @5×5, 12×12", 20, 12, 40]] as const;
for (const [label, c, h, f] of convCases) {
  const row: Record<string, string | number> = { "W3 layer, batch 64": label };
  const x = new Tensor(fill(heap.persistent(64 * c * h * h)), [64, c, h, h], true);
  const w = new Tensor(fill(heap.persistent(f * c * 25)), [f, c, 5, 5], true);
  const b = new Tensor(fill(heap.persistent(f)), [f], true);
  const g = new Tensor(fill(heap.persistent(64 * f * (h - 4) * (h - 4))), [64, f, h - 4, h - 4]);
  for (const algorithm of ["im2col", "winograd"] as const) {
    for (const threads of [1, 2]) {
      await setThreads(threads);
      setConvAlgorithm(algorithm);
      const s = timeIt(() => scope(() => {
        const y = conv2d(x, w, b);
        y.backward(g);
        x.grad = w.grad = b.grad = null;
      }), { minSeconds: quick ? 0.3 : 1, warmup: 3 });
      row[`${algorithm} ${threads}T ms`] = s * 1e3;
    }
  }
  row["winograd ÷ im2col 1T"] = (row["winograd 1T ms"] as number) / (row["im2col 1T ms"] as number);
  convRows.push(row);
}
setConvAlgorithm("auto");
await setThreads(1);
results.conv = convRows;
console.log("convolution forward + backward (input, weight and bias gradients); auto takes Winograd from 8 input channels");
console.log(table(convRows), "\n");

// ---- 4. epochs and inference --------------------------------------------------------------
if (!quick) {
  const PEERS = { W1: { numpy: 0.28, pytorch: 0.77, "tfjs-wasm": 2.7 }, W2: { numpy: 0.55, pytorch: 1.0, "tfjs-wasm": 7.7 } } as const;
  const epochRows: Record<string, string | number>[] = [];
  for (const w of ["W1", "W2"] as const) {
    for (const threads of [1, 2]) {
      for (const [zeroSkip, fma] of fmaAvailable ? [[true, false], [false, false], [true, true], [false, true]] : [[true, false], [false, false]]) {
        const r = await measureWorkload(data, w, threads, 3, { zeroSkip, fma });
        const p = PEERS[w];
        epochRows.push({
          workload: w, threads, "zero-skip": zeroSkip ? "on" : "off", fma: fma ? "on" : "off", "s/epoch": r.secondsPerEpoch, "µs/step": r.stepMicroseconds, "test % (3 ep.)": r.testAccuracy * 100,
          "infer img/s": r.inferenceImagesPerSecond, "forward img/s": r.forwardImagesPerSecond,
          "÷numpy 0.28/0.55": r.secondsPerEpoch / p.numpy, "÷PyTorch 0.77/1.0": r.secondsPerEpoch / p.pytorch, "÷TF.js 2.7/7.7": r.secondsPerEpoch / p["tfjs-wasm"],
        });
      }
    }
  }
  results.epochs = epochRows;
  console.log("an epoch of 50,000 images, median of 3 (ratios use FACTS.md's peer figures; npm run bench:peers measures them here);");
  console.log("zero-skip on and off give the same bytes; fma on changes the last bits; infer = nn.infer (no tape, fused epilogues), forward = model.forward under noGrad");
  console.log(table(epochRows), "\n");
  console.log("inference on the W2 net, FACTS.md: numpy 0.55–0.9 M, PyTorch 0.55 M, TF.js wasm 86 k images/s\n");
}

// ---- 4b. fma on and off, CPU time ---------------------------------------------------------
if (fmaAvailable) {
  // Section 4's wall-clock epochs move by more than fma's gain on a machine shared with other
  // work; here the same 500 steps (batch 10) and one pass of nn.infer over the test set run with
  // each binary in turn, 12 interleaved rounds, and the best CPU time (process.cpuUsage) counts.
  const fmaRows: Record<string, string | number>[] = [];
  const cpuSeconds = (f: () => void) => { const t = process.cpuUsage(); f(); const u = process.cpuUsage(t); return (u.user + u.system) / 1e6; };
  for (const [w, preset] of [["W1", "nielsen-ch1"], ["W2", "nielsen-ch3"]] as const) {
    const ex = buildExperiment(presetConfig(preset), { train: data.train });
    const batches = [...new DataLoader(ex.loader.dataset.slice(0, 5000), { batchSize: 10 })];
    const test = [...new DataLoader(data.test, { batchSize: 1000 })].map((b) => b.x);
    const train = [Infinity, Infinity], inferred = [Infinity, Infinity];
    for (let r = 0; r < (quick ? 4 : 12); r++) {
      for (const fma of [0, 1]) {
        setKernelOptions({ fma: fma === 1 });
        train[fma] = Math.min(train[fma]!, cpuSeconds(() => { for (const b of batches) ex.trainer.step(b); }) * (50000 / 5000));
        ex.model.eval();
        inferred[fma] = Math.min(inferred[fma]!, cpuSeconds(() => noGrad(() => { for (const x of test) scope(() => void infer(ex.model, intoScope(x))); })));
        ex.model.train();
      }
    }
    fmaRows.push({
      workload: w, "plain s/epoch": train[0]!, "fma s/epoch": train[1]!, "plain ÷ fma (training)": train[0]! / train[1]!,
      "plain infer img/s": 10000 / inferred[0]!, "fma infer img/s": 10000 / inferred[1]!, "fma ÷ plain (inference)": inferred[0]! / inferred[1]!,
    });
  }
  setKernelOptions({ fma: fmaSetting });
  results.fmaCpuTime = fmaRows;
  console.log("fma on and off, 1 thread: CPU time of 500 steps (× 10 = an epoch of 50,000 images) and of nn.infer over the test set, best of interleaved rounds (> 1: fma faster)");
  console.log(table(fmaRows), "\n");
}

// ---- 5. zero-skipping --------------------------------------------------------------------
{
  // CPU time (process.cpuUsage), best of 15 interleaved rounds: steadier than wall time on a
  // machine shared with other work. Sparse forced on ("always") and automatic, each ÷ dense.
  const race = (fns: (() => void)[], reps: number, rounds = quick ? 5 : 15): number[] => {
    const best = fns.map(() => Infinity);
    for (let r = 0; r < rounds; r++) {
      fns.forEach((f, i) => {
        const t = process.cpuUsage();
        for (let q = 0; q < reps; q++) f();
        const u = process.cpuUsage(t);
        best[i] = Math.min(best[i]!, (u.user + u.system) / 1e6 / reps);
      });
    }
    return best;
  };
  const setting = (zeroSkip: boolean | "always", f: () => void) => () => { setKernelOptions({ zeroSkip }); f(); };
  const zsRows: Record<string, string | number>[] = [];
  const pixels = data.train.features;
  const images = (rows: number) => Array.from({ length: 20 }, (_, i) => {
    const v = heap.persistent(rows * 784); // in the heap, as a batch is during training
    v.set(pixels.subarray(i * rows * 784, (i + 1) * rows * 784));
    return v;
  });
  for (const [m, n] of [[10, 30], [10, 100], [64, 100], [1000, 100]] as const) {
    const w = fill(heap.persistent(n * 784)), c = heap.persistent(m * n), xs = images(m);
    let i = 0;
    const f = () => kernelsFor(w).gemm(xs[i++ % 20]!, w, c, m, 784, n, false, true, false);
    const [dense, always, auto] = race([setting(false, f), setting("always", f), setting(true, f)], m > 100 ? 3 : 100);
    zsRows.push({ product: `forward X·Wᵀ ${m}×784×${n}, MNIST`, "dense µs": dense! * 1e6, "sparse ÷ dense": always! / dense!, "auto ÷ dense": auto! / dense! });
  }
  for (const [m, k] of [[30, 10], [100, 10], [100, 64]] as const) {
    const g = fill(heap.persistent(k * m)), wt = fill(heap.persistent(m * 784)), xs = images(k);
    let i = 0;
    const f = () => kernelsFor(g).gemmSgdUpdate(g, xs[i++ % 20]!, wt, m, k, 784, true, 1e-9, 0);
    const [dense, always, auto] = race([setting(false, f), setting("always", f), setting(true, f)], 100);
    zsRows.push({ product: `δᵀ·X + SGD step ${m}×${k}×784, MNIST`, "dense µs": dense! * 1e6, "sparse ÷ dense": always! / dense!, "auto ÷ dense": auto! / dense! });
  }
  setKernelOptions({ zeroSkip: true });
  console.log("zero-skipping on MNIST batches (CPU time, best of interleaved rounds; < 1: skipping is faster)");
  console.log(table(zsRows), "\n");
  // Density sweeps: zeros in whole groups (4 along k, shared by pairs of rows, for X·Wᵀ; 8-column
  // panels for δᵀ·X), so the density is the share of non-zero groups the sparse loops visit.
  const sweep: Record<string, string | number>[] = [];
  const DENSITIES = [0, 0.2, 0.4, 0.6, 0.7, 0.8, 0.9, 1];
  const grouped = (rows: number, cols: number, d: number, along: number, pairs: boolean) => {
    const v = heap.persistent(rows * cols);
    const nz: boolean[] = [];
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < cols; j += along) {
        if (!pairs || r % 2 === 0) nz[j] = rng.uniform() < d;
        for (let q = j; q < Math.min(cols, j + along); q++) v[r * cols + q] = nz[j] ? rng.range(-1, 1) : 0;
      }
    }
    return v;
  };
  for (const [m, k, n] of [[4, 784, 100], [10, 784, 30], [32, 784, 100], [1000, 784, 100]] as const) {
    const row: Record<string, string | number> = { product: `X·Wᵀ ${m}×${k}×${n}` };
    const w = fill(heap.persistent(n * k)), c = heap.persistent(m * n);
    for (const d of DENSITIES) {
      const x = grouped(m, k, d, 4, true);
      const f = () => kernelsFor(x).gemm(x, w, c, m, k, n, false, true, false);
      const [dense, always] = race([setting(false, f), setting("always", f)], m > 100 ? 2 : 100, quick ? 3 : 9);
      row[`d=${d}`] = always! / dense!;
    }
    sweep.push(row);
  }
  for (const [m, k, n] of [[30, 10, 784], [100, 10, 784], [100, 64, 784]] as const) {
    const row: Record<string, string | number> = { product: `δᵀ·X + SGD ${m}×${k}×${n}` };
    const g = fill(heap.persistent(k * m)), wt = fill(heap.persistent(m * n));
    for (const d of DENSITIES) {
      const x = grouped(k, n, d, 8, false);
      const f = () => kernelsFor(x).gemmSgdUpdate(g, x, wt, m, k, n, true, 1e-9, 0);
      const [dense, always] = race([setting(false, f), setting("always", f)], 50, quick ? 3 : 9);
      row[`d=${d}`] = always! / dense!;
    }
    sweep.push(row);
  }
  setKernelOptions({ zeroSkip: true });
  results.zeroSkip = { mnist: zsRows, densitySweep: sweep };
  console.log("sparse ÷ dense time by density of non-zero groups (the sparse path pays below 1; assembly/sparse.ts's thresholds sit ~0.1 under the crossing)");
  console.log(table(sweep), "\n");
}

mkdirSync("bench/results", { recursive: true });
const file = `bench/results/bench-${new Date().toISOString().replace(/[:.]/g, "-")}.json`;
writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
console.log(`written ${file}`);
