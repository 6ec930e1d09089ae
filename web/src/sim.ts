/**
 * The training page's Web Worker: owns the model and trains it with the core library (wasm kernels
 * when the browser has WebAssembly SIMD), a slice at a time, so that messages from the page
 * (predict this drawing, pause, step) are answered between slices and the page never waits for a
 * whole epoch. MNIST digits train as fast as they can (~40 ms slices) or at the page's speed (steps
 * per second); the house prices' steps are so small (16 rows through a 12-64-64-1 net) that they are
 * paced — one epoch (23 steps) per 40 ms slice, evaluated after each — so the curves and the scatter
 * can be watched, and Play stops after the preset's epochs (200, 8 s).
 *
 * Every model gets a run id (a fresh network, a loaded file); every message about it carries that id.
 * Digits are evaluated on a frozen copy of the weights a few batches at a time (session.ts's
 * Evaluation), taking about a fifth of the time while training: a convnet's evaluation then spans
 * many slices, and its report says which step it describes.
 */
import { mnistFromIdx, MNIST_FILES, type MnistFiles, type IdxFile } from "../../src/data/mnist.js";
import type { Table } from "../../src/data/csv.js";
import type { TrainConfig } from "../../src/train/defaults.js";
import { Session, RunStopped, denseView, type DataSplit, type Evaluation } from "./session.js";
import { HOUSE_PRICES_PATH, houseData, parseHousePrices, type HouseData } from "./houses.js";
import type { Task } from "./state.js";
import { backendInfo, getThreads } from "../../src/kernels/index.js";
import { useThreads } from "./threads.js";
import { ModelFileError, UsageError } from "../../src/errors.js";
import type { ErrorCode, FromWorker, ModelOrigin, Params, StatusCode, ToWorker } from "./protocol.js";

const SLICE_MS = 40;
/** House prices: one epoch per slice, one slice per this many ms (25 epochs a second). */
const TABLE_SLICE_MS = 40;
/** Views refresh at most this often while training (the network picture, weight images, nudges). */
const VIEW_EVERY_MS = 250;
/** While training, an evaluation in progress gets this many ms after each training slice (~1/5 of the time). */
const EVAL_SHARE_MS = 10;
/** While idle, an evaluation runs in chunks of this many ms (messages get in between). */
const EVAL_CHUNK_MS = 30;
/** A new evaluation starts at most this often while training. */
const EVAL_EVERY_MS = 1000;

