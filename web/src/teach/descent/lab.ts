/**
 * The descent view's network and its analyses, without the worker: 3Blue1Brown's 784-16-16-10
 * sigmoid network with the quadratic cost (the `3b1b` preset), built by buildExperiment from a
 * seed and trained one mini-batch at a time by the library's Trainer on MNIST, then read out by
 * src/analysis (the mean gradient, the learning-rate curve, the landscape slice). Plain core code.
 */
import { buildExperiment, DEFAULT_CONFIG, type Experiment, type TrainConfig } from "../../../../src/train/config.js";
import { PRESETS } from "../../../../src/train/presets.js";
import type { TensorDataset, Batch } from "../../../../src/data/dataset.js";
import { objectiveFor, type Objective } from "../../../../src/train/objective.js";
import { landscapeDirections, planeLandscape, linspace, scoreModel, type Direction } from "../../../../src/analysis/landscape.js";
import { learningRateCurve, logspace, meanGradient, rateZones } from "../../../../src/analysis/descent.js";
import { infer } from "../../../../src/nn/infer.js";
import { Tensor } from "../../../../src/tensor.js";
import { noGrad } from "../../../../src/autograd.js";
import { intoScope, scope } from "../../../../src/memory.js";
import type { Analysis } from "./protocol.js";

/** The evaluation set: the first 1,000 MNIST test images. */
export const EVAL_SIZE = 1000;
/** The learning-rate curve: 41 values of η from 0.01 to 100, evenly spaced on a log scale. */
export const ETAS = logspace(0.01, 100, 41);
/** Points per axis of the landscape slice. */
export const GRID = 13;
/** The slice's half-widths to choose from (units of the random direction's norm). */
const SPANS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1];
/** Earlier weights kept for the trail. */
const TRAIL = 40;
/** The seed of the slice's random direction (fixed: only the weights change between slices). */
export const SLICE_SEED = 1;

export function descentConfig(seed: number): TrainConfig {
  return { ...DEFAULT_CONFIG, ...PRESETS["3b1b"]!.config, seed };
}

