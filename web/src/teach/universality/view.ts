/**
 * The universality view's body: Nielsen's visual proof, interactive. The bumps are
 * analysis/universality.ts's (bump, sumNetworks, weightedOutput, networkOutput; bumpNetwork for
 * "fit by hand"; averageDeviation for the readouts), computed here in float64 as the user drags;
 * "let gradient descent find it" is universality-fit.ts's startFit, trained in
 * universality-worker.ts.
 */
import { averageDeviation, bump, bumpNetwork, grid, logit, networkOutput, sigmoid, sumNetworks, weightedOutput, type OneHidden } from "../../../../src/analysis/universality.js";
import { formatNumber } from "../../i18n.js";
import type { MountedView, ViewContext } from "../view.js";
import { el, onNumber } from "../dom.js";
import { FunctionChart, type BumpSpec, type HandleKind } from "./chart.js";
import { GOALS, GOAL_FORMULAS, GOAL_FUNCTIONS, isGoal, type GoalName } from "./goals.js";
import type { FromFitWorker, ToFitWorker } from "./protocol.js";
import { t } from "./strings.js";
import { DEFAULT_RECT, TowerMap, parseRect, towerGrid, type Rect } from "./towers.js";
import { tower } from "../../../../src/analysis/universality.js";

const MAX_BUMPS = 50;
const H_RANGE: [number, number] = [-3, 3];
const LR = 0.01;
const CURVE_X = grid(400);
const COLORS = { goal: "#e6e6e6", hand: "#4f8cff", fit: "#ffa94d" };

/** N equal bumps over [0, 1], flat. */
const flatBumps = (n: number): BumpSpec[] => Array.from({ length: n }, (_, j) => ({ s1: j / n, s2: (j + 1) / n, h: 0 }));

/** The book's inversion as bumps: bumpNetwork's heights over its N equal intervals. */
function handBumps(f: (x: number) => number, n: number): BumpSpec[] {
  const net = bumpNetwork(f, n);
  return Array.from({ length: n }, (_, j) => ({ s1: j / n, s2: (j + 1) / n, h: net.v[2 * j]! }));
}

const networkOf = (bumps: readonly BumpSpec[]): OneHidden => sumNetworks(bumps.map((b) => bump(b.s1, b.s2, b.h)));

function parseBumps(v: string): BumpSpec[] | null {
  const parts = v.split(",");
  if (parts.length < 1 || parts.length > MAX_BUMPS) return null;
  const out: BumpSpec[] = [];
  for (const p of parts) {
    const nums = p.split(":").map((s) => (s.trim() === "" ? NaN : Number(s)));
    if (nums.length !== 3 || !nums.every(Number.isFinite)) return null;
    const [s1, s2, h] = nums as [number, number, number];
    if (!(s1 >= 0 && s2 <= 1 && s1 < s2 && h >= H_RANGE[0] && h <= H_RANGE[1])) return null;
    out.push({ s1, s2, h });
  }
  return out;
}

