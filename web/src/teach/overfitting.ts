/**
 * View "overfitting": Nielsen's chapter 3, live. A 784-30-10 network trains on the first 1,000
 * MNIST training images for up to 400 epochs; its accuracy on those images and on 10,000 held-out
 * ones part as it memorises them. L2, L1, dropout, augmentation and early stopping each restart the
 * same seeded run; a histogram of the weights shows L2 shrinking them and L1 pulling the unneeded
 * ones to zero. The training runs in the view's worker with the library's loop.
 */
import "./overfitting.css";
import type { MountedView, TeachingView, ViewContext } from "./view.js";
import { defineStrings, fixed, formatNumber, percent } from "../i18n.js";
import { LineChart, legend } from "./lines.js";
import type { WeightHistogram } from "../../../src/analysis/overfitting.js";
import type { TrainConfig } from "../../../src/train/defaults.js";
import {
  AUGMENTS, DEFAULTS, LIMITS, PACES, RANDOM_AUGMENT, VALIDATION, overfittingQuery, parseOverfitting, readNumber,
  type Augment, type NumberKey, type OverfittingSettings, type Pace,
} from "./overfitting/settings.js";
import type { EpochPoint, FromOverfitting, ToOverfitting } from "./overfitting-worker.js";

const t = defineStrings("view.overfitting", {
  title: "Overfitting and regularisation",
  summary: "Nielsen, chapter 3: trained on only 1,000 images, a network learns them by heart — its accuracy on them reaches 100 % while on new images it stalls. Regularisation narrows the gap.",
  setup: "The run",
  shape: "784-30-10 sigmoid neurons, cross-entropy cost, N(0, 1) initial weights, η = 0.5, mini-batches of 10: {steps} steps per epoch over the first {train} training images. Validation: {val} other images (the last 10,000 of MNIST's training file), never trained on.",
  l2: "L2 λ (weight decay)",
  l1: "L1 λ",
  dropout: "Dropout probability",
  augment: "Augmentation",
  augNone: "none",
  augRandom: "random rotations (±{deg}°) and shifts (±{px} px)",
  augShifts: "expanded ×5: each image and its 1-pixel shifts",
  patience: "Early stopping: patience (epochs, 0 = off)",
  epochs: "Epochs",
  pace: "Pace",
  paceFast: "as fast as possible",
  pacePerSecond: "{n} epochs per second",
  seed: "Seed",
  play: "Play",
  pause: "Pause",
  reset: "Reset",
  sameSeed: "Every change restarts from seed {seed}: the same initial weights and the same order of mini-batches, so the difference you see is the change's alone.",
  bad: "Must be a number from {min} to {max}{integer}.",
  badInteger: ", a whole number",
  invalid: "Ignored from the address: {key}={value} (not a valid value; using {fallback}).",
  loading: "Loading MNIST…",
  status: "Epoch {epoch} of {epochs}",
  statusStart: "Epoch 0 of {epochs}: press Play.",
  finished: "Finished: {epochs} epochs.",
  early: "Early stopping after epoch {epoch}: no better validation accuracy for {patience} epochs. The weights of epoch {best}, the best, were put back.",
  nonFinite: "The cost became infinite or NaN: training stopped.",
  error: "Error: {text}",
  accTitle: "Accuracy",
  accLabel: "Line chart: accuracy on the 1,000 training images and on the validation images, per epoch.",
  costTitle: "Cost",
  costLabel: "Line chart: the mean cost on the training images and on the validation images, per epoch.",
  costNote: "Cross-entropy per image, without the regularisation term.",
  epoch: "epoch",
  accuracy: "accuracy",
  cost: "cost",
  trainLine: "training ({n} images)",
  valLine: "validation ({n} images)",
  best: "best",
  readout: "After epoch {epoch}: training {train}, validation {val} — a gap of {gap} points.",
  bestAt: "Best validation accuracy so far: {acc} at epoch {epoch}.",
  histTitle: "The weights",
  histLabel: "Histogram of the network's weights from −3 to 3; weights beyond are counted in the end bars.",
  histCaption: "{total} weights (biases are not penalised, so not shown): {zeros} exactly zero, {near} within ±{eps}; largest |w| = {max}.",
  histAxis: "weight",
  histNote: "Bars {w} wide, the tallest scaled to the full height; the two either side of 0 in yellow.",
  why: "What to look for",
  why1: "Without regularisation the training accuracy climbs to 100 % while the validation accuracy stops improving after a few dozen epochs: the network is learning the peculiarities of its 1,000 images, not digits. That is overfitting.",
  whyL2: "L2 adds λ/2n Σw² to the cost: every update shrinks each weight a little (weight decay). Try λ = 0.1, the book's value: the curves stay closer and the validation accuracy ends higher.",
  whyL1: "L1 adds λ/n Σ|w|: every update moves each weight the same small step towards zero. Weights the data does not need — those of the always-blank border pixels first — end within that step of zero: watch the spike at 0 grow.",
  whyDropout: "Dropout silences each hidden neuron with the given probability at every mini-batch, so no neuron can rely on particular others (at evaluation all are used).",
  whyAugment: "More data is the surest cure: augmentation makes new training images from the 1,000 (rotated and shifted, or shifted by one pixel).",
  whyEarly: "Early stopping watches the validation accuracy and stops when it has not improved for the given number of epochs, keeping the best epoch's weights.",
  cli: "From the command line: descent train --layers 784,30,10 --cost cross-entropy --init normal --lr 0.5 --train-size 1000 --epochs {epochs}{extra}",
}, {
  title: "Surapprentissage et régularisation",
  summary: "Nielsen, chapitre 3 : entraîné sur seulement 1 000 images, un réseau les apprend par cœur — sa précision sur elles atteint 100 % tandis que sur des images nouvelles elle plafonne. La régularisation réduit l’écart.",
  setup: "L’entraînement",
  shape: "784-30-10 neurones sigmoïdes, fonction de coût d’entropie croisée, poids initiaux N(0, 1), η = 0,5, mini-lots de 10 : {steps} étapes par époque sur les {train} premières images d’entraînement. Validation : {val} autres images (les 10 000 dernières du fichier d’entraînement de MNIST), jamais vues à l’entraînement.",
  l2: "λ de L2 (décroissance des poids)",
  l1: "λ de L1",
  dropout: "Probabilité de dropout",
  augment: "Augmentation des données",
  augNone: "aucune",
  augRandom: "rotations (±{deg}°) et décalages (±{px} px) aléatoires",
  augShifts: "ensemble élargi ×5 : chaque image et ses décalages d’un pixel",
  patience: "Arrêt anticipé : patience (époques, 0 = désactivé)",
  epochs: "Époques",
  pace: "Cadence",
  paceFast: "aussi vite que possible",
  pacePerSecond: "{n} époques par seconde",
  seed: "Graine",
  play: "Lancer",
  pause: "Pause",
  reset: "Réinitialiser",
  sameSeed: "Chaque changement relance l’entraînement depuis la graine {seed} : les mêmes poids initiaux et le même ordre des mini-lots, de sorte que la différence observée vient du seul changement.",
  bad: "Doit être un nombre de {min} à {max}{integer}.",
  badInteger: ", entier",
  invalid: "Ignoré dans l’adresse : {key}={value} (valeur non valide ; {fallback} utilisé).",
  loading: "Chargement de MNIST…",
  status: "Époque {epoch} sur {epochs}",
  statusStart: "Époque 0 sur {epochs} : appuyez sur Lancer.",
  finished: "Terminé : {epochs} époques.",
  early: "Arrêt anticipé après l’époque {epoch} : pas de meilleure précision de validation depuis {patience} époques. Les poids de l’époque {best}, la meilleure, ont été remis.",
  nonFinite: "Le coût est devenu infini ou NaN : l’entraînement s’est arrêté.",
  error: "Erreur : {text}",
  accTitle: "Précision",
  accLabel: "Graphique en courbes : la précision sur les 1 000 images d’entraînement et sur les images de validation, à chaque époque.",
  costTitle: "Coût",
  costLabel: "Graphique en courbes : le coût moyen sur les images d’entraînement et sur les images de validation, à chaque époque.",
  costNote: "Entropie croisée par image, sans le terme de régularisation.",
  epoch: "époque",
  accuracy: "précision",
  cost: "coût",
  trainLine: "entraînement ({n} images)",
  valLine: "validation ({n} images)",
  best: "meilleure",
  readout: "Après l’époque {epoch} : entraînement {train}, validation {val} — un écart de {gap} points.",
  bestAt: "Meilleure précision de validation jusqu’ici : {acc} à l’époque {epoch}.",
  histTitle: "Les poids",
  histLabel: "Histogramme des poids du réseau de −3 à 3 ; les poids au-delà sont comptés dans les barres des extrémités.",
  histCaption: "{total} poids (les biais ne sont pas pénalisés, donc pas montrés) : {zeros} exactement nuls, {near} à ±{eps} près ; le plus grand |w| vaut {max}.",
  histAxis: "poids",
  histNote: "Barres de {w} de large, la plus haute à pleine hauteur ; les deux de part et d’autre de 0 en jaune.",
  why: "Ce qu’il faut observer",
  why1: "Sans régularisation, la précision d’entraînement monte jusqu’à 100 % tandis que la précision de validation cesse de progresser au bout de quelques dizaines d’époques : le réseau apprend les particularités de ses 1 000 images, pas les chiffres. C’est le surapprentissage.",
  whyL2: "L2 ajoute λ/2n Σw² au coût : chaque mise à jour réduit un peu chaque poids (décroissance des poids). Essayez λ = 0,1, la valeur du livre : les courbes restent plus proches et la précision de validation finit plus haut.",
  whyL1: "L1 ajoute λ/n Σ|w| : chaque mise à jour rapproche chaque poids de zéro d’un même petit pas. Les poids dont les données n’ont pas besoin — d’abord ceux des pixels du bord, toujours vides — finissent à moins d’un pas de zéro : regardez le pic en 0 grandir.",
  whyDropout: "Le dropout fait taire chaque neurone caché avec la probabilité donnée à chaque mini-lot, si bien qu’aucun neurone ne peut compter sur certains autres (à l’évaluation, tous servent).",
  whyAugment: "Plus de données reste le remède le plus sûr : l’augmentation fabrique de nouvelles images d’entraînement à partir des 1 000 (tournées et décalées, ou décalées d’un pixel).",
  whyEarly: "L’arrêt anticipé surveille la précision de validation et arrête l’entraînement quand elle ne s’est pas améliorée depuis le nombre d’époques donné, en gardant les poids de la meilleure époque.",
  cli: "En ligne de commande : descent train --layers 784,30,10 --cost cross-entropy --init normal --lr 0.5 --train-size 1000 --epochs {epochs}{extra}",
});

