/**
 * `npm run bench:peers`: the same workloads, data split and hyper-parameters, in one invocation,
 * for descent and its peers — TF.js (wasm, and cpu extrapolated from a partial epoch), and, when
 * Debian's python3-torch / python3-numpy are installed, PyTorch (1 and 2 threads) and a numpy
 * implementation of the book's network — then ratios descent ÷ peer (< 1: descent is faster).
 * The peers' scripts are in bench/peers/ and share no code with descent.
 * Needs for the Python peers: apt-get install python3-torch python3-numpy libopenblas0-pthread
 * W3 (the convnet) runs for descent and PyTorch only: TF.js cannot train it on wasm (FACTS.md).
 * W4 (seq-mnist-lstm: MNIST row by row, LSTM 128, Adam, batch 64) too: descent and PyTorch, one timed epoch each.
 * TF.js is not installed with descent: the first run that needs it installs the pinned versions of
 * bench/peers/package.json into bench/peers/node_modules (`npm ci --prefix bench/peers`, ~310 MB).
 *   npm run bench:peers -- --no-conv      (W1 and W2 only)
 *   npm run bench:peers -- --conv-only    (W3 and W3-adam only: descent and PyTorch)
 *   npm run bench:peers -- --seq-only     (W4, seq-mnist-lstm: descent and PyTorch)
 *   npm run bench:peers -- --check        (install the peers if needed, load each once, exit)
 *   npm run bench:peers -- --conv-only --rounds 3   (everything three times over, medians reported)
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defaultMnistDir, loadMnist } from "../src/node/mnist.js";
import { backendInfo, wasmRuntime } from "../src/kernels/index.js";
import "../src/node/index.js"; // Node 20: V8's relaxed-SIMD flag, so the fma binary can be measured
import { VERSION } from "../src/version.js";
import { table } from "./harness.js";
import { cpuModel, measureWorkload, type EpochResult, type Workload } from "./workloads.js";

interface PeerResult {
  peer: string;
  workload: Workload;
  threads: number;
  secondsPerEpoch: number;
  extrapolatedFrom?: number;
  inferenceImagesPerSecond?: number;
}

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const dir = defaultMnistDir();
const PY = "/usr/bin/python3";

function runPeer(label: string, cmd: string, args: string[], env: Record<string, string> = {}): PeerResult[] {
  process.stdout.write(`running ${label}…\n`);
  const r = spawnSync(cmd, args, { encoding: "utf8", env: { ...process.env, ...env }, maxBuffer: 1 << 24 });
  if (r.status !== 0) {
    process.stdout.write(`  ${label} failed (exit ${r.status}): ${(r.stderr || r.error?.message || "").trim().split("\n").slice(-1)[0]}\n`);
    return [];
  }
  return r.stdout.trim().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as PeerResult);
}

const pythonHas = (mod: string) => spawnSync(PY, ["-c", `import ${mod}`]).status === 0;

/** Installs bench/peers/package.json's pinned TF.js into bench/peers/node_modules unless it is there already. */
function ensureJsPeers(): void {
  const wanted = (JSON.parse(readFileSync(here("./peers/package.json"), "utf8")) as { dependencies: Record<string, string> }).dependencies;
  const installedVersion = (name: string) => {
    const file = here(`./peers/node_modules/${name}/package.json`);
    return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version : undefined;
  };
  const stale = Object.entries(wanted).filter(([name, version]) => installedVersion(name) !== version);
  if (stale.length === 0) return;
  process.stdout.write(`installing the benchmark's JavaScript peers (${stale.map(([n, v]) => `${n}@${v}`).join(", ")}) into bench/peers/node_modules…\n`);
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const r = spawnSync(npm, ["ci", "--prefix", here("./peers/"), "--no-audit", "--no-fund"], { stdio: "inherit" });
  if (r.status !== 0) {
    process.stderr.write(`bench:peers: \`npm ci --prefix bench/peers\` failed (${r.error?.message ?? `exit ${r.status}`}): the TF.js peer needs the npm registry once\n`);
    process.exit(1);
  }
}

