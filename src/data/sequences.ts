/**
 * Sequence tasks built from what is already in memory or from the seed: MNIST read row by row,
 * and Hochreiter & Schmidhuber's adding problem.
 */
import { TensorDataset } from "./dataset.js";
import type { Rng } from "../rng.js";
import { ShapeError } from "../errors.js";

/** MNIST images [784] seen as sequences of 28 rows of 28 pixels ([28, 28]: steps × features). Shares memory. */
export function mnistRows(images: TensorDataset): TensorDataset {
  const side = Math.round(Math.sqrt(images.featureSize));
  if (side * side !== images.featureSize) throw new ShapeError(`mnistRows: examples of ${images.featureSize} values are not square images`);
  return images.withFeatureShape([side, side]);
}

/**
 * The adding problem (Hochreiter & Schmidhuber 1997, experiment 4; in the form of Le et al. 2015
 * and Arjovsky et al. 2016): each example is `steps` pairs (value, marker), values uniform in
 * [0, 1), exactly two markers 1 — one in the first half of the sequence, one in the second — and
 * the target is the sum of the two marked values. Predicting the constant 1 costs the variance of
 * that sum, 2/12 ≈ 0.167; a model must remember the first marked value across up to `steps` steps.
 *
 * Draw order per example (so a small case can be checked by hand): the `steps` values, then the
 * first marker's step (uniform in [0, ⌊steps/2⌋)), then the second's (in [⌊steps/2⌋, steps)).
 * @returns features [n, steps, 2] and targets [n, 1] (a regression).
 */
export function addingProblem(n: number, steps: number, rng: Rng): TensorDataset {
  if (!(Number.isInteger(n) && n >= 1)) throw new RangeError(`addingProblem: n must be a positive integer, got ${n}`);
  if (!(Number.isInteger(steps) && steps >= 2)) throw new RangeError(`addingProblem: steps must be an integer ≥ 2, got ${steps}`);
  const x = new Float32Array(n * steps * 2);
  const y = new Float32Array(n);
  const half = Math.floor(steps / 2);
  for (let e = 0; e < n; e++) {
    const base = e * steps * 2;
    for (let t = 0; t < steps; t++) x[base + 2 * t] = rng.uniform();
    const first = rng.int(half);
    const second = half + rng.int(steps - half);
    x[base + 2 * first + 1] = 1;
    x[base + 2 * second + 1] = 1;
    // The sum of the values as stored (float32), so the target is exactly what the model can read.
    y[e] = x[base + 2 * first]! + x[base + 2 * second]!;
  }
  return new TensorDataset(x, [steps, 2], y, 1);
}

/** The adding problem's splits, each from its own stream of the seed. */
export function addingSplits(rng: Rng, sizes: { train: number; validation: number; test: number }, steps = 100): { train: TensorDataset; validation: TensorDataset; test: TensorDataset } {
  return {
    train: addingProblem(sizes.train, steps, rng.fork("adding-train")),
    validation: addingProblem(Math.max(sizes.validation, 1), steps, rng.fork("adding-validation")),
    test: addingProblem(sizes.test, steps, rng.fork("adding-test")),
  };
}
