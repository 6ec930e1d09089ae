/**
 * Optimizers must actually optimise. Oracles: the known minimisers of a parabola
 * Σ cᵢ(wᵢ − tᵢ)² (w = t) and of Rosenbrock's f(x, y) = (1 − x)² + 100(y − x²)² (the point (1, 1)),
 * reached within a stated tolerance and step budget (float64 parameters). Also
 * ReduceOnPlateau against a sequence worked by hand, and stateDict/loadStateDict against an
 * uninterrupted run (bit-identical).
 */
import { describe, test, expect } from "vitest";
import { Tensor, tensor } from "../src/tensor.js";
import { add, mul, square, sub } from "../src/ops/elementwise.js";
import { sum } from "../src/ops/reduce.js";
import { matmul } from "../src/ops/linalg.js";
import { tanh } from "../src/ops/elementwise.js";
import { mseLoss } from "../src/nn/losses.js";
import { SGD, RMSprop, Adam, AdamW, cosineSchedule, ReduceOnPlateau } from "../src/optim/index.js";
import type { Optimizer } from "../src/optim/optimizer.js";

type Make = (params: Tensor[]) => Optimizer<{ lr: number }>;

const f64 = (values: number[], shape: number[] = [values.length]) => tensor(values, shape, { dtype: "float64", requiresGrad: true });

// ---- parabola --------------------------------------------------------------------------------

const C = tensor([1, 4, 0.5, 2], [4], { dtype: "float64" });
const TARGET = [3, -2, 0.5, -1];
const parabola = (w: Tensor) => sum(mul(C, square(sub(w, tensor(TARGET, [4], { dtype: "float64" })))));

interface Case { name: string; make: Make; steps: number; tol: number; cosine?: boolean }

const PARABOLA: Case[] = [
  { name: "SGD", make: (p) => new SGD(p, { lr: 0.1 }), steps: 300, tol: 1e-9 },
  { name: "SGD + momentum", make: (p) => new SGD(p, { lr: 0.05, momentum: 0.9 }), steps: 600, tol: 1e-9 },
  { name: "SGD + Nesterov", make: (p) => new SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true }), steps: 300, tol: 1e-9 },
  { name: "RMSprop", make: (p) => new RMSprop(p, { lr: 0.05 }), steps: 1000, tol: 1e-6, cosine: true },
  { name: "Adam", make: (p) => new Adam(p, { lr: 0.1 }), steps: 1000, tol: 1e-6, cosine: true },
  { name: "AdamW (weightDecay 0)", make: (p) => new AdamW(p, { lr: 0.1, weightDecay: 0 }), steps: 1000, tol: 1e-6, cosine: true },
];

/** Runs `steps` updates; adaptive methods get cosine-annealed rates so they settle instead of hovering. */
function minimise(params: Tensor[], loss: () => Tensor, c: Case): void {
  const opt = c.make(params);
  const schedule = cosineSchedule(opt.lr, c.steps);
  for (let t = 0; t < c.steps; t++) {
    if (c.cosine) opt.lr = schedule(t);
    opt.zeroGrad();
    loss().backward();
    opt.step();
  }
}

describe("optimizers minimise a parabola Σ cᵢ(wᵢ − tᵢ)² to w = t", () => {
  for (const c of PARABOLA) {
    test(`${c.name}: |w − t|∞ < ${c.tol} within ${c.steps} steps`, () => {
      const w = f64([0, 0, 0, 0]);
      minimise([w], () => parabola(w), c);
      w.data.forEach((v, i) => expect(Math.abs(v - TARGET[i]!), `w[${i}] = ${v}`).toBeLessThan(c.tol));
    });
  }
});

// ---- Rosenbrock ------------------------------------------------------------------------------

const rosenbrock = (x: Tensor, y: Tensor) => add(square(sub(1, x)), mul(100, square(sub(y, square(x)))));

const ROSENBROCK: Case[] = [
  // Plain gradient descent crawls along the valley (smallest curvature ≈ 0.4 at the minimum).
  { name: "SGD", make: (p) => new SGD(p, { lr: 1e-3 }), steps: 20000, tol: 1e-3 },
  { name: "SGD + momentum", make: (p) => new SGD(p, { lr: 1e-3, momentum: 0.9 }), steps: 3000, tol: 1e-4 },
  { name: "SGD + Nesterov", make: (p) => new SGD(p, { lr: 1e-3, momentum: 0.9, nesterov: true }), steps: 3000, tol: 1e-4 },
  { name: "RMSprop", make: (p) => new RMSprop(p, { lr: 1e-2 }), steps: 10000, tol: 1e-3, cosine: true },
  { name: "RMSprop + momentum", make: (p) => new RMSprop(p, { lr: 1e-3, momentum: 0.9 }), steps: 3000, tol: 1e-6, cosine: true },
  { name: "Adam", make: (p) => new Adam(p, { lr: 0.1 }), steps: 3000, tol: 1e-5, cosine: true },
  { name: "AdamW (weightDecay 0)", make: (p) => new AdamW(p, { lr: 0.1, weightDecay: 0 }), steps: 3000, tol: 1e-5, cosine: true },
];

