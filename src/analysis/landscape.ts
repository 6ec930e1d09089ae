/**
 * The cost landscape around a trained network (Li, Xu, Taylor, Studer & Goldstein 2018,
 * "Visualizing the Loss Landscape of Neural Nets"): the loss L(θ* + α·δ + β·η) on a grid of
 * (α, β), with δ and η random Gaussian directions that are *filter-normalised* — every filter of δ
 * (an output row of a Linear weight, an output filter of a convolution) is rescaled to the norm of
 * the same filter of θ*, so the picture does not depend on the weights' scale (ReLU nets are
 * invariant to it). Biases and batch-norm parameters get a zero direction, as the paper does.
 * Also the 1-D line from the initial weights θ₀ to θ* (Goodfellow, Vinyals & Saxe 2015).
 *
 * The model's parameters are moved in place and put back bit for bit afterwards.
 */
import type { Module, Parameter } from "../nn/module.js";
import type { TensorDataset } from "../data/dataset.js";
import type { Objective } from "../train/objective.js";
import { evaluate } from "../train/evaluate.js";
import { Rng } from "../rng.js";
import { buildExperiment, type TrainConfig } from "../train/config.js";

/** One direction in parameter space: a value per parameter entry, in `model.parameters()` order. */
export type Direction = Float64Array[];

/**
 * Rescales `d` filter by filter to the norms of `w`'s filters, in place. A filter is a slice along
 * the first axis (shape[0] of them: a Linear's output rows, a convolution's output filters). A
 * parameter of rank < 2 (a bias, a batch-norm scale or shift) gets a zero direction. A filter of d
 * with norm 0 stays 0.
 */
export function filterNormalize(d: Float64Array, w: ArrayLike<number>, shape: readonly number[]): Float64Array {
  if (shape.length < 2) return d.fill(0);
  const filters = shape[0]!;
  const size = d.length / filters;
  for (let f = 0; f < filters; f++) {
    let wn = 0;
    let dn = 0;
    for (let i = f * size; i < (f + 1) * size; i++) {
      wn += w[i]! * w[i]!;
      dn += d[i]! * d[i]!;
    }
    const s = dn > 0 ? Math.sqrt(wn) / Math.sqrt(dn) : 0;
    for (let i = f * size; i < (f + 1) * size; i++) d[i]! *= s;
  }
  return d;
}

/** A random Gaussian direction, filter-normalised against the model's current weights. */
export function randomDirection(params: readonly Parameter[], rng: Rng): Direction {
  return params.map((p) => {
    const d = new Float64Array(p.size);
    for (let i = 0; i < d.length; i++) d[i] = rng.normal();
    return filterNormalize(d, p.data, p.shape);
  });
}

/** The two directions of a landscape, from its seed (streams "landscape/x" and "landscape/y"). */
export function landscapeDirections(model: Module, seed: number): [Direction, Direction] {
  const rng = new Rng(seed).fork("landscape");
  const params = model.parameters();
  return [randomDirection(params, rng.fork("x")), randomDirection(params, rng.fork("y"))];
}

/** θ = base + Σ cₖ·dirₖ written into the parameters (float64 sums, rounded once to the parameter's type). */
export function setWeights(params: readonly Parameter[], base: readonly ArrayLike<number>[], terms: readonly [number, Direction][]): void {
  params.forEach((p, k) => {
    const b = base[k]!;
    const out = p.data;
    for (let i = 0; i < out.length; i++) {
      let v = b[i]!;
      for (const [c, dir] of terms) if (c !== 0) v += c * dir[k]![i]!;
      out[i] = v;
    }
  });
}

/** Runs `fn` with the model's parameters free to move, then puts the saved values back exactly. */
export function withWeightsRestored<T>(model: Module, fn: (params: Parameter[], base: Float32Array[]) => T): T {
  const params = model.parameters();
  const base = params.map((p) => Float32Array.from(p.data));
  try {
    return fn(params, base);
  } finally {
    params.forEach((p, k) => p.data.set(base[k]!));
  }
}

/** n evenly spaced values from lo to hi (both included). */
export function linspace(lo: number, hi: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => (n === 1 ? (lo + hi) / 2 : lo + ((hi - lo) * i) / (n - 1)));
}

export interface LandscapeOptions {
  /** Points per axis (the paper and the default: 51). */
  grid?: number;
  /** α and β run over [−span, span] (default 1: one filter norm either way). */
  span?: number;
  /** Seed of the two directions. */
  seed?: number;
  /** Called after each row of the grid (progress). */
  onRow?: (done: number, total: number) => void;
}

