/**
 * The explorer page: wires the views to the training worker. Settings live in the URL (state.ts);
 * the worker (sim.ts) owns the model; this thread only draws. Two tasks: MNIST digits (drawing,
 * network picture, confusion matrix…) and house prices (predicted-vs-true scatter, MAE curve, the
 * baselines); each panel says which task it belongs to (data-task in index.html).
 */
import { parseSettings, settingsToQuery, toTrainConfig, type Settings, type Task } from "./state.js";
import type { FromWorker, ToWorker } from "./protocol.js";
import type { Nudge } from "./session.js";
import type { RegressionScores } from "../../src/train/metrics.js";
import type { Baselines } from "./houses.js";
import { DrawPad, paintDigit } from "./views/draw.js";
import { OutputBars } from "./views/outputs.js";
import { SettingsForm } from "./views/controls.js";
import { Curves } from "./views/curves.js";
import { NetworkView, describeNudge } from "./views/network.js";
import { markStale, showConfusion, showMistakes, showWeightImages } from "./views/tiles.js";
import { Scatter } from "./views/scatter.js";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** Numbers the end-to-end tests and the browser benchmark read (window.__explorer). */
const probe = {
  firstPredictionMs: NaN,
  predictions: 0,
  lastOutputs: null as number[] | null,
  steps: 0,
  stepsPerSecond: NaN,
  lastLoss: NaN,
  trainPoints: [] as { step: number; loss: number }[],
  evals: 0,
  testAccuracy: NaN,
  nudges: 0,
  phase: "loading",
  engine: "",
  threads: 1,
  errors: [] as string[],
  task: "digits" as Task,
  /** House prices: the last evaluation's scores, and the baselines on the same test rows. */
  regression: null as null | { step: number; testMae: number; testRmse: number; testR2: number; valMae: number; trainMae: number },
  regressionEvals: 0,
  baselines: null as null | { meanMae: number; leastSquaresMae: number; leastSquaresR2: number; seed: number },
  scatterPoints: 0,
};
(window as unknown as { __explorer: typeof probe }).__explorer = probe;

// The worker's name carries the page's address: it fetches the model and MNIST relative to the page, not to its own script.
const worker = new Worker(new URL("./sim.ts", import.meta.url), { type: "module", name: document.baseURI });
const send = (msg: ToWorker, transfer: Transferable[] = []) => worker.postMessage(msg, transfer);

const { settings: initial, warnings } = parseSettings(location.search);
$("warnings").textContent = warnings.join(" · ");

/** Threads change speed, never results, so they sit beside the settings in the URL rather than in them. */
const threadSelect = $<HTMLSelectElement>("threads");
threadSelect.value = new URLSearchParams(location.search).get("threads") === "2" ? "2" : "1";
let lastSettings: Settings | undefined;
function applySettings(s: Settings) {
  if (s.task !== lastSettings?.task) showTask(s.task);
  lastSettings = s;
  // The shell's own parameters (view, lang) stay in the address.
  const shell = new URLSearchParams(location.search);
  const keep = ["view", "lang"].filter((k) => shell.has(k)).map((k) => `&${k}=${encodeURIComponent(shell.get(k)!)}`).join("");
  history.replaceState(null, "", settingsToQuery(s) + (threadSelect.value === "2" ? "&threads=2" : "") + keep + location.hash);
  send({ type: "config", config: toTrainConfig(s), task: s.task });
}
threadSelect.addEventListener("change", () => {
  send({ type: "threads", count: threadSelect.value === "2" ? 2 : 1 });
  applySettings(lastSettings!);
});
if (threadSelect.value === "2") send({ type: "threads", count: 2 });
const curves = new Curves($("cost-chart"), $("acc-chart"));
const scatter = new Scatter($<HTMLCanvasElement>("scatter"), $("scatter-caption"));
const form = new SettingsForm($("settings"), initial, applySettings);

