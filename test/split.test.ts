/**
 * Seeded splits. Oracles: set arithmetic (every row in exactly one part, every row tested exactly
 * once across folds), the counts the documented rounding gives by hand, and reruns with the same
 * and another seed.
 */
import { describe, expect, test } from "vitest";
import { checkFractions, kFoldIndices, splitIndices } from "../src/data/split.js";
import { DescentError } from "../src/errors.js";
import { Rng } from "../src/rng.js";
import { expectThrows } from "./helpers.js";

const ascending = (a: Int32Array) => a.every((v, i) => i === 0 || a[i - 1]! < v);

describe("splitIndices", () => {
  test("506 rows at 0.7,0.15,0.15 → 354, 76, 76 (round(75.9) = 76 each, train the rest): disjoint, covering, ascending", () => {
    const s = splitIndices(506, [0.7, 0.15, 0.15], new Rng(1).fork("split"));
    expect([s.train.length, s.val.length, s.test.length]).toEqual([354, 76, 76]);
    const all = [...s.train, ...s.val, ...s.test].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 506 }, (_, i) => i));
    for (const part of [s.train, s.val, s.test]) expect(ascending(part)).toBe(true);
  });

  test("the same seed gives the same split; another seed another", () => {
    const a = splitIndices(100, [0.6, 0.2, 0.2], new Rng(7).fork("split"));
    const b = splitIndices(100, [0.6, 0.2, 0.2], new Rng(7).fork("split"));
    const c = splitIndices(100, [0.6, 0.2, 0.2], new Rng(8).fork("split"));
    expect(b).toEqual(a);
    expect(c.test).not.toEqual(a.test);
  });

  test("it is the generator's permutation, cut in order train | val | test", () => {
    // Oracle: Rng.permutation itself, cut by hand.
    const perm = new Rng(3).permutation(10);
    const s = splitIndices(10, [0.5, 0.3, 0.2], new Rng(3));
    const cut = (a: number, b: number) => Array.from(perm.subarray(a, b)).sort((x, y) => x - y);
    expect([Array.from(s.train), Array.from(s.val), Array.from(s.test)]).toEqual([cut(0, 5), cut(5, 8), cut(8, 10)]);
  });

  test("rounding: halves round up, train takes what is left; empty parts allowed only for fraction 0", () => {
    expect(sizes(10, [0.7, 0.15, 0.15])).toEqual([6, 2, 2]); // 1.5 → 2
    expect(sizes(7, [0.8, 0.1, 0.1])).toEqual([5, 1, 1]); // 0.7 → 1
    expect(sizes(5, [1, 0, 0])).toEqual([5, 0, 0]);
    expect(sizes(1, [1, 0, 0])).toEqual([1, 0, 0]);
    expectThrows(DescentError, () => splitIndices(3, [0.8, 0.1, 0.1], new Rng(1)), "a validation fraction of 0.1 of 3 rows is no row at all");
    expectThrows(DescentError, () => splitIndices(2, [0.1, 0.45, 0.45], new Rng(1)), "a training fraction of 0.1 of 2 rows is no row at all");
  });

  test.each([
    [[0.7, 0.2], "give three fractions"],
    [[0.7, 0.2, 0.2], "the fractions add up to 1.1"],
    [[0, 0.5, 0.5], "the training fraction must be above 0"],
    [[1.2, -0.1, -0.1], "each fraction must be a number ≥ 0"],
    [[0.5, Number.NaN, 0.5], "each fraction must be a number ≥ 0"],
  ])("fractions %j are refused: %s", (fractions, message) => {
    expectThrows(DescentError, () => checkFractions(fractions), message);
  });

  test("sums within 1e-9 of 1 pass (0.1 + 0.2 + 0.7 is 0.9999999999999999 in float64)", () => {
    expect(() => checkFractions([0.7, 0.2, 0.1])).not.toThrow();
    expect(() => checkFractions([0.7, 0.2, 0.1 + 2e-9])).toThrow(DescentError);
  });
});

describe("kFoldIndices", () => {
  test.each([[506, 5], [10, 10], [7, 3], [2, 2]])("n=%i k=%i: each row tested exactly once; train is the complement; sizes differ by at most 1", (n, k) => {
    const folds = kFoldIndices(n, k, new Rng(1).fork("folds"));
    expect(folds.length).toBe(k);
    const tested = new Array<number>(n).fill(0);
    for (const { train, test: held } of folds) {
      for (const i of held) tested[i]!++;
      const inTest = new Set(held);
      expect(Array.from(train)).toEqual(Array.from({ length: n }, (_, i) => i).filter((i) => !inTest.has(i)));
      expect(ascending(held)).toBe(true);
    }
    expect(tested.every((c) => c === 1)).toBe(true);
    const sizes = folds.map((f) => f.test.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(n);
  });

  test("deterministic per seed", () => {
    expect(kFoldIndices(50, 5, new Rng(4))).toEqual(kFoldIndices(50, 5, new Rng(4)));
    expect(kFoldIndices(50, 5, new Rng(5))[0]!.test).not.toEqual(kFoldIndices(50, 5, new Rng(4))[0]!.test);
  });

  test("k outside 2..n is refused", () => {
    expectThrows(DescentError, () => kFoldIndices(5, 1, new Rng(1)), "1 folds of 5 rows: the number of folds must be a whole number from 2 to the number of rows");
    expectThrows(DescentError, () => kFoldIndices(5, 6, new Rng(1)), "6 folds of 5 rows");
    expectThrows(DescentError, () => kFoldIndices(5, 2.5, new Rng(1)), "2.5 folds");
  });
});

function sizes(n: number, f: [number, number, number]): number[] {
  const s = splitIndices(n, f, new Rng(1));
  return [s.train.length, s.val.length, s.test.length];
}
