/**
 * The training page: wires the views to the training worker. Settings live in the URL (state.ts);
 * the worker (sim.ts) owns the model; this thread only draws. Everything the page shows renders
 * from one state object (page-state.ts: settings, model, run, measurements stamped with their run
 * and step), and every panel says "as of step N" when it lags the run. Two tasks: MNIST digits
 * (drawing, network picture, confusion matrix…) and house prices (predicted-vs-true scatter, MAE
 * curve, the baselines); each panel says which task it belongs to (data-task in index.html).
 * Words come from train-strings.ts, in the page's language; switching it re-labels the page and
 * keeps the run.
 */
import { parseSettings, settingsFromConfig, settingsToQuery, toTrainConfig, numberRule, type Settings, type Task } from "./state.js";
import type { FromWorker, Images, ModelInfo, ToWorker } from "./protocol.js";
import type { Nudge } from "./session.js";
import type { RegressionScores } from "../../src/train/metrics.js";
import type { Baselines } from "./houses.js";
import { fixed, formatNumber, onLangChange, percent } from "./i18n.js";
import { t, type TrainKey } from "./train-strings.js";
import { lagBehind, newPageState, receive, settingsEdited, type Stamp } from "./page-state.js";
import { DrawPad, paintDigit } from "./views/draw.js";
import { OutputBars } from "./views/outputs.js";
import { SettingsForm } from "./views/controls.js";
import { Curves } from "./views/curves.js";
import { NetworkView, describeNudge } from "./views/network.js";
import { drawBlocks } from "./views/blocks.js";
import { markStale, showConfusion, showMaps, showMistakes, showWeightImages } from "./views/tiles.js";
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
  /** The run on screen, and the step each panel's measurement belongs to (null: none yet). */
  run: 0,
  stamps: {} as Record<string, number | null>,
  /** The warning on screen, as its code (null: none), and the run it belongs to. */
  warning: null as null | { code: string; run: number | null; text: string },
  /** The last evaluation: its step and validation accuracy, and the one under way. */
  evalStep: null as number | null,
  valAccuracy: NaN,
  evaluating: null as number | null,
  speed: "max",
  logX: false,
  /** The first point of the curves (the step-0 evaluation comes first). */
  curvesFirst: null as null | { step: number; valLoss: number | null; valSecond: number | null },
  curvePoints: 0,
  /** The model's layers as the picture names them, and the feature maps drawn for the digit. */
  blocks: "",
  maps: 0,
  /** The first layer's weights as last sent (for comparing with the library at the same step). */
  weightsStep: null as number | null,
  firstWeights: null as number[] | null,
  origin: "",
  trainable: false,
};
(window as unknown as { __explorer: typeof probe }).__explorer = probe;

// The worker's name carries the page's address: it fetches the model and MNIST relative to the page, not to its own script.
const worker = new Worker(new URL("./sim.ts", import.meta.url), { type: "module", name: document.baseURI });
const send = (msg: ToWorker, transfer: Transferable[] = []) => worker.postMessage(msg, transfer);

/** What the shell said before this page loaded (an unknown ?view=), kept among the link's notes. */
const shellNote = $("warnings").textContent ?? "";
const parsed = parseSettings(location.search);
const initial = parsed.settings;
const state = newPageState(initial);

/** Threads and speed change how fast, never what is computed, so they sit beside the settings in the URL rather than in them. */
const threadSelect = $<HTMLSelectElement>("threads");
threadSelect.value = new URLSearchParams(location.search).get("threads") === "2" ? "2" : "1";
const SPEEDS = ["1", "10", "100", "1000", "max"];
const speedSelect = $<HTMLSelectElement>("speed");
const askedSpeed = new URLSearchParams(location.search).get("speed");
const urlNotes: { key: TrainKey; params: Record<string, string | number> }[] = parsed.notes.map((n) => ({ key: n.key, params: n.params }));
if (askedSpeed !== null && !SPEEDS.includes(askedSpeed)) urlNotes.push({ key: "url.speed", params: { value: askedSpeed.slice(0, 20) } });
speedSelect.value = askedSpeed !== null && SPEEDS.includes(askedSpeed) ? askedSpeed : "max";
const speedValue = () => (speedSelect.value === "max" ? Infinity : Number(speedSelect.value));
send({ type: "speed", perSecond: speedValue() });

