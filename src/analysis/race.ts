/**
 * The optimizer race: descent's own optimizers (src/optim) stepping a two-parameter "model"
 * p = (x, y) over classic surfaces — a ravine (the handbook's picture of momentum), Rosenbrock's
 * banana valley, a saddle x² − y², Beale's function — or over a trained network's loss in its own
 * two-dimensional subspace (landscape.ts's directions). And one optimizer with a learning rate too
 * small, right, and too large, as the 3Blue1Brown explainer draws the ball rolling downhill.
 *
 * Each step: the surface's gradient at p is handed to the optimizer as p.grad, then step() — the
 * same update code a network's training runs, in float64.
 */
import { tensor, type Tensor } from "../tensor.js";
import { SGD } from "../optim/sgd.js";
import { RMSprop } from "../optim/rmsprop.js";
import { Adam, AdamW } from "../optim/adam.js";
import type { Optimizer } from "../optim/optimizer.js";
import { Rng } from "../rng.js";

export const RACERS = ["gd", "sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw"] as const;
export type RacerName = (typeof RACERS)[number];

/** What each racer is, with the hyper-parameters besides η (PyTorch's defaults otherwise). */
export const RACER_HELP: Record<RacerName, string> = {
  gd: "gradient descent (the exact gradient)",
  sgd: "stochastic gradient descent (a noisy gradient, seeded)",
  momentum: "SGD with momentum 0.9",
  nesterov: "SGD with Nesterov momentum 0.9",
  rmsprop: "RMSProp (α = 0.99)",
  adam: "Adam (β = 0.9, 0.999)",
  adamw: "AdamW (β = 0.9, 0.999, weight decay 0.01)",
};

/** A function of two variables to descend, with what the race needs to know about it. */
export interface Surface {
  name: string;
  /** The formula, for titles and help. */
  formula: string;
  f(x: number, y: number): number;
  grad(x: number, y: number): [number, number];
  /** A stochastic gradient for the sgd racer; default: grad plus N(0, noise²) per coordinate. */
  noisyGrad?: (x: number, y: number, rng: Rng) => [number, number];
  /** Standard deviation of the sgd racer's gradient noise (when there is no noisyGrad). */
  noise: number;
  start: [number, number];
  /** The minimiser and its value, when there is one (a saddle has none). */
  minimum: { x: number; y: number; f: number } | null;
  /** The window drawn: x and y ranges. */
  window: { x: [number, number]; y: [number, number] };
  steps: number;
  /** η of each racer: tuned by hand to be good on this surface, the same for all where possible. */
  lr: Record<RacerName, number>;
  /** η too small, right, too large (diverging) for gradient descent. */
  rates: [number, number, number];
}

const ravineCurvature = { x: 0.01, y: 2 };

export type ClassicSurface = "ravine" | "rosenbrock" | "saddle" | "beale";

/** The classic surfaces, by name. */
export const SURFACES: Record<ClassicSurface, Surface> = {
  ravine: {
    // Curvatures 0.01 and 2 (condition number 200): the gradient points mostly across the ravine,
    // so gradient descent zig-zags and crawls along it; it is stable for η < 2/2 = 1. Momentum
    // carries speed along the floor (the handbook's picture).
    name: "ravine", formula: "x²/200 + y²",
    f: (x, y) => (ravineCurvature.x / 2) * x * x + (ravineCurvature.y / 2) * y * y,
    grad: (x, y) => [ravineCurvature.x * x, ravineCurvature.y * y],
    noise: 0.5, start: [-9, 2], minimum: { x: 0, y: 0, f: 0 },
    window: { x: [-10, 2], y: [-3, 3] }, steps: 400,
    lr: { gd: 0.9, sgd: 0.3, momentum: 0.5, nesterov: 0.5, rmsprop: 0.1, adam: 0.3, adamw: 0.3 },
    rates: [0.05, 0.9, 1.02],
  },
  rosenbrock: {
    name: "rosenbrock", formula: "(1 − x)² + 100(y − x²)²",
    f: (x, y) => (1 - x) ** 2 + 100 * (y - x * x) ** 2,
    grad: (x, y) => [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)],
    noise: 1, start: [-1.5, 2], minimum: { x: 1, y: 1, f: 0 },
    window: { x: [-2, 2], y: [-1, 3] }, steps: 3000,
    lr: { gd: 1e-3, sgd: 1e-3, momentum: 1e-3, nesterov: 1e-3, rmsprop: 3e-3, adam: 0.05, adamw: 0.05 },
    rates: [1e-4, 1e-3, 4e-3],
  },
  saddle: {
    // The start sits almost on the ridge y = 0: the gradient's y part is tiny there, so plain
    // descent lingers before it escapes; momentum and the adaptive methods leave sooner.
    name: "saddle", formula: "x² − y²",
    f: (x, y) => x * x - y * y,
    grad: (x, y) => [2 * x, -2 * y],
    noise: 0.1, start: [-1.5, 1e-3], minimum: null,
    window: { x: [-2, 2], y: [-2, 2] }, steps: 40,
    lr: { gd: 0.05, sgd: 0.05, momentum: 0.05, nesterov: 0.05, rmsprop: 0.05, adam: 0.05, adamw: 0.05 },
    rates: [0.005, 0.05, 1.05],
  },
  beale: {
    name: "beale", formula: "(1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²",
    f: (x, y) => (1.5 - x + x * y) ** 2 + (2.25 - x + x * y * y) ** 2 + (2.625 - x + x * y ** 3) ** 2,
    grad: (x, y) => {
      const [a, b, c] = [1.5 - x + x * y, 2.25 - x + x * y * y, 2.625 - x + x * y ** 3];
      return [2 * a * (y - 1) + 2 * b * (y * y - 1) + 2 * c * (y ** 3 - 1), 2 * a * x + 4 * b * x * y + 6 * c * x * y * y];
    },
    noise: 0.5, start: [1, 1.5], minimum: { x: 3, y: 0.5, f: 0 },
    window: { x: [-1, 4.5], y: [-1.5, 2] }, steps: 3000,
    lr: { gd: 0.01, sgd: 0.01, momentum: 1e-3, nesterov: 1e-3, rmsprop: 0.01, adam: 0.05, adamw: 0.05 },
    rates: [1e-3, 0.01, 0.05],
  },
};

