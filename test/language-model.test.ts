/**
 * A character language model trained through the experiment (stateful LSTM over parallel
 * streams, a label per step). Oracles: a periodic text has a known optimum — its next character
 * is determined by the last few, so the cost falls toward 0 bits from the uniform log₂ V — and
 * evaluating the same data twice must give the same cost (the carried state is reset around it).
 */
import { expect, test } from "vitest";
import { buildExperiment, DEFAULT_CONFIG, type TrainConfig } from "../src/train/config.js";
import { bitsPerChar, buildVocabulary, lmWindows } from "../src/data/text.js";
import { UsageError } from "../src/errors.js";

const TEXT = "the cat sat on the mat. ".repeat(120);
const vocabulary = buildVocabulary(TEXT);
const ids = vocabulary.encode(TEXT);
const data = (streams: number) => ({
  train: lmWindows(ids.subarray(0, 2000), 12, streams, vocabulary.size),
  validation: lmWindows(ids.subarray(2000, 2400), 12, streams, vocabulary.size),
  test: lmWindows(ids.subarray(2400), 12, streams, vocabulary.size),
});
const config: TrainConfig = {
  ...DEFAULT_CONFIG, data: "sotu", steps: 12, arch: "embed8,lstm32seqstateful,fcv,softmax", cost: "log-likelihood", init: "pytorch",
  optimizer: "adam", lr: 0.01, batchSize: 4, epochs: 4, validation: 0, clipNorm: 5,
};

test("a stateful LSTM learns a periodic text: from log₂ V bits per character to below 0.5", () => {
  const ex = buildExperiment(config, data(4));
  const before = bitsPerChar(ex.trainer.evaluate(ex.data.test!).loss);
  expect(Math.abs(before - Math.log2(vocabulary.size))).toBeLessThan(0.5); // near uniform at the start
  const fit = ex.trainer.fit(ex.loader, ex.fitOptions);
  expect(fit.history).toHaveLength(4);
  const after = ex.trainer.evaluate(ex.data.test!);
  expect(bitsPerChar(after.loss)).toBeLessThan(0.5);
  // Accuracy counts every character of every window.
  expect(after.total).toBe(ex.data.test!.length * 12);
  // The state is reset around an evaluation: the same data scores the same.
  expect(ex.trainer.evaluate(ex.data.test!).loss).toBe(after.loss);
}, 120_000);

test("the batch must match the number of streams the text was cut into", () => {
  expect(() => buildExperiment({ ...config, batchSize: 8 }, data(4))).toThrow(UsageError);
  expect(() => buildExperiment({ ...config, batchSize: 8 }, data(4))).toThrow(/4 parallel streams but the batch size is 8/);
});

test("a network that does not score every step is refused before training", () => {
  expect(() => buildExperiment({ ...config, arch: "embed8,lstm32,fcv,softmax" }, data(4))).toThrow(/needs \[12, \d+\]/);
});