const conv = !process.argv.includes("--no-conv");
const seqOnly = process.argv.includes("--seq-only");
const convOnly = process.argv.includes("--conv-only") || seqOnly; // neither needs the JavaScript peers
if (!convOnly || process.argv.includes("--check")) ensureJsPeers();
if (process.argv.includes("--check")) {
  let ok = true;
  for (const backend of ["wasm", "cpu"]) {
    const r = spawnSync(process.execPath, [here("./peers/tfjs.mjs"), "--check", backend], { encoding: "utf8" });
    process.stdout.write(r.status === 0 ? r.stdout : `TF.js ${backend}: failed (exit ${r.status}) ${r.stderr.trim().split("\n").slice(-1)[0] ?? ""}\n`);
    ok &&= r.status === 0;
  }
  for (const mod of ["torch", "numpy"]) process.stdout.write(`python3 ${mod}: ${pythonHas(mod) ? "found" : `missing (apt-get install python3-${mod}; that peer is skipped)`}\n`);
  // Debian's numpy and PyTorch multiply through the system BLAS; the reference one (libblas3) is
  // several times slower than OpenBLAS, which would make the peers look far slower than they are.
  const blas = "/usr/lib/x86_64-linux-gnu/libblas.so.3";
  if (existsSync(blas) && !realpathSync(blas).includes("openblas")) {
    process.stdout.write(`warning: the system BLAS is ${realpathSync(blas)}, the reference implementation: numpy and PyTorch run far below their speed (apt-get install libopenblas0-pthread)\n`);
  }
  process.exit(ok ? 0 : 1);
}
const cpu = cpuModel();
console.log(`descent ${VERSION} · ${cpu} · node ${process.version}\n`);
const data = await loadMnist();
// --rounds N: the whole sequence (descent's runs, then the peers') N times, reporting medians —
// on a shared machine whose speed drifts over minutes, one pass can catch descent and a peer in
// different phases; alternating them N times and taking medians evens that out.
const roundsAt = process.argv.indexOf("--rounds");
const rounds = roundsAt > 0 ? Number(process.argv[roundsAt + 1]) : 1;
if (!Number.isInteger(rounds) || rounds < 1) {
  process.stderr.write(`bench:peers: --rounds needs a whole number ≥ 1, got ${process.argv[roundsAt + 1] ?? "nothing"}\n`);
  process.exit(2);
}
const oursAll: EpochResult[] = [];
const peersAll: PeerResult[] = [];
const workloads: Workload[] = seqOnly ? ["W4"] : convOnly ? ["W3", "W3-adam"] : conv ? ["W1", "W2", "W3", "W3-adam", "W4"] : ["W1", "W2"];
// Zero-skipping on (the default) and, for W1 and W2, off: the same bytes, the dense kernels' time.
// The plain binary and, where the engine has relaxed SIMD, the fma one; ratios use this machine's
// choice (fma.ts), said in the header.
const fmaChoice = backendInfo().fma;
console.log(`fma: ${fmaChoice.reason}\n`);
const fmas = wasmRuntime()?.variants[1] != null ? [false, true] : [false];
for (let round = 1; round <= rounds; round++) {
  if (rounds > 1) process.stdout.write(`round ${round} of ${rounds}\n`);
  for (const w of workloads) for (const threads of [1, 2]) for (const fma of fmas) for (const zeroSkip of w.startsWith("W3") || w === "W4" || fma ? [true] : [true, false]) {
    process.stdout.write(`running descent ${w}, ${threads} thread${threads > 1 ? "s" : ""}, zero-skip ${zeroSkip ? "on" : "off"}, fma ${fma ? "on" : "off"}…\n`);
    oursAll.push(await measureWorkload(data, w, threads, w.startsWith("W3") || w === "W4" ? 1 : 3, { zeroSkip, fma }));
  }
  if (!convOnly) {
    peersAll.push(...runPeer("TF.js wasm", process.execPath, [here("./peers/tfjs.mjs"), dir, "wasm"]));
    peersAll.push(...runPeer("TF.js cpu (first 300 steps)", process.execPath, [here("./peers/tfjs.mjs"), dir, "cpu", "300"]));
  }
  if (pythonHas("torch")) {
    for (const t of ["1", "2"]) {
      if (!convOnly) peersAll.push(...runPeer(`PyTorch, ${t} thread(s)`, PY, [here("./peers/torch_peer.py"), dir, t, "W1,W2", "3"], { OPENBLAS_NUM_THREADS: "1" }));
      if (conv && !seqOnly) peersAll.push(...runPeer(`PyTorch W3, ${t} thread(s)`, PY, [here("./peers/torch_peer.py"), dir, t, "W3,W3-adam", "2"], { OPENBLAS_NUM_THREADS: "1" }));
      if (workloads.includes("W4")) peersAll.push(...runPeer(`PyTorch W4, ${t} thread(s)`, PY, [here("./peers/torch_peer.py"), dir, t, "W4", "1"], { OPENBLAS_NUM_THREADS: "1" }));
    }
  } else if (round === 1) process.stdout.write("PyTorch skipped: /usr/bin/python3 cannot import torch (apt-get install python3-torch)\n");
  if (convOnly) {
    // numpy has no convnet peer
  } else if (pythonHas("numpy")) {
    // float32, the faster of the two (the book itself uses float64: NUMPY_DTYPE=float64 to see it).
    peersAll.push(...runPeer("numpy (float32)", PY, [here("./peers/numpy_peer.py"), dir, "W1,W2", "3"], { OPENBLAS_NUM_THREADS: "1", NUMPY_DTYPE: "float32" }));
  } else if (round === 1) process.stdout.write("numpy skipped: /usr/bin/python3 cannot import numpy (apt-get install python3-numpy)\n");
}

