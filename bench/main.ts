/**
 * `npm run bench`: kernel GFLOP/s at MNIST shapes, µs per training step (and per op), seconds per
 * epoch for the book's W1/W2 workloads, inference images/s — printed as tables beside the peers'
 * figures from shared/reference/FACTS.md, and written to bench/results/<timestamp>.json.
 *   npm run bench -- --quick     (skip the full epochs)
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { backendInfo, kernelsFor } from "../src/kernels/index.js";
import { Tensor } from "../src/tensor.js";
import { noGrad } from "../src/autograd.js";
import { Rng } from "../src/rng.js";
import { loadMnist } from "../src/node/mnist.js";
import { buildExperiment } from "../src/train/config.js";
import { presetConfig } from "../src/train/presets.js";
import { DataLoader, TensorDataset } from "../src/data/dataset.js";
import { VERSION } from "../src/version.js";
import { table, timeIt } from "./harness.js";
import { graphOps } from "./op-count.js";

const quick = process.argv.includes("--quick");
const results: Record<string, unknown> = {
  descent: VERSION, date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model, backend: backendInfo(),
};

// ---- 1. gemm ------------------------------------------------------------------------------
const SHAPES: [number, number, number][] = [[10, 784, 30], [10, 784, 100], [64, 784, 100], [128, 784, 256], [784, 128, 256], [128, 256, 10]];
const rng = new Rng(7);
const gemmRows: Record<string, string | number>[] = [];
for (const [m, k, n] of SHAPES) {
  const row: Record<string, string | number> = { "M×K×N": `${m}×${k}×${n}` };
  for (const [label, tA, tB] of [["A·B", false, false], ["A·Bᵀ", false, true], ["Aᵀ·B", true, false]] as const) {
    const a = Tensor.randn([m * k], rng).data;
    const b = Tensor.randn([k * n], rng).data;
    const c = new Float32Array(m * n);
    const kern = kernelsFor(a);
    const s = timeIt(() => kern.gemm(a, b, c, m, k, n, tA, tB, false), { minSeconds: quick ? 0.1 : 0.3 });
    row[`${label} GFLOP/s`] = (2 * m * k * n) / s / 1e9;
  }
  gemmRows.push(row);
}
results.gemm = gemmRows;
console.log(`descent ${VERSION} · backend ${backendInfo().backend} · ${cpus()[0]?.model ?? "?"} · node ${process.version}\n`);
console.log("gemm (single thread; peers, FACTS.md: plain JS 1.5, TF.js wasm 24–40, PyTorch 35–109 GFLOP/s)");
console.log(table(gemmRows), "\n");

// ---- 2. per-step and per-op overhead ------------------------------------------------------
const data = await loadMnist();
const stepRows: Record<string, string | number>[] = [];
const stepCases: [string, string, Partial<ReturnType<typeof presetConfig>>][] = [
  ["W1 nielsen-ch1, batch 10", "nielsen-ch1", {}],
  ["W2 nielsen-ch3, batch 10", "nielsen-ch3", {}],
  ["overhead: [784,4,10], batch 1", "nielsen-ch1", { layers: [784, 4, 10], batchSize: 1 }],
  ["overhead: [4,4,4], batch 1 (tiny)", "nielsen-ch1", { layers: [4, 4, 4], batchSize: 1 }],
];
for (const [label, preset, over] of stepCases) {
  const config = { ...presetConfig(preset), ...over };
  const features = config.layers[0]!;
  const ex = buildExperiment(config, { train: features === 784 ? data.train : fakeData(features, 1000) });
  const batches = [...new DataLoader(ex.loader.dataset.slice(0, 2000), { batchSize: config.batchSize })];
  let i = 0;
  const s = timeIt(() => ex.trainer.step(batches[i++ % batches.length]!), { minSeconds: quick ? 0.3 : 1, warmup: 50 });
  // Ops per step: the forward graph, its backward (about one op per forward op), one update per parameter.
  const forward = graphOps(ex.trainer.opts.loss(ex.model.forward(batches[0]!.x), batches[0]!.y));
  const ops = 2 * forward + ex.model.parameters().length;
  stepRows.push({ workload: label, "µs/step": s * 1e6, "ops/step (≈)": ops, "µs/op": (s * 1e6) / ops });
}
results.steps = stepRows;
console.log("training step (forward + backward + update; peers at batch 10: numpy 56, PyTorch 157, TF.js wasm 540 µs/step)");
console.log(table(stepRows), "\n");

function fakeData(features: number, n: number) {
  const r = new Rng(3);
  const x = new Float32Array(n * features).map(() => r.uniform());
  const y = new Int32Array(n).map(() => r.int(4));
  return new TensorDataset(x, [features], y);
}

// ---- 3. epochs and inference --------------------------------------------------------------
if (!quick) {
  const PEERS = {
    W1: { numpy: 0.28, pytorch: 0.77, "tfjs-wasm": 2.7 },
    W2: { numpy: 0.55, pytorch: 1.0, "tfjs-wasm": 7.7 },
  } as const;
  const epochRows: Record<string, string | number>[] = [];
  for (const [w, preset] of [["W1", "nielsen-ch1"], ["W2", "nielsen-ch3"]] as const) {
    const ex = buildExperiment({ ...presetConfig(preset), epochs: 1 }, data);
    const r = ex.trainer.fit(ex.loader, { ...ex.fitOptions, epochs: 1, validation: data.validation });
    const s = r.history[0]!.seconds;
    const p = PEERS[w];
    epochRows.push({
      workload: `${w} ${preset}`, "s/epoch": s, "val acc %": (r.history[0]!.valAccuracy ?? 0) * 100,
      "numpy s": p.numpy, "PyTorch s": p.pytorch, "TF.js wasm s": p["tfjs-wasm"],
      "÷numpy": s / p.numpy, "÷PyTorch": s / p.pytorch, "÷TF.js": s / p["tfjs-wasm"],
    });
    if (w === "W2") {
      const test = data.test;
      ex.model.eval();
      const t = timeIt(() => noGrad(() => {
        for (const b of new DataLoader(test, { batchSize: 1000 })) ex.model.forward(b.x);
      }), { minSeconds: 1, warmup: 1, minReps: 3 });
      results.inference = { workload: "W2 net, test set, batch 1000", imagesPerSecond: test.length / t, peers: { numpy: "0.55–0.9 M", pytorch: "0.55 M", "tfjs-wasm": "86 k" } };
    }
  }
  results.epochs = epochRows;
  console.log("one epoch of 50,000 images (peers: FACTS.md, same machine type; ratios > 1 mean descent is slower)");
  console.log(table(epochRows), "\n");
  const inf = results.inference as { imagesPerSecond: number };
  console.log(`inference, W2 net on the test set: ${Math.round(inf.imagesPerSecond).toLocaleString("en-US")} images/s (numpy 0.55–0.9 M, PyTorch 0.55 M, TF.js wasm 86 k)\n`);
}

mkdirSync("bench/results", { recursive: true });
const file = `bench/results/bench-${new Date().toISOString().replace(/[:.]/g, "-")}.json`;
writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
console.log(`written ${file}`);
