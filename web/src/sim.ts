/**
 * The explorer's Web Worker: owns the model and trains it with the core library (wasm kernels
 * when the browser has WebAssembly SIMD), a slice of ~40 ms at a time, so that messages from the
 * page (predict this drawing, pause, step) are answered between slices and the page never waits
 * for a whole epoch.
 */
import { mnistFromIdx, MNIST_FILES, type MnistFiles, type IdxFile } from "../../src/data/mnist.js";
import type { TrainConfig } from "../../src/train/defaults.js";
import { Session, type MnistSplit } from "./session.js";
import { backendInfo, getThreads } from "../../src/kernels/index.js";
import { useThreads } from "./threads.js";
import type { FromWorker, ToWorker } from "./protocol.js";

const SLICE_MS = 40;
/** Views refresh at most this often while training (the network picture, weight images, nudges). */
const VIEW_EVERY_MS = 250;

const post = (msg: FromWorker, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(msg, transfer);

let session: Session | null = null;
let config: TrainConfig | null = null;
/** The settings changed since the model was built: the next play/step starts a fresh run. */
let stale = true;
let running = false;
let lastView = 0;
let lastEval = -Infinity;
let evalCost = 0;
/** Steps and milliseconds of recent slices, for the steps-per-second readout. */
let recent = { steps: 0, ms: 0 };
let mnist: MnistSplit | null = null;

function announceEngine(note?: string) {
  const info = backendInfo();
  const isolated = Boolean((self as unknown as { crossOriginIsolated?: boolean }).crossOriginIsolated);
  post({ type: "engine", backend: info.backend, sharedMemory: info.sharedMemory, isolated, threads: getThreads(), ...(note ? { note } : {}) });
}

function status(phase: "loading" | "idle" | "running", text: string) {
  post({ type: "status", phase, text });
}

function fail(err: unknown) {
  running = false;
  post({ type: "error", text: err instanceof Error ? err.message : String(err) });
  status("idle", "stopped");
}

/** The page's address (main.ts passes it as the worker's name): files are fetched relative to it. */
const pageBase = (self as unknown as { name: string }).name || String(self.location);

async function fetchBytes(path: string): Promise<Uint8Array | null> {
  const res = await fetch(new URL(path, pageBase));
  if (!res.ok) return null;
  return new Uint8Array(await res.arrayBuffer());
}

async function start() {
  announceEngine();
  status("loading", "loading the model…");
  // A model given to `descent explore --model` first, else the one shipped with the app.
  const own = await fetchBytes("model.safetensors").catch(() => null);
  const bytes = own ?? (await fetchBytes("default-model.safetensors"));
  if (bytes) {
    session = Session.fromModelFile(bytes, own ? "your model" : "the default model");
    announceModel();
  }
  status("loading", "loading MNIST…");
  const names = Object.keys(MNIST_FILES) as (keyof MnistFiles<string>)[];
  const files = await Promise.all(names.map(async (k) => {
    const data = await fetchBytes(`data/${MNIST_FILES[k]}`);
    if (!data) throw new Error(`could not load data/${MNIST_FILES[k]} from the explorer server — is it still running?`);
    return [k, { bytes: data, name: MNIST_FILES[k] } satisfies IdxFile] as const;
  }));
  const parsed = mnistFromIdx(Object.fromEntries(files) as unknown as MnistFiles<IdxFile>);
  mnist = { train: parsed.train, validation: parsed.validation, test: parsed.test };
  if (session) session.setData(mnist);
  status("idle", "ready");
  if (session) evaluateNow();
}

function announceModel() {
  if (!session) return;
  post({ type: "model", description: session.describe(), origin: session.origin, dense: session.denseWeights(), training: session.training });
  sendViews();
}

function sendViews() {
  if (!session) return;
  post({ type: "weights", dense: session.denseWeights(), images: session.firstLayerImages() });
  const nudges = session.nudgeReport();
  post({ type: "nudges", step: session.steps, list: nudges.overall, byLayer: nudges.byLayer });
  lastView = performance.now();
}

function evaluateNow() {
  if (!session?.hasData) return;
  const t0 = performance.now();
  const report = session.evaluate();
  const test = session.data!.test.features;
  const mistakePixels = new Uint8Array(report.mistakes.length * 784);
  report.mistakes.forEach((m, i) => {
    for (let p = 0; p < 784; p++) mistakePixels[i * 784 + p] = Math.round(test[m.index * 784 + p]! * 255);
  });
  post({ type: "eval", report, mistakePixels }, [mistakePixels.buffer]);
  evalCost = performance.now() - t0;
  lastEval = performance.now();
}

/** A fresh run from the settings (step 0, seeded): the same settings always give the same run. */
function resetRun() {
  if (!mnist || !config) throw new Error("MNIST is still loading — try again in a moment");
  session ??= new Session(null, "none");
  session.setData(mnist);
  session.reset(config);
  stale = false;
  recent = { steps: 0, ms: 0 };
  announceModel();
}

function ensureFresh(): boolean {
  if (!mnist) {
    post({ type: "error", text: "MNIST is still loading — try again in a moment" });
    return false;
  }
  if (stale || !session?.training) resetRun();
  return true;
}

function trainSlice() {
  if (!running || !session) return;
  try {
    const t0 = performance.now();
    const before = session.steps;
    const point = session.train(1e9, t0 + SLICE_MS);
    // A decaying window (~1 s) of slices: steps per second of training, not counting evaluation.
    const keep = Math.min(1, 1000 / Math.max(recent.ms, 1));
    recent = { steps: recent.steps * keep + (session.steps - before), ms: recent.ms * keep + (performance.now() - t0) };
    post({ type: "train", point, stepsPerSecond: (1000 * recent.steps) / recent.ms });
  } catch (err) {
    fail(err);
    return;
  }
  const now = performance.now();
  if (now - lastView > VIEW_EVERY_MS) sendViews();
  // Evaluating 20,000 digits costs time: keep it under ~1/6 of training time, at most once a second.
  if (now - lastEval > Math.max(1000, 5 * evalCost)) evaluateNow();
  channel.port2.postMessage(null);
}

// Zero-delay yield between slices (a message task lets the page's messages in; setTimeout would clamp to 4 ms).
const channel = new MessageChannel();
channel.port1.onmessage = () => trainSlice();

self.onmessage = (e: MessageEvent<ToWorker>) => {
  const msg = e.data;
  try {
    switch (msg.type) {
      case "config":
        config = msg.config;
        stale = true;
        break;
      case "threads":
        // Results do not depend on the thread count (each output element is computed the same way).
        void useThreads(msg.count).then((r) => announceEngine(r.note));
        break;
      case "play":
        if (running || !ensureFresh()) break;
        running = true;
        status("running", "training");
        channel.port2.postMessage(null);
        break;
      case "pause":
        running = false;
        status("idle", "paused");
        sendViews();
        evaluateNow();
        break;
      case "step":
        if (running || !ensureFresh()) break;
        post({ type: "train", point: session!.train(1), stepsPerSecond: NaN });
        sendViews();
        evaluateNow();
        break;
      case "reset":
        running = false;
        if (!mnist) break;
        resetRun();
        evaluateNow();
        status("idle", "reset");
        break;
      case "predict":
        if (session?.model) post({ type: "prediction", id: msg.id, values: session.predict(msg.pixels) });
        else post({ type: "error", text: "no model yet: press play or step to train one" });
        break;
      case "load-model": {
        const loaded = Session.fromModelFile(msg.bytes, msg.name);
        running = false;
        if (mnist) loaded.setData(mnist);
        session = loaded;
        stale = true;
        announceModel();
        evaluateNow();
        status("idle", "model loaded");
        break;
      }
    }
  } catch (err) {
    fail(err);
  }
};

start().catch(fail);
