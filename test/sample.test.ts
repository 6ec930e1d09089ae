/**
 * What `descent sample` and the explorer's text view share (train/sample.ts). Oracles: the
 * vocabulary written by hand, sampleText with the generator written out (new Rng(seed).fork("sample"),
 * as the CLI did before sampleWithSeed existed), and the prompt a sample must start with.
 */
import { expect, test } from "vitest";
import { buildVocabulary, UNKNOWN } from "../src/data/text.js";
import { buildArch } from "../src/nn/arch.js";
import { modelVocabulary, sampleText, sampleWithSeed, unknownCharacters } from "../src/train/sample.js";
import type { Sequential } from "../src/nn/layers/sequential.js";
import { ModelFileError } from "../src/errors.js";
import { Rng } from "../src/rng.js";

const vocabulary = buildVocabulary("abba cab");

test("a language model's vocabulary comes back from its training record; anything else is refused with what to do", () => {
  expect(modelVocabulary("lm", { vocabulary: vocabulary.toString() }).chars).toEqual([UNKNOWN, " ", "a", "b", "c"]);
  expect(() => modelVocabulary("digits.safetensors", { testAccuracy: 0.9 })).toThrow(ModelFileError);
  expect(() => modelVocabulary("digits.safetensors", {})).toThrow(/digits\.safetensors is not a character language model.*--preset char-lm/);
  expect(() => modelVocabulary("lm", { vocabulary: "xx" })).toThrow(/lm: the vocabulary in its training record is damaged/);
});

test("the prompt's characters outside the vocabulary, each once, in order", () => {
  expect(unknownCharacters(vocabulary, "abcd, dé")).toEqual(["d", ",", "é"]);
  expect(unknownCharacters(vocabulary, `ab${UNKNOWN}`)).toEqual([]);
});

test("sampleWithSeed is sampleText with the seed's \"sample\" stream: same seed, same text; the text starts with the prompt", () => {
  const { model } = buildArch("embed4,lstm8seqstateful,fcv,softmax", { input: [10], vocabulary: vocabulary.size, rng: new Rng(5) });
  const lm = model as Sequential;
  const opts = { prompt: "ab", length: 40, temperature: 0.8 };
  const a = sampleWithSeed(lm, vocabulary, { ...opts, seed: 7 });
  expect(a).toBe(sampleText(lm, vocabulary, { ...opts, rng: new Rng(7).fork("sample") }));
  expect(a.startsWith("ab")).toBe(true);
  expect([...a]).toHaveLength(42);
  expect([...a.slice(2)].every((c) => " abc".includes(c))).toBe(true);
  expect(sampleWithSeed(lm, vocabulary, { ...opts, seed: 8 })).not.toBe(a);
});
