/**
 * The race view's worker: the "network" surface, a real network's cost on its own 2-D slice
 * (analysis/race-network.ts), as `descent analyze race --surface network` computes it — the
 * explorer's shipped 784-16-16-10 model, the first `examples` MNIST test images, the landscape's
 * directions for `seed`. One point costs a forward and a backward pass over those images, so the
 * contour grid (21 × 21) and the racers run here, off the page's thread.
 */
import { decodeModel } from "../../../src/io/model-file.js";
import { mnistPair, MNIST_FILES } from "../../../src/data/mnist.js";
import type { TensorDataset } from "../../../src/data/dataset.js";
import { validateConfig, type CostName } from "../../../src/train/config.js";
import { objectiveFor, squashingOutput, type Objective } from "../../../src/train/objective.js";
import { Sigmoid, Softmax } from "../../../src/nn/layers/activations.js";
import type { Module } from "../../../src/nn/module.js";
import { networkSurface, type NetworkSurface } from "../../../src/analysis/race-network.js";
import { runRacer, sampleSurface } from "../../../src/analysis/race.js";
import type { RaceRequest, RaceWorkerReply } from "./race/protocol.js";

const post = (m: RaceWorkerReply) => (self as unknown as Worker).postMessage(m);
const pageBase = (self as unknown as { name: string }).name || String(self.location);

async function fetchBytes(path: string): Promise<Uint8Array> {
  const res = await fetch(new URL(path, pageBase));
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

let loaded: Promise<{ model: Module; objective: Objective; test: TensorDataset }> | null = null;

/** The model, the cost it was trained with (its record's, else its output's), and the MNIST test set. */
function load() {
  loaded ??= (async () => {
    post({ type: "status", key: "loading" });
    const [modelBytes, images, labels] = await Promise.all([
      fetchBytes("default-model.safetensors"), fetchBytes(`data/${MNIST_FILES.testImages}`), fetchBytes(`data/${MNIST_FILES.testLabels}`),
    ]);
    const { model, meta } = decodeModel(modelBytes, "default-model.safetensors");
    let cost: CostName | null = null;
    try {
      cost = meta.training.config === undefined ? null : validateConfig(meta.training.config).cost;
    } catch {
      cost = null;
    }
    const last = squashingOutput(model);
    const output = last instanceof Softmax ? "softmax" : last instanceof Sigmoid ? "sigmoid" : "identity";
    const objective = objectiveFor(cost ?? (output === "softmax" ? "log-likelihood" : "cross-entropy"), output);
    const test = mnistPair({ bytes: images, name: MNIST_FILES.testImages }, { bytes: labels, name: MNIST_FILES.testLabels }).data;
    return { model, objective, test };
  })();
  return loaded;
}

/** The slice of the last request, kept while its seed and examples stay the same. */
let slice: { key: string; net: NetworkSurface; grid: ReturnType<typeof sampleSurface> } | null = null;

async function handle(req: RaceRequest) {
  const { model, objective, test } = await load();
  const key = `${req.seed}/${req.examples}`;
  if (slice?.key !== key) {
    slice?.net.restore();
    post({ type: "status", key: "grid" });
    const data = test.slice(0, Math.min(req.examples, test.length));
    const net = networkSurface(model, data, objective, { span: req.span, seed: req.seed, steps: req.steps, lr: req.lr });
    slice = { key, net, grid: sampleSurface(net.surface, req.grid) };
  }
  post({ type: "status", key: "racing" });
  const s = { ...slice.net.surface, start: req.start };
  const trajectories = req.racers.map((r) => runRacer(s, r.name, r.lr, { steps: req.steps, seed: req.seed }));
  post({ type: "result", id: req.id, grid: { xs: slice.grid.xs, ys: slice.grid.ys, z: Array.from(slice.grid.z) }, trajectories });
}

let queue = Promise.resolve();
self.onmessage = (e: MessageEvent<RaceRequest>) => {
  queue = queue.then(() => handle(e.data)).catch((err: unknown) => post({ type: "error", id: e.data.id, text: err instanceof Error ? err.message : String(err) }));
};
