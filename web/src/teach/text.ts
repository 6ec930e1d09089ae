/**
 * View "text" (issue 17, view 7): a character language model, sampled. Load a model file written
 * by `descent train --preset char-lm`; the page says what it is (architecture, vocabulary, bits
 * per character) and generates text from a prompt, one character at a time from
 * softmax(z / temperature) — Karpathy's char-rnn — with the same function and seed stream as
 * `descent sample`, in a worker of its own (text-worker.ts).
 */
import "./text.css";
import { defineStrings, fixed, formatNumber } from "../i18n.js";
import type { MountedView, TeachingView, ViewContext } from "./view.js";
import type { ModelInfo, Refusal, TextFromWorker, TextToWorker } from "./text-protocol.js";

const t = defineStrings("view.text", {
  title: "Text from a sequence model",
  summary: "A character-level language model (an LSTM trained on the State of the Union addresses) writes text one character at a time; the temperature decides how daring it is.",
  modelH: "The model",
  file: "Model file (.safetensors)",
  choose: "Choose a file…",
  chosen: "{name}",
  noFile: "no file chosen",
  quoted: "“{c}”",
  fileHint: "Train one with: descent train --preset char-lm --out lm.safetensors",
  none: "No model loaded yet: choose a language model file above.",
  loading: "Reading {name}…",
  name: "File",
  arch: "Architecture",
  preset: "Preset",
  data: "Trained on",
  vocabulary: "Vocabulary",
  vocabularyValue: "{n} characters",
  parameters: "Parameters",
  valBits: "Validation bits per character",
  testBits: "Test bits per character",
  bitsHint: "Uniform guessing among {n} characters costs {bits} bits per character; lower is better.",
  notRecorded: "not recorded",
  epochs: "Passes over the text",
  broken: "This file is not a model descent can read (damaged, or another kind of file). Choose a .safetensors file written by descent train --out.",
  notText: "This model was not trained on text: its file keeps no vocabulary of characters, so it cannot write. Load a model trained with --preset char-lm.",
  notSequence: "This model has a vocabulary but is not a character language model (it must read characters through an embedding and end with a softmax over them).",
  nonFinite: "This model's weights contain infinite or undefined values (its training diverged): it cannot generate text.",
  details: "Technical details",
  genH: "Generate",
  prompt: "Prompt (the model reads it first; the text starts with it)",
  temperature: "Temperature",
  temperatureHint: "Divides the scores before the softmax: below 1 plays safe (likely characters), above 1 takes risks.",
  length: "Characters to generate",
  seed: "Seed",
  generate: "Generate",
  generating: "Generating…",
  sampled: "{n} characters in {ms} ms · the same as descent sample --prompt … --length {length} --temperature {temp} --seed {seed}",
  unknown: "The model never saw {chars} in training: read as unknown characters.",
  output: "Generated text",
  failed: "Sampling failed: {detail}",
  badParam: "The address asked for {name} = “{value}”, which is not allowed ({range}): using {used}.",
  howH: "How it writes",
  how1: "The network reads the prompt one character at a time, carrying its LSTM memory forward. After the last character its softmax gives a probability for every character of the vocabulary.",
  how2: "One character is drawn at random from softmax(z / T), written, and fed back in as the next input; and so on. At a low temperature T the likeliest character almost always wins (repetitive text); at T = 1 the model's own probabilities are used; above 1 rare characters come up more often (inventive, then garbled).",
  how3: "The seed fixes the random draws: the same model, prompt, temperature, length and seed always give the same text, here and in the command line.",
}, {
  title: "Texte d’un modèle de séquence",
  summary: "Un modèle de langage au niveau des caractères (un LSTM entraîné sur les discours sur l’état de l’Union) écrit un caractère à la fois ; la température règle son audace.",
  modelH: "Le modèle",
  file: "Fichier du modèle (.safetensors)",
  choose: "Choisir un fichier…",
  chosen: "{name}",
  noFile: "aucun fichier choisi",
  quoted: "« {c} »",
  fileHint: "Entraînez-en un avec : descent train --preset char-lm --out lm.safetensors",
  none: "Aucun modèle chargé : choisissez ci-dessus le fichier d’un modèle de langage.",
  loading: "Lecture de {name}…",
  name: "Fichier",
  arch: "Architecture",
  preset: "Préréglage",
  data: "Entraîné sur",
  vocabulary: "Vocabulaire",
  vocabularyValue: "{n} caractères",
  parameters: "Paramètres",
  valBits: "Bits par caractère (validation)",
  testBits: "Bits par caractère (test)",
  bitsHint: "Deviner au hasard parmi {n} caractères coûte {bits} bits par caractère ; plus c’est bas, mieux c’est.",
  notRecorded: "non enregistré",
  epochs: "Passages sur le texte",
  broken: "Ce fichier n’est pas un modèle que descent sait lire (endommagé, ou d’un autre type). Choisissez un fichier .safetensors écrit par descent train --out.",
  notText: "Ce modèle n’a pas été entraîné sur du texte : son fichier ne garde aucun vocabulaire de caractères, il ne peut donc pas écrire. Chargez un modèle entraîné avec --preset char-lm.",
  notSequence: "Ce modèle a un vocabulaire mais n’est pas un modèle de langage au niveau des caractères (il doit lire les caractères par une couche de plongement et finir par un softmax sur eux).",
  nonFinite: "Les poids de ce modèle contiennent des valeurs infinies ou indéfinies (son entraînement a divergé) : il ne peut pas générer de texte.",
  details: "Détails techniques",
  genH: "Générer",
  prompt: "Amorce (le modèle la lit d’abord ; le texte commence par elle)",
  temperature: "Température",
  temperatureHint: "Divise les scores avant le softmax : en dessous de 1, le modèle joue la prudence (caractères probables) ; au-dessus, il prend des risques.",
  length: "Caractères à générer",
  seed: "Graine",
  generate: "Générer",
  generating: "Génération…",
  sampled: "{n} caractères en {ms} ms · identique à descent sample --prompt … --length {length} --temperature {temp} --seed {seed}",
  unknown: "Le modèle n’a jamais vu {chars} pendant l’entraînement : lu comme caractère inconnu.",
  output: "Texte généré",
  failed: "L’échantillonnage a échoué : {detail}",
  badParam: "L’adresse demandait {name} = « {value} », valeur non permise ({range}) : on utilise {used}.",
  howH: "Comment il écrit",
  how1: "Le réseau lit l’amorce un caractère à la fois, en gardant sa mémoire LSTM d’un pas à l’autre. Après le dernier caractère, son softmax donne une probabilité pour chaque caractère du vocabulaire.",
  how2: "Un caractère est tiré au hasard selon softmax(z / T), écrit, puis redonné au réseau comme entrée suivante ; et ainsi de suite. À basse température T, le caractère le plus probable gagne presque toujours (texte répétitif) ; à T = 1, ce sont les probabilités du modèle lui-même ; au-dessus de 1, les caractères rares sortent plus souvent (inventif, puis incohérent).",
  how3: "La graine fixe les tirages : le même modèle, la même amorce, la même température, la même longueur et la même graine donnent toujours le même texte, ici comme en ligne de commande.",
});

