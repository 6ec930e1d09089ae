/**
 * The other half of Nielsen's chapter 4: instead of placing the bumps by hand, train a network
 * with one hidden layer of sigmoid units by gradient descent on f, and see how close it gets as
 * the hidden layer widens. The output neuron is linear (a regression), so the fit is of f itself.
 */
import { mlp } from "../nn/mlp.js";
import { mseLoss } from "../nn/losses.js";
import { Adam } from "../optim/adam.js";
import { Trainer } from "../train/trainer.js";
import { DataLoader, datasetFromArrays } from "../data/dataset.js";
import { Rng } from "../rng.js";
import { Tensor } from "../tensor.js";
import { noGrad } from "../autograd.js";
import { averageDeviation, grid } from "./universality.js";

export interface FitOptions {
  /** Training points: the midpoints of this many cells of [0, 1] (default 200). */
  points?: number;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  seed?: number;
  /** |weight| of every hidden unit at the start (default 30; see fitWidth). */
  steepness?: number;
}

export interface WidthFit {
  width: number;
  /** Mean |net(x) − f(x)| over 1,000 points of [0, 1]. */
  deviation: number;
  /** Root-mean-square error over the same points. */
  rmse: number;
  steps: number;
  seconds: number;
  /** The fitted curve on `curveX`. */
  curve: number[];
}

/**
 * A fit in progress, driven one mini-batch at a time (the explorer animates it): the same model,
 * initialisation, optimizer and batches as fitWidth, so k steps here are fitWidth's first k.
 */
export interface WidthFitter {
  readonly width: number;
  /** Mini-batches trained so far. */
  readonly steps: number;
  /** Steps in the whole run (epochs × batches per epoch). */
  readonly totalSteps: number;
  /** Trains one mini-batch; false once the run has ended (nothing trained). */
  step(): boolean;
  /** The network's outputs at `xs` (eval mode, no gradients). */
  predict(xs: readonly number[]): number[];
  /** Mean |net(x) − f(x)| over 1,000 points of [0, 1]. */
  deviation(): number;
  /** Root-mean-square error over the same points. */
  rmse(): number;
}

/** Starts training 1-width-1 (sigmoid hidden, linear output, MSE, Adam) on f sampled on [0, 1]. */
export function startFit(f: (x: number) => number, width: number, opts: FitOptions = {}): WidthFitter {
  const points = opts.points ?? 200;
  const xs = grid(points);
  const ys = xs.map(f);
  const rng = new Rng(opts.seed ?? 1);
  const model = mlp([1, width, 1], { activation: "sigmoid", output: "identity", init: "normal", rng });
  // With N(0, 1) weights a unit is nearly linear over [0, 1] and the goal's wiggles (periods 0.4
  // and 0.13) take tens of thousands of steps to appear. Start each unit as the book's picture
  // does, a soft step (|w| = steepness) at a random place s in [0, 1] (b = −w·s), then let descent move them.
  const steep = opts.steepness ?? 30;
  const init = rng.fork("steps");
  const hidden = model.parameters();
  for (let j = 0; j < width; j++) {
    const w = (init.uniform() < 0.5 ? -1 : 1) * steep;
    hidden[0]!.data[j] = w;
    hidden[1]!.data[j] = -w * init.uniform();
  }
  const trainer = new Trainer(model, { loss: (a, y) => mseLoss(a, y), optimizer: new Adam(model.parameters(), { lr: opts.lr ?? 0.01 }) });
  const epochs = opts.epochs ?? 2000;
  const batchSize = opts.batchSize ?? 20;
  // What Trainer.fit(xs, ys, { epochs, batchSize, seed }) builds: the examples shuffled by the seed's "shuffle" stream.
  const loader = new DataLoader(datasetFromArrays(xs, ys), { batchSize, shuffle: true, rng: new Rng(opts.seed ?? 1).fork("shuffle") });
  const run = trainer.start(loader, { epochs });
  let steps = 0;
  const predict = (pts: readonly number[]) => {
    const was = model.training;
    model.eval();
    const out = noGrad(() => Array.from(model.forward(new Tensor(Float32Array.from(pts), [pts.length, 1])).data));
    model.train(was);
    return out;
  };
  const fine = grid(1000);
  return {
    width,
    get steps() { return steps; },
    totalSteps: epochs * Math.ceil(points / batchSize),
    step() {
      if (!run.next()) return false;
      steps++;
      return true;
    },
    predict,
    deviation() {
      const pred = predict(fine);
      return averageDeviation((x) => pred[Math.min(999, Math.floor(x * 1000))]!, f);
    },
    rmse() {
      const pred = predict(fine);
      return Math.sqrt(fine.reduce((s, x, i) => s + (pred[i]! - f(x)) ** 2, 0) / fine.length);
    },
  };
}

/** Trains 1-width-1 (sigmoid hidden, linear output, MSE, Adam) on f sampled on [0, 1], to the end. */
export function fitWidth(f: (x: number) => number, width: number, opts: FitOptions = {}, curveX: readonly number[] = grid(200)): WidthFit {
  const fit = startFit(f, width, opts);
  const t0 = performance.now();
  while (fit.step());
  const seconds = (performance.now() - t0) / 1000;
  return { width, deviation: fit.deviation(), rmse: fit.rmse(), steps: fit.steps, seconds, curve: fit.predict(curveX) };
}