describe("optimizers take Rosenbrock's function from (−1.5, 2) to its minimum (1, 1)", () => {
  for (const c of ROSENBROCK) {
    test(`${c.name}: ‖(x, y) − (1, 1)‖ < ${c.tol} within ${c.steps} steps`, () => {
      const x = f64([-1.5], []);
      const y = f64([2], []);
      minimise([x, y], () => rosenbrock(x, y), c);
      const err = Math.hypot(x.item() - 1, y.item() - 1);
      expect(err, `ended at (${x.item()}, ${y.item()})`).toBeLessThan(c.tol);
      expect(rosenbrock(x, y).item()).toBeLessThan(c.tol);
    });
  }
});

// ---- ReduceOnPlateau -------------------------------------------------------------------------

describe("ReduceOnPlateau (Nielsen ch. 3: halve η after `patience` epochs without improvement, stop below η₀/128)", () => {
  test("follows a sequence worked by hand (patience 2)", () => {
    const s = new ReduceOnPlateau(1, { patience: 2 });
    // metric → (lr, stop) worked by hand: a new best resets the wait; the 2nd epoch without one halves η.
    const metrics = [0.5, 0.6, 0.6, 0.55, 0.7, ...Array<number>(14).fill(0.7)];
    const expected: [number, boolean][] = [
      [1, false], // 0.5 best
      [1, false], // 0.6 best
      [1, false], // 0.6 wait 1
      [0.5, false], // 0.55 wait 2 → halve
      [0.5, false], // 0.7 best
      [0.5, false], [0.25, false], // 0.7 ×2 → halve
      [0.25, false], [0.125, false],
      [0.125, false], [1 / 16, false],
      [1 / 16, false], [1 / 32, false],
      [1 / 32, false], [1 / 64, false],
      [1 / 64, false], [1 / 128, false], // exactly η₀/128 is not below it
      [1 / 128, false], [1 / 256, true], // below η₀/128: stop
    ];
    expect(metrics.map((m) => s.observe(m))).toEqual(expected.map(([lr, stop]) => ({ lr, stop })));
  });

  test("defaults: factor ½, patience 10, stop below η₀/128 (η₀ = 0.5: 7 halvings keep going, the 8th stops)", () => {
    const s = new ReduceOnPlateau(0.5);
    let r = s.observe(0.9);
    for (let halvings = 1; halvings <= 8; halvings++) {
      for (let e = 0; e < 10; e++) r = s.observe(0.8);
      expect(r.lr).toBe(0.5 / 2 ** halvings);
      expect(r.stop).toBe(halvings === 8);
    }
  });
});

// ---- stateDict / loadStateDict ---------------------------------------------------------------

describe("optimizer stateDict/loadStateDict resumes bit-identically (oracle: an uninterrupted run)", () => {
  const X = tensor([[0.5, -1, 2], [1.5, 0.3, -0.7], [-0.2, 0.8, 0.1], [1, 1, -1]], { dtype: "float32" });
  const Y = tensor([[0.2, -0.5], [0.9, 0.1], [-0.3, 0.4], [0.5, 0.5]], { dtype: "float32" });
  const init = () => [
    tensor([[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]], { dtype: "float32", requiresGrad: true }),
    tensor([0.05, -0.05], { dtype: "float32", requiresGrad: true }),
  ];
  const train = (opt: Optimizer<{ lr: number }>, [W, b]: Tensor[], steps: number) => {
    for (let t = 0; t < steps; t++) {
      opt.zeroGrad();
      mseLoss(tanh(add(matmul(X, W!), b!)), Y).backward();
      opt.step();
    }
  };
  const makers: [string, Make][] = [
    ["SGD + momentum", (p) => new SGD(p, { lr: 0.1, momentum: 0.9, weightDecay: 0.01 })],
    ["SGD + Nesterov", (p) => new SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true })],
    ["RMSprop centered + momentum", (p) => new RMSprop(p, { lr: 0.01, momentum: 0.5, centered: true })],
    ["Adam", (p) => new Adam(p, { lr: 0.05 })],
    ["AdamW", (p) => new AdamW(p, { lr: 0.05, weightDecay: 0.1 })],
  ];
  for (const [name, make] of makers) {
    test(`${name}: 7 steps, save, restore into a fresh optimizer, 8 more = 15 uninterrupted steps`, () => {
      const straight = init();
      train(make(straight), straight, 15);

      const first = init();
      const opt1 = make(first);
      train(opt1, first, 7);
      const saved = opt1.stateDict();
      const weights = first.map((p) => p.data.slice());
      train(opt1, first, 3); // keeps running after the save: must not leak into `saved`

      const resumed = init();
      resumed.forEach((p, i) => p.data.set(weights[i]!));
      const opt2 = make(resumed);
      opt2.loadStateDict(structuredClone(saved)); // plain data: survives a structured clone
      expect(opt2.stepCount).toBe(7);
      train(opt2, resumed, 8);
      resumed.forEach((p, i) => expect(Array.from(p.data), `param ${i}`).toEqual(Array.from(straight[i]!.data)));
    });
  }
});