let lastTask: Task | undefined;
function writeUrl(s: Settings) {
  // The shell's own parameters (view, lang) stay in the address.
  const shell = new URLSearchParams(location.search);
  const keep = ["view", "lang"].filter((k) => shell.has(k)).map((k) => `&${k}=${encodeURIComponent(shell.get(k)!)}`).join("");
  const extra = (threadSelect.value === "2" ? "&threads=2" : "") + (speedSelect.value !== "max" ? `&speed=${speedSelect.value}` : "");
  history.replaceState(null, "", settingsToQuery(s) + extra + keep + location.hash);
}
/** The form's settings → the URL and the worker; `keep`: they describe the model in use (a loaded file's), which stays. */
function applySettings(s: Settings, keep = false) {
  if (s.task !== lastTask) showTask(s.task);
  lastTask = s.task;
  state.settings = s;
  writeUrl(s);
  send({ type: "config", config: toTrainConfig(s), task: s.task, ...(keep ? { keep } : {}) });
}
threadSelect.addEventListener("change", () => {
  send({ type: "threads", count: threadSelect.value === "2" ? 2 : 1 });
  writeUrl(state.settings);
});
speedSelect.addEventListener("change", () => {
  probe.speed = speedSelect.value;
  send({ type: "speed", perSecond: speedValue() });
  writeUrl(state.settings);
});
probe.speed = speedSelect.value;
if (threadSelect.value === "2") send({ type: "threads", count: 2 });

const curves = new Curves($("cost-chart"), $("acc-chart"), $("curves-empty"));
const logBox = $<HTMLInputElement>("log-x");
curves.onAxisChange = (log) => {
  logBox.checked = log;
  probe.logX = log;
};
logBox.addEventListener("change", () => curves.setLog(logBox.checked));
const scatter = new Scatter($<HTMLCanvasElement>("scatter"), $("scatter-caption"));
const form = new SettingsForm($("settings"), initial, (s) => {
  settingsEdited(state, s);
  urlNotes.length = 0;
  applySettings(s);
  render();
});

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
play.addEventListener("click", () => send({ type: state.run.phase === "running" ? "pause" : "play" }));
$("step").addEventListener("click", () => send({ type: "step" }));
$("reset").addEventListener("click", () => send({ type: "reset" }));
let shareWord: TrainKey = "share";
$("share").addEventListener("click", async () => {
  const button = $<HTMLButtonElement>("share");
  try {
    await navigator.clipboard.writeText(location.href);
    shareWord = "linkCopied";
  } catch {
    shareWord = "copyAddress";
  }
  button.textContent = t(shareWord);
  setTimeout(() => {
    shareWord = "share";
    button.textContent = t(shareWord);
  }, 1500);
});
$<HTMLInputElement>("model-file").addEventListener("change", async (e) => {
  const file = (e.target as HTMLInputElement).files?.[0];
  if (!file) return;
  if (file.size > 512 * 1024 * 1024) {
    pageError("fileTooLarge", { name: file.name, mib: Math.round(file.size / 2 ** 20) });
    return;
  }
  const bytes = new Uint8Array(await file.arrayBuffer());
  send({ type: "load-model", name: file.name, bytes }, [bytes.buffer]);
});

const network = new NetworkView($<HTMLCanvasElement>("network"), $("network-hint"));
let sizes: number[] | null = null;

/** A problem the page itself found (not the worker): shown like a warning of no run. */
function pageError(key: TrainKey, params: Record<string, string | number>) {
  state.warning = { run: null, code: "internal", params: { ...params, __key: key } };
  renderWarning();
}

