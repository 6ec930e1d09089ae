/**
 * Weight initialisers. Oracle: the variance each source states —
 *   Glorot & Bengio 2010 (eq. 16; torch.nn.init.xavier_*): Var = 2/(fanIn + fanOut),
 *   He et al. 2015 (eq. 10; torch.nn.init.kaiming_* with a = 0, mode fan_in): Var = 2/fanIn,
 *   torch.nn.Linear docs: weight and bias ~ U(−√k, √k), k = 1/in_features, so Var = 1/(3·fanIn),
 *   Nielsen ch. 1 / ch. 3: N(0, 1), then N(0, 1/n_in) weights with N(0, 1) biases —
 * checked on 60 000 samples to within 5 standard errors (mean, second moment, and the shape:
 * uniform bounds or the normal's 68.27 % inside ±1σ). Seeds: same seed, same values.
 */
import { describe, test, expect } from "vitest";
import { Tensor } from "../src/tensor.js";
import { Rng } from "../src/rng.js";
import { initialize, INIT_NAMES, type InitName } from "../src/nn/init.js";
import { Linear } from "../src/nn/layers/linear.js";
import { mlp } from "../src/nn/mlp.js";

const FAN_OUT = 200;
const FAN_IN = 300;

/** The stated distribution: "normal" with variance, or "uniform" on ±bound. */
type Dist = { kind: "normal"; variance: number } | { kind: "uniform"; bound: number } | { kind: "zero" };
const STATED: Record<InitName, (fanIn: number, fanOut: number) => Dist> = {
  normal: () => ({ kind: "normal", variance: 1 }),
  "scaled-normal": (fi) => ({ kind: "normal", variance: 1 / fi }),
  "xavier-uniform": (fi, fo) => ({ kind: "uniform", bound: Math.sqrt(6 / (fi + fo)) }),
  "xavier-normal": (fi, fo) => ({ kind: "normal", variance: 2 / (fi + fo) }),
  "he-normal": (fi) => ({ kind: "normal", variance: 2 / fi }),
  "he-uniform": (fi) => ({ kind: "uniform", bound: Math.sqrt(6 / fi) }),
  pytorch: (fi) => ({ kind: "uniform", bound: 1 / Math.sqrt(fi) }),
  zeros: () => ({ kind: "zero" }),
};

/** Asserts the sample matches the distribution within `z` standard errors. */
function expectDistributed(data: ArrayLike<number>, dist: Dist, z = 5): void {
  const n = data.length;
  if (dist.kind === "zero") {
    expect(Array.from(data).every((v) => v === 0)).toBe(true);
    return;
  }
  let s1 = 0;
  let s2 = 0;
  let maxAbs = 0;
  for (let i = 0; i < n; i++) {
    const v = data[i]!;
    s1 += v;
    s2 += v * v;
    maxAbs = Math.max(maxAbs, Math.abs(v));
  }
  const mean = s1 / n;
  const second = s2 / n; // E[x²] = Var for a zero-mean law
  const variance = dist.kind === "normal" ? dist.variance : (dist.bound * dist.bound) / 3;
  // Var(x²) = μ₄ − σ⁴: 2σ⁴ for a normal, b⁴/5 − b⁴/9 = 4b⁴/45 for U(−b, b).
  const varOfSquare = dist.kind === "normal" ? 2 * variance ** 2 : (4 * dist.bound ** 4) / 45;
  expect(Math.abs(mean), `mean ${mean}`).toBeLessThan(z * Math.sqrt(variance / n));
  expect(Math.abs(second - variance), `variance ${second}, stated ${variance}`).toBeLessThan(z * Math.sqrt(varOfSquare / n));
  if (dist.kind === "uniform") {
    expect(maxAbs).toBeLessThanOrEqual(dist.bound);
    expect(maxAbs).toBeGreaterThan(0.999 * dist.bound); // fills its range
  } else {
    const sd = Math.sqrt(dist.variance);
    let inside = 0;
    for (let i = 0; i < n; i++) if (Math.abs(data[i]!) < sd) inside++;
    const p = 0.6826894921370859; // P(|Z| < 1)
    expect(Math.abs(inside / n - p), `fraction inside ±1σ: ${inside / n}`).toBeLessThan(z * Math.sqrt((p * (1 - p)) / n));
  }
}

