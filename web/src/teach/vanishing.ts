/**
 * View "vanishing": Nielsen's chapter 5, live. A deep sigmoid network (784-30-30-30-30-10 by
 * default) trains by full-batch gradient descent on the first 1,000 training images while every
 * hidden layer's speed of learning ‖∂C/∂bˡ‖ is measured after each step (analysis/gradients.ts, in
 * the view's worker); toggles for ReLU, the initialisation, batch norm, residual connections and
 * clipping each restart the same seeded run, so a difference between two charts is the toggle's.
 */
import "./vanishing.css";
import type { MountedView, TeachingView, ViewContext } from "./view.js";
import { defineStrings, formatNumber } from "../i18n.js";
import { LineChart, legend } from "./lines.js";
import type { SpeedRecord } from "../../../src/analysis/gradients.js";
import type { TrainConfig } from "../../../src/train/defaults.js";
import { CLIP_NORM, DEPTHS, INITS, PROBE, layerSizes, parseVanishing, vanishingQuery, type InitChoice, type VanishingSettings } from "./vanishing/settings.js";
import type { FromVanishing, Measured, StopKind, ToVanishing } from "./vanishing-worker.js";

const t = defineStrings("view.vanishing", {
  title: "Vanishing gradients",
  summary: "Nielsen, chapter 5: in a deep sigmoid network the first layers learn far more slowly than the last. Watch each layer's speed of learning as it trains, then try the fixes.",
  network: "The network",
  shape: "{shape}: sigmoid neurons, cross-entropy cost; full-batch gradient descent on the first {n} training images (η = 0.1, λ = 5), as in the book's figure.",
  depth: "Hidden layers",
  relu: "ReLU instead of sigmoid (hidden layers)",
  init: "Initial weights",
  initNormal: "N(0, 1) (chapter 1)",
  initScaled: "N(0, 1/n_in) (the book's, chapters 3–5)",
  initXavier: "Xavier (Glorot) normal",
  initHe: "He normal",
  bn: "Batch norm before each activation",
  res: "Residual connections",
  clip: "Gradient clipping (global norm {n})",
  measure: "Speed shown",
  measureBias: "biases: ‖∂C/∂bˡ‖ (the book's)",
  measureWeight: "weights: ‖∂C/∂Wˡ‖",
  seed: "Seed",
  play: "Play",
  pause: "Pause",
  reset: "Restart",
  sameSeed: "Every change restarts training from seed {seed}: the same training images, and the same random draws for the initial weights, so the difference you see is the change's alone.",
  loading: "Loading MNIST…",
  status: "Step {step} of {total} · cost {cost}",
  statusStart: "Step 0 of {total}: press Play.",
  finished: "Finished: {total} steps.",
  nonFinite: "The cost became infinite or NaN at step {step}: training stopped, the weights went back to the last good step. Try gradient clipping.",
  error: "Error: {text}",
  invalid: "Ignored from the address: {key}={value} (not a valid value; using {fallback}).",
  chartTitle: "Speed of learning of each hidden layer",
  chartLabel: "Line chart, log scale: each hidden layer's speed of learning against the step.",
  step: "step",
  speedBias: "‖∂C/∂bˡ‖ (log scale)",
  speedWeight: "‖∂C/∂Wˡ‖ (log scale)",
  layer: "hidden layer {l}",
  ratioSlower: "At step {step}, the first hidden layer learns {k} times more slowly than the last ({first} against {last}).",
  ratioFaster: "At step {step}, the first hidden layer learns {k} times faster than the last ({first} against {last}).",
  ratioNone: "The ratio first/last layer appears after the first step.",
  bnNote: "With batch norm, the normalisation that follows each hidden layer cancels its bias: that gradient is zero up to rounding. Read the weights' speeds instead.",
  why: "Why",
  why1: "Backpropagation carries the error back one layer at a time, multiplying it each time by the weights and by the sigmoid's slope σ′(z), which is at most 1/4. With small weights each layer shrinks the gradient: the layers nearest the input learn slowest — the vanishing gradient problem. With large weights the products can grow instead: the gradient explodes.",
  whyRelu: "ReLU has slope 1 wherever a neuron is active: the product no longer shrinks by a factor of 4 per layer.",
  whyInit: "N(0, 1) weights make the weighted inputs z large, so sigmoids saturate (σ′ ≈ 0) and ReLU gradients explode. Xavier (variance 2/(n_in + n_out)) and He (variance 2/n_in, for ReLU) keep the signal about the same size from layer to layer.",
  whyBn: "Batch norm rescales each layer's weighted inputs over the batch, keeping sigmoids out of saturation.",
  whyRes: "A residual connection adds a layer's input to its output: the gradient has a path around every layer.",
  whyClip: "Clipping scales the whole gradient down to norm {n} when it is larger: it tames an explosion (try ReLU with N(0, 1) weights), not a vanishing.",
  cli: "The same measurement from the command line: {command}",
}, {
  title: "Gradients qui disparaissent",
  summary: "Nielsen, chapitre 5 : dans un réseau profond de neurones sigmoïdes, les premières couches apprennent bien plus lentement que les dernières. Suivez la vitesse d’apprentissage de chaque couche pendant l’entraînement, puis essayez les remèdes.",
  network: "Le réseau",
  shape: "{shape} : neurones sigmoïdes, fonction de coût d’entropie croisée ; descente de gradient sur le lot complet des {n} premières images d’entraînement (η = 0,1, λ = 5), comme dans la figure du livre.",
  depth: "Couches cachées",
  relu: "ReLU au lieu de la sigmoïde (couches cachées)",
  init: "Poids initiaux",
  initNormal: "N(0, 1) (chapitre 1)",
  initScaled: "N(0, 1/n_in) (celle du livre, chapitres 3 à 5)",
  initXavier: "Xavier (Glorot) normale",
  initHe: "He normale",
  bn: "Normalisation par lots avant chaque activation",
  res: "Connexions résiduelles",
  clip: "Écrêtage du gradient (norme globale {n})",
  measure: "Vitesse affichée",
  measureBias: "biais : ‖∂C/∂bˡ‖ (celle du livre)",
  measureWeight: "poids : ‖∂C/∂Wˡ‖",
  seed: "Graine",
  play: "Lancer",
  pause: "Pause",
  reset: "Recommencer",
  sameSeed: "Chaque changement relance l’entraînement depuis la graine {seed} : les mêmes images d’entraînement et les mêmes tirages aléatoires pour les poids initiaux, de sorte que la différence observée vient du seul changement.",
  loading: "Chargement de MNIST…",
  status: "Étape {step} sur {total} · coût {cost}",
  statusStart: "Étape 0 sur {total} : appuyez sur Lancer.",
  finished: "Terminé : {total} étapes.",
  nonFinite: "Le coût est devenu infini ou NaN à l’étape {step} : l’entraînement s’est arrêté et les poids sont revenus à la dernière étape valide. Essayez l’écrêtage du gradient.",
  error: "Erreur : {text}",
  invalid: "Ignoré dans l’adresse : {key}={value} (valeur non valide ; {fallback} utilisé).",
  chartTitle: "Vitesse d’apprentissage de chaque couche cachée",
  chartLabel: "Graphique en courbes, échelle logarithmique : la vitesse d’apprentissage de chaque couche cachée en fonction de l’étape.",
  step: "étape",
  speedBias: "‖∂C/∂bˡ‖ (échelle log)",
  speedWeight: "‖∂C/∂Wˡ‖ (échelle log)",
  layer: "couche cachée {l}",
  ratioSlower: "À l’étape {step}, la première couche cachée apprend {k} fois plus lentement que la dernière ({first} contre {last}).",
  ratioFaster: "À l’étape {step}, la première couche cachée apprend {k} fois plus vite que la dernière ({first} contre {last}).",
  ratioNone: "Le rapport entre la première et la dernière couche apparaît après la première étape.",
  bnNote: "Avec la normalisation par lots, la normalisation qui suit chaque couche cachée annule son biais : ce gradient est nul aux arrondis près. Lisez plutôt la vitesse des poids.",
  why: "Pourquoi",
  why1: "La rétropropagation ramène l’erreur couche par couche en la multipliant chaque fois par les poids et par la pente de la sigmoïde σ′(z), qui vaut au plus 1/4. Avec de petits poids, chaque couche réduit le gradient : les couches proches de l’entrée apprennent le plus lentement — c’est le problème du gradient qui disparaît. Avec de grands poids, les produits peuvent au contraire grandir : le gradient explose.",
  whyRelu: "La ReLU a une pente de 1 partout où le neurone est actif : le produit ne rétrécit plus d’un facteur 4 par couche.",
  whyInit: "Des poids N(0, 1) rendent les entrées pondérées z grandes : les sigmoïdes saturent (σ′ ≈ 0) et les gradients des ReLU explosent. Xavier (variance 2/(n_in + n_out)) et He (variance 2/n_in, pour la ReLU) gardent au signal à peu près la même taille d’une couche à l’autre.",
  whyBn: "La normalisation par lots remet à l’échelle les entrées pondérées de chaque couche sur le lot, ce qui garde les sigmoïdes hors de la saturation.",
  whyRes: "Une connexion résiduelle ajoute l’entrée d’une couche à sa sortie : le gradient a un chemin qui contourne chaque couche.",
  whyClip: "L’écrêtage ramène le gradient entier à la norme {n} quand il la dépasse : il dompte une explosion (essayez la ReLU avec des poids N(0, 1)), pas une disparition.",
  cli: "La même mesure en ligne de commande : {command}",
});