/** The task the page shows; the worker's messages about another task (still in flight after a switch) are dropped. */
let task: Task = initial.task;
let baselines: Baselines | null = null;
let tableInfo: Extract<FromWorker, { type: "table" }> | null = null;

/** Shows one task's panels and empties the views of the other. */
function showTask(next: Task) {
  task = next;
  probe.task = next;
  modelReady = false;
  for (const el of document.querySelectorAll<HTMLElement>("[data-task]")) el.hidden = el.dataset["task"] !== next;
  curves.setTask(next);
  if (next === "houses") {
    baselines = null;
    tableInfo = null;
    probe.baselines = null;
    probe.regression = null;
    scatter.clear(t("status.loading-houses"));
    showScores(null);
  }
  render();
}

/** The scores table: the network's test MAE, RMSE and R² beside the two baselines' on the same rows; the best of each row marked. */
function showScores(net: RegressionScores | null, step = 0) {
  $("scores-net").textContent = net ? t("scoresNetAt", { step }) : t("scoresNet");
  const columns: [string, { mae: number; rmse: number; r2: number } | null][] = [["net", net], ["ls", baselines?.leastSquares ?? null], ["mean", baselines?.mean ?? null]];
  for (const [metric, digits, better] of [["mae", 2, -1], ["rmse", 2, -1], ["r2", 3, 1]] as const) {
    const values = columns.map(([, m]) => (m ? m[metric] : NaN));
    const best = Math.max(...values.filter(Number.isFinite).map((v) => better * v));
    columns.forEach(([key], i) => {
      const td = document.querySelector<HTMLElement>(`#scores td[data-k="${key}-${metric}"]`)!;
      td.textContent = fixed(values[i]!, digits);
      td.classList.toggle("best", Number.isFinite(values[i]!) && better * values[i]! === best);
    });
  }
}

// ---- Rendering from the state ----

/** index.html's words: data-i18n (text), data-i18n-aria (aria-label), data-i18n-title (title). */
function relabelStatic() {
  for (const el of document.querySelectorAll<HTMLElement>("#train-main [data-i18n]")) el.textContent = t(el.dataset["i18n"] as TrainKey);
  for (const el of document.querySelectorAll<HTMLElement>("#train-main [data-i18n-aria]")) el.setAttribute("aria-label", t(el.dataset["i18nAria"] as TrainKey));
  for (const el of document.querySelectorAll<HTMLElement>("#train-main [data-i18n-title]")) el.title = t(el.dataset["i18nTitle"] as TrainKey);
  $("share").textContent = t(shareWord);
}

/** "step 1,200", or "as of step 1,200 (training is at 3,000)" when the measurement lags. */
function stampText(stamp: Stamp | null): string {
  if (!stamp || stamp.run !== state.run.id) return "";
  const lag = lagBehind(state, stamp);
  return lag === null ? t("atStep", { step: stamp.step }) : t("asOfStep", { step: lag, now: state.run.step });
}

function renderStamp(id: string, stamp: Stamp | null, panel?: HTMLElement) {
  const el = $(id);
  // A panel still showing an earlier run's figures (faded until this run's first evaluation) says so.
  const previous = !stampText(stamp) && panel?.classList.contains("stale") && panel.childElementCount > 0;
  el.textContent = previous ? t("previousRun") : stampText(stamp);
  el.classList.toggle("lag", lagBehind(state, stamp) !== null);
  el.dataset["step"] = stamp && stamp.run === state.run.id ? String(stamp.step) : "";
}

function renderStatus() {
  const { phase, status } = state.run;
  probe.phase = phase;
  const params = status.code === "epochs-done" ? { ...status.params } : status.params;
  $("status").textContent = t(`status.${status.code}` as TrainKey, params);
  const running = phase === "running";
  play.textContent = t(running ? "pause" : "play");
  play.setAttribute("aria-pressed", String(running));
}

