/**
 * Perceptrons (Nielsen ch. 1; Rosenblatt 1958): a unit that outputs 1 when w·x + b > 0 and 0
 * otherwise, and the perceptron learning rule, applied example by example in order:
 *   ŷ = step(w·x + b);  w ← w + η(y − ŷ)x;  b ← b + η(y − ŷ).
 * It converges on linearly separable data (Novikoff 1962: at most (R/γ)² mistakes, with R the
 * largest ‖(x, 1)‖ and γ the margin of any separating (w*, b*) of unit norm), and cannot converge on
 * XOR. With integer inputs and η = 1 the weights stay integers, so a state seen again at the end of
 * an epoch proves the rule cycles forever — the XOR run reports that cycle.
 */
import { Rng } from "../rng.js";

export interface LabelledPoint {
  x: readonly number[];
  /** 0 or 1. */
  y: number;
}

/** Nielsen's step: 0 when w·x + b ≤ 0, 1 when > 0. */
export const step = (z: number): number => (z > 0 ? 1 : 0);

export function perceptron(w: readonly number[], b: number, x: readonly number[]): number {
  let z = b;
  for (let i = 0; i < w.length; i++) z += w[i]! * x[i]!;
  return step(z);
}

/** The book's NAND gate: weights −2, −2 and bias 3. */
export const NAND = { w: [-2, -2], b: 3 } as const;

const TRUTH = [[0, 0], [0, 1], [1, 0], [1, 1]] as const;
export const NAND_DATA: LabelledPoint[] = TRUTH.map(([a, b]) => ({ x: [a, b], y: a && b ? 0 : 1 }));
export const XOR_DATA: LabelledPoint[] = TRUTH.map(([a, b]) => ({ x: [a, b], y: a === b ? 0 : 1 }));

export interface PerceptronStep {
  w: number[];
  b: number;
}

/** One update of the rule on one example (returns the new weights, the input ones untouched). */
export function ruleStep(s: PerceptronStep, p: LabelledPoint, eta: number): PerceptronStep {
  const err = p.y - perceptron(s.w, s.b, p.x);
  return { w: s.w.map((wi, i) => wi + eta * err * p.x[i]!), b: s.b + eta * err };
}

export interface PerceptronRun {
  w: number[];
  b: number;
  /** Epochs run (the last one made no mistake when converged). */
  epochs: number;
  converged: boolean;
  mistakes: number[];
  totalMistakes: number;
  /** When the weights at the end of an epoch repeat an earlier epoch's: the rule loops forever. */
  cycle?: { from: number; period: number };
}

/** The rule over the data in order, epoch after epoch, until an epoch without mistakes or `maxEpochs`. */
export function trainPerceptron(data: readonly LabelledPoint[], opts: { eta?: number; maxEpochs?: number; w?: number[]; b?: number } = {}): PerceptronRun {
  const eta = opts.eta ?? 1;
  const maxEpochs = opts.maxEpochs ?? 100;
  let s: PerceptronStep = { w: opts.w ?? new Array<number>(data[0]?.x.length ?? 0).fill(0), b: opts.b ?? 0 };
  const mistakes: number[] = [];
  const seen = new Map<string, number>([[JSON.stringify(s), 0]]);
  let cycle: PerceptronRun["cycle"];
  for (let epoch = 1; epoch <= maxEpochs; epoch++) {
    let m = 0;
    for (const p of data) {
      if (perceptron(s.w, s.b, p.x) !== p.y) m++;
      s = ruleStep(s, p, eta);
    }
    mistakes.push(m);
    if (m === 0) return { ...s, epochs: epoch, converged: true, mistakes, totalMistakes: sum(mistakes) };
    const key = JSON.stringify(s);
    const before = seen.get(key);
    if (before !== undefined && cycle === undefined) cycle = { from: before, period: epoch - before };
    seen.set(key, epoch);
  }
  return { ...s, epochs: maxEpochs, converged: false, mistakes, totalMistakes: sum(mistakes), ...(cycle ? { cycle } : {}) };
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/**
 * `n` points of the unit square labelled by the line w*·x + b* > 0, none closer to it than
 * `margin` (points inside the band are redrawn), and Novikoff's bound for them.
 */
export function separableSet(n: number, rng: Rng, line = { w: [1, -1], b: 0.1 }, margin = 0.05): { data: LabelledPoint[]; bound: number; gamma: number; radius: number } {
  const norm = Math.hypot(...line.w, line.b);
  const data: LabelledPoint[] = [];
  let gamma = Infinity;
  let radius = 0;
  while (data.length < n) {
    const x = [rng.uniform(), rng.uniform()];
    const d = (line.w[0]! * x[0]! + line.w[1]! * x[1]! + line.b) / Math.hypot(...line.w);
    if (Math.abs(d) < margin) continue;
    data.push({ x, y: d > 0 ? 1 : 0 });
    // The margin in the augmented space (x, 1) of the unit vector (w*, b*)/‖(w*, b*)‖.
    gamma = Math.min(gamma, Math.abs(line.w[0]! * x[0]! + line.w[1]! * x[1]! + line.b) / norm);
    radius = Math.max(radius, Math.hypot(x[0]!, x[1]!, 1));
  }
  return { data, gamma, radius, bound: (radius / gamma) ** 2 };
}
