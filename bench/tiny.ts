/**
 * The small networks the learning experiments run many of (issue: per-step overhead): steps/s of
 * the universality fit (1-30-1, Adam, batch 20) and of Nielsen ch. 5's deepest network
 * (784-30-30-30-30-10 sigmoid, cross-entropy, SGD with L2, batch 10), descent beside PyTorch
 * (bench/peers/tiny_torch.py, one thread) in one run. The machine's CPU is named in the header.
 *
 *   npm run bench:tiny [-- --steps 5000]
 */
import { spawnSync } from "node:child_process";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { defaultMnistDir, loadMnist } from "../src/node/mnist.js";
import { buildExperiment, DEFAULT_CONFIG } from "../src/train/config.js";
import { presetConfig } from "../src/train/presets.js";
import { mlp } from "../src/nn/mlp.js";
import { mseLoss } from "../src/nn/losses.js";
import { Adam } from "../src/optim/adam.js";
import { Trainer } from "../src/train/trainer.js";
import { Tensor } from "../src/tensor.js";
import { Rng } from "../src/rng.js";
import { backendInfo } from "../src/kernels/index.js";

const arg = process.argv.indexOf("--steps");
const steps = arg > 0 ? Number(process.argv[arg + 1]) : 5000;
process.stdout.write(`CPU: ${cpus()[0]?.model ?? "unknown"} · ${cpus().length} cores · Node ${process.version} · ${backendInfo().backend} backend · ${steps} steps each\n`);

function rate(run: (s: number) => void): number {
  for (let s = 0; s < 50; s++) run(s); // warm-up: kernels compiled, memory grown
  const t0 = performance.now();
  for (let s = 0; s < steps; s++) run(s);
  return steps / ((performance.now() - t0) / 1000);
}

// T1: the universality fit of src/analysis/universality-fit.ts.
const xs = Float32Array.from({ length: 200 }, (_, i) => (i + 0.5) / 200);
const ys = xs.map((x) => 0.2 + 0.4 * x * x + 0.3 * x * Math.sin(15 * x) + 0.05 * Math.cos(50 * x));
const fit = mlp([1, 30, 1], { activation: "sigmoid", output: "identity", rng: new Rng(1) });
const fitTrainer = new Trainer(fit, { loss: (a, y) => mseLoss(a, y), optimizer: new Adam(fit.parameters(), { lr: 0.01 }) });
const t1 = rate((s) => {
  const at = (s * 20) % 200;
  fitTrainer.step({ x: new Tensor(xs.slice(at, at + 20), [20, 1]), y: new Tensor(ys.slice(at, at + 20), [20, 1]) });
});

// T2: nielsen-ch5-4 as the CLI builds it (cross-entropy read from the logits, L2 in the optimizer).
const mnist = await loadMnist();
const ex = buildExperiment({ ...DEFAULT_CONFIG, ...presetConfig("nielsen-ch5-4") }, { train: mnist.train });
const order = [...ex.loader.indices()];
const t2 = rate((s) => void ex.trainer.step(() => ex.loader.gather(order[s % order.length]!)));

const rows: { workload: string; descent: number; torch?: number }[] = [
  { workload: "T1 1-30-1 fit", descent: t1 },
  { workload: "T2 784-30-30-30-30-10", descent: t2 },
];
const py = spawnSync("/usr/bin/python3", [fileURLToPath(new URL("./peers/tiny_torch.py", import.meta.url)), defaultMnistDir(), String(steps)], {
  encoding: "utf8", env: { ...process.env, OPENBLAS_NUM_THREADS: "1" },
});
if (py.status === 0) {
  for (const line of py.stdout.trim().split("\n")) {
    const r = JSON.parse(line) as { workload: string; stepsPerSecond: number; peer: string };
    const row = rows.find((x) => x.workload === r.workload);
    if (row) row.torch = r.stepsPerSecond;
  }
} else process.stdout.write(`PyTorch skipped: ${(py.stderr || "no /usr/bin/python3 with torch").split("\n")[0]}\n`);

for (const r of rows) {
  const vs = r.torch ? ` · PyTorch 1 thread ${Math.round(r.torch).toLocaleString("en-US")} steps/s · descent ${(r.descent / r.torch).toFixed(1)}× as fast` : "";
  process.stdout.write(`${r.workload.padEnd(24)} descent 1 thread ${Math.round(r.descent).toLocaleString("en-US")} steps/s${vs}\n`);
}