function modelLine(m: ModelInfo): string {
  const what = m.sizes ? t("modelDense", { sizes: m.sizes.join("-"), params: m.params })
    : m.layers.some((l) => l.spec.type === "Conv2d") ? t("modelConv", { params: m.params }) : t("modelOther", { params: m.params });
  const o = m.origin;
  const from = o.kind === "run" ? t("originRun")
    : o.kind === "continued" ? t("originContinued", { name: o.name })
    : o.kind === "default" ? t("originDefault")
    : o.kind === "yours" ? t("originYours")
    : o.testAccuracy !== null ? t("originFileAcc", { name: o.name, acc: percent(o.testAccuracy) }) : t("originFile", { name: o.name });
  return `${what} — ${from}`;
}

function renderModel() {
  const m = state.model;
  $("model-line").textContent = m ? modelLine(m) : t("modelLoading");
  const note = !m ? "" : state.settingsChanged ? t("settingsChanged")
    : m.trainable && m.origin.kind !== "run" ? t("playContinues")
    : m.origin.kind === "file" && !m.config ? t("fileNoSettings")
    : m.origin.kind === "run" ? "" : t("playNew");
  $("play-note").textContent = note;
}

function stats(entries: [string, string, boolean][]) {
  const dl = $("stats");
  dl.innerHTML = "";
  for (const [k, v, lag] of entries) {
    const pair = document.createElement("div");
    const dt = document.createElement("dt");
    dt.textContent = k;
    const dd = document.createElement("dd");
    dd.textContent = v;
    dd.classList.toggle("lag", lag);
    pair.append(dt, dd);
    dl.append(pair);
  }
}

function renderStats() {
  const m = state.measurements;
  const train = m.train && m.train.run === state.run.id ? m.train : null;
  const houses = task === "houses";
  const ev = houses ? m.regression : m.eval;
  const lag = lagBehind(state, ev);
  const asOf = lag !== null ? ` (${t("asOfStep", { step: lag, now: state.run.step })})` : "";
  let val = t("notEvaluated");
  let test = t("notEvaluated");
  if (houses && m.regression) {
    val = fixed(m.regression.validation.mae, 2) + asOf;
    test = t("testR2", { mae: fixed(m.regression.test.mae, 2), r2: fixed(m.regression.test.r2, 3) }) + asOf;
  } else if (!houses && m.eval) {
    val = percent(m.eval.valAccuracy) + asOf;
    test = percent(m.eval.testAccuracy) + asOf;
  }
  if (m.evaluating && (!ev || ev.step < m.evaluating.step)) {
    const busy = t("evaluatingAt", { step: m.evaluating.step, pct: `${Math.round(m.evaluating.done * 100)} %` });
    val = ev ? `${val} · ${busy}` : busy;
    if (!ev) test = t("evaluating");
  }
  stats([
    [t("statStep"), formatNumber(state.run.step), false],
    [t("statEpoch"), train ? fixed(train.epoch, 2) : fixed(0, 2), false],
    [t("statRate"), Number.isFinite(state.run.stepsPerSecond) ? formatNumber(Math.round(state.run.stepsPerSecond)) : "–", false],
    [t(houses ? "statCostHouses" : "statCost"), train ? (houses ? formatNumber(train.loss) : fixed(train.loss, 4)) : "–", false],
    [t(houses ? "statValHouses" : "statVal"), val, lag !== null],
    [t(houses ? "statTestHouses" : "statTest"), test, lag !== null],
  ]);
  probe.evaluating = m.evaluating?.step ?? null;
}

function warningText(): string {
  const w = state.warning;
  if (!w) return "";
  const p = w.params;
  if (typeof p["__key"] === "string") return t(p["__key"] as TrainKey, p);
  if (w.code === "diverged") {
    const epoch = Number(p["epoch"]);
    const kept = epoch === 0 ? t("keptStart") : t("keptEpoch", { epoch });
    return t("error.diverged", { ...p, kept });
  }
  if (w.code === "still-loading") return t("error.still-loading", { what: t(p["what"] === "houses" ? "still.houses" : "still.mnist") });
  return t(`error.${w.code}` as TrainKey, p);
}

