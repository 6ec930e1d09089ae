/**
 * Optimizers, gradient clipping and learning-rate schedules vs PyTorch. Oracle: fixtures
 * optim.json (10-step trajectories of torch.optim.* on a fixed smooth problem), clip.json
 * (torch.nn.utils.clip_grad_norm_/clip_grad_value_) and schedules.json (torch.optim.lr_scheduler),
 * written by tools/make_fixtures.py with torch 1.13.
 *
 * The trajectories are float64 so the comparison is tight enough (1e-12) to see details such as
 * where ε sits; the *_f32 runs show how far float32 rounding drifts in 10 steps.
 */
import { describe, test, expect } from "vitest";
import { Tensor } from "../src/tensor.js";
import { add, tanh } from "../src/ops/elementwise.js";
import { matmul } from "../src/ops/linalg.js";
import { mseLoss } from "../src/nn/losses.js";
import { SGD, RMSprop, Adam, AdamW, clipGradNorm, clipGradValue, stepSchedule, exponentialSchedule, cosineSchedule } from "../src/optim/index.js";
import type { Optimizer } from "../src/optim/optimizer.js";
import { expectClose, fixture, fromFixture, type Tolerance } from "./helpers.js";

interface FT { shape: number[]; data: number[] }
interface Run {
  kind: "SGD" | "RMSprop" | "Adam" | "AdamW";
  options: Record<string, unknown>;
  groups?: Record<string, unknown>[];
  dtype: "float32" | "float64";
  W: number[][];
  b: number[][];
  loss: number[];
}
type Problem = { W: FT; b: FT; X: FT; Y: FT };

const optim = fixture<{ problem: Record<"float32" | "float64", Problem>; runs: Record<string, Run> }>("optim");

function makeOptimizer(run: Run, params: Tensor[]): Optimizer<{ lr: number }> {
  const o = run.options as never;
  const ps = run.groups ? run.groups.map((g, i) => ({ params: [params[i]!], ...g })) : params;
  switch (run.kind) {
    case "SGD": return new SGD(ps as never, o);
    case "RMSprop": return new RMSprop(ps as never, o);
    case "Adam": return new Adam(ps as never, o);
    case "AdamW": return new AdamW(ps as never, o);
  }
}

/** float64: agreement to rounding; float32: the project's float32 rule, widened for 10 chained steps. */
const TOL: Record<Run["dtype"], Tolerance> = {
  float64: { atol: 1e-12, rtol: 1e-10 },
  float32: { reduction: 10 },
};

describe("optimizer trajectories match torch.optim (fixtures/optim.json)", () => {
  for (const [name, run] of Object.entries(optim.runs)) {
    test(`${name}: ${run.kind} ${JSON.stringify(run.options)}${run.groups ? " (param groups)" : ""}, ${run.dtype}, 10 steps`, () => {
      const pr = optim.problem[run.dtype];
      const W = fromFixture(pr.W, run.dtype).requiresGrad_();
      const b = fromFixture(pr.b, run.dtype).requiresGrad_();
      const X = fromFixture(pr.X, run.dtype);
      const Y = fromFixture(pr.Y, run.dtype);
      const opt = makeOptimizer(run, [W, b]);
      for (let t = 0; t < 10; t++) {
        opt.zeroGrad();
        const loss = mseLoss(tanh(add(matmul(X, W), b)), Y); // torch: mean((tanh(X·W + b) − Y)²)
        loss.backward();
        opt.step();
        expectClose([loss.item()], [run.loss[t]!], TOL[run.dtype], `${name} loss before step ${t + 1}`);
        expectClose(W, run.W[t]!, TOL[run.dtype], `${name} W after step ${t + 1}`);
        expectClose(b, run.b[t]!, TOL[run.dtype], `${name} b after step ${t + 1}`);
      }
    });
  }
});

// ---- clipping --------------------------------------------------------------------------------

interface ClipFixture {
  grads: FT[];
  norm: Record<string, { maxNorm: number; total: number; grads: FT[] }>;
  value: Record<string, { clip: number; grads: FT[] }>;
  norm_f64_small: { maxNorm: number; total: number; in: FT[]; grads: FT[] };
}
const clip = fixture<ClipFixture>("clip");