export function mountUniversality(root: HTMLElement, ctx: ViewContext): MountedView {
  const probe = ctx.probe;
  // State, from the URL where valid.
  const invalid: { name: string; value: string }[] = [];
  const q = ctx.params;
  const bad = (name: string) => invalid.push({ name, value: q.get(name) ?? "" });
  let goal: GoalName = "book";
  if (q.has("goal")) isGoal(q.get("goal")) ? (goal = q.get("goal") as GoalName) : bad("goal");
  let n = 5;
  if (q.has("n")) {
    const v = Number(q.get("n"));
    if (Number.isInteger(v) && v >= 1 && v <= MAX_BUMPS) n = v;
    else bad("n");
  }
  let seed = 1;
  if (q.has("seed")) {
    const v = Number(q.get("seed"));
    if (q.get("seed") !== "" && Number.isInteger(v) && v >= 0 && v < 2 ** 31) seed = v;
    else bad("seed");
  }
  /** "hand": the bumps are the book's inversion (kept as such in the URL until one is moved). */
  let byHand = false;
  let bumps = flatBumps(n);
  const bq = q.get("b");
  if (bq === "hand") {
    byHand = true;
    bumps = handBumps(GOAL_FUNCTIONS[goal], n);
  } else if (bq !== null) {
    const parsed = parseBumps(bq);
    if (parsed) {
      bumps = parsed;
      n = parsed.length;
    } else bad("b");
  }
  let selected = 0;
  let inputProblem: string | null = null;
  let rect: Rect = { ...DEFAULT_RECT };
  if (q.has("tower")) {
    const r = parseRect(q.get("tower")!);
    if (r) rect = r;
    else bad("tower");
  }
  let towerH = 10;
  if (q.has("th")) {
    const v = q.get("th") === "" ? NaN : Number(q.get("th"));
    if (v >= 1 && v <= 100) towerH = v;
    else bad("th");
  }

  const f = () => GOAL_FUNCTIONS[goal];
  const target = () => (x: number) => logit(f()(x));

  // Controls.
  const buildTitle = el("h3");
  const buildHelp = el("p", { className: "hint" });
  const goalLabel = el("label", { htmlFor: "univ-goal" });
  const goalSelect = el("select", { id: "univ-goal" });
  const formula = el("p", { className: "hint univ-formula" });
  const nLabel = el("label", { htmlFor: "univ-n" });
  const nInput = el("input", { id: "univ-n", type: "number", min: 1, max: MAX_BUMPS, step: 1 });
  const handBtn = el("button", { type: "button", id: "univ-hand" });
  const flatBtn = el("button", { type: "button", id: "univ-flat" });
  const handHelp = el("p", { className: "hint" });
  const selLabel = el("label", { htmlFor: "univ-selected" });
  const selSelect = el("select", { id: "univ-selected" });
  const edit = { s1: el("input", { id: "univ-s1", type: "number", step: 0.01, min: 0, max: 1 }), s2: el("input", { id: "univ-s2", type: "number", step: 0.01, min: 0, max: 1 }), h: el("input", { id: "univ-h", type: "number", step: 0.1, min: H_RANGE[0], max: H_RANGE[1] }) };
  const editLabels = { s1: el("label", { htmlFor: "univ-s1" }), s2: el("label", { htmlFor: "univ-s2" }), h: el("label", { htmlFor: "univ-h" }) };
  const field = (l: HTMLElement, i: HTMLElement) => el("div", { className: "field" }, l, i);
  const devLine = el("p", { className: "univ-dev", id: "univ-deviation" });
  const outDevLine = el("p", { className: "univ-dev", id: "univ-output-deviation" });
  const notes = el("p", { className: "univ-notes", role: "status" });
  const controls = el("section", { className: "univ-controls" }, buildTitle, buildHelp,
    el("div", { className: "univ-fields" }, el("div", { className: "field univ-wide" }, goalLabel, goalSelect), field(nLabel, nInput)), formula,
    el("div", { className: "buttons" }, handBtn, flatBtn), handHelp,
    el("div", { className: "univ-fields univ-edit" }, field(selLabel, selSelect), field(editLabels.s1, edit.s1), field(editLabels.s2, edit.s2), field(editLabels.h, edit.h)),
    devLine, outDevLine, notes);

  const weightedTitle = el("h3");
  const outputTitle = el("h3");
  const legend = el("p", { className: "univ-legend" });
  const weighted = new FunctionChart({ yRange: [-3, 3], height: 240, yTicks: [-3, -2, -1, 0, 1, 2, 3] }, {
    move: (j, kind, value) => moveHandle(j, kind, value),
    select: (j) => {
      if (j !== selected) {
        selected = j;
        showEdit();
        drawCharts();
      }
    },
    label: (j, kind) => t("handle", { what: t(kind), j: j + 1 }),
  });
  const output = new FunctionChart({ yRange: [0, 1], height: 200, yTicks: [0, 0.25, 0.5, 0.75, 1] });

  // Gradient descent.
  const fitTitle = el("h3");
  const fitHelp = el("p", { className: "hint" });
  const seedLabel = el("label", { htmlFor: "univ-seed" });
  const seedInput = el("input", { id: "univ-seed", type: "number", min: 0, step: 1 });
  const trainBtn = el("button", { type: "button", id: "univ-train" });
  const stepBtn = el("button", { type: "button", id: "univ-step" });
  const resetBtn = el("button", { type: "button", id: "univ-reset" });
  const fitStatus = el("p", { className: "univ-dev", id: "univ-fit-status", role: "status" });
  const historyTitle = el("h3");
  const historySvg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  historySvg.setAttribute("class", "univ-history");
  historySvg.setAttribute("role", "img");
  const fitPanel = el("section", { className: "univ-fit" }, fitTitle, fitHelp, el("div", { className: "univ-fields" }, field(seedLabel, seedInput)),
    el("div", { className: "buttons" }, trainBtn, stepBtn, resetBtn), fitStatus);
  const charts = el("section", { className: "univ-charts" }, weightedTitle, weighted.root, outputTitle, output.root, legend, historyTitle, historySvg);
  // Towers.
  const towersTitle = el("h3");
  const towersHelp = el("p", { className: "hint" });
  const map = new TowerMap();
  map.canvas.tabIndex = 0;
  const towerInputs = { x0: el("input", { id: "univ-tx0", type: "number", step: 0.05, min: 0, max: 1 }), x1: el("input", { id: "univ-tx1", type: "number", step: 0.05, min: 0, max: 1 }), y0: el("input", { id: "univ-ty0", type: "number", step: 0.05, min: 0, max: 1 }), y1: el("input", { id: "univ-ty1", type: "number", step: 0.05, min: 0, max: 1 }) };
  const towerLabels = { x0: el("label", { htmlFor: "univ-tx0" }), x1: el("label", { htmlFor: "univ-tx1" }), y0: el("label", { htmlFor: "univ-ty0" }), y1: el("label", { htmlFor: "univ-ty1" }) };
  const thInput = el("input", { id: "univ-th", type: "number", step: 1, min: 1, max: 100 });
  const thLabel = el("label", { htmlFor: "univ-th" });
  const towerValues = el("p", { className: "univ-dev", id: "univ-tower-values" });
  const towersPanel = el("section", { className: "univ-towers" }, towersTitle, towersHelp,
    el("div", { className: "univ-tower-row" }, map.canvas, el("div", { className: "univ-fields univ-tower-fields" },
      field(towerLabels.x0, towerInputs.x0), field(towerLabels.x1, towerInputs.x1), field(towerLabels.y0, towerInputs.y0), field(towerLabels.y1, towerInputs.y1), field(thLabel, thInput))),
    towerValues);
  root.classList.add("univ-view");
  root.append(charts, controls, fitPanel, towersPanel);
  weighted.root.setAttribute("role", "group");
  output.root.setAttribute("role", "img");

  // The fit's state, as the worker last reported it.
  let fit: { steps: number; totalSteps: number; deviation: number; curve: number[]; running: boolean } | null = null;
  let history: [number, number][] = [];
  let fitError: string | null = null;
  let worker: Worker | null = null;
  let handDeviation = { weighted: NaN, output: NaN };

  function writeUrl() {
    ctx.setParams({
      goal: goal === "book" ? null : goal,
      n: n === 5 ? null : n,
      b: byHand ? "hand" : bumps.every((b, j) => b.h === 0 && b.s1 === j / n && b.s2 === (j + 1) / n) ? null : bumps.map((b) => `${b.s1}:${b.s2}:${b.h}`).join(","),
      seed: seed === 1 ? null : seed,
      tower: rect.x0 === DEFAULT_RECT.x0 && rect.x1 === DEFAULT_RECT.x1 && rect.y0 === DEFAULT_RECT.y0 && rect.y1 === DEFAULT_RECT.y1 ? null : `${rect.x0}:${rect.x1}:${rect.y0}:${rect.y1}`,
      th: towerH === 10 ? null : towerH,
    });
  }

  function compute() {
    const net = networkOf(bumps);
    handDeviation = {
      weighted: averageDeviation((x) => weightedOutput(net, x), target()),
      output: averageDeviation((x) => networkOutput(net, x), f()),
    };
    Object.assign(probe, { goal, n, bumps: bumps.map((b) => ({ ...b })), byHand, deviation: handDeviation.weighted, outputDeviation: handDeviation.output, seed, width: 2 * n });
    devLine.textContent = t("deviation", { v: formatNumber(handDeviation.weighted) });
    outDevLine.textContent = t("outputDeviation", { v: formatNumber(handDeviation.output) });
    drawCharts(net);
    showFit();
  }

  function drawCharts(net = networkOf(bumps)) {
    const sigma = CURVE_X.map((x) => weightedOutput(net, x));
    weighted.draw([
      { x: CURVE_X, y: CURVE_X.map(target()), color: COLORS.goal, dash: "5 4" },
      { x: CURVE_X, y: sigma, color: COLORS.hand },
    ], bumps, selected);
    const curves = [
      { x: CURVE_X, y: CURVE_X.map(f()), color: COLORS.goal, dash: "5 4" },
      { x: CURVE_X, y: sigma.map(sigmoid), color: COLORS.hand },
    ];
    if (fit) curves.push({ x: CURVE_X, y: fit.curve, color: COLORS.fit });
    output.draw(curves);
  }

  function showEdit() {
    selected = Math.min(selected, bumps.length - 1);
    selSelect.replaceChildren(...bumps.map((_, j) => new Option(t("bumpOption", { j: j + 1 }), String(j), false, j === selected)));
    const b = bumps[selected]!;
    edit.s1.value = String(+b.s1.toFixed(4));
    edit.s2.value = String(+b.s2.toFixed(4));
    edit.h.value = String(+b.h.toFixed(4));
    for (const i of Object.values(edit)) i.removeAttribute("aria-invalid");
    nInput.value = String(n);
    goalSelect.value = goal;
    seedInput.value = String(seed);
  }

  function showNotes() {
    const lines = invalid.map((p) => t("invalid", p));
    if (inputProblem) lines.push(inputProblem);
    notes.textContent = lines.join(" ");
    notes.hidden = lines.length === 0;
  }

  /** A bump changed (by a handle or an input): keep 0 ≤ s₁ < s₂ ≤ 1 and h in range, three decimals. */
  function setBump(j: number, kind: HandleKind, value: number) {
    if (byHand) {
      byHand = false;
      bumps = bumps.map((b) => ({ ...b, h: +b.h.toFixed(4) }));
    }
    const b = { ...bumps[j]! };
    const r = (v: number) => +v.toFixed(3);
    if (kind === "h") b.h = r(Math.max(H_RANGE[0], Math.min(H_RANGE[1], value)));
    else if (kind === "s1") b.s1 = r(Math.max(0, Math.min(b.s2 - 0.001, value)));
    else b.s2 = r(Math.min(1, Math.max(b.s1 + 0.001, value)));
    bumps = bumps.map((x, i) => (i === j ? b : x));
    writeUrl();
    compute();
  }
  function moveHandle(j: number, kind: HandleKind, value: number) {
    selected = j;
    setBump(j, kind, value);
    showEdit();
  }

  // The gradient-descent fit: a worker of its own, reset when the goal, N or the seed changes.
  function send(m: ToFitWorker) {
    if (!worker) {
      worker = new Worker(new URL("../universality-worker.ts", import.meta.url), { type: "module", name: ctx.base });
      worker.onmessage = (e: MessageEvent<FromFitWorker>) => {
        const m = e.data;
        if (m.type === "error") {
          fitError = m.text;
        } else {
          fit = m;
          fitError = null;
          if (m.steps === 0) history = [[0, m.deviation]];
          else if (history.at(-1)?.[0] !== m.steps) history.push([m.steps, m.deviation]);
        }
        Object.assign(probe, { fit: fit && { steps: fit.steps, totalSteps: fit.totalSteps, deviation: fit.deviation, running: fit.running }, history });
        showFit();
        drawCharts();
      };
      worker.onerror = (e) => {
        fitError = e.message;
        showFit();
      };
    }
    worker.postMessage(m);
  }
  function resetFit() {
    fit = null;
    history = [];
    probe["fit"] = null;
    if (worker) send({ type: "reset", goal, width: 2 * n, seed, lr: LR });
    showFit();
  }
  let starting = false;
  function ensureFit() {
    if (!fit && !starting) {
      starting = true;
      send({ type: "reset", goal, width: 2 * n, seed, lr: LR });
    }
  }

  function showFit() {
    fitHelp.textContent = t("fitHelp", { n: 2 * n, bumps: n });
    trainBtn.textContent = fit?.running ? t("pause") : t("train");
    trainBtn.setAttribute("aria-pressed", String(Boolean(fit?.running)));
    fitStatus.textContent = fitError ? t("failed", { text: fitError })
      : fit && fit.steps > 0 ? t("fitStatus", { steps: fit.steps, total: fit.totalSteps, v: formatNumber(fit.deviation), hand: formatNumber(handDeviation.output) })
      : starting && !fit ? t("starting") : t("fitIdle");
    drawHistory();
  }

  function drawHistory() {
    const W = Math.max(200, Math.round(historySvg.getBoundingClientRect().width) || 360);
    const H = 160;
    const P = { l: 44, r: 8, t: 8, b: 22 };
    historySvg.setAttribute("viewBox", `0 0 ${W} ${H}`);
    historySvg.setAttribute("height", String(H));
    historySvg.replaceChildren();
    const ns = "http://www.w3.org/2000/svg";
    const mk = (tag: string, a: Record<string, string | number>, text?: string) => {
      const e = document.createElementNS(ns, tag);
      for (const [k, v] of Object.entries(a)) e.setAttribute(k, String(v));
      if (text !== undefined) e.textContent = text;
      historySvg.append(e);
    };
    const total = fit?.totalSteps ?? 20000;
    const maxX = Math.max(100, history.at(-1)?.[0] ?? 0) * 1.05;
    const ys = [...history.map((p) => p[1]), handDeviation.output].filter((v) => v > 0 && Number.isFinite(v));
    const lo = Math.pow(10, Math.floor(Math.log10(Math.min(...ys, 0.01))));
    const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(...ys, 0.1))));
    const X = (s: number) => P.l + (Math.min(s, total) / maxX) * (W - P.l - P.r);
    const Y = (v: number) => P.t + (1 - (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * (H - P.t - P.b);
    mk("rect", { x: P.l, y: P.t, width: W - P.l - P.r, height: H - P.t - P.b, class: "univ-frame" });
    for (let e = Math.log10(lo); e <= Math.log10(hi) + 1e-9; e++) {
      mk("line", { x1: P.l, x2: W - P.r, y1: Y(10 ** e), y2: Y(10 ** e), class: "univ-grid" });
      mk("text", { x: P.l - 4, y: Y(10 ** e) + 4, class: "univ-tick", "text-anchor": "end" }, formatNumber(10 ** e));
    }
    for (const s of [0, maxX / 2, maxX]) mk("text", { x: X(s), y: H - 6, class: "univ-tick", "text-anchor": s === 0 ? "start" : s === maxX ? "end" : "middle" }, formatNumber(Math.round(s)));
    if (Number.isFinite(handDeviation.output) && handDeviation.output > 0) mk("line", { x1: P.l, x2: W - P.r, y1: Y(handDeviation.output), y2: Y(handDeviation.output), stroke: COLORS.hand, "stroke-dasharray": "5 4", "stroke-width": 1.5 });
    for (const [x, v] of history.length === 1 ? history : []) mk("circle", { cx: X(x), cy: Y(v), r: 3, fill: COLORS.fit });
    if (history.length > 1) mk("path", { d: history.map(([s, v], i) => `${i ? "L" : "M"}${X(s).toFixed(1)},${Y(v).toFixed(1)}`).join(""), fill: "none", stroke: COLORS.fit, "stroke-width": 2 });
  }

  function showTower() {
    const z = towerGrid(rect, towerH);
    map.draw(z);
    for (const k of ["x0", "x1", "y0", "y1"] as const) towerInputs[k].value = String(rect[k]);
    thInput.value = String(towerH);
    map.canvas.setAttribute("aria-label", t("towerLabel", { ...rect }));
    const cx = (rect.x0 + rect.x1) / 2;
    const cy = (rect.y0 + rect.y1) / 2;
    // An arm: the x-bump's strip away from the rectangle (the y-bump's is the same by symmetry); outside: a corner of the unit square.
    const armY = cy > 0.5 ? Math.max(0, rect.y0 / 2) : (rect.y1 + 1) / 2;
    const values = { inside: tower(cx, cy, rect, { h: towerH }), arm: tower(cx, armY, rect, { h: towerH }), outside: tower(rect.x0 > 0.05 ? 0 : 1, armY, rect, { h: towerH }) };
    const small = (v: number) => (v >= 1e-3 ? formatNumber(v) : formatNumber(v, { notation: "scientific", maximumSignificantDigits: 2 }));
    towerValues.textContent = t("towerValues", { inside: small(values.inside), arm: small(values.arm), outside: small(values.outside) });
    Object.assign(probe, { tower: { rect: { ...rect }, h: towerH, grid: Array.from(z), values, points: { inside: [cx, cy], arm: [cx, armY], outside: [rect.x0 > 0.05 ? 0 : 1, armY] } } });
  }

  function relabel() {
    buildTitle.textContent = t("build");
    buildHelp.textContent = t("buildHelp");
    goalLabel.textContent = t("goal");
    goalSelect.replaceChildren(...GOALS.map((g) => new Option(t(`goal.${g}`), g, false, g === goal)));
    formula.textContent = GOAL_FORMULAS[goal];
    nLabel.textContent = t("bumps");
    handBtn.textContent = t("byHand");
    flatBtn.textContent = t("flat");
    handHelp.textContent = t("byHandHelp");
    selLabel.textContent = t("selected");
    editLabels.s1.textContent = t("s1");
    editLabels.s2.textContent = t("s2");
    editLabels.h.textContent = t("h");
    weightedTitle.textContent = t("weighted");
    outputTitle.textContent = t("output");
    weighted.setAriaLabel(t("weightedLabel", { n }));
    output.setAriaLabel(t("outputLabel"));
    legend.replaceChildren(...([["goal", "legendGoal"], ["hand", "legendHand"], ["fit", "legendFit"]] as const).map(([c, k]) => {
      const sw = el("span", { className: "univ-swatch" });
      sw.style.background = COLORS[c];
      return el("span", {}, sw, t(k));
    }));
    fitTitle.textContent = t("fitTitle");
    seedLabel.textContent = t("seed");
    stepBtn.textContent = t("step100");
    resetBtn.textContent = t("reset");
    historyTitle.textContent = t("history");
    historySvg.setAttribute("aria-label", t("historyLabel"));
    towersTitle.textContent = t("towers");
    towersHelp.textContent = t("towersHelp");
    for (const k of ["x0", "x1", "y0", "y1"] as const) towerLabels[k].textContent = t(`t${k}`);
    thLabel.textContent = t("th");
    showTower();
    showEdit();
    showNotes();
    compute();
  }

  // Events.
  goalSelect.addEventListener("change", () => {
    goal = goalSelect.value as GoalName;
    if (byHand) bumps = handBumps(f(), n);
    formula.textContent = GOAL_FORMULAS[goal];
    writeUrl();
    compute();
    resetFit();
  });
  const numberInput = (input: HTMLInputElement, what: () => string, ok: (v: number) => boolean, apply: (v: number) => void) =>
    onNumber(input, ok, (v) => {
      inputProblem = null;
      invalid.length = 0;
      showNotes();
      apply(v);
    }, () => {
      inputProblem = t("invalidInput", { what: what() });
      showNotes();
    });
  numberInput(nInput, () => t("bumps"), (v) => Number.isInteger(v) && v >= 1 && v <= MAX_BUMPS, (v) => {
    n = v;
    bumps = byHand ? handBumps(f(), n) : flatBumps(n);
    selected = 0;
    weighted.setAriaLabel(t("weightedLabel", { n }));
    writeUrl();
    showEdit();
    compute();
    resetFit();
  });
  numberInput(seedInput, () => t("seed"), (v) => Number.isInteger(v) && v >= 0 && v < 2 ** 31, (v) => {
    seed = v;
    writeUrl();
    resetFit();
  });
  for (const kind of ["s1", "s2", "h"] as const) {
    numberInput(edit[kind], () => t(kind), (v) => Number.isFinite(v) && (kind === "h" ? v >= H_RANGE[0] && v <= H_RANGE[1] : v >= 0 && v <= 1), (v) => {
      setBump(selected, kind, v);
      showEdit();
    });
  }
  selSelect.addEventListener("change", () => {
    selected = Number(selSelect.value);
    showEdit();
    drawCharts();
  });
  handBtn.addEventListener("click", () => {
    byHand = true;
    bumps = handBumps(f(), n);
    writeUrl();
    showEdit();
    compute();
  });
  flatBtn.addEventListener("click", () => {
    byHand = false;
    bumps = flatBumps(n);
    writeUrl();
    showEdit();
    compute();
  });
  trainBtn.addEventListener("click", () => {
    ensureFit();
    send({ type: fit?.running ? "pause" : "play" });
  });
  stepBtn.addEventListener("click", () => {
    ensureFit();
    send({ type: "steps", n: 100 });
  });
  resetBtn.addEventListener("click", () => {
    starting = false;
    resetFit();
  });
  new ResizeObserver(() => drawHistory()).observe(historySvg);
  for (const k of ["x0", "x1", "y0", "y1"] as const) {
    numberInput(towerInputs[k], () => t(`t${k}`), (v) => {
      const r = { ...rect, [k]: v };
      return v >= 0 && v <= 1 && r.x0 < r.x1 && r.y0 < r.y1;
    }, (v) => {
      rect = { ...rect, [k]: v };
      writeUrl();
      showTower();
    });
  }
  numberInput(thInput, () => t("th"), (v) => v >= 1 && v <= 100, (v) => {
    towerH = v;
    writeUrl();
    showTower();
  });
  // Drag on the map: the rectangle between the press and the pointer (two decimals).
  let towerDrag: [number, number] | null = null;
  const r2 = (v: number) => +v.toFixed(2);
  map.canvas.addEventListener("pointerdown", (e) => {
    towerDrag = map.at(e.clientX, e.clientY);
    map.canvas.setPointerCapture(e.pointerId);
    e.preventDefault();
  });
  map.canvas.addEventListener("pointermove", (e) => {
    if (!towerDrag) return;
    const [x, y] = map.at(e.clientX, e.clientY);
    const r = { x0: r2(Math.min(x, towerDrag[0])), x1: r2(Math.max(x, towerDrag[0])), y0: r2(Math.min(y, towerDrag[1])), y1: r2(Math.max(y, towerDrag[1])) };
    if (r.x0 < r.x1 && r.y0 < r.y1) {
      rect = r;
      writeUrl();
      showTower();
    }
  });
  const endDrag = () => (towerDrag = null);
  map.canvas.addEventListener("pointerup", endDrag);
  map.canvas.addEventListener("pointercancel", endDrag);

  relabel();
  probe["ready"] = true;
  return {
    relabel,
    destroy() {
      worker?.terminate();
    },
  };
}