function renderWarning() {
  const text = warningText();
  $("warnings").textContent = text;
  probe.warning = state.warning ? { code: state.warning.code, run: state.warning.run, text } : null;
}

function renderNotes() {
  $("notes").textContent = [shellNote, ...urlNotes.map((n) => {
    if (n.key === "url.number") {
      const rule = numberRule(n.params["field"] as keyof Settings);
      return t(n.key, { ...n.params, rule: rule ? t(rule.integer ? "ruleInteger" : "ruleNumber", { range: rule.range }) : "" });
    }
    if (n.key === "url.preset-task") return t(n.key, { ...n.params, other: t(`task.${n.params["other"] as Task}`), task: t(`task.${n.params["task"] as Task}`) });
    return t(n.key, n.params);
  })].filter(Boolean).join(" · ");
}

function renderStamps() {
  const m = state.measurements;
  renderStamp("confusion-stamp", m.eval, $("confusion"));
  renderStamp("mistakes-stamp", m.eval, $("mistakes"));
  renderStamp("weights-stamp", m.weights);
  renderStamp("nudges-stamp", m.nudges);
  for (const id of ["confusion", "mistakes"]) $(id).classList.toggle("stale", !m.eval);
  probe.stamps = {
    confusion: m.eval?.step ?? null, mistakes: m.eval?.step ?? null, weights: m.weights?.step ?? null, nudges: m.nudges?.step ?? null,
    validation: (task === "houses" ? m.regression?.step : m.eval?.step) ?? null, scatter: m.regression?.step ?? null, prediction: m.prediction?.step ?? null,
  };
  probe.run = state.run.id;
  probe.evalStep = m.eval?.step ?? null;
}

function render() {
  renderStatus();
  renderModel();
  renderStats();
  renderWarning();
  renderNotes();
  renderStamps();
  $("curves-h").textContent = t(task === "houses" ? "curvesHouses" : "curvesDigits");
}

function nudgeItem(n: Nudge): HTMLLIElement {
  const li = document.createElement("li");
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = t("nudgeLine", { where: describeNudge(n, sizes), grad: expo(n.grad, 2), dir: t(n.grad > 0 ? "nudgeDown" : "nudgeUp"), w: fixed(n.weight, 3) });
  b.addEventListener("mouseenter", () => network.setHighlight(n));
  b.addEventListener("focus", () => network.setHighlight(n));
  b.addEventListener("mouseleave", () => network.setHighlight(null));
  b.addEventListener("blur", () => network.setHighlight(null));
  li.append(b);
  return li;
}

/** 1.23e-4 written with the language's decimal mark. */
const expo = (v: number, digits: number) => {
  const [m, e] = v.toExponential(digits).split("e");
  return `${fixed(Number(m), digits)}e${e}`;
};

function renderNudges() {
  const n = state.measurements.nudges;
  const list = n?.list ?? [];
  const byLayer = n?.byLayer ?? [];
  const ol = $("nudges");
  ol.innerHTML = "";
  const perLayer = $("nudges-by-layer");
  perLayer.innerHTML = "";
  if (!list.length) {
    const li = document.createElement("li");
    li.className = "hint";
    li.textContent = t(sizes ? "nudgesEmpty" : "nudgesNone");
    ol.append(li);
    return;
  }
  for (const x of list) ol.append(nudgeItem(x));
  byLayer.forEach((layerList, l) => {
    const h = document.createElement("h4");
    const name = sizes && l === sizes.length - 2 ? t("outputLayerName") : t("hiddenLayerName", { n: l + 1 });
    const largest = Math.abs(layerList[0]?.grad ?? 0);
    h.textContent = t("layerHeading", { name, shape: sizes ? `${sizes[l]}→${sizes[l + 1]}` : "", grad: expo(largest, 1) });
    const sub = document.createElement("ol");
    for (const x of layerList) sub.append(nudgeItem(x));
    perLayer.append(h, sub);
  });
}

