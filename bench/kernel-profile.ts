/**
 * Where a training step's time goes, kernel by kernel: every kernel of the active backend is
 * wrapped with a timer (products keyed by shape, with their GFLOP/s), then a preset trains.
 *   npx tsx bench/kernel-profile.ts [preset=w3-adam] [steps=100] [threads=1] [conv=auto|im2col|winograd]
 * With 2 threads each kernel's time is the main thread's wall time for it, so a kernel that
 * does not split shows up as a larger share.
 * The wrappers cost a little themselves; compare kernels within one run.
 */
import { loadMnist } from "../src/node/mnist.js";
import { buildExperiment } from "../src/train/config.js";
import { presetConfig } from "../src/train/presets.js";
import { kernelsFor, setThreads } from "../src/kernels/index.js";
import "../src/node/threads.js";
import { setConvAlgorithm, type ConvAlgorithm } from "../src/ops/conv-winograd.js";
const preset = process.argv[2] ?? "w3-adam";
const steps = Number(process.argv[3] ?? 100);
await setThreads(Number(process.argv[4] ?? 1));
setConvAlgorithm((process.argv[5] ?? "auto") as ConvAlgorithm);
const k = kernelsFor(new Float32Array(1)) as any;
const stats = new Map<string, { n: number; ms: number }>();
let on = false;
const wrap = (table: any, prefix: string) => { for (const name of Object.keys(table)) {
  const f = table[name];
  if (f && typeof f === "object") { wrap(f, `${prefix}${name}.`); continue; }
  if (typeof f !== "function") continue;
  table[name] = function (...args: any[]) {
    if (!on) return f.apply(this, args);
    const t = performance.now();
    const r = f.apply(this, args);
    const dt = performance.now() - t;
    const key = name === "gemm" || name === "gemmSgdUpdate" ? `${name} m${args[3]} k${args[4]} n${args[5]} tA${+args[6]} tB${+args[7]}` : prefix + name;
    const s = stats.get(key) ?? { n: 0, ms: 0 };
    s.n++; s.ms += dt; stats.set(key, s);
    return r;
  };
} };
wrap(k, "");
const mnist = await loadMnist();
const exp = buildExperiment(presetConfig(preset), { train: mnist.train, validation: mnist.validation, test: mnist.test });
const it = exp.loader.indices();
for (let i = 0; i < 10; i++) { const idx = it.next().value!; exp.trainer.step(() => exp.loader.gather(idx)); }
on = true;
const t0 = performance.now();
for (let i = 0; i < steps; i++) { const idx = it.next().value!; exp.trainer.step(() => exp.loader.gather(idx)); }
const total = (performance.now() - t0) / steps;
let sum = 0;
for (const [key, s] of [...stats.entries()].sort((a, b) => b[1].ms - a[1].ms)) {
  sum += s.ms;
  const fl = key.match(/m(\d+) k(\d+) n(\d+)/);
  const gf = fl ? (2 * +fl[1]! * +fl[2]! * +fl[3]! * s.n) / (s.ms / 1000) / 1e9 : NaN;
  console.log(`${(s.ms / steps).toFixed(3).padStart(8)} ms/step  ${String(s.n / steps).padStart(4)}×  ${Number.isNaN(gf) ? "" : gf.toFixed(1).padStart(5) + " GFLOP/s"}  ${key}`);
}
console.log(`total ${total.toFixed(3)} ms/step, kernels ${(sum / steps).toFixed(3)}`);
await setThreads(1);
