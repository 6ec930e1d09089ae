/**
 * A trained network's loss in its own two-dimensional subspace, as a race surface:
 * f(α, β) = L(θ* + α·δ + β·η) with the landscape's filter-normalised directions δ, η
 * (landscape.ts), and ∂f/∂α = ∇θL · δ, ∂f/∂β = ∇θL · η from one backward pass. The sgd racer
 * gets the gradient of a seeded random mini-batch instead of all the examples. The network runs
 * in eval mode (dropout off, batch norm on its running statistics), so f and its gradient are
 * one deterministic function.
 */
import type { Module } from "../nn/module.js";
import type { TensorDataset } from "../data/dataset.js";
import { forwardScored, type Objective } from "../train/objective.js";
import { backward } from "../autograd.js";
import { intoScope, scope } from "../memory.js";
import { Tensor } from "../tensor.js";
import { landscapeDirections, setWeights, type Direction } from "./landscape.js";
import type { RacerName, Surface } from "./race.js";
import type { Rng } from "../rng.js";

/** Examples per forward pass. */
const CHUNK = 1000;

export interface NetworkSurface {
  surface: Surface;
  /** Puts the trained weights back and the model in its former mode (call when done). */
  restore(): void;
}

/**
 * @param span the window is [−span, span]²; the race starts at (−0.8·span, 0.8·span).
 * @param seed the landscape's seed (the same directions as `analyze landscape --seed`).
 */
export function networkSurface(model: Module, data: TensorDataset, objective: Objective, opts: { span: number; seed: number; steps: number; lr: number; batchSize?: number }): NetworkSurface {
  const params = model.parameters();
  const base = params.map((p) => Float32Array.from(p.data));
  const wasTraining = model.training;
  model.eval();
  const dirs = landscapeDirections(model, opts.seed);

  /** Loss and its gradient along the two directions on examples [start, end) of `d`. */
  const evalAt = (x: number, y: number, d: TensorDataset, rows: Int32Array | null): { value: number; grad: [number, number] } => {
    setWeights(params, base, [[x, dirs[0]], [y, dirs[1]]]);
    for (const p of params) p.grad = null;
    const n = rows ? rows.length : d.length;
    let value = 0;
    for (let s = 0; s < n; s += CHUNK) {
      const e = Math.min(n, s + CHUNK);
      value += scope(() => {
        const batch = rows ? gather(d, rows.subarray(s, e)) : d.range(s, e);
        const { scored } = forwardScored(model, intoScope(batch.x), objective.lossOnLogits);
        const c = objective.loss(scored, batch.y).mul((e - s) / n);
        backward(c, Tensor.full([], 1, { dtype: c.dtype }));
        return c.item();
      });
    }
    const grad = dirs.map((dir: Direction) => {
      let g = 0;
      params.forEach((p, k) => {
        const pg = p.grad?.data;
        if (pg) for (let i = 0; i < pg.length; i++) g += pg[i]! * dir[k]![i]!;
      });
      return g;
    }) as [number, number];
    for (const p of params) p.grad = null;
    return { value, grad };
  };

  // One forward and backward per point visited: f and grad at the same point share it.
  let last: { x: number; y: number; value: number; grad: [number, number] } | null = null;
  const at = (x: number, y: number) => {
    if (!last || last.x !== x || last.y !== y) last = { x, y, ...evalAt(x, y, data, null) };
    return last;
  };
  const span = opts.span;
  const lr = opts.lr;
  const surface: Surface = {
    name: "network", formula: "L(θ* + αδ + βη)",
    f: (x, y) => at(x, y).value,
    grad: (x, y) => at(x, y).grad,
    noisyGrad: (x: number, y: number, rng: Rng) => {
      const rows = new Int32Array(Math.min(opts.batchSize ?? 32, data.length));
      for (let i = 0; i < rows.length; i++) rows[i] = rng.int(data.length);
      return evalAt(x, y, data, rows).grad;
    },
    noise: 0,
    start: [-0.8 * span, 0.8 * span],
    minimum: null,
    window: { x: [-span, span], y: [-span, span] },
    steps: opts.steps,
    lr: networkRates(lr, span),
    rates: [lr / 10, lr, lr * 10],
  };
  return {
    surface,
    restore: () => {
      params.forEach((p, k) => p.data.set(base[k]!));
      model.train(wasTraining);
    },
  };
}

/**
 * Each racer's η on a network's slice, from gradient descent's η and the window's half-width:
 * momentum's steps grow to η/(1 − μ) = 10η, so it gets η/10; the adaptive methods step about η per
 * coordinate whatever the gradient's scale, so theirs is a twentieth of the window.
 */
export function networkRates(lr: number, span: number): Record<RacerName, number> {
  return { gd: lr, sgd: lr, momentum: lr / 10, nesterov: lr / 10, rmsprop: span / 20, adam: span / 20, adamw: span / 20 };
}

/** The examples at `rows` of a dataset, as one batch. */
function gather(d: TensorDataset, rows: Int32Array): { x: Tensor; y: Int32Array | Tensor } {
  const f = d.featureSize;
  const x = new Float32Array(rows.length * f);
  rows.forEach((r, i) => x.set(d.features.subarray(r * f, (r + 1) * f), i * f));
  const xt = new Tensor(x, [rows.length, ...d.featureShape]);
  if (d.targets instanceof Int32Array) return { x: xt, y: Int32Array.from(rows, (r) => (d.targets as Int32Array)[r]!) };
  const k = d.targetWidth;
  const y = new Float32Array(rows.length * k);
  rows.forEach((r, i) => y.set((d.targets as Float32Array).subarray(r * k, (r + 1) * k), i * k));
  return { x: xt, y: new Tensor(y, [rows.length, k]) };
}