const TRAIN_COLOR = "#3fb27f";
const VAL_COLOR = "#e07b00";
const NUMBER_FIELDS: NumberKey[] = ["l2", "l1", "dropout", "patience", "epochs", "seed"];
const PACE_MS: Record<Pace, number> = { fast: 0, "10": 100, "2": 500 };

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
}

/** Bars of a weight histogram on a canvas (the counts' largest bar fills the height). */
function drawHistogram(canvas: HTMLCanvasElement, h: WeightHistogram | null, format: (v: number) => string, axis: string): void {
  const cssW = Math.max(200, canvas.clientWidth || 400), cssH = 200;
  const dpr = globalThis.devicePixelRatio || 1;
  canvas.style.height = `${cssH}px`;
  canvas.width = Math.round(cssW * dpr);
  canvas.height = Math.round(cssH * dpr);
  const g = canvas.getContext("2d");
  if (!g) return;
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, cssW, cssH);
  if (!h) return;
  const left = 10, right = 10, top = 8, bottom = 34;
  const w = cssW - left - right, ht = cssH - top - bottom;
  const max = Math.max(1, ...h.counts);
  const bw = w / h.counts.length;
  h.counts.forEach((c, i) => {
    const bh = (c / max) * ht;
    const centre = h.lo + (i + 0.5) * h.width;
    g.fillStyle = Math.abs(centre) < h.width ? "#e5c52e" : "#5b8ff0";
    g.fillRect(left + i * bw + 0.5, top + ht - bh, Math.max(1, bw - 1), bh);
  });
  g.strokeStyle = "#434a58";
  g.beginPath();
  g.moveTo(left, top + ht + 0.5);
  g.lineTo(left + w, top + ht + 0.5);
  g.stroke();
  g.fillStyle = "#9aa0a6";
  g.font = "11px system-ui, sans-serif";
  g.textAlign = "center";
  g.textBaseline = "top";
  const hi = h.lo + h.width * h.counts.length;
  for (const v of [h.lo, h.lo / 2, 0, hi / 2, hi]) g.fillText(format(v), left + ((v - h.lo) / (hi - h.lo)) * w, top + ht + 4);
  g.fillText(axis, left + w / 2, top + ht + 19);
}

