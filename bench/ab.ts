/**
 * Before/after in one process: the benchmark workloads trained by another checkout of descent
 * ("base": an older commit, built — `git worktree add ../base <commit> && cd ../base && npm ci`)
 * and by this one ("main"), their modules loaded side by side, in alternating blocks of steps, so
 * both see the same phases of a shared machine. Prints µs per step and main ÷ base per block.
 *   npx tsx bench/ab.ts ../base [W1,W2,W3,W3-adam,W4] [1,2] [blocks=6]
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
if (!process.argv[2]) {
  process.stderr.write("bench/ab.ts: give the other checkout's directory (built, with node_modules): npx tsx bench/ab.ts ../base\n");
  process.exit(2);
}
const roots = { base: resolve(process.argv[2]), main: fileURLToPath(new URL("..", import.meta.url)) } as const;
const which = (process.argv[3] ?? "W1,W2,W3,W3-adam,W4").split(",");
const threadsList = (process.argv[4] ?? "1,2").split(",").map(Number);
const blocks = Number(process.argv[5] ?? 6);
const W: Record<string, [string, number]> = { W1: ["nielsen-ch1", 1000], W2: ["nielsen-ch3", 1000], W3: ["w3", 200], "W3-adam": ["w3-adam", 40], W4: ["seq-mnist-lstm", 10] };
const mods: Record<string, any> = {};
for (const [name, root] of Object.entries(roots)) {
  mods[name] = {
    mnist: await import(`${root}/src/node/mnist.ts`),
    config: await import(`${root}/src/train/config.ts`),
    presets: await import(`${root}/src/train/presets.ts`),
    kernels: await import(`${root}/src/kernels/index.ts`),
    seq: await import(`${root}/src/data/sequences.ts`),
  };
  await import(`${root}/src/node/index.ts`);
}
const data: Record<string, any> = {};
for (const name of Object.keys(roots)) data[name] = await mods[name].mnist.loadMnist();
for (const t of threadsList) for (const w of which) {
  const [preset, steps] = W[w]!;
  const runners: Record<string, (n: number) => void> = {};
  for (const name of Object.keys(roots)) {
    const m = mods[name];
    await m.kernels.setThreads(t);
    const view = w === "W4" ? m.seq.mnistRows : (d: any) => d;
    const over = w === "W4" ? { batchSize: 64, schedule: "constant" } : {};
    const exp = m.config.buildExperiment({ ...m.presets.presetConfig(preset), ...over, validation: 0 }, { train: view(data[name].train), test: view(data[name].test) });
    let it = exp.loader.indices();
    const next = () => { let r = it.next(); if (r.done) { it = exp.loader.indices(); r = it.next(); } return r.value; };
    runners[name] = (n: number) => { for (let i = 0; i < n; i++) { const idx = next(); exp.trainer.step(() => exp.loader.gather(idx)); } };
    await m.kernels.setThreads(1);
  }
  const times: Record<string, number[]> = { base: [], main: [] };
  for (let b = 0; b < blocks; b++) for (const name of (b % 2 ? ["main", "base"] : ["base", "main"])) {
    await mods[name].kernels.setThreads(t);
    runners[name]!(Math.ceil(steps / 5));
    const t0 = performance.now();
    runners[name]!(steps);
    times[name]!.push((performance.now() - t0) / steps * 1000);
    await mods[name].kernels.setThreads(1);
  }
  const med = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;
  const ratios = times.main!.map((v, i) => v / times.base![i]!);
  console.log(`${w} ${t}T µs/step: base ${med(times.base!).toFixed(1)}, main ${med(times.main!).toFixed(1)}, main÷base per block ${ratios.map((r) => r.toFixed(2)).join(" ")} (median ${med(ratios).toFixed(2)})`);
}
