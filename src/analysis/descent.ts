/**
 * Gradient descent seen from where the weights stand (3Blue1Brown's "Gradient descent, how neural
 * networks learn"): the gradient of the mean cost over a data set — the "list of nudges", one per
 * weight and bias — and the cost along the descent line, C(θ − η·∇C) for a range of learning rates
 * η, read as zones (too small, about right, too large, divergent).
 * The model's parameters are moved in place and put back bit for bit afterwards, and their `.grad`
 * is left as it was found.
 */
import type { Module } from "../nn/module.js";
import type { TensorDataset } from "../data/dataset.js";
import { DataLoader } from "../data/dataset.js";
import { forwardScored, type Objective } from "../train/objective.js";
import { Tensor } from "../tensor.js";
import { backward } from "../autograd.js";
import { intoScope, scope } from "../memory.js";
import { scoreModel, setWeights, withWeightsRestored, type Direction } from "./landscape.js";

// The zones are plain arithmetic on a curve: their own module, so the explorer page can read them without the library.
export { rateZones, zoneOf, type RateZone, type RateZones } from "./rate-zones.js";

/**
 * ∇C, C the mean cost per example over `data` (objective.loss averaged over every example, no
 * penalty), in `model.parameters()` order, summed in float64 over batches of `batchSize`.
 */
export function meanGradient(model: Module, data: TensorDataset, objective: Objective, batchSize = 1000): Direction {
  const params = model.parameters();
  const saved = params.map((p) => p.grad);
  const sum = params.map((p) => new Float64Array(p.size));
  try {
    for (const batch of new DataLoader(data, { batchSize })) {
      scope(() => {
        for (const p of params) p.grad = null;
        const c = objective.loss(forwardScored(model, intoScope(batch.x), objective.lossOnLogits).scored, batch.y);
        backward(c, Tensor.full([], 1, { dtype: c.dtype }));
        const rows = batch.y instanceof Int32Array ? batch.y.length : (batch.x.shape[0] ?? 0);
        params.forEach((p, k) => {
          const g = p.grad?.data;
          if (!g) return;
          const s = sum[k]!;
          for (let i = 0; i < s.length; i++) s[i]! += g[i]! * rows;
        });
      });
    }
  } finally {
    params.forEach((p, k) => (p.grad = saved[k]!));
  }
  for (const s of sum) for (let i = 0; i < s.length; i++) s[i]! /= data.length;
  return sum;
}

/** Mean cost over `data` at θ + t·d for each t (θ the model's weights, put back afterwards). */
export function lineCosts(model: Module, data: TensorDataset, objective: Objective, d: Direction, ts: readonly number[]): number[] {
  return withWeightsRestored(model, (params, base) =>
    ts.map((t) => {
      setWeights(params, base, [[t, d]]);
      return scoreModel(model, data, objective).loss;
    }));
}

/** n values from lo to hi (both included), evenly spaced on a log scale. */
export function logspace(lo: number, hi: number, n: number): number[] {
  const a = Math.log10(lo);
  const b = Math.log10(hi);
  return Array.from({ length: n }, (_, i) => (n === 1 ? lo : 10 ** (a + ((b - a) * i) / (n - 1))));
}

/** The cost along the descent line C(θ − η∇C) for learning rates `etas` (ascending). */
export function learningRateCurve(model: Module, data: TensorDataset, objective: Objective, grad: Direction, etas: readonly number[]): number[] {
  const down = grad.map((g) => g.map((v) => -v));
  return lineCosts(model, data, objective, down, etas);
}