describe("initialize: each scheme has its stated mean and variance (weight [200, 300])", () => {
  for (const name of INIT_NAMES) {
    test(`${name}: ${JSON.stringify(STATED[name](FAN_IN, FAN_OUT))}`, () => {
      const w = Tensor.zeros([FAN_OUT, FAN_IN]);
      w.data.fill(7); // must be overwritten
      initialize(w, name, new Rng(42));
      expectDistributed(w.data, STATED[name](FAN_IN, FAN_OUT));
    });
  }

  test("conv-shaped weights use fan-in = in·k·k (PyTorch): he-normal on [64, 32, 5, 5] has Var 2/800", () => {
    const w = Tensor.zeros([64, 32, 5, 5]);
    initialize(w, "he-normal", new Rng(3));
    expectDistributed(w.data, { kind: "normal", variance: 2 / (32 * 25) });
  });

  test("a bias with its layer's fan-in: pytorch init on [60000] with fanIn 300 is U(±1/√300)", () => {
    const b = Tensor.zeros([60000]);
    initialize(b, "pytorch", new Rng(5), 300);
    expectDistributed(b.data, { kind: "uniform", bound: 1 / Math.sqrt(300) });
  });

  test("float64 tensors are filled too", () => {
    const w = Tensor.zeros([200, 300], { dtype: "float64" });
    initialize(w, "xavier-normal", new Rng(9));
    expectDistributed(w.data, { kind: "normal", variance: 2 / 500 });
  });
});

describe("layer defaults follow their sources", () => {
  test("Linear(300, 200): weight and bias ~ U(±1/√300), as torch.nn.Linear's docs", () => {
    const fc = new Linear(FAN_IN, FAN_OUT, { rng: new Rng(11) });
    expectDistributed(fc.weight.data, { kind: "uniform", bound: 1 / Math.sqrt(FAN_IN) });
    expect(Math.max(...Array.from(fc.bias!.data, Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(FAN_IN));
  });

  test("mlp([300, 200]): Nielsen's N(0, 1/n_in) weights and N(0, 1) biases", () => {
    const net = mlp([FAN_IN, FAN_OUT, 10], { rng: new Rng(12) });
    const named = Object.fromEntries(net.namedParameters());
    expectDistributed(named["layers.0.weight"]!.data, { kind: "normal", variance: 1 / FAN_IN });
    const biases = [...named["layers.0.bias"]!.data, ...named["layers.2.bias"]!.data];
    // 210 samples: only the loose checks make sense.
    const mean = biases.reduce((a, b) => a + b, 0) / biases.length;
    const variance = biases.reduce((a, b) => a + b * b, 0) / biases.length;
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(biases.length));
    expect(Math.abs(variance - 1)).toBeLessThan(5 * Math.sqrt(2 / biases.length));
  });
});

describe("initialization is reproducible from the seed", () => {
  for (const name of INIT_NAMES.filter((n) => n !== "zeros")) {
    test(`${name}: same seed → identical values; another seed → different values`, () => {
      const make = (seed: number) => {
        const w = Tensor.zeros([20, 30]);
        initialize(w, name, new Rng(seed).fork("init"));
        return Array.from(w.data);
      };
      expect(make(1)).toEqual(make(1));
      expect(make(1)).not.toEqual(make(2));
    });
  }

  test("mlp with the same seed builds identical weights; a different seed does not", () => {
    const weights = (seed: number) => mlp([8, 5, 3], { rng: new Rng(seed) }).parameters().flatMap((p) => Array.from(p.data));
    expect(weights(7)).toEqual(weights(7));
    expect(weights(7)).not.toEqual(weights(8));
  });
});