const post = (msg: FromWorker, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(msg, transfer);

/** The task of the settings last received (null before the first); each task has its own data and model. */
let task: Task | null = null;
let session: Session | null = null;
/** The run id of the model in `session` (bumped by every new model). */
let run = 0;
let config: TrainConfig | null = null;
/** The settings changed since the model was built: the next play/step starts a fresh run. */
let stale = true;
let running = false;
/** Bumped by every play and pause: a slice scheduled by an earlier run of the loop finds it changed and stops. */
let loop = 0;
/** Play stops when the session reaches this step (house prices: the end of the preset's epochs). */
let stopAt = Infinity;
/** Steps per second asked for (Infinity: as fast as possible), and where the pacing started. */
let speed = Infinity;
let pace = { t0: 0, steps0: 0 };
let lastView = 0;
/** The digits evaluation under way, and when the last one ended. */
let evaluation: { run: number; e: Evaluation; lastPost: number } | null = null;
let lastEvalEnd = -Infinity;
/** Another evaluation was asked for while the step-0 one ran: it starts when that one ends. */
let pendingEval = false;
let idlePump = false;
/** Steps and milliseconds of recent slices, for the steps-per-second readout. */
let recent = { steps: 0, ms: 0 };

let mnist: DataSplit | null = null;
/** The digits model shown before any training: --model's file, a file the user loaded, or the default. */
let digitsModel: { bytes: Uint8Array; name: string; origin: "default" | "yours" | "file" } | null = null;
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

function status(phase: "loading" | "idle" | "running", code: StatusCode, params?: Params) {
  post({ type: "status", phase, code, ...(params ? { params } : {}) });
}

function error(code: ErrorCode, params: Params = {}, forRun: number | null = run) {
  post({ type: "error", run: forRun, code, params });
}

/** An exception as a code and parameters (the page words them). */
function describe(err: unknown): { code: ErrorCode; params: Params } {
  if (err instanceof RunStopped) {
    const s = err.stop;
    if (s.kind === "non-finite-loss") return { code: "diverged", params: { cost: String(s.loss), step: s.step, lr: s.lr, epoch: s.restoredEpoch } };
    return { code: "run-stopped", params: { detail: s.message } };
  }
  const detail = err instanceof Error ? err.message : String(err);
  if (err instanceof UsageError) return { code: "bad-settings", params: { detail } };
  return { code: "internal", params: { detail } };
}

function fail(err: unknown) {
  running = false;
  loop++;
  cancelEvaluation();
  const { code, params } = describe(err);
  error(code, params);
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
    if (task === "digits") status("loading", "loading-model");
    // A model given to `descent explore --model` first, else the one shipped with the app.
    const own = await fetchBytes("model.safetensors").catch(() => null);
    const bytes = own ?? (await fetchBytes("default-model.safetensors"));
    if (bytes && !digitsModel) digitsModel = { bytes, name: own ? "model.safetensors" : "default-model.safetensors", origin: own ? "yours" : "default" };
    if (task === "digits" && !session) showDigitsModel();
    if (task === "digits") status("loading", "loading-mnist");
    const names = Object.keys(MNIST_FILES) as (keyof MnistFiles<string>)[];
    const files = await Promise.all(names.map(async (k) => {
      const data = await fetchBytes(`data/${MNIST_FILES[k]}`);
      if (!data) throw Object.assign(new Error(`data/${MNIST_FILES[k]}`), { missing: `data/${MNIST_FILES[k]}` });
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
    status("loading", "loading-houses");
    const bytes = await fetchBytes(HOUSE_PRICES_PATH);
    if (!bytes) throw Object.assign(new Error(HOUSE_PRICES_PATH), { missing: HOUSE_PRICES_PATH });
    table = parseHousePrices(bytes);
  })();
  return tableLoading;
}

function loadFailed(err: unknown) {
  const missing = (err as { missing?: string }).missing;
  if (missing) {
    running = false;
    error("data-missing", { file: missing });
    status("idle", "stopped");
  } else fail(err);
}

/** The digits model file as the session (trained further only once loaded by the user and matched by the form). */
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
  cancelEvaluation();
  if (next === "digits") {
    showDigitsModel();
    loadDigits().then(() => {
      if (task !== "digits") return;
      if (!session) showDigitsModel();
      session?.setData(mnist!);
      status("idle", "ready");
      evaluateNow();
    }).catch(loadFailed);
  } else {
    loadTable().then(() => {
      if (task !== "houses") return;
      resetRun();
      evaluateNow();
      status("idle", "ready");
    }).catch(loadFailed);
  }
}

function origin(s: Session): ModelOrigin {
  if (s.training) return s.file ? { kind: "continued", name: s.file.name } : { kind: "run" };
  if (digitsModel?.origin === "default") return { kind: "default" };
  if (digitsModel?.origin === "yours") return { kind: "yours" };
  return { kind: "file", name: s.file?.name ?? "", testAccuracy: s.file?.testAccuracy ?? null };
}

/** A new model on screen: a new run id, and everything the page shows about it (`same`: the model of this run, described anew). */
function announceModel(same = false) {
  if (!session || !task) return;
  if (!same) {
    run++;
    cancelEvaluation();
  }
  const file = session.file;
  const loadedByUser = !session.training && digitsModel?.origin === "file";
  post({
    type: "model",
    model: {
      run, task, layers: session.layerBlocks(), params: session.model?.numParameters() ?? 0, sizes: denseView(session.model)?.sizes ?? null,
      origin: origin(session), config: session.training ? config : (file?.config ?? null), trainable: session.training || (loadedByUser && file?.config !== null),
    },
    dense: session.denseWeights(),
  });
  sendViews();
}

function sendViews() {
  if (!session) return;
  post({ type: "weights", run, step: session.steps, dense: session.denseWeights(), images: session.firstLayerImages() });
  const nudges = session.nudgeReport();
  post({ type: "nudges", run, step: session.steps, list: nudges.overall, byLayer: nudges.byLayer });
  lastView = performance.now();
}

function cancelEvaluation() {
  pendingEval = false;
  if (evaluation) post({ type: "evaluating", run: evaluation.run, step: null, done: 0 });
  evaluation = null;
}

/** Evaluates the model as it is now: house prices at once (under a millisecond), digits a chunk at a time. */
function evaluateNow() {
  if (!session?.hasData || !session.model) return;
  if (session.task === "regression") {
    post({ type: "regression", run, report: session.evaluateRegression() });
    return;
  }
  // The initial network's evaluation is the curves' first point: it is finished, not replaced.
  if (evaluation && evaluation.run === run && evaluation.e.step === 0 && session.steps > 0) {
    pendingEval = true;
    if (!running) pumpIdle();
    return;
  }
  evaluation = { run, e: session.beginEvaluation(), lastPost: 0 };
  post({ type: "evaluating", run, step: evaluation.e.step, done: 0 });
  if (!running) pumpIdle();
}

/** Works on the evaluation until `deadline`; posts its report when it is done. */
function advanceEvaluation(deadline: number) {
  const ev = evaluation;
  if (!ev || !session) return;
  const finished = ev.e.advance(deadline);
  const now = performance.now();
  if (!finished) {
    if (now - ev.lastPost > 200) {
      ev.lastPost = now;
      post({ type: "evaluating", run: ev.run, step: ev.e.step, done: ev.e.done });
    }
    return;
  }
  evaluation = null;
  lastEvalEnd = now;
  const report = ev.e.report();
  const test = session.data!.test.features;
  const mistakePixels = new Uint8Array(report.mistakes.length * 784);
  report.mistakes.forEach((m, i) => {
    for (let p = 0; p < 784; p++) mistakePixels[i * 784 + p] = Math.round(test[m.index * 784 + p]! * 255);
  });
  post({ type: "eval", run: ev.run, report, mistakePixels }, [mistakePixels.buffer]);
  if (pendingEval) {
    pendingEval = false;
    evaluateNow();
  }
}

/** While nothing trains, the evaluation runs in chunks, letting the page's messages in between. */
function pumpIdle() {
  if (idlePump) return;
  idlePump = true;
  const tick = () => {
    if (running || !evaluation) {
      idlePump = false;
      return;
    }
    try {
      advanceEvaluation(performance.now() + EVAL_CHUNK_MS);
    } catch (err) {
      idlePump = false;
      fail(err);
      return;
    }
    setTimeout(tick, 0);
  };
  setTimeout(tick, 0);
}

/** The data a fresh run of `config` trains on: MNIST, or the table split with the run's seed. */
function runData(c: TrainConfig): DataSplit {
  if (task === "houses") {
    if (!table) throw new Error("the house prices are still loading");
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
  if (!mnist) throw new Error("MNIST is still loading");
  return mnist;
}

/** A fresh run from the settings (step 0, seeded): the same settings always give the same run. */
function resetRun() {
  if (!config) throw new Error("no settings yet");
  const data = runData(config);
  const next = new Session(null, "none");
  next.setData(data);
  next.reset(config);
  session = next;
  stale = false;
  recent = { steps: 0, ms: 0 };
  announceModel();
}

/**
 * Whether the task's data is here (else says so); starts a fresh run when the settings changed, or
 * carries a loaded model on with the settings it records (the form shows them).
 */
function ensureTrainable(): boolean {
  const ready = task === "houses" ? table !== null : mnist !== null;
  if (!ready) {
    error("still-loading", { what: task === "houses" ? "houses" : "mnist" });
    return false;
  }
  if (!stale && session && !session.training && session.file && digitsModel?.origin === "file") {
    try {
      session.continueWith(config!);
    } catch (err) {
      error("cannot-continue", { name: session.file.name, detail: err instanceof Error ? err.message : String(err) });
      return false;
    }
    recent = { steps: 0, ms: 0 };
    announceModel(true); // the same run, now trained here
    return true;
  }
  if (stale || !session?.training) {
    resetRun();
    evaluateNow();
  }
  return true;
}

/** How many steps the speed allows now (Infinity when unpaced), and in how many ms the next is due. */
function paceBudget(now: number): { budget: number; wait: number } {
  if (!Number.isFinite(speed) || !session) return { budget: Infinity, wait: 0 };
  const due = pace.steps0 + Math.floor(((now - pace.t0) / 1000) * speed) + 1;
  const budget = due - session.steps;
  const nextAt = pace.t0 + ((session.steps + 1 - pace.steps0) * 1000) / speed;
  return { budget: Math.max(0, budget), wait: Math.max(0, nextAt - now) };
}

/** The first slices of a run stop at 1, 2, 5, 10, 20, 50… steps: points spread evenly on the log step axis. */
function untilMilestone(steps: number): number {
  if (steps >= 1000) return Infinity;
  let m = 1;
  for (let p = 1; m <= steps; p *= 10) for (const k of [1, 2, 5]) if (m <= steps) m = k * p;
  return m - steps;
}

function trainSlice(id: number) {
  if (!running || id !== loop || !session) return;
  const paced = session.task === "regression";
  const t0 = performance.now();
  const { budget: allowed, wait } = paceBudget(t0);
  if (allowed === 0) {
    // Not yet time for the next step: use the wait for the evaluation, then come back.
    try {
      if (evaluation) advanceEvaluation(t0 + Math.min(wait, EVAL_CHUNK_MS));
    } catch (err) {
      fail(err);
      return;
    }
    setTimeout(() => trainSlice(id), Math.max(0, Math.min(EVAL_CHUNK_MS, wait - (performance.now() - t0))));
    return;
  }
  try {
    const before = session.steps;
    const budget = Math.min(paced ? session.stepsPerEpoch : 1e9, stopAt - before, allowed, paced ? Infinity : untilMilestone(before));
    const point = session.train(budget, paced ? Infinity : t0 + SLICE_MS);
    // A decaying window (~1 s) of slices: steps per second of training, not counting evaluation.
    const keep = Math.min(1, 1000 / Math.max(recent.ms, 1));
    const ms = paced && !Number.isFinite(speed) ? Math.max(TABLE_SLICE_MS, performance.now() - t0) : performance.now() - t0;
    recent = { steps: recent.steps * keep + (session.steps - before), ms: recent.ms * keep + ms };
    const rate = Number.isFinite(speed) ? Math.min(speed, (1000 * recent.steps) / recent.ms) : (1000 * recent.steps) / recent.ms;
    post({ type: "train", run, point, stepsPerSecond: rate });
  } catch (err) {
    fail(err);
    return;
  }
  if (session.steps >= stopAt) {
    running = false;
    status("idle", "epochs-done", { epochs: session.steps / session.stepsPerEpoch, steps: session.steps, more: config!.epochs });
    sendViews();
    evaluateNow();
    return;
  }
  const now = performance.now();
  if (now - lastView > VIEW_EVERY_MS || Number.isFinite(speed) && speed <= 10) sendViews();
  if (paced) {
    // A table is scored in well under a millisecond: every epoch, so the scatter moves with the curves.
    evaluateNow();
    const due = Number.isFinite(speed) ? paceBudget(performance.now()).wait : TABLE_SLICE_MS - (performance.now() - t0);
    setTimeout(() => trainSlice(id), Math.max(0, due));
    return;
  }
  try {
    if (evaluation) advanceEvaluation(performance.now() + EVAL_SHARE_MS);
    else if (now - lastEvalEnd > EVAL_EVERY_MS) evaluateNow();
  } catch (err) {
    fail(err);
    return;
  }
  if (Number.isFinite(speed)) setTimeout(() => trainSlice(id), Math.min(EVAL_CHUNK_MS, paceBudget(performance.now()).wait));
  else channel.port2.postMessage(id);
}

// Zero-delay yield between slices (a message task lets the page's messages in; setTimeout would clamp to 4 ms).
const channel = new MessageChannel();
channel.port1.onmessage = (e: MessageEvent<number>) => trainSlice(e.data);

function startPace() {
  pace = { t0: performance.now(), steps0: session?.steps ?? 0 };
}

function loadModel(name: string, bytes: Uint8Array) {
  if (task !== "digits") {
    error("other-task-file", { name }, null);
    return;
  }
  let loaded: Session;
  try {
    loaded = Session.fromModelFile(bytes, name);
    if (loaded.file?.config?.target) throw new ModelFileError(`${name}: trained on a table`);
    loaded.layerBlocks(); // a network that does not take 28×28 digits fails here, before it replaces the one on screen
  } catch (err) {
    error("bad-model-file", { name, detail: err instanceof Error ? err.message : String(err) }, null);
    return;
  }
  running = false;
  loop++;
  digitsModel = { bytes, name, origin: "file" };
  if (mnist) loaded.setData(mnist);
  session = loaded;
  stale = loaded.file?.config === null; // Play continues it once the form shows its settings (the page sends them back with keep)
  announceModel();
  evaluateNow();
  status("idle", "model-loaded", { name });
}

self.onmessage = (e: MessageEvent<ToWorker>) => {
  const msg = e.data;
  try {
    switch (msg.type) {
      case "config":
        config = msg.config;
        if (msg.keep && task === msg.task) break;
        stale = true;
        enterTask(msg.task);
        break;
      case "threads":
        // Results do not depend on the thread count (each output element is computed the same way).
        void useThreads(msg.count).then((r) => announceEngine(r.note));
        break;
      case "speed":
        speed = msg.perSecond > 0 ? msg.perSecond : Infinity;
        startPace();
        break;
      case "play": {
        if (running || !ensureTrainable()) break;
        running = true;
        const s = session!;
        // House prices: up to the end of the next block of the preset's epochs (200 → 4,600 steps).
        const block = s.task === "regression" ? config!.epochs * s.stepsPerEpoch : 0;
        stopAt = block > 0 ? (Math.floor(s.steps / block) + 1) * block : Infinity;
        startPace();
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
        if (running || !ensureTrainable()) break;
        post({ type: "train", run, point: session!.train(1), stepsPerSecond: NaN });
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
        if (session?.model) {
          post({ type: "prediction", id: msg.id, run, step: session.steps, values: session.predict(msg.pixels), maps: session.featureMaps(msg.pixels) });
        } else error("no-model");
        break;
      case "load-model":
        loadModel(msg.name, msg.bytes);
        break;
    }
  } catch (err) {
    fail(err);
  }
};

status("loading", "starting");
announceEngine();