/** Arrays laid end to end in one float64 array of `size` values. */
export const flatten = (arrays: readonly ArrayLike<number>[], size: number): Float64Array => {
  const out = new Float64Array(size);
  let k = 0;
  for (const a of arrays) for (let i = 0; i < a.length; i++) out[k++] = a[i]!;
  return out;
};
const dot = (a: Float64Array, b: Float64Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

export class DescentLab {
  readonly ex: Experiment;
  readonly evalSet: TensorDataset;
  readonly objective: Objective;
  readonly size: number;
  steps = 0;
  private batches: Iterator<Batch>;
  /** The last step's gradient (copied right after it) and the η it used. */
  lastGrad: Float64Array | null = null;
  lastLr: number | null = null;
  private trail: { step: number; w: Float64Array }[] = [];
  /** The evaluation-set gradient of the last analysis (for the η of the slider between analyses). */
  private evalGrad: Direction | null = null;

  constructor(readonly seed: number, data: { train: TensorDataset; validation: TensorDataset; test: TensorDataset }) {
    const config = descentConfig(seed);
    this.ex = buildExperiment(config, data, { fuseUpdates: false });
    this.evalSet = data.test.slice(0, EVAL_SIZE);
    this.objective = objectiveFor(config.cost, config.output);
    this.size = this.params().reduce((s, p) => s + p.size, 0);
    this.batches = this.ex.loader[Symbol.iterator]();
  }

  params() {
    return this.ex.model.parameters();
  }

  weights(): Float64Array {
    return flatten(this.params().map((p) => p.data), this.size);
  }

  /** One mini-batch of SGD at learning rate `lr` (the next batch of the seeded shuffle; a new epoch reshuffles). */
  step(lr: number): number {
    let next = this.batches.next();
    if (next.done) {
      this.batches = this.ex.loader[Symbol.iterator]();
      next = this.batches.next();
    }
    this.ex.trainer.opts.optimizer.lr = lr;
    const r = this.ex.trainer.step(next.value as Batch);
    this.steps++;
    this.lastGrad = flatten(this.params().map((p) => p.grad?.data ?? new Float32Array(p.size)), this.size);
    this.lastLr = lr;
    return r.loss;
  }

  /** The ten outputs for one image. */
  outputs(pixels: Float32Array): number[] {
    return noGrad(() => scope(() => Array.from(infer(this.ex.model, intoScope(new Tensor(Float32Array.from(pixels), [1, 784]))).data)));
  }

  /** Σ-cost (the explainer's) after one step η along −∇C on the evaluation set. */
  costAt(lr: number): number {
    const g = this.evalGrad ?? meanGradient(this.ex.model, this.evalSet, this.objective);
    return 2 * learningRateCurve(this.ex.model, this.evalSet, this.objective, g, [lr])[0]!;
  }

  evalGradient(): Direction {
    return meanGradient(this.ex.model, this.evalSet, this.objective);
  }

  /** Every figure of the panels for the weights as they stand. */
  analyse(lr: number): Analysis {
    const { model } = this.ex;
    const score = scoreModel(model, this.evalSet, this.objective);
    const g = (this.evalGrad = meanGradient(model, this.evalSet, this.objective));
    const gf = flatten(g, this.size);
    const gradNorm = Math.sqrt(dot(gf, gf));
    const curve = learningRateCurve(model, this.evalSet, this.objective, g, ETAS).map((c) => 2 * c);
    const c0 = 2 * score.loss;
    const { zones, best } = rateZones(curve, c0);
    // The slice through today's weights: x downhill (−∇C, scaled to the random direction's norm), y a filter-normalised random direction.
    const [, dy] = landscapeDirections(model, SLICE_SEED);
    const yf = flatten(dy, this.size);
    const ny = Math.sqrt(dot(yf, yf));
    const scale = gradNorm > 0 ? ny / gradNorm : 0;
    const dx: Direction = g.map((a) => a.map((v) => -v * scale));
    const xf = flatten(dx, this.size);
    const w = this.weights();
    if (this.trail[this.trail.length - 1]?.step !== this.steps) this.trail.push({ step: this.steps, w });
    if (this.trail.length > TRAIL) this.trail.shift();
    // Least squares: the point of the plane nearest to each earlier weight vector.
    const a11 = dot(xf, xf), a12 = dot(xf, yf), a22 = dot(yf, yf);
    const det = a11 * a22 - a12 * a12;
    const trail = this.trail.map((p) => {
      const d = p.w.map((v, i) => v - w[i]!);
      const b1 = dot(xf, d), b2 = dot(yf, d);
      return det > 0 ? { step: p.step, alpha: (a22 * b1 - a12 * b2) / det, beta: (a11 * b2 - a12 * b1) / det } : { step: p.step, alpha: 0, beta: 0 };
    });
    const alphaPerEta = scale > 0 ? 1 / scale : 0;
    const reach = Math.max(lr * alphaPerEta, ...trail.map((p) => Math.max(Math.abs(p.alpha), Math.abs(p.beta))));
    const span = SPANS.find((s) => s >= 1.25 * reach) ?? SPANS[SPANS.length - 1]!;
    const axis = linspace(-span, span, GRID);
    const slice = planeLandscape(model, this.evalSet, this.objective, [dx, dy], axis, axis);
    return {
      step: this.steps, evalCost: c0, evalAccuracy: score.accuracy, gradNorm,
      etas: ETAS, curve, best, zones,
      landscape: { xs: slice.xs, ys: slice.ys, cost: Array.from(slice.loss, (c) => 2 * c), span },
      trail, alphaPerEta,
      current: { lr, cost: 2 * learningRateCurve(model, this.evalSet, this.objective, g, [lr])[0]! },
    };
  }
}
