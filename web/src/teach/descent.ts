/**
 * View "descent": gradient descent the 3Blue1Brown way, on the explainer's own 784-16-16-10
 * sigmoid network (13,002 parameters, the `3b1b` preset) trained on MNIST in a worker — the cost of
 * your digit, the landscape slice with the weights as a ball, the learning-rate curve with its
 * zones, and the whole gradient as the list of 13,002 nudges.
 */
// The CSS import below, for the Node type check too (test/web-i18n.test.ts imports the views).
/// <reference types="vite/client" />
import "./descent.css";
import type { MountedView, TeachingView, ViewContext } from "./view.js";
import { fixed, formatNumber, percent } from "../i18n.js";
import { DrawPad, paintDigit } from "../views/draw.js";
import { zoneOf } from "../../../src/analysis/rate-zones.js";
import { t } from "./descent/strings.js";
import { drawLandscape, drawRateCurve, ZONE_COLORS } from "./descent/charts.js";
import { NudgeTable, SORT_KEYS, type SortKey } from "./descent/nudges.js";
import type { Analysis, DigitReport, DigitSource, FromWorker, GradientSource, ToWorker } from "./descent/protocol.js";

const EVAL_N = 1000;
const DEFAULTS = { seed: 1, lr: 3, grad: "step" as GradientSource, img: 1000 };

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};

/** η with three significant digits, so the URL and the slider agree. */
const roundLr = (v: number) => Number(v.toPrecision(3));

