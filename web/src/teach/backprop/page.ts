/**
 * The backprop view's page (see ../backprop.ts): its controls, the steps, the equations, the
 * network pictures, the numbers of each step and the numerical check, all from the library's
 * backprop by hand (engine.ts, loaded on first use).
 */
import { formatNumber } from "../../i18n.js";
import type { MountedView, ViewContext } from "../view.js";
import { DrawPad } from "../../views/draw.js";
import { t } from "../backprop.js";
import { BP1, BP2, BP3, BP4, FA, FZ, bp1Here, costEquation } from "./math.js";
import { equationOf, stepsFor, type Step } from "./steps.js";
import { digitsPicture, heatmap, tinyPicture } from "./picture.js";
import type { BackpropCheck, DenseLayer, Digits, Worked } from "./engine.js";

type Engine = typeof import("./engine.js");

type NetKind = "tiny" | "digits";
type CostKind = "quadratic" | "cross-entropy";
interface State {
  net: NetKind;
  cost: CostKind;
  /** 0-based index into the steps. */
  step: number;
  seed: number;
  x: [number, number];
  y: [number, number];
  image: number;
  label: number;
  drawing: Float32Array | null;
}

// The French tutorial's and Mazur's classic example: x = (0.05, 0.10), target (0.01, 0.99).
const DEFAULTS: State = { net: "tiny", cost: "quadratic", step: 0, seed: 1, x: [0.05, 0.1], y: [0.01, 0.99], image: 0, label: 7, drawing: null };

function readParams(p: URLSearchParams): { state: State; bad: { name: string; value: string; used: string }[]; labelGiven: boolean } {
  const s: State = { ...DEFAULTS, x: [...DEFAULTS.x], y: [...DEFAULTS.y] };
  const bad: { name: string; value: string; used: string }[] = [];
  const take = <T>(name: string, parse: (raw: string) => T | null, set: (v: T) => void, used: string) => {
    const raw = p.get(name);
    if (raw === null) return;
    const v = parse(raw);
    if (v === null) bad.push({ name, value: raw.slice(0, 40), used });
    else set(v);
  };
  const int = (lo: number, hi: number) => (raw: string) => (/^\d+$/.test(raw) && Number(raw) >= lo && Number(raw) <= hi ? Number(raw) : null);
  const pair = (raw: string): [number, number] | null => {
    const v = raw.split(",").map((x) => (x.trim() === "" ? NaN : Number(x)));
    return v.length === 2 && v.every((n) => Number.isFinite(n) && Math.abs(n) <= 1e3) ? [v[0]!, v[1]!] : null;
  };
  take("net", (r) => (r === "tiny" || r === "digits" ? r : null), (v) => (s.net = v), DEFAULTS.net);
  take("cost", (r) => (r === "quadratic" || r === "cross-entropy" ? r : null), (v) => (s.cost = v), DEFAULTS.cost);
  take("seed", int(0, 2 ** 32 - 1), (v) => (s.seed = v), String(DEFAULTS.seed));
  take("x", pair, (v) => (s.x = v), DEFAULTS.x.join(","));
  take("y", pair, (v) => (s.y = v), DEFAULTS.y.join(","));
  take("image", int(0, 9999), (v) => (s.image = v), String(DEFAULTS.image));
  take("label", int(0, 9), (v) => (s.label = v), "—");
  const steps = stepsFor(s.net === "tiny" ? 2 : 3).length;
  take("step", int(1, steps), (v) => (s.step = v - 1), "1");
  return { state: s, bad, labelGiven: p.has("label") && !bad.some((b) => b.name === "label") };
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
}

const SUP = "⁰¹²³⁴⁵⁶⁷⁸⁹";
const sup = (n: number) => String(n).split("").map((d) => SUP[Number(d)]).join("");

/** A number for a small space: 3 significant digits, powers of ten below 0.001, in the page's language. */
function fmt(v: number): string {
  if (!Number.isFinite(v)) return formatNumber(v);
  if (v === 0) return "0";
  if (Math.abs(v) >= 1e-3 && Math.abs(v) < 1e5) return formatNumber(v, { maximumSignificantDigits: 3 });
  const [m, e] = v.toExponential(2).split("e");
  return `${formatNumber(Number(m), { minimumFractionDigits: 2, maximumFractionDigits: 2 })}e${e!.replace("+", "").replace("-", "−")}`;
}

