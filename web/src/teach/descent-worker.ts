/**
 * The descent view's worker: fetches MNIST (as the training page's worker does), builds the
 * 784-16-16-10 network from the seed, trains it a mini-batch at a time and answers the view with
 * the library's analyses (descent/lab.ts). Play trains in ~40 ms slices and refreshes the
 * analyses at most about once a second, so Pause is answered between slices.
 */
import { mnistFromIdx, MNIST_FILES, type MnistFiles, type IdxFile } from "../../../src/data/mnist.js";
import { backendInfo } from "../../../src/kernels/index.js";
import type { TensorDataset } from "../../../src/data/dataset.js";
import { DescentLab, flatten } from "./descent/lab.js";
import type { DigitSource, FromWorker, GradientSource, ToWorker } from "./descent/protocol.js";

const SLICE_MS = 40;
const ANALYSE_EVERY_MS = 1000;

const post = (msg: FromWorker, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(msg, transfer);
const pageBase = (self as unknown as { name: string }).name || String(self.location);

let data: { train: TensorDataset; validation: TensorDataset; test: TensorDataset } | null = null;
let lab: DescentLab | null = null;
let lr = 3;
let running = false;
let loop = 0;
let lastAnalysis = 0;
let analysisMs = 0;
let digit: { source: DigitSource; label: number | null } | null = null;
let gradientSource: GradientSource | null = null;
let recent = { steps: 0, ms: 0 };

const fma = () => backendInfo().fma.active;
const status = (phase: "loading" | "ready" | "running" | "idle") => post({ type: "status", phase, fma: fma() });

async function load(): Promise<void> {
  const names = Object.keys(MNIST_FILES) as (keyof MnistFiles<string>)[];
  const files = await Promise.all(names.map(async (k) => {
    const res = await fetch(new URL(`data/${MNIST_FILES[k]}`, pageBase));
    if (!res.ok) throw new Error(`data/${MNIST_FILES[k]}`);
    return [k, { bytes: new Uint8Array(await res.arrayBuffer()), name: MNIST_FILES[k] } satisfies IdxFile] as const;
  }));
  const parsed = mnistFromIdx(Object.fromEntries(files) as unknown as MnistFiles<IdxFile>);
  data = { train: parsed.train, validation: parsed.validation, test: parsed.test };
}

function sendDigit() {
  if (!lab || !digit || !data) return;
  const { source } = digit;
  const pixels = source.kind === "drawn" ? source.pixels : data.test.features.slice(source.index * 784, (source.index + 1) * 784);
  const trueLabel = source.kind === "test" ? data.test.labels[source.index]! : null;
  const label = digit.label ?? trueLabel ?? 0;
  post({ type: "digit", report: { step: lab.steps, source, pixels: Float32Array.from(pixels), label, trueLabel, a: lab.outputs(pixels) } });
}

function sendGradient() {
  if (!lab || !gradientSource) return;
  const grad = gradientSource === "step" && lab.lastGrad ? Float64Array.from(lab.lastGrad) : flatten(lab.evalGradient(), lab.size);
  const source: GradientSource = gradientSource === "step" && lab.lastGrad ? "step" : "eval";
  const weights = Float32Array.from(lab.weights());
  post({ type: "gradient", report: { step: lab.steps, source, grad, weights, shapes: lab.params().map((p) => [...p.shape]), lr: source === "step" ? lab.lastLr : null } }, [grad.buffer, weights.buffer]);
}

/** Every panel's figures for the weights as they stand. */
function refresh() {
  if (!lab) return;
  const t0 = performance.now();
  post({ type: "analysis", analysis: lab.analyse(lr) });
  sendDigit();
  sendGradient();
  analysisMs = performance.now() - t0;
  lastAnalysis = performance.now();
}

function slice(id: number) {
  if (!running || id !== loop || !lab) return;
  const t0 = performance.now();
  let cost = 0;
  let n = 0;
  while (n === 0 || performance.now() - t0 < SLICE_MS) {
    cost += lab.step(lr);
    n++;
  }
  const ms = performance.now() - t0;
  const keep = Math.min(1, 1000 / Math.max(recent.ms, 1));
  recent = { steps: recent.steps * keep + n, ms: recent.ms * keep + ms };
  post({ type: "progress", step: lab.steps, batchCost: (2 * cost) / n, stepsPerSecond: (1000 * recent.steps) / recent.ms });
  // The analyses take a few hundred ms: at most about a quarter of the time, and not more than once a second.
  if (performance.now() - lastAnalysis > Math.max(ANALYSE_EVERY_MS, 3 * analysisMs)) refresh();
  channel.port2.postMessage(id);
}

const channel = new MessageChannel();
channel.port1.onmessage = (e: MessageEvent<number>) => slice(e.data);

let ready: Promise<void> | null = null;

self.onmessage = async (e: MessageEvent<ToWorker>) => {
  const msg = e.data;
  try {
    switch (msg.type) {
      case "init":
        lr = msg.lr;
        status("loading");
        ready ??= load();
        await ready;
        lab = new DescentLab(msg.seed, data!);
        status("ready");
        refresh();
        break;
      case "step": {
        if (!lab || running) break;
        lr = msg.lr;
        let cost = 0;
        for (let i = 0; i < msg.count; i++) cost += lab.step(lr);
        post({ type: "progress", step: lab.steps, batchCost: (2 * cost) / msg.count, stepsPerSecond: NaN });
        refresh();
        break;
      }
      case "play":
        if (!lab || running) break;
        lr = msg.lr;
        running = true;
        status("running");
        channel.port2.postMessage(++loop);
        break;
      case "pause":
        running = false;
        loop++;
        status("idle");
        refresh();
        break;
      case "lr":
        lr = msg.lr;
        if (lab && !running) post({ type: "point", lr, cost: lab.costAt(lr), step: lab.steps });
        break;
      case "digit":
        digit = { source: msg.source, label: msg.label };
        sendDigit();
        break;
      case "gradient":
        gradientSource = msg.source;
        sendGradient();
        break;
    }
  } catch (err) {
    running = false;
    loop++;
    post({ type: "error", text: err instanceof Error ? err.message : String(err) });
  }
};