function mount(root: HTMLElement, ctx: ViewContext): MountedView {
  const probe = ctx.probe;
  // ----- Settings from the URL (an invalid value is ignored, with a note).
  const notes: (() => string)[] = [];
  const p = ctx.params;
  const int = (name: string, lo: number, hi: number, why: Parameters<typeof t>[0]): number | null => {
    const raw = p.get(name);
    if (raw === null) return null;
    const v = Number(raw);
    if (raw.trim() !== "" && Number.isInteger(v) && v >= lo && v <= hi) return v;
    notes.push(() => t("invalid", { name, value: raw, why: t(why) }));
    return null;
  };
  let seed = int("seed", 0, 2 ** 31 - 1, "whySeed") ?? DEFAULTS.seed;
  let img = int("img", 0, 9999, "whyImg") ?? DEFAULTS.img;
  let meant: number | null = int("digit", 0, 9, "whyDigit");
  let lr = DEFAULTS.lr;
  const rawLr = p.get("lr");
  if (rawLr !== null) {
    const v = Number(rawLr);
    if (rawLr.trim() !== "" && v >= 0.01 && v <= 100) lr = roundLr(v);
    else notes.push(() => t("invalid", { name: "lr", value: rawLr, why: t("whyLr") }));
  }
  let gradSource: GradientSource = DEFAULTS.grad;
  const rawGrad = p.get("grad");
  if (rawGrad === "step" || rawGrad === "eval") gradSource = rawGrad;
  else if (rawGrad !== null) notes.push(() => t("invalid", { name: "grad", value: rawGrad, why: t("whyGrad") }));
  let sort: { key: SortKey; desc: boolean } = { key: "size", desc: true };
  const rawSort = p.get("sort");
  if (rawSort !== null) {
    const [k, d] = rawSort.split(":");
    if ((SORT_KEYS as readonly string[]).includes(k!) && (d === "asc" || d === "desc")) sort = { key: k as SortKey, desc: d === "desc" };
    else notes.push(() => t("invalid", { name: "sort", value: rawSort, why: "" }));
  }
  Object.assign(probe, { seed, lr, gradSource, phase: "loading", step: 0, notes: notes.length });

  // ----- Panels.
  const noteBox = el("p", "descent-note");
  noteBox.setAttribute("role", "status");
  const trainS = el("section", "descent-train");
  const trainH = el("h3");
  const trainIntro = el("p", "hint");
  const buttons = el("div", "descent-buttons");
  const stepB = [el("button"), el("button"), el("button")];
  const playB = el("button");
  playB.id = "descent-play";
  stepB.forEach((b, i) => (b.id = `descent-step-${[1, 10, 100][i]}`));
  for (const b of [...stepB, playB]) {
    b.type = "button";
    b.disabled = true;
  }
  const seedLabel = el("label", "descent-seed");
  const seedText = el("span");
  const seedIn = el("input");
  seedIn.type = "number";
  seedIn.min = "0";
  seedIn.step = "1";
  seedIn.value = String(seed);
  seedIn.id = "descent-seed";
  seedLabel.append(seedText, seedIn);
  buttons.append(...stepB, playB, seedLabel);
  const stepLine = el("p", "descent-steps");
  stepLine.id = "descent-steps";
  stepLine.setAttribute("aria-live", "polite");
  trainS.append(trainH, trainIntro, noteBox, buttons, stepLine);

  const digitS = el("section", "descent-digit");
  const digitH = el("h3");
  const digitIntro = el("p", "hint");
  const digitRow = el("div", "descent-digit-row");
  const padBox = el("div", "descent-pad");
  const pad = el("canvas");
  pad.width = pad.height = 280;
  pad.id = "descent-pad";
  const padButtons = el("div", "descent-pad-buttons");
  const clearB = el("button");
  const pickB = el("button");
  clearB.type = pickB.type = "button";
  pickB.id = "descent-pick";
  padButtons.append(clearB, pickB);
  padBox.append(pad, padButtons);
  const shownBox = el("div", "descent-shown");
  const shown = el("canvas");
  shown.width = shown.height = 28;
  shown.id = "descent-shown";
  const shownText = el("p", "hint");
  const meantLabel = el("label");
  const meantText = el("span");
  const meantSel = el("select");
  meantSel.id = "descent-meant";
  for (let d = 0; d < 10; d++) meantSel.append(new Option(String(d), String(d)));
  meantLabel.append(meantText, meantSel);
  shownBox.append(shown, shownText, meantLabel);
  digitRow.append(padBox, shownBox);
  const outTable = el("table", "descent-outputs");
  outTable.id = "descent-outputs";
  const sumLine = el("p", "descent-sum");
  sumLine.id = "descent-sum";
  const guessLine = el("p", "hint");
  const avgLine = el("p", "descent-avg");
  avgLine.id = "descent-avg";
  const halfNote = el("p", "hint");
  digitS.append(digitH, digitIntro, digitRow, outTable, sumLine, guessLine, avgLine, halfNote);

  const landS = el("section", "descent-land");
  const landH = el("h3");
  const landIntro = el("p", "hint");
  const land = el("canvas", "descent-canvas");
  land.id = "descent-landscape";
  land.setAttribute("role", "img");
  const landLine = el("p", "descent-ball");
  const landCap = el("p", "hint");
  landS.append(landH, landIntro, land, landLine, landCap);

  // The learning rate lives with the Step buttons it drives.
  const lrS = trainS;
  const lrH = el("h3", "descent-lr-h");
  const lrIntro = el("p", "hint");
  const lrLabel = el("label", "descent-slider");
  const lrText = el("span");
  const lrIn = el("input");
  lrIn.type = "range";
  lrIn.min = "-2";
  lrIn.max = "2";
  lrIn.step = "0.01";
  lrIn.id = "descent-lr";
  lrIn.value = String(Math.log10(lr));
  const lrValue = el("output");
  lrValue.id = "descent-lr-value";
  lrLabel.append(lrText, lrIn, lrValue);
  const lrCanvas = el("canvas", "descent-canvas");
  lrCanvas.id = "descent-rate";
  lrCanvas.setAttribute("role", "img");
  const zoneLine = el("p", "descent-zone");
  zoneLine.id = "descent-zone";
  zoneLine.setAttribute("aria-live", "polite");
  const legend = el("ul", "descent-legend");
  const zonesHow = el("p", "hint");
  lrS.append(lrH, lrIntro, lrLabel, lrCanvas, zoneLine, legend, zonesHow);

  const nudgeS = el("section", "descent-nudges-panel");
  const nudgeH = el("h3");
  const nudgeIntro = el("p", "hint");
  const srcBox = el("fieldset", "descent-source");
  const srcLegend = el("legend");
  const srcInputs = (["step", "eval"] as const).map((v) => {
    const l = el("label");
    const i = el("input");
    i.type = "radio";
    i.name = "descent-grad";
    i.value = v;
    i.id = `descent-grad-${v}`;
    i.checked = v === gradSource;
    const s = el("span");
    l.append(i, s);
    srcBox.append(l);
    return { input: i, text: s };
  });
  srcBox.prepend(srcLegend);
  const nudgeTools = el("div", "descent-tools");
  const searchLabel = el("label");
  const searchText = el("span");
  const searchIn = el("input");
  searchIn.type = "search";
  searchIn.id = "descent-search";
  searchLabel.append(searchText, searchIn);
  const csvB = el("button");
  csvB.type = "button";
  csvB.id = "descent-csv";
  csvB.disabled = true;
  nudgeTools.append(searchLabel, csvB);
  const nudgeCount = el("p", "descent-count");
  nudgeCount.id = "descent-count";
  const noStep = el("p", "hint");
  const tableBox = el("div");
  nudgeS.append(nudgeH, nudgeIntro, srcBox, nudgeTools, nudgeCount, noStep, tableBox);
  root.append(trainS, digitS, landS, nudgeS);

  // ----- State.
  let phase: "loading" | "ready" | "running" | "idle" = "loading";
  let step = 0;
  let batchCost = NaN;
  let speed = NaN;
  let analysis: Analysis | null = null;
  let digit: DigitReport | null = null;
  let point: { lr: number; cost: number } | null = null;
  let error: string | null = null;
  let paramCount = 13002;

  const table = new NudgeTable(tableBox, probe, sort, (s) => {
    sort = s;
    ctx.setParams({ sort: s.key === "size" && s.desc ? null : `${s.key}:${s.desc ? "desc" : "asc"}` });
  });

  const worker = new Worker(new URL("./descent-worker.ts", import.meta.url), { type: "module", name: ctx.base });
  const send = (m: ToWorker) => worker.postMessage(m);
  const digitSource = (): DigitSource => ({ kind: "test", index: img });
  let drawn: Float32Array | null = null;
  const askDigit = () => send({ type: "digit", source: drawn ? { kind: "drawn", pixels: drawn } : digitSource(), label: meant });

  worker.onmessage = (e: MessageEvent<FromWorker>) => {
    const m = e.data;
    switch (m.type) {
      case "status":
        phase = m.phase;
        Object.assign(probe, { phase, fma: m.fma });
        renderTrain();
        break;
      case "progress":
        step = m.step;
        batchCost = m.batchCost;
        speed = m.stepsPerSecond;
        Object.assign(probe, { step, batchCost, stepsPerSecond: speed });
        renderTrain();
        break;
      case "analysis":
        analysis = m.analysis;
        point = m.analysis.current.lr === lr ? m.analysis.current : point?.lr === lr ? point : null;
        exposeAnalysis();
        renderAnalysis();
        break;
      case "digit":
        digit = m.report;
        renderDigit();
        break;
      case "gradient":
        paramCount = m.report.grad.length;
        probe["params"] = paramCount;
        table.set(m.report, m.report.source === "step" ? m.report.lr ?? lr : lr);
        csvB.disabled = false;
        renderNudgeText();
        break;
      case "point":
        if (m.lr === lr && m.step === analysis?.step) {
          point = { lr: m.lr, cost: m.cost };
          renderRate();
        }
        break;
      case "error":
        error = m.text;
        renderTrain();
        break;
    }
  };
  worker.onerror = (e) => {
    error = e.message;
    renderTrain();
  };
  send({ type: "init", seed, lr });
  askDigit();
  send({ type: "gradient", source: gradSource });

  // ----- Controls.
  stepB.forEach((b, i) => b.addEventListener("click", () => send({ type: "step", count: [1, 10, 100][i]!, lr })));
  playB.addEventListener("click", () => send(phase === "running" ? { type: "pause" } : { type: "play", lr }));
  seedIn.addEventListener("change", () => {
    const v = Number(seedIn.value);
    if (!Number.isInteger(v) || v < 0 || v > 2 ** 31 - 1) {
      seedIn.setCustomValidity(t("whySeed"));
      seedIn.reportValidity();
      return;
    }
    seedIn.setCustomValidity("");
    seed = v;
    probe["seed"] = seed;
    ctx.setParams({ seed: seed === DEFAULTS.seed ? null : seed });
    step = 0;
    batchCost = NaN;
    send({ type: "pause" });
    send({ type: "init", seed, lr });
  });
  lrIn.addEventListener("input", () => {
    lr = roundLr(10 ** Number(lrIn.value));
    probe["lr"] = lr;
    ctx.setParams({ lr: lr === DEFAULTS.lr ? null : lr });
    point = null;
    send({ type: "lr", lr });
    renderRate();
    renderLandscape();
  });
  const drawPad = new DrawPad(pad, (pixels) => {
    if (!pixels) return;
    drawn = pixels;
    askDigit();
  });
  clearB.addEventListener("click", () => {
    drawPad.clear();
    drawn = null;
    askDigit();
  });
  pickB.addEventListener("click", () => {
    drawn = null;
    img = img >= 9999 ? EVAL_N : img + 1;
    meant = null;
    ctx.setParams({ img, digit: null });
    askDigit();
  });
  meantSel.addEventListener("change", () => {
    meant = Number(meantSel.value);
    ctx.setParams({ digit: meant });
    askDigit();
  });
  for (const { input } of srcInputs) {
    input.addEventListener("change", () => {
      if (!input.checked) return;
      gradSource = input.value as GradientSource;
      probe["gradSource"] = gradSource;
      ctx.setParams({ grad: gradSource === DEFAULTS.grad ? null : gradSource });
      send({ type: "gradient", source: gradSource });
    });
  }
  searchIn.addEventListener("input", () => {
    table.search(searchIn.value);
    renderNudgeText();
  });
  csvB.addEventListener("click", () => {
    const report = table.current;
    if (!report) return;
    const url = URL.createObjectURL(new Blob([table.csv()], { type: "text/csv" }));
    const a = el("a");
    a.href = url;
    a.download = `descent-nudges-seed${seed}-step${report.step}-${report.source}.csv`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  });

  // ----- Rendering.
  function exposeAnalysis() {
    const a = analysis!;
    const centre = Math.floor(a.landscape.xs.length / 2);
    Object.assign(probe, {
      analysisStep: a.step, evalCost: a.evalCost, evalAccuracy: a.evalAccuracy, evalSize: EVAL_N, gradNorm: a.gradNorm,
      landscape: { ...a.landscape, ballCost: a.landscape.cost[centre * a.landscape.xs.length + centre], trail: a.trail, alphaPerEta: a.alphaPerEta },
      etaCurve: { etas: a.etas, costs: a.curve, c0: a.evalCost, best: a.best, zones: a.zones },
    });
  }

  function currentZone(): string | null {
    if (!analysis || !point) return null;
    const a = analysis;
    const bestEta = a.etas[a.best]!;
    return zoneOf(point.cost, a.evalCost, a.curve[a.best]!, lr < bestEta ? -1 : lr > bestEta ? 1 : 0);
  }

  function renderTrain() {
    const busy = phase !== "ready" && phase !== "idle";
    stepB.forEach((b) => (b.disabled = busy));
    playB.disabled = phase === "loading";
    playB.textContent = phase === "running" ? t("pause") : t("play");
    playB.setAttribute("aria-pressed", String(phase === "running"));
    const parts = phase === "loading" ? [t("loading")] : [t("steps", { n: step, examples: step * 10 })];
    if (Number.isFinite(batchCost)) parts.push(t("batchCost", { c: batchCost }));
    if (phase === "running" && Number.isFinite(speed)) parts.push(t("speed", { n: Math.round(speed) }));
    if (error) parts.push(t("error", { text: error }));
    stepLine.textContent = parts.join(" · ");
    probe["error"] = error;
  }

  function renderDigit() {
    outTable.innerHTML = "";
    const head = el("tr");
    for (const k of ["colDigit", "colA", "colY", "colSq"] as const) {
      const th = el("th", undefined, t(k));
      th.scope = "col";
      head.append(th);
    }
    const thead = el("thead");
    thead.append(head);
    const tbody = el("tbody");
    outTable.append(thead, tbody);
    if (!digit) return;
    const d = digit;
    paintDigit(shown, d.pixels);
    meantSel.value = String(d.label);
    shownText.textContent = d.source.kind === "test" ? t("testImage", { i: d.source.index, label: String(d.trueLabel) }) : t("drawn");
    const y = d.a.map((_, j) => (j === d.label ? 1 : 0));
    const sq = d.a.map((a, j) => (y[j]! - a) ** 2);
    const cost = sq.reduce((s, v) => s + v, 0);
    let guess = 0;
    d.a.forEach((a, j) => { if (a > d.a[guess]!) guess = j; });
    d.a.forEach((a, j) => {
      const tr = el("tr");
      if (j === d.label) tr.className = "meant";
      const bar = el("span", "descent-sq");
      bar.style.width = `${Math.min(100, sq[j]! * 100)}%`;
      const sqCell = el("td", "num");
      sqCell.append(el("span", undefined, fixed(sq[j]!, 4)), bar);
      tr.append(el("td", undefined, String(j)), el("td", "num", fixed(a, 4)), el("td", "num", String(y[j])), sqCell);
      tbody.append(tr);
    });
    sumLine.textContent = t("sum", { c: fixed(cost, 4) });
    guessLine.textContent = t("guess", { d: String(guess) });
    probe["digit"] = { step: d.step, a: d.a, y, sq, cost, label: d.label, trueLabel: d.trueLabel, source: d.source.kind === "test" ? { kind: "test", index: d.source.index } : { kind: "drawn" }, guess };
  }

  function renderLandscape() {
    if (!analysis) return;
    drawLandscape(land, analysis, lr);
    const centre = Math.floor(analysis.landscape.xs.length / 2);
    const cost = analysis.landscape.cost;
    landLine.textContent = `${t("landBall", { c: fixed(cost[centre * analysis.landscape.xs.length + centre]!, 4), s: formatNumber(analysis.landscape.span) })} · ${t("landColours", { lo: fixed(Math.min(...cost), 3), hi: fixed(Math.max(...cost), 3) })} · ${t("asOf", { n: analysis.step })}`;
  }

  function renderRate() {
    lrValue.textContent = t("lrValue", { v: formatNumber(lr) });
    if (!analysis) return;
    drawRateCurve(lrCanvas, analysis, lr, point?.cost ?? null);
    const zone = currentZone();
    probe["zone"] = zone;
    probe["currentCost"] = point?.cost ?? null;
    zoneLine.innerHTML = "";
    if (point && zone) {
      const chip = el("span", "descent-chip", t(`zone-${zone}` as Parameters<typeof t>[0]));
      chip.style.background = ZONE_COLORS[zone]!;
      zoneLine.append(`${t("lrNow", { v: formatNumber(lr), c: fixed(point.cost, 4), c0: fixed(analysis.evalCost, 4) })} `, chip);
    }
    zonesHow.textContent = t("zonesHow", { best: formatNumber(analysis.etas[analysis.best]!, { maximumSignificantDigits: 3 }) });
  }

  function renderAnalysis() {
    const a = analysis!;
    avgLine.textContent = `${t("average", { n: EVAL_N, c: fixed(a.evalCost, 4), acc: percent(a.evalAccuracy, 1) })} (${t("asOf", { n: a.step })})`;
    renderLandscape();
    renderRate();
  }

  function renderNudgeText() {
    const n = formatNumber(paramCount);
    nudgeH.textContent = t("nudgeH", { n });
    nudgeIntro.textContent = t("nudgeIntro", { n });
    const r = table.current;
    const matches = (probe["nudgeMatches"] as number | undefined) ?? 0;
    nudgeCount.textContent = r ? `${t("nudgeCount", { n: paramCount, shown: matches })} · ${t("nudgeLr", { v: formatNumber(r.source === "step" ? r.lr ?? lr : lr) })} · ${t("asOf", { n: r.step })}` : "";
    noStep.hidden = !(r && gradSource === "step" && r.source === "eval");
    noStep.textContent = t("noStep");
  }

  function relabel() {
    noteBox.textContent = notes.map((f) => f()).join(" ");
    noteBox.hidden = notes.length === 0;
    trainH.textContent = t("trainH");
    trainIntro.textContent = t("trainIntro", { n: paramCount, seed: String(seed) });
    stepB[0]!.textContent = t("step1");
    stepB[1]!.textContent = t("step10");
    stepB[2]!.textContent = t("step100");
    seedText.textContent = t("seed");
    digitH.textContent = t("digitH");
    digitIntro.textContent = t("digitIntro");
    pad.setAttribute("aria-label", t("pad"));
    shown.setAttribute("aria-label", t("digitShown"));
    clearB.textContent = t("clear");
    pickB.textContent = t("pick");
    meantText.textContent = t("meant");
    halfNote.textContent = t("halfNote");
    landH.textContent = t("landH");
    landIntro.textContent = t("landIntro");
    landCap.textContent = t("landCaption");
    land.setAttribute("aria-label", t("landCanvas"));
    lrH.textContent = t("lrH");
    lrIntro.textContent = t("lrIntro", { n: EVAL_N });
    lrText.textContent = t("lrLabel");
    lrCanvas.setAttribute("aria-label", t("lrCanvas"));
    legend.innerHTML = "";
    for (const z of ["too-small", "about-right", "too-large", "divergent"] as const) {
      const li = el("li");
      const sw = el("span", "descent-swatch");
      sw.style.background = ZONE_COLORS[z]!;
      li.append(sw, t(`zone-${z}`));
      legend.append(li);
    }
    srcLegend.textContent = t("gradOf");
    srcInputs[0]!.text.textContent = t("srcStep");
    srcInputs[1]!.text.textContent = t("srcEval", { n: EVAL_N });
    searchText.textContent = t("search");
    searchIn.placeholder = t("searchHint");
    csvB.textContent = t("csv");
    renderTrain();
    renderDigit();
    if (analysis) renderAnalysis();
    else renderRate();
    table.relabel();
    renderNudgeText();
  }
  relabel();

  let resizeTimer = 0;
  const onResize = () => {
    clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(() => { if (analysis) { renderLandscape(); renderRate(); } }, 100);
  };
  window.addEventListener("resize", onResize);

  return {
    destroy() {
      worker.terminate();
      window.removeEventListener("resize", onResize);
      clearTimeout(resizeTimer);
    },
    relabel,
  };
}

export const descentView: TeachingView = {
  id: "descent",
  title: () => t("title"),
  summary: () => t("summary"),
  mount,
};
