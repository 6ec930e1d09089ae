/** The benchmark workloads, measured the same way for descent and (in peers/) for the others. */
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { noGrad } from "../src/autograd.js";
import { scope, intoScope } from "../src/memory.js";
import { backendInfo, getBackend, kernelOptions, setKernelOptions, setThreads, wasmRuntime } from "../src/kernels/index.js";
import { infer } from "../src/nn/infer.js";
import type { Module } from "../src/nn/module.js";
import type { Mnist } from "../src/data/mnist.js";
import { DataLoader, type TensorDataset } from "../src/data/dataset.js";
import { buildExperiment } from "../src/train/config.js";
import { presetConfig } from "../src/train/presets.js";
import { mnistRows } from "../src/data/sequences.js";
import { median } from "./harness.js";
import "../src/node/index.js";
import { Tensor } from "../src/tensor.js";

export const WORKLOADS = { W1: "nielsen-ch1", W2: "nielsen-ch3", W3: "w3", "W3-adam": "w3-adam", W4: "seq-mnist-lstm" } as const;
export type Workload = keyof typeof WORKLOADS;

export interface EpochResult {
  workload: Workload;
  threads: number;
  /** Median seconds of the training loop over `epochs` epochs after a warm-up epoch (evaluation excluded). */
  secondsPerEpoch: number;
  /** Median time of one training step, in µs. */
  stepMicroseconds: number;
  testAccuracy: number;
  /** Passes over the 10,000 test images, batch 1000, after training, with nn.infer (no tape, fused epilogues). */
  inferenceImagesPerSecond: number;
  /** The same with model.forward under noGrad (the taped forward, recording nothing). */
  forwardImagesPerSecond: number;
  /** Zero-skipping in the products (setKernelOptions): the results are the same bytes either way. */
  zeroSkip: boolean;
  /** The fma binary ran the products (setKernelOptions({ fma })): other bytes in the last bits. */
  fma: boolean;
}

/**
 * The CPU, for the benchmarks' headers and JSON: /proc/cpuinfo's "model name" where there is one
 * (else os.cpus()), with the clock and AVX-512 added when the name leaves them out — virtual
 * machines often report just "Intel(R) Xeon(R) Processor", which says little.
 */
export function cpuModel(): string {
  let info = "";
  try {
    info = readFileSync("/proc/cpuinfo", "utf8");
  } catch {
    // not Linux: os.cpus() below
  }
  let name = /^model name\s*:\s*(.+)$/m.exec(info)?.[1]?.trim() ?? cpus()[0]?.model ?? "unknown CPU";
  const mhz = Number(/^cpu MHz\s*:\s*([\d.]+)$/m.exec(info)?.[1]);
  if (!/GHz/i.test(name) && mhz > 0) name += ` @ ${(mhz / 1000).toFixed(2)} GHz`;
  if (/^flags\s*:.*\bavx512f\b/m.test(info)) name += ", AVX-512";
  return name;
}

/**
 * Trains the workload's preset for `epochs` epochs on `threads` threads and times it; zeroSkip
 * and fma as given, else as they are (fma: the binary the per-machine choice made, fma.ts).
 */
export async function measureWorkload(data: Mnist, workload: Workload, threads: number, epochs = 3, opts: { zeroSkip?: boolean; fma?: boolean } = {}): Promise<EpochResult> {
  await setThreads(threads);
  const before = kernelOptions();
  const zeroSkip = opts.zeroSkip ?? before.zeroSkip !== false;
  setKernelOptions({ zeroSkip, ...(opts.fma === undefined ? {} : { fma: opts.fma }) });
  try {
    return await measure(data, workload, threads, epochs, zeroSkip);
  } finally {
    setKernelOptions({ zeroSkip: before.zeroSkip, ...(opts.fma === undefined ? {} : { fma: before.fma }) });
  }
}

async function measure(data: Mnist, workload: Workload, threads: number, epochs: number, zeroSkip: boolean): Promise<EpochResult> {
  const fma = backendInfo().fma.active;
  // One extra epoch first: the JIT and the helper thread's code warm up during it.
  // W4 reads the images row by row: [28, 28] per example (the same pixels).
  const view = workload === "W4" ? mnistRows : (d: TensorDataset) => d;
  // W4 is the seq-mnist-lstm at batch 64 with a constant rate (the PyTorch peer's setting).
  const w4 = workload === "W4" ? { batchSize: 64, schedule: "constant" as const } : {};
  const ex = buildExperiment({ ...presetConfig(WORKLOADS[workload]), ...w4, epochs: epochs + 1, validation: 0 }, { train: view(data.train), test: view(data.test) });
  const r = ex.trainer.fit(ex.loader, ex.fitOptions);
  const secondsPerEpoch = median(r.history.slice(1).map((h) => h.seconds));
  const inference = measureInference(ex.data.test!, ex.model, "infer");
  const forward = measureInference(ex.data.test!, ex.model, "forward");
  await setThreads(1);
  return {
    workload, threads, secondsPerEpoch, stepMicroseconds: (secondsPerEpoch / ex.loader.length) * 1e6,
    testAccuracy: r.history[r.history.length - 1]!.testAccuracy!, inferenceImagesPerSecond: inference, forwardImagesPerSecond: forward, zeroSkip, fma,
  };
}

/**
 * Images per second over the test set in batches of 1000 (median of 5): nn.infer, or
 * model.forward under noGrad. The batches are put in the kernels' memory before the clock starts,
 * as the peers' test arrays are in theirs (numpy and PyTorch slice them without copying).
 */
export function measureInference(test: TensorDataset, model: Module, path: "infer" | "forward" = "infer"): number {
  model.eval();
  const heap = wasmRuntime()?.heap;
  const resident = (t: Tensor): Tensor => {
    if (!heap || getBackend() !== "wasm") return t;
    const v = heap.persistent(t.size);
    v.set(t.data);
    return new Tensor(v, t.shape);
  };
  const batches = [...new DataLoader(test, { batchSize: 1000 })].map((b) => resident(b.x));
  const run = path === "infer" ? (x: Tensor) => infer(model, x) : (x: Tensor) => model.forward(x);
  const pass = () => noGrad(() => { for (const x of batches) scope(() => void run(intoScope(x))); });
  pass();
  const times: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t = performance.now();
    pass();
    times.push((performance.now() - t) / 1000);
  }
  model.train();
  return test.length / median(times);
}
