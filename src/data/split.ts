/**
 * Seeded row splits: train/validation/test, and k folds for cross-validation. Both draw one
 * permutation from the generator given (pass a named fork, e.g. `new Rng(seed).fork("split")`, so
 * the split does not move when other streams draw more), so the same seed gives the same rows.
 * Each part's indices are returned in ascending order (the file's order), whatever the permutation.
 */
import { DescentError } from "../errors.js";
import type { Rng } from "../rng.js";

export interface Split {
  train: Int32Array;
  val: Int32Array;
  test: Int32Array;
}

export interface Fold {
  train: Int32Array;
  test: Int32Array;
}

/**
 * Splits rows 0..n−1 at random into train, validation and test parts of the given fractions
 * (each ≥ 0, train > 0, summing to 1 within 1e-9). Rounding: the validation and test parts get
 * round(n · fraction) rows (Math.round: halves round up), the train part the rest — so the counts always
 * add up to n and the train part absorbs the rounding. 506 rows at 0.7,0.15,0.15 → 354, 76, 76.
 * A part with a positive fraction that would get no row is refused (n too small for the split).
 */
export function splitIndices(n: number, fractions: readonly [number, number, number], rng: Rng): Split {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`splitIndices: n must be a positive integer, got ${n}`);
  checkFractions(fractions);
  const [, fVal, fTest] = fractions;
  const nVal = Math.round(n * fVal);
  const nTest = Math.round(n * fTest);
  const nTrain = n - nVal - nTest;
  const parts: [string, number, number][] = [["training", fractions[0], nTrain], ["validation", fVal, nVal], ["test", fTest, nTest]];
  for (const [name, f, count] of parts) {
    if (f > 0 && count < 1) throw new DescentError(`a ${name} fraction of ${f} of ${n} rows is no row at all — use more rows, or a larger ${name} fraction`);
  }
  const perm = rng.permutation(n);
  return {
    train: sorted(perm.subarray(0, nTrain)),
    val: sorted(perm.subarray(nTrain, nTrain + nVal)),
    test: sorted(perm.subarray(nTrain + nVal)),
  };
}

/** Checks train/validation/test fractions; throws a DescentError saying what is wrong. */
export function checkFractions(fractions: readonly number[]): void {
  const shown = fractions.join(",");
  if (fractions.length !== 3) throw new DescentError(`split ${shown}: give three fractions, train,validation,test (e.g. 0.7,0.15,0.15)`);
  if (!fractions.every((f) => Number.isFinite(f) && f >= 0)) throw new DescentError(`split ${shown}: each fraction must be a number ≥ 0`);
  if (!(fractions[0]! > 0)) throw new DescentError(`split ${shown}: the training fraction must be above 0`);
  const sum = fractions[0]! + fractions[1]! + fractions[2]!;
  if (Math.abs(sum - 1) > 1e-9) throw new DescentError(`split ${shown}: the fractions add up to ${Number(sum.toPrecision(12))}, not 1`);
}

/**
 * k folds over rows 0..n−1 (2 ≤ k ≤ n): one permutation cut into k consecutive pieces, piece i
 * being rows perm[floor(i·n/k) … floor((i+1)·n/k)) — sizes differ by at most one. Fold i tests on
 * piece i and trains on the others, so every row is tested exactly once.
 */
export function kFoldIndices(n: number, k: number, rng: Rng): Fold[] {
  if (!Number.isSafeInteger(n) || n < 2) throw new RangeError(`kFoldIndices: n must be an integer ≥ 2, got ${n}`);
  if (!Number.isSafeInteger(k) || k < 2 || k > n) throw new DescentError(`${k} folds of ${n} rows: the number of folds must be a whole number from 2 to the number of rows`);
  const perm = rng.permutation(n);
  const folds: Fold[] = [];
  for (let i = 0; i < k; i++) {
    const lo = Math.floor((i * n) / k);
    const hi = Math.floor(((i + 1) * n) / k);
    const train = new Int32Array(n - (hi - lo));
    train.set(perm.subarray(0, lo));
    train.set(perm.subarray(hi), lo);
    folds.push({ train: sorted(train), test: sorted(perm.subarray(lo, hi)) });
  }
  return folds;
}

const sorted = (a: Int32Array): Int32Array => Int32Array.from(a).sort();
