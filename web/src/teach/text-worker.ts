/**
 * The text view's worker: reads a model file with the core library (decodeModel), says what it is,
 * and samples text from it with the very function `descent sample` calls (sampleWithSeed), so the
 * page's text equals the CLI's for the same model, prompt, length, temperature and seed. Sampling
 * reads one character per forward pass: long samples take a while, so they run here, not on the page.
 */
import { decodeModel } from "../../../src/io/model-file.js";
import { assertFiniteWeights } from "../../../src/io/model-health.js";
import { languageModelProblem, modelVocabulary, sampleWithSeed, unknownCharacters } from "../../../src/train/sample.js";
import type { Sequential } from "../../../src/nn/layers/sequential.js";
import type { Vocabulary } from "../../../src/data/text.js";
import { backendInfo } from "../../../src/kernels/index.js";
import type { TextFromWorker, TextToWorker, ModelInfo } from "./text-protocol.js";

const post = (m: TextFromWorker) => (self as unknown as Worker).postMessage(m);
let lm: { model: Sequential; vocabulary: Vocabulary } | null = null;

const info = backendInfo();
post({ type: "engine", backend: info.backend, fma: info.fma.active });

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

function load(bytes: Uint8Array, name: string): void {
  lm = null;
  let decoded: ReturnType<typeof decodeModel>;
  try {
    decoded = decodeModel(bytes, name);
  } catch (e) {
    post({ type: "refused", reason: "broken", detail: (e as Error).message });
    return;
  }
  const training = decoded.meta.training;
  const config = (typeof training.config === "object" && training.config !== null ? training.config : {}) as Record<string, unknown>;
  let vocabulary: Vocabulary;
  try {
    vocabulary = modelVocabulary(name, training);
  } catch (e) {
    const reason = typeof training.vocabulary === "string" ? "broken" : "not-text";
    post({ type: "refused", reason, detail: (e as Error).message });
    return;
  }
  const problem = languageModelProblem(decoded.model, vocabulary.size);
  if (problem) {
    post({ type: "refused", reason: "not-sequence", detail: `${name} cannot generate text: ${problem}` });
    return;
  }
  try {
    assertFiniteWeights(name, decoded.model.stateDict());
  } catch (e) {
    post({ type: "refused", reason: "non-finite", detail: (e as Error).message });
    return;
  }
  lm = { model: decoded.model as Sequential, vocabulary };
  let parameters = 0;
  for (const t of Object.values(decoded.model.stateDict())) parameters += t.data.length;
  const description: ModelInfo = {
    name,
    arch: typeof config.arch === "string" ? config.arch : (lm.model.layers.map((l) => l.spec().type).join(", ")),
    preset: typeof training.preset === "string" ? training.preset : null,
    data: typeof training.data === "string" ? training.data : typeof config.data === "string" ? config.data : null,
    vocabularySize: vocabulary.size,
    parameters,
    validationBitsPerChar: num(training.validationBitsPerChar),
    testBitsPerChar: num(training.testBitsPerChar),
    epochs: num(training.epochsTrained),
  };
  post({ type: "loaded", info: description });
}

self.onmessage = (e: MessageEvent<TextToWorker>) => {
  const m = e.data;
  if (m.type === "load") {
    load(new Uint8Array(m.bytes), m.name);
    return;
  }
  if (!lm) return;
  try {
    const t0 = performance.now();
    const text = sampleWithSeed(lm.model, lm.vocabulary, { prompt: m.prompt, length: m.length, temperature: m.temperature, seed: m.seed });
    post({ type: "sample", id: m.id, text, unknown: unknownCharacters(lm.vocabulary, m.prompt), ms: performance.now() - t0 });
  } catch (err) {
    post({ type: "failed", id: m.id, detail: err instanceof Error ? err.message : String(err) });
  }
};