/** The layer blocks (every network), and for convnets the first convolution's feature maps and filters. */
let lastImages: Images | null = null;
let lastMaps: Images | null = null;
function renderPicture() {
  const m = state.model;
  if (!m) return;
  const isConv = m.layers.some((l) => l.spec.type === "Conv2d");
  const input = isConv ? [1, 28, 28] : [m.sizes?.[0] ?? 784];
  drawBlocks($<HTMLCanvasElement>("blocks"), m.layers, input);
  probe.blocks = $("blocks").dataset["names"] ?? "";
  $("blocks-hint").textContent = t("blocksHint", { params: m.params });
  $("conv-views").hidden = !isConv;
  $("nudges-views").hidden = !sizes;
  if (isConv) {
    showWeightImages($("filters"), document.createElement("p"), lastImages, (i) => t("filterAria", { i }));
    showMaps($("maps"), lastMaps, (i) => t("mapAria", { i }));
    $("maps-hint").textContent = t(lastMaps && current.some((v) => v > 0) ? "mapsHint" : "mapsEmpty");
  }
}
new ResizeObserver(() => renderPicture()).observe($("network-panel"));

let lastEval: Extract<FromWorker, { type: "eval" }> | null = null;
function renderEvalViews() {
  if (!lastEval || lastEval.run !== state.run.id) return;
  showConfusion($<HTMLTableElement>("confusion"), lastEval.report.confusion);
  showMistakes($("mistakes"), lastEval.report.mistakes, lastEval.mistakePixels);
}

function renderTableLine() {
  $("table-line").textContent = tableInfo
    ? t("tableLineSplit", { features: tableInfo.features, target: tableInfo.target, seed: tableInfo.seed, train: tableInfo.rows.train, validation: tableInfo.rows.validation, test: tableInfo.rows.test })
    : t("tableLine");
}

/** The whole page in the current language (the run goes on). */
function relabel() {
  relabelStatic();
  form.relabel();
  curves.relabel();
  network.relabel();
  bars.relabel();
  renderTableLine();
  renderNudges();
  renderPicture();
  renderEvalViews();
  if (lastImages) showWeightImages($("weights"), $("weights-hint"), lastImages);
  else showWeightImages($("weights"), $("weights-hint"), null);
  const r = state.measurements.regression;
  showScores(r ? r.test : null, r?.step ?? 0);
  scatter.schedule();
  render();
}
onLangChange(relabel);

applySettings(initial);
relabel();