// Drawing → prediction. Only the newest request's answer is shown.
const bars = new OutputBars($("outputs"), $("guess"));
const preview = $<HTMLCanvasElement>("preview");
let latest = 0;
let current: Float32Array = new Float32Array(784);
let modelReady = false;
function predict() {
  if (!modelReady || task !== "digits") return;
  latest++;
  send({ type: "predict", id: latest, pixels: current.slice() });
}
const pad = new DrawPad($("pad"), (pixels) => {
  current = pixels ?? new Float32Array(784);
  paintDigit(preview, current);
  if (!pixels) bars.show(null);
  predict();
});
$("clear").addEventListener("click", () => pad.clear());
(window as unknown as { __pad: DrawPad }).__pad = pad;

// Training controls.
const play = $<HTMLButtonElement>("play");
let running = false;
play.addEventListener("click", () => send({ type: running ? "pause" : "play" }));
$("step").addEventListener("click", () => send({ type: "step" }));
$("reset").addEventListener("click", () => send({ type: "reset" }));
$("share").addEventListener("click", async () => {
  const button = $<HTMLButtonElement>("share");
  try {
    await navigator.clipboard.writeText(location.href);
    button.textContent = "Link copied";
  } catch {
    button.textContent = "Copy the address bar";
  }
  setTimeout(() => (button.textContent = "Copy link"), 1500);
});
$<HTMLInputElement>("model-file").addEventListener("change", async (e) => {
  const file = (e.target as HTMLInputElement).files?.[0];
  if (!file) return;
  if (file.size > 512 * 1024 * 1024) {
    showError(`${file.name} is ${(file.size / 2 ** 20).toFixed(0)} MiB — larger than any model the explorer can train; pick a file saved by descent train`);
    return;
  }
  const bytes = new Uint8Array(await file.arrayBuffer());
  send({ type: "load-model", name: file.name, bytes }, [bytes.buffer]);
});

const network = new NetworkView($<HTMLCanvasElement>("network"), $("network-hint"));
let sizes: number[] | null = null;

function showError(text: string) {
  probe.errors.push(text);
  $("warnings").textContent = text;
}

function stats(entries: [string, string][]) {
  const dl = $("stats");
  dl.innerHTML = "";
  for (const [k, v] of entries) {
    const pair = document.createElement("div");
    const dt = document.createElement("dt");
    dt.textContent = k;
    const dd = document.createElement("dd");
    dd.textContent = v;
    pair.append(dt, dd);
    dl.append(pair);
  }
}
const freshStats = () => ({ step: "0", epoch: "0", rate: "–", cost: "–", val: "–", test: "–" });
let statValues = freshStats();
function refreshStats() {
  const measure = task === "houses" ? "MAE ($1000s)" : "accuracy";
  stats([
    ["step", statValues.step], ["epoch", statValues.epoch], ["steps/s", statValues.rate],
    [task === "houses" ? "cost (train MSE)" : "cost (train)", statValues.cost], [`validation ${measure}`, statValues.val], [`test ${measure}`, statValues.test],
  ]);
}

/** The task the page shows; the worker's messages about another task (still in flight after a switch) are dropped. */
let task: Task = initial.task;
/** The task of the worker's current model (from its last "model" message). */
let workerTask: Task | null = null;
let baselines: Baselines | null = null;

/** Shows one task's panels and empties the views of the other. */
function showTask(t: Task) {
  task = t;
  probe.task = t;
  modelReady = false;
  for (const el of document.querySelectorAll<HTMLElement>("[data-task]")) el.hidden = el.dataset["task"] !== t;
  $("curves-h").textContent = t === "houses" ? "Cost and mean absolute error" : "Cost and accuracy";
  $("step").textContent = "Step one mini-batch";
  curves.setTask(t);
  statValues = freshStats();
  refreshStats();
  if (t === "houses") {
    baselines = null;
    probe.baselines = null;
    probe.regression = null;
    scatter.clear("loading the house prices…");
    showScores(null);
  }
}

const fix = (v: number, digits: number) => (Number.isFinite(v) ? v.toFixed(digits) : "–");

