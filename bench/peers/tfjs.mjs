// TF.js peer: the book's W1 and W2 on the same data split and hyper-parameters, written with
// tf.js ops (no descent code). Prints one JSON line per measurement.
//   node bench/peers/tfjs.mjs <mnist-dir> <backend: wasm|cpu> [maxSteps]
//   node bench/peers/tfjs.mjs --check <backend>   (loads TF.js and the backend, one matMul, exits)
// TF.js is installed in bench/peers/node_modules (bench/peers/package.json), not with descent.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";

const [dir, backend = "wasm", maxStepsArg] = process.argv.slice(2);
const maxSteps = maxStepsArg ? Number(maxStepsArg) : Infinity;
const require = createRequire(import.meta.url);
setWasmPaths(join(require.resolve("@tensorflow/tfjs-backend-wasm/package.json"), "..", "dist") + "/");
await tf.setBackend(backend);
await tf.ready();
if (dir === "--check") {
  // [[1,2],[3,4]] · [[5],[6]] = [[17],[39]], on the backend asked for: it computes, not just loads.
  const y = Array.from(tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([5, 6], [2, 1])).dataSync()).join(",");
  const ok = y === "17,39" && tf.getBackend() === backend;
  console.log(JSON.stringify({ peer: `TF.js ${tf.version.tfjs} ${tf.getBackend()}`, check: ok ? "ok" : `backend ${tf.getBackend()}, matMul ${y}` }));
  process.exit(ok ? 0 : 1);
}

function idx(file) {
  const b = readFileSync(join(dir, file));
  const rank = b[3];
  const dims = Array.from({ length: rank }, (_, i) => b.readUInt32BE(4 + 4 * i));
  return { dims, data: b.subarray(4 + 4 * rank) };
}
const ti = idx("train-images-idx3-ubyte"), tl = idx("train-labels-idx1-ubyte");
const si = idx("t10k-images-idx3-ubyte"), sl = idx("t10k-labels-idx1-ubyte");
const toX = (u8, n) => Float32Array.from(u8.subarray(0, n * 784), (v) => v / 255);
const trainX = toX(ti.data, 50000), trainY = Int32Array.from(tl.data.subarray(0, 50000));
const testX = toX(si.data, 10000), testY = Int32Array.from(sl.data);

// Deterministic N(0,1) (Box–Muller over a small LCG) so runs are repeatable.
let seed = 12345;
const uni = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) + 0.5) / 4294967296;
const randn = (n, std) => Float32Array.from({ length: n }, () => std * Math.sqrt(-2 * Math.log(uni())) * Math.cos(2 * Math.PI * uni()));

const WORKLOADS = {
  W1: { sizes: [784, 30, 10], lr: 3, l2: 0, cost: "quadratic", wstd: () => 1 },
  W2: { sizes: [784, 100, 10], lr: 0.5, l2: 5, cost: "cross-entropy", wstd: (nin) => 1 / Math.sqrt(nin) },
};

function run(name) {
  const w = WORKLOADS[name];
  const params = [];
  for (let l = 0; l + 1 < w.sizes.length; l++) {
    const [nin, nout] = [w.sizes[l], w.sizes[l + 1]];
    params.push(tf.variable(tf.tensor2d(randn(nin * nout, w.wstd(nin)), [nin, nout])), tf.variable(tf.tensor1d(randn(nout, 1))));
  }
  const forward = (x) => {
    let a = x;
    for (let l = 0; l < params.length; l += 2) a = tf.sigmoid(tf.add(tf.matMul(a, params[l]), params[l + 1]));
    return a;
  };
  const logits = (x) => {
    let a = x;
    for (let l = 0; l < params.length; l += 2) {
      const z = tf.add(tf.matMul(a, params[l]), params[l + 1]);
      a = l + 2 < params.length ? tf.sigmoid(z) : z;
    }
    return a;
  };
  const opt = tf.train.sgd(w.lr);
  const n = 50000, batch = 10;
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) { const j = Math.floor(uni() * (i + 1)); [order[i], order[j]] = [order[j], order[i]]; }
  const xb = new Float32Array(batch * 784), yb = new Float32Array(batch * 10);
  const steps = Math.min(n / batch, maxSteps);
  const t0 = performance.now();
  for (let s = 0; s < steps; s++) {
    yb.fill(0);
    for (let r = 0; r < batch; r++) {
      const e = order[s * batch + r];
      xb.set(trainX.subarray(e * 784, e * 784 + 784), r * 784);
      yb[r * 10 + trainY[e]] = 1;
    }
    tf.tidy(() => {
      const x = tf.tensor2d(xb, [batch, 784]), y = tf.tensor2d(yb, [batch, 10]);
      opt.minimize(() => {
        let c;
        if (w.cost === "quadratic") c = tf.mul(tf.sum(tf.square(tf.sub(forward(x), y))), 0.5 / batch);
        else c = tf.div(tf.losses.sigmoidCrossEntropy(y, logits(x), undefined, 0, tf.Reduction.SUM), batch);
        if (w.l2) c = tf.add(c, tf.mul(tf.addN(params.filter((_, i) => i % 2 === 0).map((p) => tf.sum(tf.square(p)))), (0.5 * w.l2) / n));
        return c;
      });
    });
  }
  const seconds = ((performance.now() - t0) / 1000) * ((n / batch) / steps);
  // Inference on the test set, batch 1000.
  let correct = 0;
  const ti0 = performance.now();
  for (let s = 0; s < 10000; s += 1000) {
    const pred = tf.tidy(() => tf.argMax(forward(tf.tensor2d(testX.subarray(s * 784, (s + 1000) * 784), [1000, 784])), 1));
    const p = pred.dataSync();
    for (let i = 0; i < 1000; i++) if (p[i] === testY[s + i]) correct++;
    pred.dispose();
  }
  const inferSeconds = (performance.now() - ti0) / 1000;
  console.log(JSON.stringify({ peer: `TF.js ${tf.version.tfjs} ${backend}`, workload: name, threads: 1, secondsPerEpoch: seconds, extrapolatedFrom: steps < n / batch ? steps : undefined, testAccuracyAfterOneEpoch: correct / 10000, inferenceImagesPerSecond: 10000 / inferSeconds }));
  params.forEach((p) => p.dispose());
}
for (const name of (process.env.WORKLOADS ?? "W1,W2").split(",")) run(name);