export const SURFACE_NAMES = ["ravine", "rosenbrock", "saddle", "beale", "network"] as const satisfies readonly (ClassicSurface | "network")[];

/** descent's optimizer for a racer, over the one parameter tensor p. */
export function racerOptimizer(name: RacerName, p: Tensor, lr: number): Optimizer<{ lr: number }> {
  switch (name) {
    case "gd":
    case "sgd":
      return new SGD([p], { lr });
    case "momentum":
      return new SGD([p], { lr, momentum: 0.9 });
    case "nesterov":
      return new SGD([p], { lr, momentum: 0.9, nesterov: true });
    case "rmsprop":
      return new RMSprop([p], { lr });
    case "adam":
      return new Adam([p], { lr });
    case "adamw":
      return new AdamW([p], { lr, weightDecay: 0.01 });
  }
}

export interface Trajectory {
  optimizer: RacerName;
  lr: number;
  /** The points visited, the start first (a diverging run stops at its last finite point). */
  x: number[];
  y: number[];
  /** f at each point. */
  f: number[];
  /** The first step after which f − f* ≤ tolerance (null: never, or no minimum). */
  reached: number | null;
  /** The run left every bound (f or p not finite, or |f| beyond 1e12). */
  diverged: boolean;
}

export interface RunOptions {
  steps: number;
  /** Seed of the sgd racer's noise (stream "race/<optimizer>"). */
  seed?: number;
  /** f − f* at which the minimum counts as reached (default 1e-3). */
  tolerance?: number;
}

/** One optimizer from the surface's start. */
export function runRacer(s: Pick<Surface, "f" | "grad" | "noisyGrad" | "noise" | "start" | "minimum">, name: RacerName, lr: number, opts: RunOptions): Trajectory {
  const p = tensor([s.start[0], s.start[1]], [2], { dtype: "float64", requiresGrad: true });
  const opt = racerOptimizer(name, p, lr);
  const rng = new Rng(opts.seed ?? 0).fork("race").fork(name);
  const tol = opts.tolerance ?? 1e-3;
  const t: Trajectory = { optimizer: name, lr, x: [s.start[0]], y: [s.start[1]], f: [s.f(s.start[0], s.start[1])], reached: null, diverged: false };
  const check = (k: number) => {
    if (t.reached === null && s.minimum && t.f[k]! - s.minimum.f <= tol) t.reached = k;
  };
  check(0);
  for (let k = 1; k <= opts.steps; k++) {
    const [x, y] = [p.data[0]!, p.data[1]!];
    const g = name !== "sgd" ? s.grad(x, y) : s.noisyGrad ? s.noisyGrad(x, y, rng) : (([gx, gy]) => [gx + s.noise * rng.normal(), gy + s.noise * rng.normal()] as [number, number])(s.grad(x, y));
    p.grad = tensor(g, [2], { dtype: "float64" });
    opt.step();
    const [nx, ny] = [p.data[0]!, p.data[1]!];
    const v = s.f(nx, ny);
    if (!Number.isFinite(nx) || !Number.isFinite(ny) || !Number.isFinite(v) || Math.abs(v) > 1e12) {
      t.diverged = true;
      break;
    }
    t.x.push(nx);
    t.y.push(ny);
    t.f.push(v);
    check(k);
  }
  return t;
}

/** Every racer (or those named) from one start, each with the surface's η for it. */
export function race(s: Surface, opts: { steps?: number; seed?: number; tolerance?: number; racers?: readonly RacerName[] } = {}): Trajectory[] {
  return (opts.racers ?? RACERS).map((name) => runRacer(s, name, s.lr[name], { steps: opts.steps ?? s.steps, ...(opts.seed !== undefined ? { seed: opts.seed } : {}), ...(opts.tolerance !== undefined ? { tolerance: opts.tolerance } : {}) }));
}

/** One optimizer with η too small, right and too large (default: gradient descent). */
export function rateSweep(s: Surface, opts: { steps?: number; optimizer?: RacerName; rates?: readonly number[]; tolerance?: number } = {}): Trajectory[] {
  const name = opts.optimizer ?? "gd";
  return (opts.rates ?? s.rates).map((lr) => runRacer(s, name, lr, { steps: opts.steps ?? s.steps, ...(opts.tolerance !== undefined ? { tolerance: opts.tolerance } : {}) }));
}

/** The surface sampled on an n × n grid over its window (for the contour plot). */
export function sampleSurface(s: Pick<Surface, "f" | "window">, n = 101): { xs: number[]; ys: number[]; z: Float64Array } {
  const lin = ([a, b]: [number, number]) => Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (n - 1));
  const xs = lin(s.window.x);
  const ys = lin(s.window.y);
  const z = new Float64Array(n * n);
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) z[j * n + i] = s.f(xs[i]!, ys[j]!);
  return { xs, ys, z };
}