/** The scores table: the network's test MAE, RMSE and R² beside the two baselines' on the same rows; the best of each row marked. */
function showScores(net: RegressionScores | null, step = 0) {
  $("scores-net").textContent = net ? `network (step ${step.toLocaleString("en-US")})` : "network";
  const columns: [string, { mae: number; rmse: number; r2: number } | null][] = [["net", net], ["ls", baselines?.leastSquares ?? null], ["mean", baselines?.mean ?? null]];
  for (const [metric, digits, better] of [["mae", 2, -1], ["rmse", 2, -1], ["r2", 3, 1]] as const) {
    const values = columns.map(([, m]) => (m ? m[metric] : NaN));
    const best = Math.max(...values.filter(Number.isFinite).map((v) => better * v));
    columns.forEach(([key], i) => {
      const td = document.querySelector<HTMLElement>(`#scores td[data-k="${key}-${metric}"]`)!;
      td.textContent = fix(values[i]!, digits);
      td.classList.toggle("best", Number.isFinite(values[i]!) && better * values[i]! === best);
    });
  }
}

applySettings(initial);

function nudgeItem(n: Nudge): HTMLLIElement {
  const li = document.createElement("li");
  const b = document.createElement("button");
  b.type = "button";
  const direction = n.grad > 0 ? "down" : "up";
  b.textContent = `${describeNudge(n, sizes)}: ∂C/∂w = ${n.grad.toExponential(2)} → nudge ${direction} (w = ${n.weight.toFixed(3)})`;
  b.addEventListener("mouseenter", () => network.setHighlight(n));
  b.addEventListener("focus", () => network.setHighlight(n));
  b.addEventListener("mouseleave", () => network.setHighlight(null));
  b.addEventListener("blur", () => network.setHighlight(null));
  li.append(b);
  return li;
}

function showNudges(list: Nudge[], byLayer: Nudge[][] = []) {
  const ol = $("nudges");
  ol.innerHTML = "";
  const perLayer = $("nudges-by-layer");
  perLayer.innerHTML = "";
  if (!list.length) {
    const li = document.createElement("li");
    li.className = "hint";
    li.textContent = "Press “Step one mini-batch” to see which weights the gradient pushes hardest.";
    ol.append(li);
    return;
  }
  for (const n of list) ol.append(nudgeItem(n));
  byLayer.forEach((layerList, l) => {
    const h = document.createElement("h4");
    const name = sizes && l === sizes.length - 2 ? "output layer" : `hidden layer ${l + 1}`;
    const largest = Math.abs(layerList[0]?.grad ?? 0);
    h.textContent = `${name} (${sizes ? `${sizes[l]}→${sizes[l + 1]}` : ""}): largest |∂C/∂w| ${largest.toExponential(1)}`;
    const sub = document.createElement("ol");
    for (const n of layerList) sub.append(nudgeItem(n));
    perLayer.append(h, sub);
  });
}
showNudges([]);

