/**
 * Where two threads stop paying: W1 and W2 (batch-10 MLPs, whose products are 0.5–1.6 MFLOP)
 * trained on 1 thread and on 2 threads with the helper taking products from several FLOP sizes up
 * (setKernelOptions({ splitFlops })), alternated round by round in one process so the machine's
 * noise falls on all of them alike. Prints the median seconds per epoch of each. The threshold
 * changes the time only: results are the same bits whatever it is (test/threads.test.ts).
 *   npx tsx bench/split-threshold.ts [--rounds 3] [--thresholds 2e5,2e6,4e6]
 */
import "../src/node/index.js";
import { loadMnist } from "../src/node/mnist.js";
import { setKernelOptions } from "../src/kernels/index.js";
import { SPLIT_FLOPS } from "../src/kernels/wasm/threads.js";
import { cpuModel, measureWorkload } from "./workloads.js";

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const rounds = Number(arg("--rounds", "3"));
const thresholds = arg("--thresholds", `${SPLIT_FLOPS},2e6,4e6`).split(",").map(Number);
const data = await loadMnist();
const configs: { label: string; threads: number; split: number }[] = [
  { label: "1 thread", threads: 1, split: SPLIT_FLOPS },
  ...thresholds.map((t) => ({ label: `2 threads, split from ${t.toExponential(0)} FLOPs`, threads: 2, split: t })),
];
console.log(`CPU: ${cpuModel()}`);
for (const w of ["W1", "W2"] as const) {
  const times = configs.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    for (const [i, c] of configs.entries()) {
      setKernelOptions({ splitFlops: c.split });
      times[i]!.push((await measureWorkload(data, w, c.threads, 1)).secondsPerEpoch);
    }
  }
  setKernelOptions({ splitFlops: SPLIT_FLOPS });
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;
  for (const [i, c] of configs.entries()) console.log(`${w}  ${c.label.padEnd(36)} ${median(times[i]!).toFixed(3)} s/epoch  (${times[i]!.map((t) => t.toFixed(3)).join(" ")})`);
}