function paramsWithGrads(): Tensor[] {
  return clip.grads.map((g) => {
    const p = Tensor.zeros(g.shape, { requiresGrad: true });
    p.grad = fromFixture(g);
    return p;
  });
}

describe("gradient clipping matches torch.nn.utils (fixtures/clip.json)", () => {
  for (const c of Object.values(clip.norm)) {
    test(`clipGradNorm(maxNorm ${c.maxNorm}) returns torch's total norm and its clipped gradients`, () => {
      const ps = paramsWithGrads();
      const total = clipGradNorm(ps, c.maxNorm);
      expectClose([total], [c.total], { reduction: 16 }, "total norm");
      ps.forEach((p, i) => expectClose(p.grad!, c.grads[i]!.data, {}, `grad ${i}`));
    });
  }
  for (const c of Object.values(clip.value)) {
    test(`clipGradValue(${c.clip}) clamps like torch's clip_grad_value_`, () => {
      const ps = paramsWithGrads();
      clipGradValue(ps, c.clip);
      ps.forEach((p, i) => expectClose(p.grad!, c.grads[i]!.data, {}, `grad ${i}`));
    });
  }
  test("clipGradNorm divides by (norm + 1e-6) like torch (float64, tiny norm where the 1e-6 shows)", () => {
    const c = clip.norm_f64_small;
    const ps = c.in.map((g) => {
      const p = Tensor.zeros(g.shape, { dtype: "float64", requiresGrad: true });
      p.grad = fromFixture(g, "float64");
      return p;
    });
    const total = clipGradNorm(ps, c.maxNorm);
    expectClose([total], [c.total], { atol: 0, rtol: 1e-12 }, "total norm");
    ps.forEach((p, i) => expectClose(p.grad!, c.grads[i]!.data, { atol: 0, rtol: 1e-12 }, `grad ${i}`));
  });
  test("fixture covers both clipping and not clipping", () => {
    const clipped = Object.values(clip.norm).map((c) => c.total > c.maxNorm);
    expect(clipped).toContain(true);
    expect(clipped).toContain(false);
  });
});

// ---- schedules -------------------------------------------------------------------------------

interface Sched { lr: number; lrs: number[]; stepSize?: number; gamma?: number; tMax?: number; minLr?: number }
const sched = fixture<Record<string, Sched>>("schedules");
const SCHED_TOL: Tolerance = { atol: 1e-15, rtol: 1e-12 };

describe("learning-rate schedules match torch.optim.lr_scheduler (fixtures/schedules.json)", () => {
  const lrs = (f: (e: number) => number, n: number) => Array.from({ length: n }, (_, e) => f(e));

  for (const name of ["step", "step_default"]) {
    test(`stepSchedule = StepLR (${name})`, () => {
      const s = sched[name]!;
      const f = name === "step" ? stepSchedule(s.lr, s.stepSize!, s.gamma) : stepSchedule(s.lr, s.stepSize!);
      expectClose(lrs(f, s.lrs.length), s.lrs, SCHED_TOL);
    });
  }
  test("exponentialSchedule = ExponentialLR", () => {
    const s = sched.exponential!;
    expectClose(lrs(exponentialSchedule(s.lr, s.gamma!), s.lrs.length), s.lrs, SCHED_TOL);
  });
  for (const name of ["cosine", "cosine_zero"]) {
    test(`cosineSchedule = CosineAnnealingLR over tMax epochs (${name})`, () => {
      const s = sched[name]!;
      const f = name === "cosine" ? cosineSchedule(s.lr, s.tMax!, s.minLr) : cosineSchedule(s.lr, s.tMax!);
      expectClose(lrs(f, s.lrs.length), s.lrs, SCHED_TOL);
    });
  }
  test("cosineSchedule matches CosineAnnealingLR up to tMax, then holds at minLr (torch rises again)", () => {
    const s = sched.cosine_short!;
    const tMax = s.tMax!;
    const f = cosineSchedule(s.lr, tMax, s.minLr);
    expectClose(lrs(f, tMax + 1), s.lrs.slice(0, tMax + 1), SCHED_TOL);
    for (let e = tMax + 1; e < s.lrs.length; e++) {
      expect(f(e)).toBe(s.minLr); // documented deviation: no warm restart
      expect(s.lrs[e]!).toBeGreaterThan(s.minLr!);
    }
  });
});