const DEFAULTS = { prompt: "The ", temperature: 0.8, length: 400, seed: 1 };
const LIMITS = { temperature: [0.1, 2], length: [1, 2000], seed: [0, 2 ** 32 - 1] } as const;
const REFUSALS: Record<Refusal, Parameters<typeof t>[0]> = { broken: "broken", "not-text": "notText", "not-sequence": "notSequence", "non-finite": "nonFinite" };

interface Settings { prompt: string; temperature: number; length: number; seed: number }

/** The settings in the URL; a value out of range or not a number is replaced by the default, with a note. */
function readParams(p: URLSearchParams): { settings: Settings; bad: { name: string; value: string; range: string; used: number }[] } {
  const settings: Settings = { ...DEFAULTS, prompt: p.get("prompt") ?? DEFAULTS.prompt };
  const bad: { name: string; value: string; range: string; used: number }[] = [];
  for (const name of ["temperature", "length", "seed"] as const) {
    const raw = p.get(name);
    if (raw === null) continue;
    const v = Number(raw);
    const [lo, hi] = LIMITS[name];
    const ok = raw.trim() !== "" && Number.isFinite(v) && v >= lo && v <= hi && (name === "temperature" || Number.isInteger(v));
    if (ok) settings[name] = v;
    else bad.push({ name, value: raw.slice(0, 40), range: `${formatNumber(lo)}–${formatNumber(hi)}`, used: DEFAULTS[name] });
  }
  return { settings, bad };
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
}

