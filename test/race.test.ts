/**
 * The optimizer race. Oracles: the first steps of every optimizer computed here from its update
 * formula (PyTorch's, written out by hand), gradient descent's closed form on a quadratic
 * (x_k = x₀(1 − ηλ)^k: diverging exactly when |1 − ηλ| > 1), the surfaces' gradients against
 * central finite differences, and the known minima (Rosenbrock's (1, 1), Beale's (3, ½)) reached.
 */
import { describe, expect, test } from "vitest";
import { RACERS, SURFACES, race, rateSweep, runRacer, type RacerName } from "../src/analysis/race.js";
import { networkSurface } from "../src/analysis/race-network.js";
import { TensorDataset } from "../src/data/dataset.js";
import { buildExperiment, DEFAULT_CONFIG, type TrainConfig } from "../src/train/config.js";
import { objectiveFor } from "../src/train/objective.js";
import { evaluate } from "../src/train/evaluate.js";
import { Rng } from "../src/rng.js";

/** Rosenbrock's gradient, differentiated by hand here. */
const rosenGrad = (x: number, y: number): [number, number] => [2 * (x - 1) - 400 * x * (y - x * x), 200 * (y - x * x)];

/** The first `n` points after the start, by each optimizer's formula (torch.optim's, default hyper-parameters but η, μ = 0.9, AdamW λ = 0.01). */
function byHand(name: RacerName, lr: number, start: [number, number], n: number): [number, number][] {
  let p = [...start];
  const buf = [0, 0];
  const m = [0, 0];
  const v = [0, 0];
  const out: [number, number][] = [];
  for (let t = 1; t <= n; t++) {
    const g = rosenGrad(p[0]!, p[1]!);
    p = p.map((w, i) => {
      const gi = g[i]!;
      switch (name) {
        case "gd":
          return w - lr * gi;
        case "momentum":
          buf[i] = t === 1 ? gi : 0.9 * buf[i]! + gi;
          return w - lr * buf[i]!;
        case "nesterov":
          buf[i] = t === 1 ? gi : 0.9 * buf[i]! + gi;
          return w - lr * (gi + 0.9 * buf[i]!);
        case "rmsprop":
          v[i] = 0.99 * v[i]! + 0.01 * gi * gi;
          return w - (lr * gi) / (Math.sqrt(v[i]!) + 1e-8);
        case "adam":
        case "adamw": {
          const w0 = name === "adamw" ? w * (1 - lr * 0.01) : w;
          m[i] = 0.9 * m[i]! + 0.1 * gi;
          v[i] = 0.999 * v[i]! + 0.001 * gi * gi;
          const mh = m[i]! / (1 - 0.9 ** t);
          const vh = v[i]! / (1 - 0.999 ** t);
          return w0 - (lr * mh) / (Math.sqrt(vh) + 1e-8);
        }
        default:
          throw new Error(name);
      }
    });
    out.push([p[0]!, p[1]!]);
  }
  return out;
}

describe("the race steps descent's optimizers exactly", () => {
  for (const name of RACERS.filter((r) => r !== "sgd")) {
    test(`${name}: the first 5 points on Rosenbrock equal the update formula applied by hand`, () => {
      const s = SURFACES.rosenbrock;
      const t = runRacer(s, name, s.lr[name], { steps: 5 });
      const want = byHand(name, s.lr[name], s.start, 5);
      want.forEach(([x, y], k) => {
        expect(t.x[k + 1]).toBeCloseTo(x, 10);
        expect(t.y[k + 1]).toBeCloseTo(y, 10);
      });
      expect(t.x[0]).toBe(s.start[0]);
      expect(t.f[3]).toBeCloseTo(s.f(want[2]![0], want[2]![1]), 8);
    });
  }

  test("sgd: a noisy gradient, the same for the same seed, another for another seed, and it still makes progress", () => {
    const s = SURFACES.ravine;
    const a = runRacer(s, "sgd", 0.3, { steps: 50, seed: 1 });
    expect(runRacer(s, "sgd", 0.3, { steps: 50, seed: 1 }).x).toEqual(a.x);
    expect(runRacer(s, "sgd", 0.3, { steps: 50, seed: 2 }).x).not.toEqual(a.x);
    expect(a.x).not.toEqual(runRacer(s, "gd", 0.3, { steps: 50 }).x);
    expect(a.f[50]!).toBeLessThan(a.f[0]! / 5);
  });
});

