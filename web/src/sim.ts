/**
 * The explorer's Web Worker: owns the model and trains it with the core library (wasm kernels
 * when the browser has WebAssembly SIMD), a slice at a time, so that messages from the page
 * (predict this drawing, pause, step) are answered between slices and the page never waits for a
 * whole epoch. MNIST digits train as fast as they can (~40 ms slices); the house prices' steps are
 * so small (16 rows through a 12-64-64-1 net) that they are paced instead — one epoch (23 steps)
 * per 40 ms slice, evaluated after each — so the curves and the scatter can be watched, and Play
 * stops after the preset's epochs (200, 8 s) rather than overfitting the table forever.
 */
import { mnistFromIdx, MNIST_FILES, type MnistFiles, type IdxFile } from "../../src/data/mnist.js";
import type { Table } from "../../src/data/csv.js";
import type { TrainConfig } from "../../src/train/defaults.js";
import { Session, type DataSplit } from "./session.js";
import { HOUSE_PRICES_PATH, houseData, parseHousePrices, type HouseData } from "./houses.js";
import type { Task } from "./state.js";
import { backendInfo, getThreads } from "../../src/kernels/index.js";
import { useThreads } from "./threads.js";
import type { FromWorker, ToWorker } from "./protocol.js";

const SLICE_MS = 40;
/** House prices: one epoch per slice, one slice per this many ms (25 epochs a second). */
const TABLE_SLICE_MS = 40;
/** Views refresh at most this often while training (the network picture, weight images, nudges). */
const VIEW_EVERY_MS = 250;

