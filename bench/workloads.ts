/** The benchmark workloads, measured the same way for descent and (in peers/) for the others. */
import { noGrad } from "../src/autograd.js";
import { scope, intoScope } from "../src/memory.js";
import { setThreads } from "../src/kernels/index.js";
import type { Mnist } from "../src/data/mnist.js";
import { DataLoader, type TensorDataset } from "../src/data/dataset.js";
import { buildExperiment } from "../src/train/config.js";
import { presetConfig } from "../src/train/presets.js";
import { mnistRows } from "../src/data/sequences.js";
import { median } from "./harness.js";
import "../src/node/index.js";

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
  /** Forward passes over the 10,000 test images, batch 1000, after training. */
  inferenceImagesPerSecond: number;
}

/** Trains the workload's preset for `epochs` epochs on `threads` threads and times it. */
export async function measureWorkload(data: Mnist, workload: Workload, threads: number, epochs = 3): Promise<EpochResult> {
  await setThreads(threads);
  // One extra epoch first: the JIT and the helper thread's code warm up during it.
  // W4 reads the images row by row: [28, 28] per example (the same pixels).
  const view = workload === "W4" ? mnistRows : (d: TensorDataset) => d;
  const ex = buildExperiment({ ...presetConfig(WORKLOADS[workload]), epochs: epochs + 1, validation: 0 }, { train: view(data.train), test: view(data.test) });
  const r = ex.trainer.fit(ex.loader, ex.fitOptions);
  const secondsPerEpoch = median(r.history.slice(1).map((h) => h.seconds));
  const inference = measureInference(ex.data.test!, ex.model);
  await setThreads(1);
  return {
    workload, threads, secondsPerEpoch, stepMicroseconds: (secondsPerEpoch / ex.loader.length) * 1e6,
    testAccuracy: r.history[r.history.length - 1]!.testAccuracy!, inferenceImagesPerSecond: inference,
  };
}

/** Images per second for forward passes over the test set in batches of 1000 (median of 5). */
export function measureInference(test: TensorDataset, model: { forward(x: never): unknown; eval(): unknown; train(on?: boolean): unknown }): number {
  model.eval();
  const batches = [...new DataLoader(test, { batchSize: 1000 })];
  const pass = () => noGrad(() => { for (const b of batches) scope(() => void model.forward(intoScope(b.x) as never)); });
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
