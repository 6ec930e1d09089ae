/**
 * The race view's body, loaded when the view is first shown: the optimizers of the handbook —
 * gradient descent, SGD, momentum, Nesterov, RMSProp, Adam, AdamW — from one start on a classic
 * surface (a ravine, Rosenbrock's valley, a saddle, Beale's function) or on a real network's cost
 * in its own 2-D slice. The paths are analysis/race.ts's runRacer, the same code as `descent analyze race`:
 * descent's optimizers stepping a two-parameter "model". The classic surfaces run here (a few
 * milliseconds); the network's slice runs in race-worker.ts.
 */
import { RACERS, SURFACES, SURFACE_NAMES, runRacer, sampleSurface, type RacerName, type Trajectory } from "../../../../src/analysis/race.js";
import { fixed, formatNumber } from "../../i18n.js";
import { t } from "./strings.js";
import type { MountedView, ViewContext } from "../view.js";
import { el, onNumber } from "../dom.js";
import { RaceChart } from "./chart.js";
import { MAX_STEPS, NETWORK, defaultSettings, parseSettings, settingsParams, surfaceDefaults, type RaceSettings, type SurfaceName } from "./params.js";
import type { RaceRequest, RaceWorkerReply } from "./protocol.js";

const COLORS: Record<RacerName, string> = {
  gd: "#f2f2f2", sgd: "#9aa0a6", momentum: "#ff6b6b", nesterov: "#ffa94d", rmsprop: "#69db7c", adam: "#4dabf7", adamw: "#da77f2",
};
const TOLERANCE = 1e-3;

interface Result {
  settings: RaceSettings;
  grid: { xs: readonly number[]; ys: readonly number[]; z: ArrayLike<number> };
  trajectories: Trajectory[];
  minimum: { x: number; y: number; f: number } | null;
}