let enginePromise: Promise<Engine> | null = null;
let digitsPromise: Promise<Digits> | null = null;

export function mountBackprop(root: HTMLElement, ctx: ViewContext): MountedView {
  const parsed = readParams(ctx.params);
  const state = parsed.state;
  let labelChosen = parsed.labelGiven;
  const probe = ctx.probe as Record<string, unknown>;
  probe.ready = false;
  probe.badParams = parsed.bad.map((b) => b.name);
  let engine: Engine | null = null;
  let digits: Digits | null = null;
  let tinyNets = new Map<number, DenseLayer[]>();
  let worked: Worked | null = null;
  let net: DenseLayer[] | null = null;
  let checked: { result: BackpropCheck; params: number; all: boolean } | null = null;
  let loadError: string | null = null;
  let destroyed = false;

  // ── Setup panel ──
  const setupH = el("h2");
  const netLabel = el("label", { htmlFor: "bp-net" });
  const netSelect = el("select", { id: "bp-net" });
  const costLabel = el("label", { htmlFor: "bp-cost" });
  const costSelect = el("select", { id: "bp-cost" });
  const costHint = el("p", { className: "hint" });
  const num = (id: string, value: number, step: string) => el("input", { id, type: "number", step, value: String(value) });
  const seedLabel = el("label", { htmlFor: "bp-seed" });
  const seedInput = num("bp-seed", state.seed, "1");
  seedInput.min = "0";
  const xyLabels = [el("label", { htmlFor: "bp-x1" }), el("label", { htmlFor: "bp-x2" }), el("label", { htmlFor: "bp-y1" }), el("label", { htmlFor: "bp-y2" })];
  const xyInputs = [num("bp-x1", state.x[0], "0.01"), num("bp-x2", state.x[1], "0.01"), num("bp-y1", state.y[0], "0.01"), num("bp-y2", state.y[1], "0.01")];
  const tinyHint = el("p", { className: "hint" });
  const field = (label: HTMLElement, input: HTMLElement) => el("div", { className: "bp-field" }, label, input);
  const tinyBox = el("div", { className: "bp-tiny" },
    el("div", { className: "bp-grid" }, ...xyInputs.map((input, i) => field(xyLabels[i]!, input)), field(seedLabel, seedInput)), tinyHint);
  const pad = el("canvas", { id: "bp-pad", width: 280, height: 280 });
  const clearButton = el("button", { type: "button", id: "bp-clear" });
  const padHint = el("p", { className: "hint" });
  const imageLabel = el("label", { htmlFor: "bp-image" });
  const imageInput = num("bp-image", state.image, "1");
  imageInput.min = "0";
  imageInput.max = "9999";
  const nextImage = el("button", { type: "button", id: "bp-next-image" });
  const labelLabel = el("label", { htmlFor: "bp-label" });
  const labelSelect = el("select", { id: "bp-label" });
  for (let d = 0; d <= 9; d++) labelSelect.append(new Option(String(d), String(d)));
  const sourceLine = el("p", { className: "bp-source", id: "bp-source" });
  const digitsBox = el("div", { className: "bp-digits" },
    el("div", { className: "bp-draw" }, pad, el("div", { className: "bp-draw-side" }, padHint, clearButton)),
    el("div", { className: "bp-grid" }, field(imageLabel, imageInput), el("div", { className: "bp-field bp-field-button" }, nextImage), field(labelLabel, labelSelect)),
    sourceLine);
  const status = el("p", { className: "hint", id: "bp-status" });
  status.setAttribute("role", "status");
  const notes = el("p", { className: "bp-notes", id: "bp-notes" });
  const setup = el("section", { className: "bp-setup" }, setupH, el("div", { className: "bp-grid" }, field(netLabel, netSelect), field(costLabel, costSelect)), costHint, tinyBox, digitsBox, status, notes);

  // ── Steps and equations panel ──
  const stepsH = el("h2");
  const backButton = el("button", { type: "button", id: "bp-back" });
  const nextButton = el("button", { type: "button", id: "bp-next" });
  const stepOf = el("span", { className: "bp-step-of", id: "bp-step-of" });
  stepOf.setAttribute("aria-live", "polite");
  const stepList = el("ol", { className: "bp-step-list", id: "bp-step-list" });
  const explain = el("p", { className: "bp-explain", id: "bp-explain" });
  const eqH = el("h2");
  const eqBox = el("div", { className: "bp-equations", id: "bp-equations" });
  const stepsPanel = el("section", { className: "bp-steps" }, stepsH, el("div", { className: "buttons bp-nav" }, backButton, stepOf, nextButton), stepList, explain);
  const eqPanel = el("section", { className: "bp-eq-panel" }, eqH, eqBox);

  // ── Picture and numbers ──
  const pictureH = el("h2");
  const pictureBox = el("div", { className: "bp-picture", id: "bp-picture" });
  const picturePanel = el("section", { className: "bp-picture-panel" }, pictureH, pictureBox);
  const numbersH = el("h2");
  const numbersBox = el("div", { className: "bp-numbers", id: "bp-numbers" });
  const numbersPanel = el("section", { className: "bp-numbers-panel" }, numbersH, numbersBox);

  // ── Check ──
  const checkH = el("h2");
  const checkButton = el("button", { type: "button", id: "bp-check" });
  const checkHint = el("p", { className: "hint" });
  const checkBox = el("div", { id: "bp-check-result", className: "bp-check" });
  checkBox.setAttribute("aria-live", "polite");
  const checkPanel = el("section", { className: "bp-check-panel" }, checkH, checkHint, el("div", { className: "buttons" }, checkButton), checkBox);

  root.append(setup, stepsPanel, eqPanel, picturePanel, numbersPanel, checkPanel);

  const steps = () => stepsFor(state.net === "tiny" ? 2 : 3);
  const current = (): Step => steps()[Math.min(state.step, steps().length - 1)]!;

  function saveParams(): void {
    const tiny = state.net === "tiny";
    ctx.setParams({
      net: state.net, cost: state.cost, step: state.step + 1,
      seed: tiny ? state.seed : null, x: tiny ? state.x.join(",") : null, y: tiny ? state.y.join(",") : null,
      image: tiny ? null : state.image, label: tiny || !labelChosen ? null : state.label,
    });
  }

  /** Recomputes the hand backprop for the current network and example, and fills the probe. */
  function compute(): void {
    worked = null;
    net = null;
    if (!engine) return;
    let x: ArrayLike<number>;
    let target: number | ArrayLike<number>;
    if (state.net === "tiny") {
      if (!tinyNets.has(state.seed)) tinyNets = new Map([[state.seed, engine.tinyNet(state.seed)]]);
      net = tinyNets.get(state.seed)!;
      x = state.x;
      target = state.y;
    } else {
      if (!digits) return;
      net = digits.net;
      x = state.drawing ?? engine.testImage(digits, Math.min(state.image, digits.count - 1));
      if (!labelChosen && !state.drawing) state.label = digits.labels[Math.min(state.image, digits.count - 1)]!;
      target = state.label;
    }
    worked = engine.work(net, x, target, state.cost);
    const w = worked;
    Object.assign(probe, {
      ready: true, net: state.net, cost: state.cost, step: state.step, stepKind: current().kind, steps: steps().length,
      seed: state.seed, image: state.image, label: state.label, source: state.net === "tiny" ? "tiny" : state.drawing ? "drawing" : "test",
      x: Array.from(w.a[0]!), y: Array.from(w.y), z: w.z.map((v) => Array.from(v)), a: w.a.map((v) => Array.from(v)), delta: w.delta.map((v) => Array.from(v)),
      gradB: w.gradB.map((v) => Array.from(v)), gradW: w.gradW.map((v) => Array.from(v)), C: w.cost, outputError: w.outputError,
      backSum: w.backSum.map((v) => (v ? Array.from(v) : null)), sigmaPrime: w.sigmaPrime.map((v) => (v ? Array.from(v) : null)),
      gradA: w.gradA ? Array.from(w.gradA) : null, prediction: w.prediction,
      check: checked?.result ?? null,
    });
  }

  function changed(): void {
    checked = null;
    probe.check = null;
    compute();
    saveParams();
    render();
  }

  // ── Rendering ──
  function stepName(s: Step): string {
    switch (s.kind) {
      case "forward": return t("sForward", { l: s.layer });
      case "cost": return t("sCost");
      case "bp1": return t("sBp1");
      case "bp2": return t("sBp2", { l: s.layer });
      case "bp3": return t("sBp3");
      case "bp4": return t("sBp4");
    }
  }

  function renderEquations(s: Step): void {
    const eq = equationOf(s);
    const output = net?.[net.length - 1]?.activation ?? "sigmoid";
    const rows: [string, string, string][] = [
      ["fz", t("eqForward"), FZ + FA],
      ["cost", t("eqCost"), costEquation(state.cost, output)],
      ["bp1", "BP1", BP1 + (worked ? `<div class="bp-here"><span>${t("here")}</span>${bp1Here(worked.outputError)}</div>` : "")],
      ["bp2", "BP2", BP2],
      ["bp3", "BP3", BP3],
      ["bp4", "BP4", BP4],
    ];
    eqBox.innerHTML = "";
    for (const [id, tag, html] of rows) {
      const div = el("div", { className: `bp-eq${id === eq ? " current" : ""}` });
      div.dataset["eq"] = id;
      const math = el("div", { className: "bp-math" });
      math.innerHTML = html;
      div.append(el("span", { className: "bp-tag" }, tag), math);
      if (id === eq) div.setAttribute("aria-current", "step");
      eqBox.append(div);
    }
  }

  function table(head: string[], rows: (string | number)[][], highlight: number[] = []): HTMLTableElement {
    const tb = el("table", { className: "bp-table" });
    const tr = el("tr");
    head.forEach((h, i) => tr.append(el("th", { scope: "col", className: highlight.includes(i) ? "hl" : "" }, h)));
    const body = el("tbody");
    for (const r of rows) {
      const row = el("tr");
      r.forEach((v, i) => row.append(i === 0 ? el("th", { scope: "row" }, String(v)) : el("td", { className: highlight.includes(i) ? "hl" : "" }, typeof v === "number" ? fmt(v) : v)));
      body.append(row);
    }
    tb.append(el("thead", {}, tr), body);
    return tb;
  }

  function renderNumbers(s: Step): void {
    numbersBox.innerHTML = "";
    const w = worked;
    if (!w || !net) return;
    const L = net.length;
    const range = (n: number) => Array.from({ length: n }, (_, i) => i);
    const j1 = (j: number) => String(j + (state.net === "tiny" ? 1 : 0));
    const neuron = t("neuron");
    switch (s.kind) {
      case "forward": {
        const l = s.layer;
        if (state.net === "tiny") numbersBox.append(el("p", { className: "bp-inline" }, `a${sup(l - 1)} = (${Array.from(w.a[l - 1]!, fmt).join(" ; ")})`));
        numbersBox.append(table([neuron, `z${sup(l)}ⱼ`, `a${sup(l)}ⱼ`], range(net[l - 1]!.outFeatures).map((j) => [j1(j), w.z[l - 1]![j]!, w.a[l]![j]!]), [1, 2]));
        break;
      }
      case "cost":
        numbersBox.append(el("p", { className: "bp-big", id: "bp-cost-value" }, t("costValue", { c: fmt(w.cost) })));
        numbersBox.append(table([neuron, `aᴸⱼ`, "yⱼ"], range(w.y.length).map((j) => [j1(j), w.a[L]![j]!, w.y[j]!]), [1, 2]));
        break;
      case "bp1": {
        const head = [neuron, "aᴸⱼ", "yⱼ"];
        if (w.gradA) head.push("∂C/∂aᴸⱼ");
        if (w.gradA && w.sigmaPrime[L - 1]) head.push("σ′(zᴸⱼ)");
        head.push("δᴸⱼ");
        const rows = range(w.y.length).map((j) => {
          const r: (string | number)[] = [j1(j), w.a[L]![j]!, w.y[j]!];
          if (w.gradA) r.push(w.gradA[j]!);
          if (w.gradA && w.sigmaPrime[L - 1]) r.push(w.sigmaPrime[L - 1]![j]!);
          r.push(w.delta[L - 1]![j]!);
          return r;
        });
        numbersBox.append(table(head, rows, [head.length - 1]));
        break;
      }
      case "bp2": {
        const l = s.layer;
        numbersBox.append(table([neuron, `((w${sup(l + 1)})ᵀδ${sup(l + 1)})ₖ`, `σ′(z${sup(l)}ₖ)`, `δ${sup(l)}ₖ`],
          range(net[l - 1]!.outFeatures).map((k) => [j1(k), w.backSum[l - 1]![k]!, w.sigmaPrime[l - 1]![k]!, w.delta[l - 1]![k]!]), [3]));
        break;
      }
      case "bp3":
        numbersBox.append(table([t("layer"), neuron, "∂C/∂bˡⱼ = δˡⱼ"], net.flatMap((layer, l) => range(layer.outFeatures).map((j) => [String(l + 1), j1(j), w.gradB[l]![j]!])), [2]));
        break;
      case "bp4":
        net.forEach((layer, l) => {
          numbersBox.append(el("h3", {}, t("gradientsOf", { l: l + 1, rows: layer.outFeatures, cols: layer.inFeatures })));
          const g = w.gradW[l]!;
          if (state.net === "tiny") {
            const head = ["", ...range(layer.inFeatures).map((k) => `k = ${k + 1}`)];
            numbersBox.append(table(head, range(layer.outFeatures).map((j) => [`j = ${j + 1}`, ...range(layer.inFeatures).map((k) => g[j * layer.inFeatures + k]!)]), range(layer.inFeatures).map((k) => k + 1)));
          } else {
            let best = 0;
            for (let i = 1; i < g.length; i++) if (Math.abs(g[i]!) > Math.abs(g[best]!)) best = i;
            if (l === 0) numbersBox.append(el("p", { className: "hint" }, t("tilesHint")));
            numbersBox.append(heatmap(g, layer.outFeatures, layer.inFeatures, t("heatLabel", { l: l + 1 })));
            numbersBox.append(el("p", { className: "hint" }, t("largest", { v: fmt(g[best]!), j: String(Math.floor(best / layer.inFeatures)), k: String(best % layer.inFeatures) })));
          }
        });
        break;
    }
  }

  function renderCheck(): void {
    checkBox.innerHTML = "";
    if (!checked) return;
    const r = checked.result;
    const e = (v: number) => fmt(v);
    checkBox.append(el("p", { className: "hint" }, checked.all ? t("checkAll", { n: checked.params }) : t("checkSome", { n: checked.params })));
    const tb = el("table", { className: "bp-table bp-check-table" });
    const group = el("tr", {}, el("th"), el("th", { colSpan: 3, scope: "colgroup" }, t("fdCol")), el("th", { colSpan: 2, scope: "colgroup" }, t("autoCol")));
    const cols = el("tr", {}, ...[t("layer"), t("bias"), t("weight"), t("entries"), t("bias"), t("weight")].map((h) => el("th", { scope: "col" }, h)));
    const body = el("tbody");
    r.finiteDifferences.forEach((f, l) => {
      body.append(el("tr", {}, el("th", { scope: "row" }, String(l + 1)), ...[e(f.bias), e(f.weight), formatNumber(f.biasEntries + f.weightEntries), e(r.autograd[l]!.bias), e(r.autograd[l]!.weight)].map((v) => el("td", {}, v))));
    });
    tb.append(el("thead", {}, group, cols), body);
    checkBox.append(el("div", { className: "bp-scroll" }, tb));
    const fd = Math.max(...r.finiteDifferences.map((f) => Math.max(f.bias, f.weight)));
    const auto = Math.max(...r.autograd.map((f) => Math.max(f.bias, f.weight)));
    checkBox.append(el("p", { className: "bp-worst", id: "bp-worst" }, t("worst", { fd: e(fd), auto: e(auto) })));
  }

  function render(): void {
    if (destroyed) return;
    const s = current();
    setupH.textContent = t("setupH");
    netLabel.textContent = t("network");
    netSelect.innerHTML = "";
    netSelect.append(new Option(t("tiny"), "tiny", false, state.net === "tiny"), new Option(t("digits"), "digits", false, state.net === "digits"));
    costLabel.textContent = t("cost");
    costSelect.innerHTML = "";
    costSelect.append(new Option(t("quadratic"), "quadratic", false, state.cost === "quadratic"), new Option(t("crossEntropy"), "cross-entropy", false, state.cost === "cross-entropy"));
    costHint.textContent = t("costHint");
    (["x1", "x2", "y1", "y2"] as const).forEach((k, i) => (xyLabels[i]!.textContent = t(k)));
    seedLabel.textContent = t("seed");
    tinyHint.textContent = t("tinyHint");
    pad.setAttribute("aria-label", t("pad"));
    padHint.textContent = t("padHint");
    clearButton.textContent = t("clear");
    imageLabel.textContent = t("image");
    nextImage.textContent = t("nextImage");
    labelLabel.textContent = t("label");
    labelSelect.value = String(state.label);
    tinyBox.hidden = state.net !== "tiny";
    digitsBox.hidden = state.net !== "digits";
    status.textContent = loadError ?? (!worked ? t("loading") : state.net === "digits" && digits ? t("model", { file: digits.file }) : "");
    notes.textContent = parsed.bad.map((b) => t("badParam", { name: b.name, value: b.value, used: b.used })).join(" ");
    if (state.net === "digits" && worked) {
      sourceLine.textContent = `${state.drawing ? t("sourceDrawing") : t("source", { i: state.image, d: String(digits?.labels[state.image] ?? "") })} ${t("prediction", { p: String(worked.prediction), y: String(state.label) })}`;
    } else sourceLine.textContent = "";

    stepsH.textContent = t("stepsH");
    backButton.textContent = `← ${t("back")}`;
    nextButton.textContent = `${t("next")} →`;
    backButton.disabled = state.step === 0;
    nextButton.disabled = state.step === steps().length - 1;
    stepOf.textContent = t("stepOf", { n: state.step + 1, total: steps().length });
    stepList.innerHTML = "";
    steps().forEach((st, i) => {
      const b = el("button", { type: "button", className: "bp-step-button" }, stepName(st));
      if (i === state.step) b.setAttribute("aria-current", "step");
      b.addEventListener("click", () => go(i));
      stepList.append(el("li", { className: i === state.step ? "current" : i < state.step ? "done" : "" }, b));
    });
    const explanation: Record<Step["kind"], string> = {
      forward: t("eForward", { l: s.kind === "forward" ? s.layer : 1 }), cost: t("eCost"), bp1: t("eBp1"),
      bp2: t("eBp2", { l: s.kind === "bp2" ? s.layer : 1 }), bp3: t("eBp3"), bp4: t("eBp4"),
    };
    explain.textContent = explanation[s.kind];
    eqH.textContent = t("eqH");
    renderEquations(s);

    pictureH.textContent = t("pictureH");
    numbersH.textContent = t("numbersH");
    pictureBox.innerHTML = "";
    if (worked && net) pictureBox.append(state.net === "tiny" ? tinyPicture(net, worked, s, fmt, t("tinyLabel")) : digitsPicture(net, worked, s, fmt, t("digitsLabel")));
    renderNumbers(s);

    checkH.textContent = t("checkH");
    checkButton.textContent = t("check");
    checkButton.disabled = !worked;
    checkHint.textContent = t("checkHint");
    renderCheck();
  }

  function go(i: number): void {
    state.step = Math.max(0, Math.min(steps().length - 1, i));
    probe.step = state.step;
    probe.stepKind = current().kind;
    saveParams();
    render();
  }

  // ── Events ──
  backButton.addEventListener("click", () => go(state.step - 1));
  nextButton.addEventListener("click", () => go(state.step + 1));
  netSelect.addEventListener("change", () => {
    state.net = netSelect.value === "digits" ? "digits" : "tiny";
    state.step = Math.min(state.step, steps().length - 1);
    start();
  });
  costSelect.addEventListener("change", () => {
    state.cost = costSelect.value === "cross-entropy" ? "cross-entropy" : "quadratic";
    changed();
  });
  const readNumber = (input: HTMLInputElement, ok: (v: number) => boolean): number | null => {
    const v = Number(input.value);
    const valid = input.value.trim() !== "" && Number.isFinite(v) && ok(v);
    input.setAttribute("aria-invalid", String(!valid));
    return valid ? v : null;
  };
  xyInputs.forEach((input, i) => input.addEventListener("input", () => {
    const v = readNumber(input, (n) => Math.abs(n) <= 1e3);
    if (v === null) return;
    if (i < 2) state.x[i] = v;
    else state.y[i - 2] = v;
    changed();
  }));
  seedInput.addEventListener("input", () => {
    const v = readNumber(seedInput, (n) => Number.isInteger(n) && n >= 0 && n < 2 ** 32);
    if (v === null) return;
    state.seed = v;
    changed();
  });
  imageInput.addEventListener("input", () => {
    const v = readNumber(imageInput, (n) => Number.isInteger(n) && n >= 0 && n <= 9999);
    if (v === null) return;
    pickImage(v);
  });
  nextImage.addEventListener("click", () => {
    pickImage((state.image + 1) % (digits?.count ?? 10000));
    imageInput.value = String(state.image);
  });
  function pickImage(i: number): void {
    state.image = i;
    state.drawing = null;
    labelChosen = false;
    padObj.clearQuietly();
    changed();
  }
  labelSelect.addEventListener("change", () => {
    state.label = Number(labelSelect.value);
    labelChosen = true;
    changed();
  });
  let skipClear = false;
  const padObj = Object.assign(new DrawPad(pad, (pixels) => {
    if (skipClear) {
      skipClear = false;
      return;
    }
    if (state.net !== "digits") return;
    if (!pixels && !state.drawing) return;
    state.drawing = pixels;
    changed();
  }), {
    /** Empties the pad without turning its change into a new example (a test image was picked). */
    clearQuietly() {
      skipClear = true;
      padObj.clear();
    },
  });
  clearButton.addEventListener("click", () => padObj.clear());
  checkButton.addEventListener("click", () => {
    if (!engine || !worked || !net) return;
    const x = Array.from(worked.a[0]!);
    const target = state.net === "tiny" ? state.y : state.label;
    const copy = net.map((l) => ({ ...l, w: Float64Array.from(l.w), b: Float64Array.from(l.b) }));
    const result = engine.check(copy, x, target, state.cost, worked);
    const params = result.finiteDifferences.reduce((s, f) => s + f.biasEntries + f.weightEntries, 0);
    const total = net.reduce((s, l) => s + l.w.length + l.b.length, 0);
    checked = { result, params, all: params === total };
    probe.check = result;
    probe.checks = ((probe.checks as number | undefined) ?? 0) + 1;
    renderCheck();
  });

  /** Loads what the chosen network needs (the engine; for digits, the model and test images), then computes. */
  function start(): void {
    loadError = null;
    worked = null;
    render();
    enginePromise ??= import("./engine.js");
    const need = enginePromise.then(async (e) => {
      engine = e;
      if (state.net === "digits") {
        digitsPromise ??= e.loadDigits(ctx.base).catch((err) => {
          digitsPromise = null;
          throw err;
        });
        digits = await digitsPromise;
      }
    });
    need.then(() => {
      if (destroyed) return;
      changed();
    }).catch((err: unknown) => {
      loadError = t("loadFailed", { what: err instanceof Error ? err.message : String(err) });
      render();
    });
  }

  start();
  return {
    destroy() {
      destroyed = true;
    },
    relabel: render,
  };
}
