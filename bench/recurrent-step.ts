/**
 * One training step's forward + backward of a recurrent layer on seq-MNIST's shapes — LSTM(28→128)
 * (and GRU, RNN) on [64, 28, 28], last step into fc10, cross-entropy — in ms (median), on 1 and 2
 * threads, beside PyTorch's when Debian's python3-torch is there. Noisy on a shared machine.
 *   npx tsx bench/recurrent-step.ts
 */
import { spawnSync } from "node:child_process";
import "../src/node/index.js";
import { setThreads } from "../src/kernels/index.js";
import { scope } from "../src/memory.js";
import { Rng } from "../src/rng.js";
import { Tensor } from "../src/tensor.js";
import { GRU, LSTM, RNN, type RecurrentBase } from "../src/nn/layers/recurrent.js";
import { Sequential } from "../src/nn/layers/sequential.js";
import { Linear } from "../src/nn/layers/linear.js";
import { crossEntropy } from "../src/nn/losses.js";
import { noGrad } from "../src/autograd.js";
import { table, timeIt } from "./harness.js";

const layers: [string, (rng: Rng) => RecurrentBase][] = [
  ["LSTM", (rng) => new LSTM(28, 128, { batchFirst: true, returnSequences: false, rng })],
  ["GRU", (rng) => new GRU(28, 128, { batchFirst: true, returnSequences: false, rng })],
  ["RNN", (rng) => new RNN(28, 128, { batchFirst: true, returnSequences: false, rng })],
];

const TORCH = `
import time, torch, sys
torch.set_num_threads(int(sys.argv[1]))
for name in ("LSTM", "GRU", "RNN"):
    m = getattr(torch.nn, name)(28, 128, batch_first=True); fc = torch.nn.Linear(128, 10)
    x = torch.rand(64, 28, 28); y = torch.randint(0, 10, (64,))
    def step():
        out, _ = m(x); loss = torch.nn.functional.cross_entropy(fc(out[:, -1]), y)
        m.zero_grad(); fc.zero_grad(); loss.backward()
    def infer():
        with torch.no_grad(): fc(m(x)[0][:, -1])
    for f, kind in ((step, "fwd+bwd"), (infer, "forward")):
        for _ in range(5): f()
        ts = []
        for _ in range(30):
            t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
        ts.sort(); print(name, kind, ts[len(ts)//2] * 1000)
`;

const rows: Record<string, string | number>[] = [];
for (const threads of [1, 2]) {
  await setThreads(threads);
  for (const [name, make] of layers) {
    const rng = new Rng(1);
    const net = new Sequential(make(rng.fork("init")), new Linear(128, 10, { rng: rng.fork("fc") }));
    const x = Tensor.rand([64, 28, 28], rng, 0, 1);
    const labels = Int32Array.from({ length: 64 }, (_, i) => i % 10);
    const step = () => scope(() => {
      for (const p of net.parameters()) p.grad = null;
      crossEntropy(net.forward(x), labels).backward();
    });
    const infer = () => scope(() => void noGrad(() => net.forward(x)));
    rows.push({ layer: `${name}(28→128)`, threads: String(threads), "descent fwd+bwd ms": timeIt(step, { minSeconds: 2 }) * 1000, "descent forward ms": timeIt(infer, { minSeconds: 1 }) * 1000 });
  }
}
await setThreads(1);
for (const threads of [1, 2]) {
  const r = spawnSync("/usr/bin/python3", ["-c", TORCH, String(threads)], { encoding: "utf8" });
  if (r.status !== 0) break;
  for (const line of r.stdout.trim().split("\n")) {
    const [name, kind, ms] = line.split(" ");
    const row = rows.find((x) => x.layer === `${name}(28→128)` && x.threads === String(threads));
    if (row) row[kind === "fwd+bwd" ? "torch fwd+bwd ms" : "torch forward ms"] = Number(ms);
  }
}
console.log(table(rows));