function mount(root: HTMLElement, ctx: ViewContext): MountedView {
  const { settings, bad } = readParams(ctx.params);
  const probe = ctx.probe as Record<string, unknown>;
  Object.assign(probe, { ready: false, loaded: false, info: null, refusal: null, text: null, samples: 0, settings: { ...settings }, badParams: bad.map((b) => b.name) });

  // The model panel.
  // The native file button speaks the browser's language, not the page's: it is hidden behind a label of ours.
  const fileLabel = el("p", { className: "tx-field-label", id: "tx-file-label" });
  const fileInput = el("input", { type: "file", id: "tx-file", accept: ".safetensors", className: "tx-file-input" });
  fileInput.setAttribute("aria-labelledby", "tx-file-label tx-file-button");
  const fileButton = el("label", { htmlFor: "tx-file", id: "tx-file-button", className: "tx-file-button" });
  const fileName = el("span", { className: "hint tx-file-name" });
  const filePick = el("div", { className: "tx-file" }, fileInput, fileButton, fileName);
  const fileHint = el("p", { className: "hint" });
  const status = el("p", { className: "hint", id: "tx-status" });
  status.setAttribute("aria-live", "polite");
  const message = el("div", { id: "tx-message", className: "tx-message" });
  message.setAttribute("role", "alert");
  const dl = el("dl", { id: "tx-info", className: "tx-info" });
  const bitsHint = el("p", { className: "hint", id: "tx-bits-hint" });
  const modelH = el("h2");
  const modelPanel = el("section", {}, modelH, fileLabel, filePick, fileHint, status, message, dl, bitsHint);

  // The generate panel.
  const genH = el("h2");
  const promptLabel = el("label", { htmlFor: "tx-prompt" });
  const promptInput = el("textarea", { id: "tx-prompt", rows: 2, value: settings.prompt, spellcheck: false, maxLength: 10000 });
  const tempLabel = el("label", { htmlFor: "tx-temp" });
  const tempInput = el("input", { id: "tx-temp", type: "range", min: "0.1", max: "2", step: "0.05", value: String(settings.temperature) });
  const tempOut = el("output", { id: "tx-temp-value" });
  tempOut.setAttribute("for", "tx-temp");
  const tempHint = el("p", { className: "hint" });
  const lengthLabel = el("label", { htmlFor: "tx-length" });
  const lengthInput = el("input", { id: "tx-length", type: "number", min: "1", max: String(LIMITS.length[1]), step: "1", value: String(settings.length) });
  const seedLabel = el("label", { htmlFor: "tx-seed" });
  const seedInput = el("input", { id: "tx-seed", type: "number", min: "0", max: String(LIMITS.seed[1]), step: "1", value: String(settings.seed) });
  const generate = el("button", { id: "tx-generate", type: "button", disabled: true });
  const notes = el("p", { className: "tx-notes", id: "tx-notes" });
  notes.setAttribute("role", "status");
  const outputLabel = el("h3", { id: "tx-output-h" });
  const output = el("pre", { id: "tx-output", className: "tx-output", tabIndex: 0 });
  output.setAttribute("aria-labelledby", "tx-output-h");
  output.setAttribute("aria-live", "polite");
  const sampled = el("p", { className: "hint", id: "tx-sampled" });
  const genPanel = el("section", { className: "tx-generate" },
    genH,
    el("div", { className: "tx-field" }, promptLabel, promptInput),
    el("div", { className: "tx-row" },
      el("div", { className: "tx-field tx-temp" }, tempLabel, el("div", { className: "tx-slider" }, tempInput, tempOut)),
      el("div", { className: "tx-field" }, lengthLabel, lengthInput),
      el("div", { className: "tx-field" }, seedLabel, seedInput)),
    tempHint,
    el("div", { className: "buttons" }, generate),
    notes, outputLabel, output, sampled);

  const howH = el("h2");
  const how = [el("p"), el("p"), el("p")];
  const howPanel = el("section", { className: "tx-how" }, howH, ...how);
  root.append(modelPanel, genPanel, howPanel);

  const worker = new Worker(new URL("./text-worker.ts", import.meta.url), { type: "module", name: ctx.base });
  let info: ModelInfo | null = null;
  let refusal: { reason: Refusal; detail: string } | null = null;
  let loadingName: string | null = null;
  let last: { text: string; unknown: string[]; ms: number; settings: Settings } | null = null;
  let failure: string | null = null;
  let asked = 0;
  /** The settings of the newest request: its answer is labelled with them, not with what the fields hold by then. */
  let askedWith: Settings | null = null;
  let generating = false;

  const current = (): Settings => {
    const num = (input: HTMLInputElement, name: "temperature" | "length" | "seed") => {
      const v = Number(input.value);
      const [lo, hi] = LIMITS[name];
      const ok = input.value.trim() !== "" && Number.isFinite(v) && v >= lo && v <= hi && (name === "temperature" || Number.isInteger(v));
      input.setAttribute("aria-invalid", String(!ok));
      return ok ? v : null;
    };
    const temperature = num(tempInput, "temperature") ?? DEFAULTS.temperature;
    const length = num(lengthInput, "length");
    const seed = num(seedInput, "seed");
    return { prompt: promptInput.value, temperature, length: length ?? DEFAULTS.length, seed: seed ?? DEFAULTS.seed };
  };
  const valid = () => lengthInput.getAttribute("aria-invalid") !== "true" && seedInput.getAttribute("aria-invalid") !== "true";

  function request(): void {
    const s = current();
    ctx.setParams({ prompt: s.prompt === DEFAULTS.prompt ? null : s.prompt, temperature: s.temperature, length: s.length, seed: s.seed });
    probe.settings = { ...s };
    if (!info || !valid()) return render();
    generating = true;
    failure = null;
    askedWith = { ...s };
    worker.postMessage({ type: "sample", id: ++asked, ...s } satisfies TextToWorker);
    render();
  }

  worker.onmessage = (e: MessageEvent<TextFromWorker>) => {
    const m = e.data;
    if (m.type === "engine") {
      Object.assign(probe, { backend: m.backend, fma: m.fma, ready: true });
    } else if (m.type === "loaded") {
      info = m.info;
      refusal = null;
      loadingName = null;
      last = null;
      Object.assign(probe, { loaded: true, info, refusal: null, text: null });
      request();
    } else if (m.type === "refused") {
      info = null;
      last = null;
      loadingName = null;
      refusal = { reason: m.reason, detail: m.detail };
      Object.assign(probe, { loaded: false, info: null, refusal: m.reason, text: null });
      render();
    } else if (m.id === asked) {
      generating = false;
      if (m.type === "sample") {
        last = { text: m.text, unknown: m.unknown, ms: m.ms, settings: askedWith ?? current() };
        Object.assign(probe, { text: m.text, unknown: m.unknown, samples: (probe.samples as number) + 1, sampledWith: { ...last.settings } });
      } else failure = m.detail;
      render();
    }
  };

  fileInput.addEventListener("change", async () => {
    const f = fileInput.files?.[0];
    if (!f) return;
    loadingName = f.name;
    render();
    const bytes = await f.arrayBuffer();
    worker.postMessage({ type: "load", bytes, name: f.name } satisfies TextToWorker, [bytes]);
  });
  generate.addEventListener("click", request);
  let debounce = 0;
  const soon = () => {
    clearTimeout(debounce);
    debounce = window.setTimeout(request, 200);
  };
  tempInput.addEventListener("input", () => {
    tempOut.value = fixed(Number(tempInput.value), 2);
    soon();
  });
  for (const input of [lengthInput, seedInput]) input.addEventListener("change", request);
  promptInput.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) request();
  });

  function render(): void {
    modelH.textContent = t("modelH");
    fileLabel.textContent = t("file");
    fileButton.textContent = t("choose");
    fileName.textContent = fileInput.files?.[0] ? t("chosen", { name: fileInput.files[0].name }) : t("noFile");
    fileHint.textContent = t("fileHint");
    genH.textContent = t("genH");
    promptLabel.textContent = t("prompt");
    tempLabel.textContent = t("temperature");
    tempOut.value = fixed(Number(tempInput.value), 2);
    tempHint.textContent = t("temperatureHint");
    lengthLabel.textContent = t("length");
    seedLabel.textContent = t("seed");
    generate.textContent = generating ? t("generating") : t("generate");
    generate.disabled = !info;
    outputLabel.textContent = t("output");
    howH.textContent = t("howH");
    how.forEach((p, i) => (p.textContent = t(`how${i + 1}` as "how1")));
    status.textContent = loadingName ? t("loading", { name: loadingName }) : info || refusal ? "" : t("none");

    message.innerHTML = "";
    const notesText: string[] = bad.map((b) => t("badParam", { name: b.name, value: b.value, range: b.range, used: formatNumber(b.used) }));
    if (refusal) {
      const details = el("details", {}, el("summary", {}, t("details")), el("p", { className: "hint tx-detail" }, refusal.detail));
      message.append(el("p", { className: "tx-error" }, t(REFUSALS[refusal.reason])), details);
    }
    if (failure) message.append(el("p", { className: "tx-error" }, t("failed", { detail: failure })));

    dl.innerHTML = "";
    bitsHint.textContent = "";
    if (info) {
      const row = (k: string, v: string) => dl.append(el("dt", {}, k), el("dd", {}, v));
      const bits = (v: number | null) => (v === null ? t("notRecorded") : fixed(v, 3));
      row(t("name"), info.name);
      row(t("arch"), info.arch.replace(/,/g, ",\u200b")); // break lines after commas
      if (info.preset) row(t("preset"), info.preset);
      if (info.data) row(t("data"), info.data);
      row(t("vocabulary"), t("vocabularyValue", { n: info.vocabularySize }));
      row(t("parameters"), formatNumber(info.parameters));
      row(t("valBits"), bits(info.validationBitsPerChar));
      row(t("testBits"), bits(info.testBitsPerChar));
      if (info.epochs !== null) row(t("epochs"), formatNumber(info.epochs));
      bitsHint.textContent = t("bitsHint", { n: info.vocabularySize, bits: fixed(Math.log2(info.vocabularySize), 2) });
    }

    if (last) {
      const s = last.settings;
      output.innerHTML = "";
      output.append(el("mark", { className: "tx-prompt" }, s.prompt), last.text.slice(s.prompt.length));
      sampled.textContent = t("sampled", { n: [...last.text].length - [...s.prompt].length, ms: Math.round(last.ms), length: String(s.length), temp: String(s.temperature), seed: String(s.seed) });
      if (last.unknown.length) notesText.push(t("unknown", { chars: last.unknown.slice(0, 10).map((c) => t("quoted", { c })).join(", ") }));
    } else {
      output.textContent = "";
      sampled.textContent = "";
    }
    output.classList.toggle("stale", generating);
    notes.textContent = notesText.join(" ");
  }

  render();
  return {
    destroy() {
      clearTimeout(debounce);
      worker.terminate();
    },
    relabel: render,
  };
}

export const textView: TeachingView = { id: "text", title: () => t("title"), summary: () => t("summary"), mount };