worker.onmessage = (e: MessageEvent<FromWorker>) => {
  const msg = e.data;
  switch (msg.type) {
    case "status":
      probe.phase = msg.phase;
      $("status").textContent = msg.text;
      running = msg.phase === "running";
      play.textContent = running ? "Pause" : "Play";
      play.setAttribute("aria-pressed", String(running));
      break;
    case "model":
      workerTask = msg.task;
      if (msg.task !== task) break;
      modelReady = true;
      probe.steps = 0; // a model is announced at step 0 (reset, or loaded from a file)
      sizes = msg.dense?.sizes ?? null;
      $("model-line").textContent = `${msg.description} — ${msg.origin}`;
      network.setNetwork(msg.dense);
      // A new model: the test-set views describe the old one until its first evaluation.
      markStale($("confusion"), $("mistakes"));
      statValues.val = statValues.test = "evaluating…";
      refreshStats();
      if (msg.training) {
        curves.clear();
        statValues = { ...freshStats(), val: "evaluating…", test: "evaluating…" };
        refreshStats();
      }
      predict();
      break;
    case "train": {
      if (workerTask !== task) break;
      const p = msg.point;
      probe.steps = p.step;
      probe.lastLoss = p.loss;
      probe.trainPoints.push({ step: p.step, loss: p.loss });
      if (Number.isFinite(msg.stepsPerSecond)) probe.stepsPerSecond = msg.stepsPerSecond;
      curves.addTrain(p.step, p.loss, task === "houses" ? null : p.accuracy);
      statValues.step = p.step.toLocaleString("en-US");
      statValues.epoch = p.epoch.toFixed(2);
      statValues.cost = task === "houses" ? p.loss.toPrecision(4) : p.loss.toFixed(4);
      if (Number.isFinite(msg.stepsPerSecond)) statValues.rate = Math.round(msg.stepsPerSecond).toLocaleString("en-US");
      refreshStats();
      predict();
      scatter.schedule(); // its caption says when it lags the training
      break;
    }
    case "eval": {
      if (workerTask !== task) break;
      const r = msg.report;
      probe.evals++;
      probe.testAccuracy = r.testAccuracy;
      if (r.step > 0) curves.addValidation(r.step, r.valLoss, r.valAccuracy);
      statValues.val = `${(r.valAccuracy * 100).toFixed(2)} %`;
      statValues.test = `${(r.testAccuracy * 100).toFixed(2)} %`;
      refreshStats();
      showConfusion($<HTMLTableElement>("confusion"), r.confusion);
      showMistakes($("mistakes"), r.mistakes, msg.mistakePixels);
      break;
    }
    case "regression": {
      if (workerTask !== task) break;
      const r = msg.report;
      probe.regressionEvals++;
      probe.regression = { step: r.step, testMae: r.test.mae, testRmse: r.test.rmse, testR2: r.test.r2, valMae: r.validation.mae, trainMae: r.train.mae };
      if (r.step > 0) curves.addValidation(r.step, r.valLoss, r.validation.mae, r.train.mae);
      statValues.val = fix(r.validation.mae, 2);
      statValues.test = `${fix(r.test.mae, 2)} (R² ${fix(r.test.r2, 3)})`;
      refreshStats();
      scatter.show(r.predicted, r.actual, r.step, () => probe.steps);
      probe.scatterPoints = r.predicted.length;
      showScores(r.test, r.step);
      break;
    }
    case "table":
      if (task !== "houses") break;
      baselines = msg.baselines;
      probe.baselines = { meanMae: msg.baselines.mean.mae, leastSquaresMae: msg.baselines.leastSquares.mae, leastSquaresR2: msg.baselines.leastSquares.r2, seed: msg.seed };
      $("table-line").textContent =
        `Boston house prices (corrected): ${msg.features} features → ${msg.target}, the median home value in $1000s. ` +
        `Rows split with seed ${msg.seed}: ${msg.rows.train} train, ${msg.rows.validation} validation, ${msg.rows.test} test.`;
      showScores(null);
      break;
    case "prediction":
      if (Number.isNaN(probe.firstPredictionMs)) probe.firstPredictionMs = performance.now();
      probe.predictions++;
      if (msg.id !== latest) break;
      network.setValues(msg.values);
      {
        const out = msg.values[msg.values.length - 1]!;
        probe.lastOutputs = Array.from(out);
        bars.show(current.some((v) => v > 0) ? out : null);
      }
      break;
    case "weights":
      if (msg.dense) network.setNetwork(msg.dense);
      showWeightImages($("weights"), $("weights-hint"), msg.images);
      break;
    case "nudges":
      probe.nudges = msg.list.length;
      showNudges(msg.list, msg.byLayer);
      break;
    case "engine":
      probe.engine = `${msg.backend}${msg.sharedMemory ? " (shared memory)" : ""}${msg.isolated ? ", cross-origin isolated" : ""}, ${msg.threads} thread${msg.threads > 1 ? "s" : ""}, fma ${msg.fma ? "on" : "off"}`;
      probe.threads = msg.threads;
      if (msg.note) showError(`2 threads are not available here: ${msg.note}`);
      threadSelect.value = String(msg.threads);
      $("status").title = `kernels: ${probe.engine}`;
      break;
    case "error":
      showError(msg.text);
      break;
  }
};
worker.onerror = (e) => showError(`the training worker failed: ${e.message}`);