export function mountRace(root: HTMLElement, ctx: ViewContext): MountedView {
  const parsed = parseSettings(ctx.params);
  let settings = parsed.settings;
  let invalid = parsed.invalid;
  let inputProblem: string | null = null;
  let result: Result | null = null;
  let k = 0;
  let playing = false;
  let raf = 0;
  let worker: Worker | null = null;
  let requestId = 0;
  let status: { key: "loading" | "grid" | "racing" } | { failed: string } | null = null;
  const probe = ctx.probe;

  // Controls.
  const surfaceSelect = el("select", { id: "race-surface" });
  const surfaceLabel = el("label", { htmlFor: "race-surface" });
  const surfaceHelp = el("p", { className: "hint" });
  const racerRows = new Map<RacerName, { box: HTMLInputElement; name: HTMLLabelElement; lr: HTMLInputElement }>();
  const racersLegend = el("legend");
  const racersBox = el("fieldset", { className: "race-racers" }, racersLegend);
  for (const r of RACERS) {
    const box = el("input", { type: "checkbox", id: `race-on-${r}` });
    box.dataset["racer"] = r;
    const name = el("label", { htmlFor: `race-on-${r}` });
    const swatch = el("span", { className: "race-swatch" });
    swatch.style.background = COLORS[r];
    const lr = el("input", { type: "number", step: "any", min: "0", id: `race-lr-${r}`, className: "race-lr" });
    lr.dataset["racer"] = r;
    racersBox.append(el("div", { className: "race-racer" }, box, swatch, name, lr));
    racerRows.set(r, { box, name, lr });
  }
  const steps = el("input", { type: "number", id: "race-steps", min: "1", max: String(MAX_STEPS), step: "1" });
  const seed = el("input", { type: "number", id: "race-seed", min: "0", step: "1" });
  const sx = el("input", { type: "number", id: "race-start-x", step: "any" });
  const sy = el("input", { type: "number", id: "race-start-y", step: "any" });
  const labels = {
    steps: el("label", { htmlFor: "race-steps" }), seed: el("label", { htmlFor: "race-seed" }),
    sx: el("label", { htmlFor: "race-start-x" }), sy: el("label", { htmlFor: "race-start-y" }),
  };
  const field = (l: HTMLLabelElement, i: HTMLElement) => el("div", { className: "field" }, l, i);
  const seedHelp = el("p", { className: "hint" });
  const startHelp = el("p", { className: "hint" });
  const defaultsBtn = el("button", { type: "button", id: "race-defaults" });
  const playBtn = el("button", { type: "button", id: "race-play" });
  const stepBtn = el("button", { type: "button", id: "race-step" });
  const resetBtn = el("button", { type: "button", id: "race-reset" });
  const notes = el("p", { className: "race-notes", role: "status" });
  const settingsTitle = el("h3");
  const controls = el("section", { className: "race-controls" }, settingsTitle,
    field(surfaceLabel, surfaceSelect), surfaceHelp, racersBox,
    el("div", { className: "race-fields" }, field(labels.steps, steps), field(labels.seed, seed), field(labels.sx, sx), field(labels.sy, sy)),
    seedHelp, startHelp,
    el("div", { className: "buttons" }, playBtn, stepBtn, resetBtn, defaultsBtn), notes);

  const mapTitle = el("h3");
  const canvas = el("canvas", { id: "race-map", className: "race-map", tabIndex: 0 });
  canvas.setAttribute("role", "img");
  const chart = new RaceChart(canvas);
  const busy = el("p", { className: "hint race-busy", role: "status" });
  const legendTitle = el("h3", { className: "race-legend-title" });
  const table = el("table", { className: "race-legend", id: "race-legend" });
  const mapPanel = el("section", { className: "race-map-panel" }, mapTitle, canvas, busy, legendTitle, table);
  root.append(mapPanel, controls);
  root.classList.add("race-view");

  const surfaceName = (s: SurfaceName) => t(`surface.${s}`);

  function relabel() {
    settingsTitle.textContent = t("settings");
    surfaceLabel.textContent = t("surface");
    surfaceSelect.innerHTML = "";
    for (const s of SURFACE_NAMES) surfaceSelect.append(new Option(surfaceName(s), s, false, s === settings.surface));
    surfaceHelp.textContent = settings.surface === "network" ? t("help.network", { n: NETWORK.examples }) : t(`help.${settings.surface}`);
    racersLegend.textContent = t("racers");
    for (const [r, row] of racerRows) {
      row.name.textContent = t(`racer.${r}`);
      row.lr.setAttribute("aria-label", t("lrOf", { name: t(`racer.${r}`) }));
    }
    labels.steps.textContent = t("steps");
    labels.seed.textContent = t("seed");
    labels.sx.textContent = t("startX");
    labels.sy.textContent = t("startY");
    seedHelp.textContent = t("seedHelp");
    startHelp.textContent = t("startHelp");
    defaultsBtn.textContent = t("defaults");
    stepBtn.textContent = t("step");
    resetBtn.textContent = t("reset");
    mapTitle.textContent = t("map");
    showNotes();
    render();
  }

  function showNotes() {
    const lines = invalid.map((p) => t("invalid", p));
    if (inputProblem) lines.push(inputProblem);
    if (!settings.racers.length) lines.push(t("noRacers"));
    notes.textContent = lines.join(" ");
    notes.hidden = lines.length === 0;
  }

  function showControls() {
    surfaceSelect.value = settings.surface;
    for (const [r, row] of racerRows) {
      row.box.checked = settings.racers.includes(r);
      row.lr.value = String(settings.lr[r]);
      row.lr.removeAttribute("aria-invalid");
    }
    steps.value = String(settings.steps);
    seed.value = String(settings.seed);
    sx.value = String(settings.start[0]);
    sy.value = String(settings.start[1]);
    for (const i of [steps, seed, sx, sy]) i.removeAttribute("aria-invalid");
  }

  const maxK = () => (result ? Math.max(0, ...result.trajectories.map((tr) => tr.x.length - 1), result.settings.steps) : 0);

  function render() {
    playBtn.textContent = playing ? t("pause") : t("play");
    playBtn.setAttribute("aria-pressed", String(playing));
    busy.textContent = status === null ? "" : "failed" in status ? t("failed", { text: status.failed }) : status.key === "grid" ? t("grid", { n: NETWORK.grid }) : t(status.key);
    busy.hidden = status === null;
    if (!result) return;
    const r = result;
    const network = r.settings.surface === "network";
    canvas.setAttribute("aria-label", t("mapLabel", { surface: surfaceName(r.settings.surface), k }));
    chart.draw({
      grid: r.grid,
      window: surfaceDefaults(r.settings.surface).window,
      paths: r.trajectories.map((tr) => ({ color: COLORS[tr.optimizer], x: tr.x, y: tr.y })),
      k,
      start: r.settings.start,
      minimum: r.minimum,
      axes: network ? [t("axisA"), t("axisB")] : [t("axisX"), t("axisY")],
    });
    legendTitle.textContent = t("legend", { k, steps: r.settings.steps });
    table.innerHTML = "";
    table.append(el("thead", {}, el("tr", {}, ...[t("colRacer"), t("colLr"), t("colCost"), t("colReached", { tol: TOLERANCE })].map((h) => el("th", { scope: "col" }, h)))));
    const body = el("tbody");
    const now: Record<string, number> = {};
    for (const tr of r.trajectories) {
      const i = Math.min(k, tr.f.length - 1);
      now[tr.optimizer] = tr.f[i]!;
      const swatch = el("span", { className: "race-swatch" });
      swatch.style.background = COLORS[tr.optimizer];
      const reached = tr.diverged && k >= tr.x.length ? t("diverged", { n: tr.x.length })
        : r.minimum === null ? t("noMinimum")
        : tr.reached !== null && tr.reached <= k ? t("reachedAt", { n: tr.reached })
        : k >= tr.x.length - 1 ? t("notReached") : "…";
      const row = el("tr", {}, el("th", { scope: "row" }, swatch, t(`racer.${tr.optimizer}`)), el("td", {}, formatNumber(tr.lr)), el("td", {}, cost(tr.f[i]!)), el("td", {}, reached));
      row.dataset["racer"] = tr.optimizer;
      body.append(row);
    }
    table.append(body);
    probe["k"] = k;
    probe["costNow"] = now;
  }

  /** A cost for reading: 4 significant digits, or a power of ten near zero (with the page's decimal sign). */
  const cost = (v: number) => (Math.abs(v) >= 1e-3 || v === 0 ? formatNumber(v) : v.toExponential(2).replace(".", fixed(0.5, 1).charAt(1)));

  function publish(r: Result) {
    Object.assign(probe, {
      ready: true,
      surface: r.settings.surface,
      steps: r.settings.steps,
      seed: r.settings.seed,
      start: r.settings.start,
      tolerance: TOLERANCE,
      examples: r.settings.surface === "network" ? NETWORK.examples : null,
      racers: r.trajectories.map((tr) => ({
        optimizer: tr.optimizer, lr: tr.lr, reached: tr.reached, diverged: tr.diverged, points: tr.x.length,
        end: { x: tr.x.at(-1)!, y: tr.y.at(-1)!, f: tr.f.at(-1)! },
      })),
    });
  }

  function compute() {
    stop();
    k = 0;
    probe["ready"] = false;
    requestId++; // a network answer still on its way is now stale
    const s = structuredClone(settings);
    ctx.setParams(settingsParams(s));
    if (s.surface !== "network") {
      const surface = SURFACES[s.surface];
      const start = { ...surface, start: s.start };
      const trajectories = s.racers.map((name) => runRacer(start, name, s.lr[name], { steps: s.steps, seed: s.seed, tolerance: TOLERANCE }));
      result = { settings: s, grid: gridFor(s.surface), trajectories, minimum: surface.minimum };
      status = null;
      publish(result);
      render();
      return;
    }
    worker ??= startWorker();
    const req: RaceRequest = {
      id: requestId, seed: s.seed, examples: NETWORK.examples, span: NETWORK.span, lr: NETWORK.lr, steps: s.steps, grid: NETWORK.grid,
      start: s.start, racers: s.racers.map((name) => ({ name, lr: s.lr[name] })),
    };
    pending.set(req.id, s);
    worker.postMessage(req);
    status = { key: "loading" };
    render();
  }

  const grids = new Map<string, ReturnType<typeof sampleSurface>>();
  function gridFor(name: Exclude<SurfaceName, "network">) {
    let g = grids.get(name);
    if (!g) grids.set(name, (g = sampleSurface(SURFACES[name], 101)));
    return g;
  }

  const pending = new Map<number, RaceSettings>();
  function startWorker(): Worker {
    const w = new Worker(new URL("../race-worker.ts", import.meta.url), { type: "module", name: ctx.base });
    w.onmessage = (e: MessageEvent<RaceWorkerReply>) => {
      const m = e.data;
      if (m.type === "status") {
        if (settings.surface === "network") status = { key: m.key };
      } else {
        const s = pending.get(m.id);
        pending.delete(m.id);
        if (m.id !== requestId || !s) return; // an older request's answer
        if (m.type === "error") {
          status = { failed: m.text };
        } else {
          status = null;
          result = { settings: s, grid: m.grid, trajectories: m.trajectories, minimum: null };
          publish(result);
        }
      }
      render();
    };
    w.onerror = (e) => {
      status = { failed: e.message };
      render();
    };
    return w;
  }

  // Animation: about four seconds from start to finish whatever the number of steps and the frame rate.
  let clock = { t0: 0, k0: 0 };
  function frame(now: number) {
    if (!playing) return;
    const target = clock.k0 + Math.round(((now - clock.t0) / 4000) * maxK());
    k = Math.min(maxK(), Math.max(k + 1, target));
    if (k >= maxK()) playing = false;
    render();
    if (playing) raf = requestAnimationFrame(frame);
  }
  function stop() {
    playing = false;
    cancelAnimationFrame(raf);
  }

  playBtn.addEventListener("click", () => {
    if (!result) return;
    if (playing) stop();
    else {
      if (k >= maxK()) k = 0;
      playing = true;
      clock = { t0: performance.now(), k0: k };
      raf = requestAnimationFrame(frame);
    }
    render();
  });
  stepBtn.addEventListener("click", () => {
    stop();
    k = Math.min(maxK(), k + 1);
    render();
  });
  resetBtn.addEventListener("click", () => {
    stop();
    k = 0;
    render();
  });
  defaultsBtn.addEventListener("click", () => {
    settings = { ...defaultSettings(settings.surface), racers: settings.racers };
    inputProblem = null;
    showControls();
    showNotes();
    compute();
  });

  surfaceSelect.addEventListener("change", () => {
    const name = surfaceSelect.value as SurfaceName;
    settings = { ...defaultSettings(name), racers: settings.racers, seed: settings.seed };
    inputProblem = null;
    showControls();
    relabel();
    compute();
  });
  // Numbers: a valid value re-runs the race; an invalid one is marked where it was typed and said in words.
  const numberInput = (input: HTMLInputElement, what: () => string, ok: (v: number) => boolean, apply: (v: number) => void) =>
    onNumber(input, ok, (v) => {
      inputProblem = null;
      invalid = [];
      apply(v);
      showNotes();
      compute();
    }, () => {
      inputProblem = t("invalidInput", { what: what() });
      showNotes();
    });
  for (const [r, row] of racerRows) {
    numberInput(row.lr, () => t("lrOf", { name: t(`racer.${r}`) }), (v) => v > 0 && v <= 1e3, (v) => (settings.lr[r] = v));
    row.box.addEventListener("change", () => {
      settings.racers = RACERS.filter((x) => racerRows.get(x)!.box.checked);
      showNotes();
      compute();
    });
  }
  numberInput(steps, () => t("steps"), (v) => Number.isInteger(v) && v >= 1 && v <= MAX_STEPS, (v) => (settings.steps = v));
  numberInput(seed, () => t("seed"), (v) => Number.isInteger(v) && v >= 0 && v < 2 ** 31, (v) => (settings.seed = v));
  numberInput(sx, () => t("startX"), (v) => Number.isFinite(v) && Math.abs(v) <= 1e3, (v) => (settings.start = [v, settings.start[1]]));
  numberInput(sy, () => t("startY"), (v) => Number.isFinite(v) && Math.abs(v) <= 1e3, (v) => (settings.start = [settings.start[0], v]));

  canvas.addEventListener("click", (e) => {
    const p = chart.pointAt(e.clientX, e.clientY);
    if (!p) return;
    // Three significant decimals of the window: a tidy start for the address bar.
    const span = surfaceDefaults(settings.surface).window.x;
    const digits = Math.max(0, 3 - Math.floor(Math.log10(span[1] - span[0])));
    settings.start = [+p[0].toFixed(digits), +p[1].toFixed(digits)];
    showControls();
    compute();
  });

  showControls();
  relabel();
  compute();
  return {
    relabel,
    destroy() {
      stop();
      worker?.terminate();
    },
  };
}