worker.onmessage = (e: MessageEvent<FromWorker>) => {
  const msg = e.data;
  if (msg.type === "model" && msg.model.task !== task) return;
  const sameRun = msg.type === "model" && msg.model.run === state.run.id;
  const fresh = receive(state, msg);
  switch (msg.type) {
    case "status":
      renderStatus();
      break;
    case "model": {
      const m = msg.model;
      probe.origin = m.origin.kind;
      probe.trainable = m.trainable;
      if (sameRun) {
        renderModel();
        break;
      }
      modelReady = true;
      probe.steps = 0; // a model is announced at step 0 (reset, or loaded from a file)
      probe.trainPoints = [];
      probe.origin = m.origin.kind;
      probe.trainable = m.trainable;
      sizes = m.sizes;
      lastEval = null;
      lastImages = null;
      lastMaps = null;
      network.setNetwork(msg.dense);
      // A new run: a new history, and the test-set views are out of date until its first evaluation.
      curves.clear();
      probe.curvesFirst = null;
      probe.curvePoints = 0;
      probe.evalStep = null;
      markStale($("confusion"), $("mistakes"));
      if (m.origin.kind === "file" && m.config) {
        // The form shows the settings the file records; Play then carries this model on.
        const s = settingsFromConfig(m.config);
        form.show(s);
        applySettings(s, true);
      }
      renderPicture();
      renderNudges();
      render();
      predict();
      break;
    }
    case "train": {
      if (!fresh) break;
      const p = msg.point;
      probe.steps = p.step;
      probe.lastLoss = p.loss;
      probe.trainPoints.push({ step: p.step, loss: p.loss });
      if (Number.isFinite(msg.stepsPerSecond)) probe.stepsPerSecond = msg.stepsPerSecond;
      curves.addTrain(p.step, p.loss, task === "houses" ? null : p.accuracy);
      probe.curvePoints = curves.length;
      renderStats();
      renderStamps();
      predict();
      scatter.schedule(); // its caption says when it lags the training
      break;
    }
    case "evaluating":
      if (fresh) renderStats();
      break;
    case "eval": {
      if (!fresh) break;
      const r = msg.report;
      probe.evals++;
      probe.testAccuracy = r.testAccuracy;
      probe.valAccuracy = r.valAccuracy;
      curves.addValidation(r.step, r.valLoss, r.valAccuracy);
      probe.curvesFirst = curves.first();
      probe.curvePoints = curves.length;
      lastEval = msg;
      renderEvalViews();
      renderStats();
      renderStamps();
      break;
    }
    case "regression": {
      if (!fresh) break;
      const r = msg.report;
      probe.regressionEvals++;
      probe.regression = { step: r.step, testMae: r.test.mae, testRmse: r.test.rmse, testR2: r.test.r2, valMae: r.validation.mae, trainMae: r.train.mae };
      curves.addValidation(r.step, r.valLoss, r.validation.mae, r.train.mae);
      probe.curvesFirst = curves.first();
      scatter.show(r.predicted, r.actual, r.step, () => state.run.step);
      probe.scatterPoints = r.predicted.length;
      showScores(r.test, r.step);
      renderStats();
      renderStamps();
      break;
    }
    case "table":
      if (task !== "houses") break;
      baselines = msg.baselines;
      tableInfo = msg;
      probe.baselines = { meanMae: msg.baselines.mean.mae, leastSquaresMae: msg.baselines.leastSquares.mae, leastSquaresR2: msg.baselines.leastSquares.r2, seed: msg.seed };
      renderTableLine();
      showScores(null);
      break;
    case "prediction":
      if (Number.isNaN(probe.firstPredictionMs)) probe.firstPredictionMs = performance.now();
      probe.predictions++;
      if (msg.id !== latest || !fresh) break;
      network.setValues(msg.values);
      {
        const out = msg.values[msg.values.length - 1]!;
        probe.lastOutputs = Array.from(out);
        bars.show(current.some((v) => v > 0) ? out : null);
      }
      lastMaps = current.some((v) => v > 0) ? msg.maps : null;
      probe.maps = lastMaps?.count ?? 0;
      if (msg.maps) renderPicture();
      break;
    case "weights":
      if (!fresh) break;
      if (msg.dense) network.setNetwork(msg.dense);
      lastImages = msg.images;
      probe.weightsStep = msg.step;
      probe.firstWeights = msg.images && msg.images.width === 28 ? Array.from(msg.images.data) : null;
      showWeightImages($("weights"), $("weights-hint"), msg.images);
      if (state.model?.layers.some((l) => l.spec.type === "Conv2d")) renderPicture();
      renderStamps();
      break;
    case "nudges":
      if (!fresh) break;
      probe.nudges = msg.list.length;
      renderNudges();
      renderStamps();
      break;
    case "engine":
      probe.engine = `${msg.backend}${msg.sharedMemory ? " (shared memory)" : ""}${msg.isolated ? ", cross-origin isolated" : ""}, ${msg.threads} thread${msg.threads > 1 ? "s" : ""}, fma ${msg.fma ? "on" : "off"}`;
      probe.threads = msg.threads;
      if (msg.note) {
        state.warning = { run: null, code: "threads-unavailable", params: { detail: msg.note } };
        probe.errors.push(msg.note);
        renderWarning();
      }
      threadSelect.value = String(msg.threads);
      $("status").title = t("kernels", { engine: probe.engine });
      break;
    case "error":
      if (!fresh) break;
      renderWarning();
      probe.errors.push(probe.warning?.text ?? msg.code);
      renderStats();
      break;
  }
};
worker.onerror = (e) => {
  pageError("workerFailed", { detail: e.message });
  probe.errors.push(e.message);
};
