/**
 * Sequence data. Oracles: the adding problem worked out by hand from the generator's documented draw
 * order (values, then the two marker steps) and the same seeded stream read directly; windows
 * and targets checked against the text they were cut from; bits per character = nats / ln 2.
 */
import { describe, expect, test } from "vitest";
import { Rng } from "../src/rng.js";
import { addingProblem, mnistRows } from "../src/data/sequences.js";
import { TensorDataset } from "../src/data/dataset.js";
import { buildVocabulary, bitsPerChar, languageModelData, lmWindows, UNKNOWN, Vocabulary } from "../src/data/text.js";

describe("the adding problem", () => {
  test("a small seeded case: the values, the two markers (one per half) and their sum, drawn in the documented order", () => {
    const ds = addingProblem(2, 4, new Rng(7).fork("t"));
    // The same stream, read by hand: per example 4 values, then the first marker in [0, 2), the second in [2, 4).
    const r = new Rng(7).fork("t");
    for (let e = 0; e < 2; e++) {
      const values = [r.uniform(), r.uniform(), r.uniform(), r.uniform()];
      const first = r.int(2);
      const second = 2 + r.int(2);
      const x = Array.from(ds.get(e).x);
      expect(x.filter((_, i) => i % 2 === 0)).toEqual(values.map(Math.fround));
      expect(x.filter((_, i) => i % 2 === 1)).toEqual([0, 1, 2, 3].map((t) => (t === first || t === second ? 1 : 0)));
      expect((ds.get(e).y as Float32Array)[0]).toBe(Math.fround(Math.fround(values[first]!) + Math.fround(values[second]!)));
    }
    expect(ds.featureShape).toEqual([4, 2]);
    expect(ds.task).toBe("regression");
  });

  test("targets are spread like the sum of two U(0, 1): the constant predictor 1 scores ≈ 2/12", () => {
    const ds = addingProblem(20000, 100, new Rng(1));
    const y = ds.targets;
    let se = 0;
    for (const v of y) se += (v - 1) ** 2;
    expect(se / y.length).toBeGreaterThan(0.16);
    expect(se / y.length).toBeLessThan(0.173);
    // Exactly two markers per sequence.
    for (let e = 0; e < 50; e++) expect(Array.from(ds.get(e).x).filter((_, i) => i % 2 === 1).reduce((a, b) => a + b, 0)).toBe(2);
  });

  test("refuses sizes it cannot make", () => {
    expect(() => addingProblem(0, 10, new Rng(1))).toThrow(/positive integer/);
    expect(() => addingProblem(5, 1, new Rng(1))).toThrow(/steps must be an integer ≥ 2/);
  });
});

test("MNIST rows: the same pixels seen as 28 steps of 28", () => {
  const pixels = Float32Array.from({ length: 2 * 784 }, (_, i) => i / 2000);
  const rows = mnistRows(new TensorDataset(pixels, [784], Int32Array.from([3, 4])));
  expect(rows.featureShape).toEqual([28, 28]);
  expect(rows.features).toBe(pixels);
  expect(rows.batch([1]).x.shape).toEqual([1, 28, 28]);
});

describe("character text", () => {
  test("the vocabulary: unknown first, then code-point order; encode and decode round-trip", () => {
    const v = buildVocabulary("banana — ’ok’");
    expect(v.chars).toEqual([UNKNOWN, " ", "a", "b", "k", "n", "o", "—", "’"]);
    const text = "an ok banana — ’bonk’";
    expect(v.decode(v.encode(text))).toBe(text);
    expect(Array.from(v.encode("bx"))).toEqual([3, 0]); // x is unknown
    expect(Vocabulary.fromString(v.toString()).chars).toEqual(v.chars);
  });

  test("rare characters become unknown; a vocabulary file with a repeated character is refused", () => {
    const v = buildVocabulary("aaab", 2);
    expect(v.chars).toEqual([UNKNOWN, "a"]);
    expect(() => Vocabulary.fromString(`${UNKNOWN}aa`)).toThrow(/appears twice/);
    expect(() => Vocabulary.fromString("ab")).toThrow(/U\+FFFD/);
  });

  test("windows: each target is the next character; batches of `streams` continue each other row by row", () => {
    const text = "abcdefghijklmnopqrstuvwxyz";
    const v = buildVocabulary(text);
    const ids = v.encode(text);
    // 26 characters, 2 streams of windows of 3: (26 − 1) / 6 → 4 windows per stream, 12 characters per stream.
    const ds = lmWindows(ids, 3, 2, v.size);
    expect(ds.length).toBe(8);
    const decode = (f: ArrayLike<number>) => v.decode(Array.from(f));
    const windows = Array.from({ length: 8 }, (_, e) => [decode(ds.get(e).x), decode(ds.get(e).y as Int32Array)]);
    expect(windows).toEqual([
      ["abc", "bcd"], ["mno", "nop"],
      ["def", "efg"], ["pqr", "qrs"],
      ["ghi", "hij"], ["stu", "tuv"],
      ["jkl", "klm"], ["vwx", "wxy"],
    ]);
    expect(ds.streams).toBe(2);
    expect(ds.classes).toBe(v.size);
    expect(ds.targetWidth).toBe(3);
    // A batch of two carries both streams' labels, step by step.
    expect(decode(ds.batch([2, 3]).y as Int32Array)).toBe("efgqrs");
    expect(() => lmWindows(ids, 20, 2, v.size)).toThrow(/cannot fill one window/);
  });

  test("bits per character: a cost of ln 2 nats is one bit; the uniform model over V characters costs log₂ V", () => {
    expect(bitsPerChar(Math.LN2)).toBe(1);
    expect(bitsPerChar(Math.log(86))).toBeCloseTo(Math.log2(86), 12);
  });

  test("language-model splits: the most recent documents held out (older half validation, newest test)", () => {
    const docs = Array.from({ length: 6 }, (_, i) => ({ name: `${1990 + i}_x`, text: `speech number ${i} `.repeat(20) }));
    const lm = languageModelData(docs, { steps: 5, streams: 2, holdout: 4, minCount: 1 });
    expect(lm.held).toEqual({ validation: ["1992_x", "1993_x"], test: ["1994_x", "1995_x"] });
    expect(lm.vocabulary.decode(Array.from(lm.train.get(0).x))).toBe("speec");
    expect(lm.validation.streams).toBe(2);
  });

  test("since: only the training documents from that year on are read; the held-out ones do not move", () => {
    const docs = Array.from({ length: 8 }, (_, i) => ({ name: `${1990 + i}_x`, year: 1990 + i, text: (i < 2 ? "old words " : "new words ").repeat(20) }));
    const all = languageModelData(docs, { steps: 5, streams: 2, holdout: 4, minCount: 1 });
    const recent = languageModelData(docs, { steps: 5, streams: 2, holdout: 4, minCount: 1, since: 1992 });
    expect(recent.held).toEqual(all.held);
    // The two oldest ("old words") are dropped: no "l" left in the vocabulary, and fewer windows.
    expect(recent.vocabulary.toString()).not.toMatch(/l/);
    expect(all.vocabulary.toString()).toMatch(/l/);
    expect(recent.train.length).toBeLessThan(all.train.length);
    expect(() => languageModelData(docs, { steps: 5, streams: 2, holdout: 4, minCount: 1, since: 1997 })).toThrow(/no training document is from 1997 or later/);
  });
});