/** The runs of each configuration reduced to one: medians of the times and the images per second. */
function medians<T extends { secondsPerEpoch: number; inferenceImagesPerSecond?: number }>(all: T[], key: (r: T) => string): T[] {
  const groups = new Map<string, T[]>();
  for (const r of all) groups.set(key(r), [...(groups.get(key(r)) ?? []), r]);
  const mid = (v: number[]) => { const s = [...v].sort((a, b) => a - b); return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2; };
  return [...groups.values()].map((g) => ({
    ...g[0]!, secondsPerEpoch: mid(g.map((r) => r.secondsPerEpoch)),
    ...(g[0]!.inferenceImagesPerSecond === undefined ? {} : { inferenceImagesPerSecond: mid(g.map((r) => r.inferenceImagesPerSecond!)) }),
  }));
}
const ours = medians(oursAll, (r) => `${r.workload} ${r.threads} ${r.zeroSkip} ${r.fma}`);
const peers = medians(peersAll, (r) => `${r.peer} ${r.workload} ${r.threads}`);

const rows: Record<string, string | number>[] = [];
for (const w of workloads) {
  for (const o of ours.filter((r) => r.workload === w)) {
    rows.push({ workload: w, who: `descent ${VERSION} (${backendInfo().backend}, zero-skip ${o.zeroSkip ? "on" : "off"}, fma ${o.fma ? "on" : "off"})`, threads: o.threads, "s/epoch": o.secondsPerEpoch, "descent ÷ peer": "", "inference img/s": o.inferenceImagesPerSecond, "descent ÷ peer (inference)": "" });
  }
  for (const p of peers.filter((r) => r.workload === w)) {
    const mine = ours.find((o) => o.workload === w && o.threads === Math.min(p.threads, 2) && o.zeroSkip && o.fma === fmaChoice.active) ?? ours.find((o) => o.workload === w)!;
    rows.push({
      workload: w, who: p.peer + (p.extrapolatedFrom ? ` (from ${p.extrapolatedFrom} steps)` : ""), threads: p.threads,
      "s/epoch": p.secondsPerEpoch, "descent ÷ peer": mine.secondsPerEpoch / p.secondsPerEpoch,
      "inference img/s": p.inferenceImagesPerSecond ?? "", "descent ÷ peer (inference)": p.inferenceImagesPerSecond ? p.inferenceImagesPerSecond / mine.inferenceImagesPerSecond : "",
    });
  }
}
if (rounds > 1) console.log(`\nmedians of ${rounds} rounds (every run is in the JSON)`);
console.log(`\n${cpu}: seconds per epoch of 50,000 images (batch 10; W3-adam and W4: batch 64) and test-set inference (descent: nn.infer; W4: sequences of 28 rows); ratios compare descent (zero-skip on, fma ${fmaChoice.active ? "on" : "off"}: this machine's choice) at the same thread count`);
console.log("(time ratio < 1: descent is faster; inference ratio = peer time ÷ descent time, < 1: descent is faster)");
console.log(table(rows));
mkdirSync("bench/results", { recursive: true });
const file = `bench/results/peers-${new Date().toISOString().replace(/[:.]/g, "-")}.json`;
writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), cpu, node: process.version, fma: fmaChoice, rounds, descent: ours, peers, runs: { descent: oursAll, peers: peersAll } }, null, 2)}\n`);
console.log(`written ${file}`);
