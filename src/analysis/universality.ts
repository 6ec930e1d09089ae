/**
 * Nielsen ch. 4, the visual proof that one hidden layer can approximate any continuous function:
 * a sigmoid neuron with a large weight w is a step at s = −b/w; two steps with output weights +h
 * and −h make a bump of height h; N bumps side by side make a hidden layer whose weighted output
 * Σⱼ vⱼ·σ(wⱼx + bⱼ) follows any function. The book sets that weighted output to σ⁻¹∘f, so that
 * the sigmoid output neuron gives back f. In two dimensions, a bump in x plus a bump in y,
 * thresholded by a second sigmoid, is a tower.
 * Plain numbers (float64): these networks are small enough to write out.
 */

export const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));
/** σ⁻¹(y) = ln(y / (1 − y)), for 0 < y < 1. */
export const logit = (y: number): number => Math.log(y / (1 - y));

/** The book's goal function on [0, 1]. */
export const bookGoal = (x: number): number => 0.2 + 0.4 * x * x + 0.3 * x * Math.sin(15 * x) + 0.05 * Math.cos(50 * x);

/** A step neuron: weight w, bias b = −w·s, so σ(wx + b) steps from 0 to 1 at x = s. */
export function stepNeuron(s: number, w = 1000): { w: number; b: number } {
  return { w, b: -w * s };
}

/** One hidden layer (weights w, biases b), output weights v and output bias: input x → Σⱼ vⱼ σ(wⱼx + bⱼ) + c. */
export interface OneHidden {
  w: number[];
  b: number[];
  v: number[];
  c: number;
}

/** The hidden layer's weighted output Σⱼ vⱼ σ(wⱼx + bⱼ) + c (the output neuron's z). */
export function weightedOutput(net: OneHidden, x: number): number {
  let z = net.c;
  for (let j = 0; j < net.w.length; j++) z += net.v[j]! * sigmoid(net.w[j]! * x + net.b[j]!);
  return z;
}

/** The network's output σ(weighted output), as in the book's sigmoid output neuron. */
export const networkOutput = (net: OneHidden, x: number): number => sigmoid(weightedOutput(net, x));

/** A bump of height h on [s1, s2): step neurons at s1 and s2 with output weights +h and −h. */
export function bump(s1: number, s2: number, h: number, w = 1000): OneHidden {
  const [a, b] = [stepNeuron(s1, w), stepNeuron(s2, w)];
  return { w: [a.w, b.w], b: [a.b, b.b], v: [h, -h], c: 0 };
}

/** Hidden layers side by side: their weighted outputs add. */
export function sumNetworks(nets: readonly OneHidden[]): OneHidden {
  return {
    w: nets.flatMap((n) => n.w), b: nets.flatMap((n) => n.b), v: nets.flatMap((n) => n.v), c: nets.reduce((s, n) => s + n.c, 0),
  };
}

/** Midpoints of `n` equal cells of [lo, hi]: where functions are compared. */
export function grid(n: number, lo = 0, hi = 1): number[] {
  return Array.from({ length: n }, (_, i) => lo + ((i + 0.5) / n) * (hi - lo));
}

/**
 * The book's construction for f on [0, 1] from N bumps: bump j covers [j/N, (j+1)/N) and its height
 * is the mean of σ⁻¹∘f over that interval (the best constant in least squares), so the weighted
 * output follows σ⁻¹∘f and the network's output follows f. f must stay inside (0, 1).
 */
export function bumpNetwork(f: (x: number) => number, n: number, opts: { w?: number; samples?: number } = {}): OneHidden {
  const samples = opts.samples ?? 64;
  const bumps: OneHidden[] = [];
  for (let j = 0; j < n; j++) {
    const xs = grid(samples, j / n, (j + 1) / n);
    const h = xs.reduce((s, x) => s + logit(f(x)), 0) / samples;
    bumps.push(bump(j / n, (j + 1) / n, h, opts.w));
  }
  return sumNetworks(bumps);
}

/** Mean |g(x) − target(x)| over `samples` evenly spaced points of [0, 1] (the book's "average deviation"). */
export function averageDeviation(g: (x: number) => number, target: (x: number) => number, samples = 1000): number {
  const xs = grid(samples);
  return xs.reduce((s, x) => s + Math.abs(g(x) - target(x)), 0) / samples;
}

/** How well N bumps do: the book's challenge measure (weighted output against σ⁻¹∘f) and the output against f. */
export function bumpDeviation(f: (x: number) => number, n: number, w = 1000): { bumps: number; neurons: number; deviation: number; outputDeviation: number } {
  const net = bumpNetwork(f, n, { w });
  return {
    bumps: n, neurons: net.w.length,
    deviation: averageDeviation((x) => weightedOutput(net, x), (x) => logit(f(x))),
    outputDeviation: averageDeviation((x) => networkOutput(net, x), f),
  };
}

/**
 * A tower in two dimensions (the book's "many input variables"): an x-bump and a y-bump of height
 * h each add to 2h over the rectangle, h on its two arms; an output neuron with bias −3h/2 (and a
 * large weight wOut on the sum) keeps only the rectangle: ≈ 1 inside [x0, x1)×[y0, y1), ≈ 0 outside.
 */
export function tower(x: number, y: number, r: { x0: number; x1: number; y0: number; y1: number }, opts: { h?: number; w?: number } = {}): number {
  const h = opts.h ?? 10;
  const z = weightedOutput(bump(r.x0, r.x1, h, opts.w), x) + weightedOutput(bump(r.y0, r.y1, h, opts.w), y) - (3 * h) / 2;
  return sigmoid(z);
}