describe("surfaces", () => {
  test("each gradient matches central finite differences of f at three points", () => {
    for (const s of Object.values(SURFACES)) {
      for (const [x, y] of [[0.3, -0.7], [1.2, 0.4], [-1.1, 1.7]] as [number, number][]) {
        const h = 1e-6;
        const fd = [(s.f(x + h, y) - s.f(x - h, y)) / (2 * h), (s.f(x, y + h) - s.f(x, y - h)) / (2 * h)];
        const g = s.grad(x, y);
        g.forEach((v, i) => expect(Math.abs(v - fd[i]!), `${s.name} at (${x}, ${y}) coordinate ${i}`).toBeLessThan(1e-5 * Math.max(1, Math.abs(v))));
      }
    }
  });

  test("the known minima: Rosenbrock's (1, 1) and Beale's (3, ½) reached by momentum, Nesterov and Adam; the ravine's 0 by all but sgd, momentum 3× sooner than gd", () => {
    for (const [s, names] of [[SURFACES.rosenbrock, ["momentum", "nesterov", "adam"]], [SURFACES.beale, ["gd", "momentum", "nesterov", "adam"]]] as const) {
      for (const t of race(s, { racers: names })) {
        expect(t.reached, `${s.name} ${t.optimizer}`).not.toBeNull();
        expect(Math.hypot(t.x.at(-1)! - s.minimum!.x, t.y.at(-1)! - s.minimum!.y), `${s.name} ${t.optimizer}`).toBeLessThan(1e-3);
      }
    }
    const ravine = race(SURFACES.ravine);
    for (const t of ravine) if (t.optimizer !== "sgd") expect(t.reached, t.optimizer).not.toBeNull();
    // The handbook's point: in a ravine, momentum gets there in a fraction of gradient descent's steps.
    const steps = (name: string) => ravine.find((t) => t.optimizer === name)!.reached!;
    expect(steps("momentum")).toBeLessThan(steps("gd") / 3);
  });
});

describe("η too small, right, too large (gradient descent on the ravine x²/200 + y²)", () => {
  test("every point is the closed form x_k = x₀(1 − 0.01η)^k, y_k = y₀(1 − 2η)^k; η = 1.02 > 2/2 diverges", () => {
    const s = SURFACES.ravine;
    const [small, right, large] = rateSweep(s);
    for (const t of [small!, right!, large!]) {
      t.x.forEach((x, k) => expect(x).toBeCloseTo(s.start[0] * (1 - 0.01 * t.lr) ** k, 9));
      t.y.forEach((y, k) => expect(Math.abs(y - s.start[1] * (1 - 2 * t.lr) ** k)).toBeLessThan(1e-9 * Math.max(1, Math.abs(y))));
    }
    expect(small!.reached).toBeNull(); // too small: still far after 400 steps
    expect(right!.reached).not.toBeNull();
    expect(large!.reached).toBeNull();
    expect(Math.abs(large!.y.at(-1)!)).toBeGreaterThan(100 * Math.abs(s.start[1])); // too large: bounces out of the ravine
  });

  test("Rosenbrock: η = 4e-3 leaves every bound within a few steps (diverged)", () => {
    const [, , large] = rateSweep(SURFACES.rosenbrock);
    expect(large!.diverged).toBe(true);
    expect(large!.f.length).toBeLessThan(10);
  });
});

describe("the network's own subspace", () => {
  test("f(0, 0) is evaluate's loss; the gradient along (α, β) matches central differences of f; the weights come back", () => {
    const rng = new Rng(3);
    const n = 80;
    const x = Float32Array.from({ length: n * 5 }, () => rng.normal());
    const y = Int32Array.from({ length: n }, (_, i) => (x[i * 5]! > 0 ? 1 : 0) + (x[i * 5 + 1]! > 0.5 ? 1 : 0));
    const data = new TensorDataset(x, [5], y);
    const config: TrainConfig = { ...DEFAULT_CONFIG, layers: [5, 6, 3], activation: "tanh", output: "softmax", cost: "log-likelihood", optimizer: "adam", lr: 0.05, epochs: 2, validation: 0, seed: 5 };
    const ex = buildExperiment(config, { train: data });
    ex.trainer.fit(ex.loader, ex.fitOptions);
    const objective = objectiveFor(config.cost, config.output);
    const before = ex.model.parameters().map((p) => Array.from(p.data));
    const ref = evaluate(ex.model, data, { loss: objective.loss, lossOnLogits: objective.lossOnLogits }).loss;
    const { surface, restore } = networkSurface(ex.model, data, objective, { span: 1, seed: 4, steps: 10, lr: 0.1 });
    expect(surface.f(0, 0)).toBeCloseTo(ref, 6);
    const h = 1e-2;
    for (const [a, b] of [[0.3, -0.2], [-0.5, 0.6]] as [number, number][]) {
      const g = surface.grad(a, b);
      const fd = [(surface.f(a + h, b) - surface.f(a - h, b)) / (2 * h), (surface.f(a, b + h) - surface.f(a, b - h)) / (2 * h)];
      g.forEach((v, i) => expect(Math.abs(v - fd[i]!)).toBeLessThan(2e-3 * Math.max(1, Math.abs(v))));
    }
    const t = runRacer(surface, "adam", 0.05, { steps: 30 });
    expect(t.f.at(-1)!).toBeLessThan(t.f[0]!);
    restore();
    expect(ex.model.parameters().map((p) => Array.from(p.data))).toEqual(before);
  });
});