function mount(root: HTMLElement, ctx: ViewContext): MountedView {
  const parsed = parseOverfitting(ctx.params);
  let settings: OverfittingSettings = parsed.settings;
  const invalid = parsed.invalid;

  // Controls
  const hSetup = el("h3");
  const shape = el("p", { className: "hint" });
  const inputs = {} as Record<NumberKey, HTMLInputElement>;
  const labelsOf = {} as Record<string, HTMLLabelElement>;
  const errors = {} as Record<NumberKey, HTMLSpanElement>;
  const fields: HTMLElement[] = [];
  for (const k of NUMBER_FIELDS) {
    const lim = LIMITS[k];
    const input = el("input", { id: `of-${k}`, type: "text", inputMode: lim.integer ? "numeric" : "decimal", autocomplete: "off" });
    const label = el("label", { htmlFor: input.id });
    const err = el("span", { className: "of-err", id: `of-${k}-err` });
    input.setAttribute("aria-describedby", err.id);
    inputs[k] = input;
    labelsOf[k] = label;
    errors[k] = err;
    fields.push(el("div", { className: "of-field" }, label, input, err));
  }
  const augment = el("select", { id: "of-augment" });
  for (const a of AUGMENTS) augment.append(new Option(a, a));
  labelsOf["augment"] = el("label", { htmlFor: "of-augment" });
  const pace = el("select", { id: "of-pace" });
  for (const p of PACES) pace.append(new Option(p, p));
  labelsOf["pace"] = el("label", { htmlFor: "of-pace" });
  fields.splice(3, 0, el("div", { className: "of-field of-wide" }, labelsOf["augment"]!, augment));
  fields.push(el("div", { className: "of-field of-wide" }, labelsOf["pace"]!, pace));
  const play = el("button", { type: "button", id: "of-play" });
  const reset = el("button", { type: "button", id: "of-reset" });
  const sameSeed = el("p", { className: "hint" });
  const status = el("p", { className: "of-status", role: "status" });
  const warn = el("p", { className: "of-warn", role: "alert" });
  const cli = el("p", { className: "hint of-cli" });
  root.append(el("section", { className: "of-controls" }, hSetup, shape, el("div", { className: "of-grid" }, ...fields),
    el("div", { className: "of-buttons" }, play, reset), sameSeed, status, warn, cli));

  // Charts
  const hAcc = el("h3");
  const accCanvas = el("canvas", { className: "teach-chart", id: "of-acc" });
  const accKeys = el("ul", { className: "teach-legend" });
  const readout = el("p", { className: "of-readout", id: "of-readout" });
  const bestLine = el("p", { className: "hint" });
  root.append(el("section", { className: "of-acc" }, hAcc, accCanvas, accKeys, readout, bestLine));
  const hCost = el("h3");
  const costCanvas = el("canvas", { className: "teach-chart", id: "of-cost" });
  const costKeys = el("ul", { className: "teach-legend" });
  const costNote = el("p", { className: "hint" });
  root.append(el("section", { className: "of-cost" }, hCost, costCanvas, costKeys, costNote));
  const hHist = el("h3");
  const histCanvas = el("canvas", { className: "teach-chart", id: "of-hist" });
  const histCaption = el("p", { className: "of-hist-caption", id: "of-hist-caption" });
  const histNote = el("p", { className: "hint" });
  root.append(el("section", { className: "of-hist" }, hHist, histCanvas, histCaption, histNote));
  const hWhy = el("h3");
  const why = Array.from({ length: 6 }, () => el("p"));
  root.append(el("section", { className: "of-why" }, hWhy, ...why));
  for (const c of [accCanvas, costCanvas, histCanvas]) c.setAttribute("role", "img");
  const accChart = new LineChart(accCanvas, 240);
  const costChart = new LineChart(costCanvas, 200);
  const histObserver = new ResizeObserver(() => drawHist());
  histObserver.observe(histCanvas);

  // The run as the worker reports it
  let run = 0;
  let points: EpochPoint[] = [];
  let hist: WeightHistogram | null = null;
  let playing = false;
  let ready = false;
  let info = { stepsPerEpoch: 100, train: 1000, validation: VALIDATION };
  let end: { kind: "finished" | "early-stopping" | "non-finite"; epoch: number; bestEpoch?: number } | null = null;
  let error: string | null = null;
  /** The run's config as the worker built it (null until it has). */
  let config: TrainConfig | null = null;

  const worker = new Worker(new URL("./overfitting-worker.ts", import.meta.url), { type: "module", name: ctx.base });
  const send = (m: ToOverfitting) => worker.postMessage(m);
  const probe = ctx.probe as Record<string, unknown>;

  function start(playNow: boolean) {
    run++;
    points = [];
    end = null;
    error = null;
    config = null;
    send({ type: "reset", run, settings: { ...settings }, play: playNow, paceMs: PACE_MS[settings.pace] });
    render();
  }

  worker.onmessage = (e: MessageEvent<FromOverfitting>) => {
    const m = e.data;
    switch (m.type) {
      case "ready":
        ready = true;
        break;
      case "run":
        if (m.run !== run) return;
        probe["fma"] = m.fma;
        config = m.config;
        hist = m.histogram;
        info = { stepsPerEpoch: m.stepsPerEpoch, train: m.train, validation: m.validation };
        break;
      case "epoch":
        if (m.run !== run) return;
        points.push(m.point);
        hist = m.histogram;
        break;
      case "end":
        if (m.run !== run) return;
        end = { kind: m.kind, epoch: m.epoch, ...(m.bestEpoch !== undefined ? { bestEpoch: m.bestEpoch } : {}) };
        hist = m.histogram;
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

  function apply(next: Partial<OverfittingSettings>) {
    settings = { ...settings, ...next };
    ctx.setParams(overfittingQuery(settings));
    start(playing);
  }
  for (const k of NUMBER_FIELDS) {
    inputs[k].addEventListener("change", () => {
      const v = readNumber(k, inputs[k].value.replace(",", "."));
      const bad = v === null;
      inputs[k].setAttribute("aria-invalid", String(bad));
      errors[k].textContent = bad ? badText(k) : "";
      if (!bad && v !== settings[k]) apply({ [k]: v });
    });
  }
  augment.addEventListener("change", () => apply({ augment: augment.value as Augment }));
  pace.addEventListener("change", () => {
    settings = { ...settings, pace: pace.value as Pace };
    ctx.setParams(overfittingQuery(settings));
    send({ type: "pace", ms: PACE_MS[settings.pace] });
  });
  play.addEventListener("click", () => {
    if (playing) send({ type: "pause" });
    else if (end) start(true);
    else send({ type: "play" });
  });
  reset.addEventListener("click", () => start(false));

  const badText = (k: NumberKey) => t("bad", { min: formatNumber(LIMITS[k].min), max: formatNumber(LIMITS[k].max), integer: LIMITS[k].integer ? t("badInteger") : "" });

  function labels() {
    hSetup.textContent = t("setup");
    for (const k of NUMBER_FIELDS) {
      labelsOf[k]!.textContent = t(k);
      if (errors[k].textContent) errors[k].textContent = badText(k);
    }
    labelsOf["augment"]!.textContent = t("augment");
    augment.options[0]!.textContent = t("augNone");
    augment.options[1]!.textContent = t("augRandom", { deg: RANDOM_AUGMENT.rotate, px: RANDOM_AUGMENT.translate });
    augment.options[2]!.textContent = t("augShifts");
    labelsOf["pace"]!.textContent = t("pace");
    Array.from(pace.options).forEach((o) => (o.textContent = o.value === "fast" ? t("paceFast") : t("pacePerSecond", { n: Number(o.value) })));
    reset.textContent = t("reset");
    hAcc.textContent = t("accTitle");
    accCanvas.setAttribute("aria-label", t("accLabel"));
    hCost.textContent = t("costTitle");
    costCanvas.setAttribute("aria-label", t("costLabel"));
    costNote.textContent = t("costNote");
    hHist.textContent = t("histTitle");
    histCanvas.setAttribute("aria-label", t("histLabel"));
    histNote.textContent = t("histNote", { w: formatNumber(0.1) });
    hWhy.textContent = t("why");
    (["why1", "whyL2", "whyL1", "whyDropout", "whyAugment", "whyEarly"] as const).forEach((k, i) => (why[i]!.textContent = t(k)));
  }

  function drawHist() {
    drawHistogram(histCanvas, hist, (v) => formatNumber(v), t("histAxis"));
  }

  function cliExtra(): string {
    const s = settings;
    const parts: string[] = [];
    if (s.l2) parts.push(`--l2 ${s.l2}`);
    if (s.l1) parts.push(`--l1 ${s.l1}`);
    if (s.dropout) parts.push(`--dropout ${s.dropout}`);
    if (s.augment === "random") parts.push(`--augment rotate=${RANDOM_AUGMENT.rotate},translate=${RANDOM_AUGMENT.translate}`);
    if (s.augment === "shifts") parts.push("--expand");
    if (s.patience) parts.push(`--early-stopping ${s.patience}`);
    if (s.seed !== DEFAULTS.seed) parts.push(`--seed ${s.seed}`);
    return parts.length ? ` ${parts.join(" ")}` : "";
  }

  function render() {
    shape.textContent = t("shape", { steps: info.stepsPerEpoch, train: 1000, val: info.validation });
    for (const k of NUMBER_FIELDS) {
      if (document.activeElement !== inputs[k] && inputs[k].getAttribute("aria-invalid") !== "true") inputs[k].value = formatNumber(settings[k], { maximumSignificantDigits: 6, useGrouping: false });
    }
    augment.value = settings.augment;
    pace.value = settings.pace;
    play.textContent = playing ? t("pause") : t("play");
    play.setAttribute("aria-pressed", String(playing));
    sameSeed.textContent = t("sameSeed", { seed: settings.seed });
    cli.textContent = t("cli", { epochs: String(settings.epochs), extra: cliExtra() });
    const last = points[points.length - 1];
    const epoch = last?.epoch ?? 0;
    status.textContent = error ? t("error", { text: error })
      : !ready ? t("loading")
      : end?.kind === "early-stopping" ? t("early", { epoch: end.epoch, patience: settings.patience, best: end.bestEpoch ?? 0 })
      : end?.kind === "non-finite" ? t("nonFinite")
      : end ? t("finished", { epochs: epoch })
      : epoch === 0 ? t("statusStart", { epochs: settings.epochs })
      : t("status", { epoch, epochs: settings.epochs });
    warn.textContent = invalid.map((i) => t("invalid", { key: i.key, value: i.value, fallback: String(settings[i.key]) })).join(" ");

    const xs = points.map((p) => p.epoch);
    let best: EpochPoint | undefined;
    for (const p of points) if (!best || p.valAccuracy > best.valAccuracy) best = p;
    const accs = points.flatMap((p) => [p.trainAccuracy, p.valAccuracy]);
    const floor = accs.length ? Math.max(0, Math.floor(Math.min(...accs) * 10) / 10) : 0;
    accChart.draw({
      series: [
        { color: TRAIN_COLOR, xs, ys: points.map((p) => p.trainAccuracy) },
        { color: VAL_COLOR, xs, ys: points.map((p) => p.valAccuracy) },
      ],
      xMax: settings.epochs, xLabel: t("epoch"), yLabel: t("accuracy"), yMin: floor, yMax: 1,
      format: (v) => formatNumber(v), formatY: (v) => `${fixed(v * 100, 0)} %`,
      ...(best && settings.patience > 0 ? { marks: [{ x: best.epoch, label: t("best"), color: VAL_COLOR }] } : {}),
    });
    costChart.draw({
      series: [
        { color: TRAIN_COLOR, xs, ys: points.map((p) => p.trainLoss) },
        { color: VAL_COLOR, xs, ys: points.map((p) => p.valLoss) },
      ],
      xMax: settings.epochs, xLabel: t("epoch"), yLabel: t("cost"), logY: true, format: (v) => formatNumber(v),
    });
    const keys = [
      { color: TRAIN_COLOR, label: t("trainLine", { n: 1000 }) },
      { color: VAL_COLOR, label: t("valLine", { n: info.validation }) },
    ];
    legend(accKeys, keys);
    legend(costKeys, keys);
    readout.textContent = last
      ? t("readout", { epoch: last.epoch, train: percent(last.trainAccuracy), val: percent(last.valAccuracy), gap: fixed((last.trainAccuracy - last.valAccuracy) * 100, 1) })
      : "";
    bestLine.textContent = best ? t("bestAt", { acc: percent(best.valAccuracy), epoch: best.epoch }) : "";
    histCaption.textContent = hist
      ? t("histCaption", { total: hist.total, zeros: hist.zeros, near: hist.nearZeros, eps: formatNumber(hist.near), max: fixed(hist.maxAbs, 2) })
      : "";
    drawHist();
    Object.assign(probe, { settings: { ...settings }, config, epochs: points, histogram: hist, playing, ready, end, invalid, run, info });
  }

  labels();
  start(false);
  return {
    destroy() {
      worker.terminate();
      accChart.destroy();
      costChart.destroy();
      histObserver.disconnect();
    },
    relabel() {
      labels();
      render();
    },
  };
}

export const overfittingView: TeachingView = {
  id: "overfitting",
  title: () => t("title"),
  summary: () => t("summary"),
  mount,
};