/** One colour per hidden layer, input side first. */
const COLORS = ["#5b8ff0", "#e07b00", "#3fb27f", "#d05ca8", "#e5c52e"];
const INIT_KEYS: Record<InitChoice, "initNormal" | "initScaled" | "initXavier" | "initHe"> = { normal: "initNormal", scaled: "initScaled", xavier: "initXavier", he: "initHe" };

/** The `descent analyze gradients` command that measures the same run (batch norm and residual connections together have no single variant). */
function cliCommand(s: VanishingSettings): string {
  const flags = [`--preset nielsen-ch5-gd --layers ${layerSizes(s).join(",")}`];
  if (s.relu) flags.push("--activation relu");
  if (s.init !== "scaled") flags.push(`--init ${INITS[s.init]}`);
  if (s.clip) flags.push(`--clip-norm ${CLIP_NORM}`);
  if (s.seed !== 1) flags.push(`--seed ${s.seed}`);
  if (s.bn) flags.push("--variants batchnorm");
  if (s.res) flags.push("--variants residual");
  if (s.measure === "weight") flags.push("--of weight");
  return `descent analyze gradients ${flags.join(" ")} --plot speeds.svg`;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
}

function checkbox(id: string): { wrap: HTMLLabelElement; input: HTMLInputElement; text: HTMLSpanElement } {
  const input = el("input", { type: "checkbox", id });
  const text = el("span");
  return { wrap: el("label", { className: "van-check" }, input, text), input, text };
}