const post = (msg: FromWorker, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(msg, transfer);

/** The task of the settings last received (null before the first); each task has its own data and model. */
let task: Task | null = null;
let session: Session | null = null;
let config: TrainConfig | null = null;
/** The settings changed since the model was built: the next play/step starts a fresh run. */
let stale = true;
let running = false;
/** Bumped by every play and pause: a slice scheduled by an earlier run of the loop finds it changed and stops. */
let loop = 0;
/** Play stops when the session reaches this step (house prices: the end of the preset's epochs). */
let stopAt = Infinity;
let lastView = 0;
let lastEval = -Infinity;
let evalCost = 0;
/** Steps and milliseconds of recent slices, for the steps-per-second readout. */
let recent = { steps: 0, ms: 0 };

let mnist: DataSplit | null = null;
/** The digits model shown before any training: --model's file, a file the user loaded, or the default. */
let digitsModel: { bytes: Uint8Array; name: string } | null = null;
let digitsLoading: Promise<void> | null = null;
let table: Table | null = null;
let tableLoading: Promise<void> | null = null;
/** The table split and encoded for the current run's seed. */
let houses: HouseData | null = null;

function announceEngine(note?: string) {
  const info = backendInfo();
  const isolated = Boolean((self as unknown as { crossOriginIsolated?: boolean }).crossOriginIsolated);
  post({ type: "engine", backend: info.backend, sharedMemory: info.sharedMemory, isolated, threads: getThreads(), fma: info.fma.active, ...(note ? { note } : {}) });
}

function status(phase: "loading" | "idle" | "running", text: string) {
  post({ type: "status", phase, text });
}

function fail(err: unknown) {
  running = false;
  loop++;
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

/** The digits model file and MNIST, fetched once (the first time the digits task is shown). */
function loadDigits(): Promise<void> {
  digitsLoading ??= (async () => {
    if (task === "digits") status("loading", "loading the model…");
    // A model given to `descent explore --model` first, else the one shipped with the app.
    const own = await fetchBytes("model.safetensors").catch(() => null);
    const bytes = own ?? (await fetchBytes("default-model.safetensors"));
    if (bytes && !digitsModel) digitsModel = { bytes, name: own ? "your model" : "the default model" };
    if (task === "digits" && !session) showDigitsModel();
    if (task === "digits") status("loading", "loading MNIST…");
    const names = Object.keys(MNIST_FILES) as (keyof MnistFiles<string>)[];
    const files = await Promise.all(names.map(async (k) => {
      const data = await fetchBytes(`data/${MNIST_FILES[k]}`);
      if (!data) throw new Error(`could not load data/${MNIST_FILES[k]} from the explorer server — is it still running?`);
      return [k, { bytes: data, name: MNIST_FILES[k] } satisfies IdxFile] as const;
    }));
    const parsed = mnistFromIdx(Object.fromEntries(files) as unknown as MnistFiles<IdxFile>);
    mnist = { train: parsed.train, validation: parsed.validation, test: parsed.test };
  })();
  return digitsLoading;
}

/** The house-price table, fetched and parsed once. */
function loadTable(): Promise<void> {
  tableLoading ??= (async () => {
    status("loading", "loading the house prices…");
    const bytes = await fetchBytes(HOUSE_PRICES_PATH);
    if (!bytes) throw new Error(`could not load ${HOUSE_PRICES_PATH} from the explorer server — is it still running?`);
    table = parseHousePrices(bytes);
  })();
  return tableLoading;
}

/** The digits model file as the session (not trained here: Play starts a fresh run from the settings). */
function showDigitsModel() {
  if (!digitsModel) return;
  session = Session.fromModelFile(digitsModel.bytes, digitsModel.name);
  if (mnist) session.setData(mnist);
  announceModel();
}

/** Shows a task: its data (loaded on first use) and its model — the digits model file, or a fresh house-price network at step 0. */
function enterTask(next: Task) {
  if (task === next) return;
  task = next;
  running = false;
  loop++;
  stale = true;
  session = null;
  houses = null;
  if (next === "digits") {
    showDigitsModel();
    loadDigits().then(() => {
      if (task !== "digits") return;
      if (!session) showDigitsModel();
      session?.setData(mnist!);
      status("idle", "ready");
      evaluateNow();
    }).catch(fail);
  } else {
    loadTable().then(() => {
      if (task !== "houses") return;
      resetRun();
      evaluateNow();
      status("idle", "ready");
    }).catch(fail);
  }
}

function announceModel() {
  if (!session || !task) return;
  post({ type: "model", task, description: session.describe(), origin: session.origin, dense: session.denseWeights(), training: session.training });
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
  if (!session?.hasData || !session.model) return;
  const t0 = performance.now();
  if (session.task === "regression") {
    post({ type: "regression", report: session.evaluateRegression() });
  } else {
    const report = session.evaluate();
    const test = session.data!.test.features;
    const mistakePixels = new Uint8Array(report.mistakes.length * 784);
    report.mistakes.forEach((m, i) => {
      for (let p = 0; p < 784; p++) mistakePixels[i * 784 + p] = Math.round(test[m.index * 784 + p]! * 255);
    });
    post({ type: "eval", report, mistakePixels }, [mistakePixels.buffer]);
  }
  evalCost = performance.now() - t0;
  lastEval = performance.now();
}

/** The data a fresh run of `config` trains on: MNIST, or the table split with the run's seed. */
function runData(c: TrainConfig): DataSplit {
  if (task === "houses") {
    if (!table) throw new Error("the house prices are still loading — try again in a moment");
    if (!houses || houses.seed !== c.seed) {
      houses = houseData(table, c);
      const t = houses.prep.targets[0]!;
      post({
        type: "table", seed: c.seed, features: houses.train.featureSize, target: t.name,
        rows: { train: houses.train.length, validation: houses.validation.length, test: houses.test.length }, baselines: houses.baselines,
      });
    }
    return houses;
  }
  if (!mnist) throw new Error("MNIST is still loading — try again in a moment");
  return mnist;
}

/** A fresh run from the settings (step 0, seeded): the same settings always give the same run. */
function resetRun() {
  if (!config) throw new Error("no settings yet");
  const data = runData(config);
  session = new Session(null, "none");
  session.setData(data);
  session.reset(config);
  stale = false;
  recent = { steps: 0, ms: 0 };
  announceModel();
}

/** Whether the task's data is here (else says so); starts a fresh run when the settings changed. */
function ensureFresh(): boolean {
  const ready = task === "houses" ? table !== null : mnist !== null;
  if (!ready) {
    post({ type: "error", text: `${task === "houses" ? "the house prices are" : "MNIST is"} still loading — try again in a moment` });
    return false;
  }
  if (stale || !session?.training) resetRun();
  return true;
}

function trainSlice(id: number) {
  if (!running || id !== loop || !session) return;
  const paced = session.task === "regression";
  const t0 = performance.now();
  try {
    const before = session.steps;
    const budget = Math.min(paced ? session.stepsPerEpoch : 1e9, stopAt - before);
    const point = session.train(budget, paced ? Infinity : t0 + SLICE_MS);
    // A decaying window (~1 s) of slices: steps per second of training, not counting evaluation.
    const keep = Math.min(1, 1000 / Math.max(recent.ms, 1));
    const ms = paced ? Math.max(TABLE_SLICE_MS, performance.now() - t0) : performance.now() - t0;
    recent = { steps: recent.steps * keep + (session.steps - before), ms: recent.ms * keep + ms };
    post({ type: "train", point, stepsPerSecond: (1000 * recent.steps) / recent.ms });
  } catch (err) {
    fail(err);
    return;
  }
  if (session.steps >= stopAt) {
    running = false;
    const epochs = config!.epochs;
    status("idle", `stopped after ${(session.steps / session.stepsPerEpoch).toLocaleString("en-US")} epochs (${session.steps.toLocaleString("en-US")} steps) — Play trains ${epochs} more`);
    sendViews();
    evaluateNow();
    return;
  }
  const now = performance.now();
  if (now - lastView > VIEW_EVERY_MS) sendViews();
  if (paced) {
    // A table is scored in well under a millisecond: every epoch, so the scatter moves with the curves.
    evaluateNow();
    setTimeout(() => trainSlice(id), Math.max(0, TABLE_SLICE_MS - (performance.now() - t0)));
    return;
  }
  // Evaluating 20,000 digits costs time: keep it under ~1/6 of training time, at most once a second.
  if (now - lastEval > Math.max(1000, 5 * evalCost)) evaluateNow();
  channel.port2.postMessage(id);
}

// Zero-delay yield between slices (a message task lets the page's messages in; setTimeout would clamp to 4 ms).
const channel = new MessageChannel();
channel.port1.onmessage = (e: MessageEvent<number>) => trainSlice(e.data);

self.onmessage = (e: MessageEvent<ToWorker>) => {
  const msg = e.data;
  try {
    switch (msg.type) {
      case "config":
        config = msg.config;
        stale = true;
        enterTask(msg.task);
        break;
      case "threads":
        // Results do not depend on the thread count (each output element is computed the same way).
        void useThreads(msg.count).then((r) => announceEngine(r.note));
        break;
      case "play": {
        if (running || !ensureFresh()) break;
        running = true;
        const s = session!;
        // House prices: up to the end of the next block of the preset's epochs (200 → 4,600 steps).
        const block = s.task === "regression" ? config!.epochs * s.stepsPerEpoch : 0;
        stopAt = block > 0 ? (Math.floor(s.steps / block) + 1) * block : Infinity;
        status("running", "training");
        channel.port2.postMessage(++loop);
        break;
      }
      case "pause":
        running = false;
        loop++;
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
        loop++;
        if (!(task === "houses" ? table : mnist)) break;
        resetRun();
        evaluateNow();
        status("idle", "reset");
        break;
      case "predict":
        if (task !== "digits") break;
        if (session?.model) post({ type: "prediction", id: msg.id, values: session.predict(msg.pixels) });
        else post({ type: "error", text: "no model yet: press play or step to train one" });
        break;
      case "load-model": {
        if (task !== "digits") {
          post({ type: "error", text: "model files load in the MNIST digits task — choose it first" });
          break;
        }
        const loaded = Session.fromModelFile(msg.bytes, msg.name);
        running = false;
        loop++;
        digitsModel = { bytes: msg.bytes, name: msg.name };
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

announceEngine();