export interface Landscape {
  /** α values (the x axis) and β values (the y axis). */
  xs: number[];
  ys: number[];
  /** Mean cost per example at (xs[i], ys[j]): loss[j·xs.length + i]. */
  loss: Float64Array;
  /** Accuracy there (NaN for a regression). */
  accuracy: Float64Array;
  seed: number;
}

/** Mean cost and accuracy of the model as it stands, by the same evaluate() the rest of descent reports. */
export function scoreModel(model: Module, data: TensorDataset, objective: Objective): { loss: number; accuracy: number } {
  const r = evaluate(model, data, { loss: objective.loss, lossOnLogits: objective.lossOnLogits });
  return { loss: r.loss, accuracy: r.accuracy };
}

/**
 * The loss surface on the (α, β) grid around the model's weights, each point scored in eval mode
 * by evaluate(). Batch norm keeps the trained running statistics at every point (they are not
 * re-estimated for the moved weights), so a batch-norm network's slice shows the trained statistics.
 */
export function lossLandscape(model: Module, data: TensorDataset, objective: Objective, opts: LandscapeOptions = {}): Landscape {
  const n = opts.grid ?? 51;
  const span = opts.span ?? 1;
  const seed = opts.seed ?? 0;
  const grid = linspace(-span, span, n);
  return { ...planeLandscape(model, data, objective, landscapeDirections(model, seed), grid, grid, opts.onRow), seed };
}

/**
 * The loss surface L(θ + α·dx + β·dy) on the grid xs × ys around the model's weights θ, for any
 * two directions (lossLandscape's random ones, or e.g. the descent direction −∇C and a random one).
 */
export function planeLandscape(
  model: Module, data: TensorDataset, objective: Objective, [dx, dy]: readonly [Direction, Direction],
  xs: number[], ys: number[], onRow?: (done: number, total: number) => void,
): Omit<Landscape, "seed"> {
  const loss = new Float64Array(xs.length * ys.length);
  const accuracy = new Float64Array(xs.length * ys.length);
  withWeightsRestored(model, (params, base) => {
    for (let j = 0; j < ys.length; j++) {
      for (let i = 0; i < xs.length; i++) {
        setWeights(params, base, [[xs[i]!, dx], [ys[j]!, dy]]);
        const s = scoreModel(model, data, objective);
        loss[j * xs.length + i] = s.loss;
        accuracy[j * xs.length + i] = s.accuracy;
      }
      onRow?.(j + 1, ys.length);
    }
  });
  return { xs, ys, loss, accuracy };
}

export interface LossLine {
  /** t = 0 is θ₀ (the initial weights), t = 1 is θ* (the trained ones). */
  ts: number[];
  loss: number[];
  accuracy: number[];
}

/**
 * The loss along the straight line θ(t) = θ₀ + t·(θ* − θ₀), for t from −¼ to 1¼ (a little beyond
 * both ends, to see the walls). `init` holds θ₀ in `model.parameters()` order.
 */
export function interpolationLine(model: Module, init: readonly ArrayLike<number>[], data: TensorDataset, objective: Objective, points = 31): LossLine {
  const ts = linspace(-0.25, 1.25, points);
  const loss: number[] = [];
  const accuracy: number[] = [];
  withWeightsRestored(model, (params, base) => {
    const toTrained: Direction = params.map((_, k) => Float64Array.from(base[k]!, (v, i) => v - init[k]![i]!));
    for (const t of ts) {
      // From θ₀ rather than θ*, so t = 0 gives θ₀ exactly.
      setWeights(params, init, [[t, toTrained]]);
      if (t === 1) params.forEach((p, k) => p.data.set(base[k]!)); // θ* exactly, not θ₀ + (θ* − θ₀) rounded
      const s = scoreModel(model, data, objective);
      loss.push(s.loss);
      accuracy.push(s.accuracy);
    }
  });
  return { ts, loss, accuracy };
}

/**
 * θ₀ of a trained model, rebuilt from its training record: buildExperiment draws the initial
 * weights from the config's seed before anything else uses the generator, so the same config
 * rebuilds them bit for bit (test/landscape.test.ts checks this against a run's own θ₀). Returns
 * them in `model.parameters()` order, or null when the rebuilt network is not the same shape.
 */
export function rebuildInit(model: Module, config: TrainConfig, data: { train: TensorDataset; validation?: TensorDataset; test?: TensorDataset }): Float32Array[] | null {
  const ex = buildExperiment(config, data);
  const mine = model.namedParameters();
  const theirs = ex.model.namedParameters();
  if (mine.length !== theirs.length) return null;
  for (let k = 0; k < mine.length; k++) {
    const [a, p] = mine[k]!;
    const [b, q] = theirs[k]!;
    if (a !== b || p.shape.join() !== q.shape.join()) return null;
  }
  return theirs.map(([, q]) => Float32Array.from(q.data));
}
