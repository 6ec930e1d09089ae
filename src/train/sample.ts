/**
 * Text from a character-level language model (a Sequential of Embedding, recurrent layers, per-step
 * Linear, Softmax): read the prompt, then draw one character at a time from softmax(z / temperature),
 * feeding each back in with the recurrent state carried — Karpathy's char-rnn sampling.
 */
import type { Module } from "../nn/module.js";
import { Sequential } from "../nn/layers/sequential.js";
import { Embedding } from "../nn/layers/embedding.js";
import { Softmax } from "../nn/layers/activations.js";
import { RecurrentBase, resetRecurrentStates, type RecurrentState } from "../nn/layers/recurrent.js";
import { Tensor } from "../tensor.js";
import { noGrad } from "../autograd.js";
import { scope } from "../memory.js";
import { Rng } from "../rng.js";
import { UNKNOWN, Vocabulary } from "../data/text.js";
import { ModelFileError } from "../errors.js";

/**
 * Why this model cannot generate text, or null: it must be a Sequential that starts with an
 * Embedding of the vocabulary's size and ends with a Softmax.
 */
export function languageModelProblem(model: Module, vocabularySize: number): string | null {
  if (!(model instanceof Sequential) || model.layers.length < 2) return "it is not a sequence of layers";
  const first = model.layers[0];
  if (!(first instanceof Embedding)) return "it does not start with an Embedding of characters (embed<D>)";
  if (first.numEmbeddings !== vocabularySize) return `its Embedding has ${first.numEmbeddings} rows, but the vocabulary kept with it has ${vocabularySize} characters`;
  if (!(model.layers[model.layers.length - 1] instanceof Softmax)) return "it does not end with a softmax over the characters";
  return null;
}

/**
 * The vocabulary a language model's file keeps in its training record (descent train --preset
 * char-lm writes it), or a ModelFileError saying why this is no language model. `name` is how
 * messages call the file.
 */
export function modelVocabulary(name: string, training: Record<string, unknown> | undefined): Vocabulary {
  const v = training?.vocabulary;
  if (typeof v !== "string") {
    throw new ModelFileError(
      `${name} is not a character language model (its training record keeps no vocabulary) — sample reads models trained on text, e.g. descent train --preset char-lm --out lm.safetensors`,
    );
  }
  try {
    return Vocabulary.fromString(v);
  } catch (e) {
    throw new ModelFileError(`${name}: the vocabulary in its training record is damaged (${(e as Error).message})`, { cause: e });
  }
}

/** The prompt's characters the vocabulary lacks (each once, in order): they are read as the unknown character. */
export function unknownCharacters(vocabulary: Vocabulary, prompt: string): string[] {
  return [...new Set([...prompt].filter((c) => vocabulary.id(c) === 0 && c !== UNKNOWN))];
}

export interface SampleOptions {
  prompt: string;
  /** Characters to generate after the prompt. */
  length: number;
  /** Divides the scores before the softmax: < 1 sharpens (more likely characters), > 1 flattens. */
  temperature: number;
  rng: Rng;
}

/** The prompt followed by `length` generated characters. Deterministic for a given rng state. */
export function sampleText(model: Sequential, vocabulary: Vocabulary, opts: SampleOptions): string {
  const problem = languageModelProblem(model, vocabulary.size);
  if (problem) throw new ModelFileError(`sample: ${problem}`);
  const wasTraining = model.training;
  model.eval();
  resetRecurrentStates(model);
  const states = new Map<Module, RecurrentState>();
  const layers = model.layers;
  /** The scores (before the softmax) after reading `ids`, at the last one; the recurrent states move on. */
  const read = (ids: ArrayLike<number>): Float64Array => scope(() => {
    let x = new Tensor(Float32Array.from(ids), [1, ids.length]);
    for (let i = 0; i + 1 < layers.length; i++) {
      const layer = layers[i]!;
      if (layer instanceof RecurrentBase) {
        const r = layer.forwardWithState(x, states.get(layer));
        // Copies: the step's memory is reclaimed when the scope ends.
        states.set(layer, { h: keep(r.state.h), ...(r.state.c ? { c: keep(r.state.c) } : {}) });
        x = r.output;
      } else x = layer.forward(x);
    }
    const v = x.shape[x.rank - 1]!;
    return Float64Array.from(x.data.subarray(x.data.length - v));
  });
  try {
    return noGrad(() => {
      const prompt = vocabulary.encode(opts.prompt);
      let scores = read(prompt.length > 0 ? prompt : [0]);
      const out: number[] = [];
      for (let n = 0; n < opts.length; n++) {
        const id = draw(scores, opts.temperature, opts.rng);
        out.push(id);
        if (n + 1 < opts.length) scores = read([id]);
      }
      return opts.prompt + vocabulary.decode(out);
    });
  } finally {
    model.train(wasTraining);
  }
}

/**
 * `descent sample`'s text: sampleText with the generator the seed forks for sampling, so the CLI
 * and the explorer give the same characters for the same model, prompt, length, temperature and seed.
 */
export function sampleWithSeed(model: Sequential, vocabulary: Vocabulary, opts: Omit<SampleOptions, "rng"> & { seed: number }): string {
  return sampleText(model, vocabulary, { prompt: opts.prompt, length: opts.length, temperature: opts.temperature, rng: new Rng(opts.seed).fork("sample") });
}

const keep = (t: Tensor) => new Tensor(Float32Array.from(t.data), t.shape);

/**
 * One index drawn from softmax(scores / temperature), in float64 (the same draw on every backend).
 * Index 0 (the unknown character) is never drawn: it stands for many characters, none of them printable as itself.
 */
export function draw(scores: Float64Array, temperature: number, rng: Rng): number {
  let max = -Infinity;
  for (let i = 1; i < scores.length; i++) max = Math.max(max, scores[i]! / temperature);
  const p = new Float64Array(scores.length);
  let total = 0;
  for (let i = 1; i < scores.length; i++) total += p[i] = Math.exp(scores[i]! / temperature - max);
  let u = rng.uniform() * total;
  for (let i = 1; i < p.length; i++) {
    u -= p[i]!;
    if (u < 0) return i;
  }
  return p.length - 1; // rounding left u ≥ 0 after the last one
}