function mount(root: HTMLElement, ctx: ViewContext): MountedView {
  const parsed = parseVanishing(ctx.params);
  let settings: VanishingSettings = parsed.settings;
  const invalid = parsed.invalid;

  // Controls
  const hNet = el("h3");
  const shape = el("p", { className: "hint" });
  const depth = el("select", { id: "van-depth" });
  for (const d of DEPTHS) depth.append(new Option(String(d), String(d)));
  const depthLabel = el("label", { htmlFor: "van-depth" });
  const init = el("select", { id: "van-init" });
  for (const k of Object.keys(INITS)) init.append(new Option(k, k));
  const initLabel = el("label", { htmlFor: "van-init" });
  const relu = checkbox("van-relu"), bn = checkbox("van-bn"), res = checkbox("van-res"), clip = checkbox("van-clip");
  const measure = el("select", { id: "van-measure" });
  measure.append(new Option("bias", "bias"), new Option("weight", "weight"));
  const measureLabel = el("label", { htmlFor: "van-measure" });
  const seed = el("input", { id: "van-seed", type: "number", min: "0", step: "1", inputMode: "numeric" });
  const seedLabel = el("label", { htmlFor: "van-seed" });
  const play = el("button", { type: "button", id: "van-play" });
  const reset = el("button", { type: "button", id: "van-reset" });
  const sameSeed = el("p", { className: "hint" });
  const status = el("p", { className: "van-status", role: "status" });
  const warn = el("p", { className: "van-warn", role: "alert" });
  const field = (label: HTMLElement, input: HTMLElement) => el("div", { className: "van-field" }, label, input);
  const wide = (label: HTMLElement, input: HTMLElement) => el("div", { className: "van-field van-wide" }, label, input);
  const controls = el("section", { className: "van-controls" },
    hNet, shape,
    el("div", { className: "van-grid" }, field(depthLabel, depth), field(seedLabel, seed), wide(initLabel, init), wide(measureLabel, measure)),
    el("div", { className: "van-checks" }, relu.wrap, bn.wrap, res.wrap, clip.wrap),
    el("div", { className: "van-buttons" }, play, reset),
    sameSeed, status, warn);

  // Chart
  const hChart = el("h3");
  const canvas = el("canvas", { className: "teach-chart", id: "van-chart" });
  canvas.setAttribute("role", "img");
  const keys = el("ul", { className: "teach-legend" });
  const ratio = el("p", { className: "van-ratio", id: "van-ratio" });
  const bnNote = el("p", { className: "hint van-bn-note" });
  const chartSection = el("section", { className: "van-chart" }, hChart, canvas, keys, ratio, bnNote);
  const chart = new LineChart(canvas, 280);

  // Why
  const hWhy = el("h3");
  const why = [el("p"), el("p"), el("p"), el("p"), el("p"), el("p")];
  const cli = el("p", { className: "hint van-cli" });
  const whySection = el("section", { className: "van-why" }, hWhy, ...why, cli);
  root.append(controls, chartSection, whySection);

  // State of the current run
  let run = 0;
  let layers: string[] = [];
  let records: SpeedRecord[] = [];
  let ratios: Measured["ratio"][] = [];
  /** The run's config as the worker built it (null until it has). */
  let config: TrainConfig | null = null;
  let losses: number[] = [];
  let step = 0;
  let playing = false;
  let ready = false;
  let stop: { kind: StopKind; step: number } | null = null;
  let error: string | null = null;
  /** Steps of the run: the preset's 500 epochs of one full-batch step each. */
  const total = () => config?.epochs ?? 500;

  const probe = ctx.probe as Record<string, unknown>;
  const publish = () => {
    const last = records[records.length - 1];
    Object.assign(probe, {
      settings: { ...settings }, config, layers, speeds: records, ratios, losses, step, playing, ready,
      stop, invalid, ratio: last ? ratioOf(records.length - 1) : undefined, run,
    });
  };

  const hidden = () => Math.max(0, layers.length - 1);
  const ratioOf = (i: number) => ratios[i]?.[settings.measure];

  const worker = new Worker(new URL("./vanishing-worker.ts", import.meta.url), { type: "module", name: ctx.base });
  const send = (m: ToVanishing) => worker.postMessage(m);

  function start(playNow: boolean) {
    run++;
    records = [];
    ratios = [];
    config = null;
    losses = [];
    layers = [];
    step = 0;
    stop = null;
    error = null;
    send({ type: "start", run, settings: { ...settings }, play: playNow });
    render();
  }

  worker.onmessage = (e: MessageEvent<FromVanishing>) => {
    const m = e.data;
    switch (m.type) {
      case "engine":
        probe["fma"] = m.fma;
        return;
      case "ready":
        ready = true;
        break;
      case "run":
        if (m.run !== run) return;
        layers = m.layers;
        config = m.config;
        probe["fma"] = m.fma;
        break;
      case "progress":
        if (m.run !== run) return;
        step = m.step;
        losses.push(m.loss);
        for (const r of m.records) (records.push(r.record), ratios.push(r.ratio));
        break;
      case "end":
        if (m.run !== run) return;
        for (const r of m.records) (records.push(r.record), ratios.push(r.ratio));
        stop = { kind: m.stop, step: m.lossAt ?? m.step };
        break;
      case "playing":
        playing = m.playing;
        break;
      case "error":
        error = m.text;
        playing = false;
        break;
    }
    render();
  };
  worker.onerror = (e) => {
    error = e.message;
    render();
  };

  function apply(next: Partial<VanishingSettings>) {
    settings = { ...settings, ...next };
    ctx.setParams(vanishingQuery(settings));
    start(true);
  }
  depth.addEventListener("change", () => apply({ depth: Number(depth.value) }));
  init.addEventListener("change", () => apply({ init: init.value as InitChoice }));
  relu.input.addEventListener("change", () => apply({ relu: relu.input.checked }));
  bn.input.addEventListener("change", () => apply({ bn: bn.input.checked }));
  res.input.addEventListener("change", () => apply({ res: res.input.checked }));
  clip.input.addEventListener("change", () => apply({ clip: clip.input.checked }));
  seed.addEventListener("change", () => {
    const n = Number(seed.value);
    if (/^\d+$/.test(seed.value) && Number.isSafeInteger(n)) apply({ seed: n });
    else seed.value = String(settings.seed);
  });
  // The measure changes what is drawn, not the run.
  measure.addEventListener("change", () => {
    settings = { ...settings, measure: measure.value as VanishingSettings["measure"] };
    ctx.setParams(vanishingQuery(settings));
    render();
  });
  play.addEventListener("click", () => {
    if (playing) send({ type: "pause" });
    else if (stop) start(true);
    else send({ type: "play" });
  });
  reset.addEventListener("click", () => start(false));

  function labels() {
    hNet.textContent = t("network");
    depthLabel.textContent = t("depth");
    initLabel.textContent = t("init");
    for (const o of Array.from(init.options)) o.textContent = t(INIT_KEYS[o.value as InitChoice]);
    relu.text.textContent = t("relu");
    bn.text.textContent = t("bn");
    res.text.textContent = t("res");
    clip.text.textContent = t("clip", { n: CLIP_NORM });
    measureLabel.textContent = t("measure");
    measure.options[0]!.textContent = t("measureBias");
    measure.options[1]!.textContent = t("measureWeight");
    seedLabel.textContent = t("seed");
    reset.textContent = t("reset");
    hChart.textContent = t("chartTitle");
    canvas.setAttribute("aria-label", t("chartLabel"));
    hWhy.textContent = t("why");
    why[0]!.textContent = t("why1");
    why[1]!.textContent = t("whyRelu");
    why[2]!.textContent = t("whyInit");
    why[3]!.textContent = t("whyBn");
    why[4]!.textContent = t("whyRes");
    why[5]!.textContent = t("whyClip", { n: CLIP_NORM });
  }

  function render() {
    const sizes = layerSizes(settings);
    shape.textContent = t("shape", { shape: sizes.join("-"), n: PROBE });
    depth.value = String(settings.depth);
    init.value = settings.init;
    relu.input.checked = settings.relu;
    bn.input.checked = settings.bn;
    res.input.checked = settings.res;
    clip.input.checked = settings.clip;
    measure.value = settings.measure;
    if (document.activeElement !== seed) seed.value = String(settings.seed);
    play.textContent = playing ? t("pause") : t("play");
    play.setAttribute("aria-pressed", String(playing));
    sameSeed.textContent = t("sameSeed", { seed: settings.seed });
    cli.textContent = t("cli", { command: cliCommand(settings) });
    cli.hidden = settings.bn && settings.res;
    const cost = losses[losses.length - 1];
    status.textContent = error ? t("error", { text: error })
      : !ready ? t("loading")
      : stop?.kind === "non-finite-loss" ? t("nonFinite", { step: stop.step })
      : stop ? t("finished", { total: step })
      : step === 0 ? t("statusStart", { total: total() })
      : t("status", { step, total: total(), cost: cost ?? NaN });
    warn.textContent = invalid.map((i) => t("invalid", { key: i.key, value: i.value, fallback: String(settings[i.key]) })).join(" ");
    bnNote.hidden = !(settings.bn && settings.measure === "bias");
    bnNote.textContent = t("bnNote");

    const n = hidden();
    const bias = settings.measure === "bias";
    const xs = records.map((r) => r.epoch);
    const series = Array.from({ length: n }, (_, l) => ({ color: COLORS[l % COLORS.length]!, xs, ys: records.map((r) => (bias ? r.bias : r.weight)[l]!) }));
    chart.draw({ series, xMax: total(), xLabel: t("step"), yLabel: bias ? t("speedBias") : t("speedWeight"), logY: true, format: (v) => formatNumber(v) });
    legend(keys, Array.from({ length: n }, (_, l) => ({ color: COLORS[l % COLORS.length]!, label: t("layer", { l: l + 1 }) })));

    const last = records[records.length - 1];
    const r = last ? ratioOf(records.length - 1) : undefined;
    if (last && r !== undefined && Number.isFinite(r) && r > 0) {
      const v = bias ? last.bias : last.weight;
      const sci = (x: number) => formatNumber(x, { notation: "scientific", maximumSignificantDigits: 3 });
      const p = { step: last.epoch, first: sci(v[0]!), last: sci(v[n - 1]!) };
      ratio.textContent = r < 1 ? t("ratioSlower", { ...p, k: formatNumber(1 / r, { maximumSignificantDigits: 3 }) }) : t("ratioFaster", { ...p, k: formatNumber(r, { maximumSignificantDigits: 3 }) });
    } else {
      ratio.textContent = t("ratioNone");
    }
    publish();
  }

  labels();
  start(true);
  return {
    destroy() {
      worker.terminate();
      chart.destroy();
    },
    relabel() {
      labels();
      render();
    },
  };
}

export const vanishingView: TeachingView = {
  id: "vanishing",
  title: () => t("title"),
  summary: () => t("summary"),
  mount,
};
