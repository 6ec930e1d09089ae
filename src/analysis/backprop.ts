/**
 * Backpropagation by hand (Nielsen ch. 2): for one example, the four equations written out as
 * plain loops over float64 numbers — no tensors, no autograd:
 *
 *   BP1  δᴸ = ∇ₐC ⊙ σ'(zᴸ)                 the output error
 *   BP2  δˡ = ((wˡ⁺¹)ᵀ δˡ⁺¹) ⊙ σ'(zˡ)       the error moved back one layer
 *   BP3  ∂C/∂bˡⱼ = δˡⱼ
 *   BP4  ∂C/∂wˡⱼₖ = aˡ⁻¹ₖ δˡⱼ
 *
 * with w stored as descent's Linear stores it, [out, in]: wˡⱼₖ joins neuron k of layer l−1 to
 * neuron j of layer l, as in the book. Checked elsewhere against autograd (backprop-check.ts) and
 * finite differences.
 */
import { erf } from "../kernels/erf.js";

/** The elementwise activations of the activation table, and softmax for the output. */
export type HandActivation = "sigmoid" | "tanh" | "relu" | "leaky-relu" | "identity" | "gelu" | "softmax";

/** The costs descent trains with (train/objective.ts), for one example. */
export type HandCost = "quadratic" | "mse" | "cross-entropy" | "log-likelihood";

/** One fully connected layer: z = w·a + b, then the activation. */
export interface DenseLayer {
  /** [out, in], row-major: w[j·in + k] = wⱼₖ. */
  w: Float64Array;
  b: Float64Array;
  inFeatures: number;
  outFeatures: number;
  activation: HandActivation;
  /** LeakyReLU's slope for z < 0. */
  negativeSlope?: number;
}

const SQRT1_2PI = 1 / Math.sqrt(2 * Math.PI);

/** σ(z) for an elementwise activation. */
export function sigma(act: HandActivation, z: number, slope = 0.01): number {
  switch (act) {
    case "sigmoid":
      return 1 / (1 + Math.exp(-z));
    case "tanh":
      return Math.tanh(z);
    case "relu":
      return z > 0 ? z : 0;
    case "leaky-relu":
      return z > 0 ? z : slope * z;
    case "identity":
      return z;
    case "gelu":
      return z * 0.5 * (1 + erf(z / Math.SQRT2));
    case "softmax":
      throw new TypeError("softmax is not elementwise: use activate()");
  }
}

/** σ'(z), from the formulas (ReLU's derivative at 0 is 0, as PyTorch takes it). */
export function sigmaPrime(act: HandActivation, z: number, slope = 0.01): number {
  switch (act) {
    case "sigmoid": {
      const s = 1 / (1 + Math.exp(-z));
      return s * (1 - s);
    }
    case "tanh":
      return 1 - Math.tanh(z) ** 2;
    case "relu":
      return z > 0 ? 1 : 0;
    case "leaky-relu":
      return z > 0 ? 1 : slope;
    case "identity":
      return 1;
    case "gelu":
      // d/dz z·Φ(z) = Φ(z) + z·φ(z)
      return 0.5 * (1 + erf(z / Math.SQRT2)) + z * SQRT1_2PI * Math.exp(-0.5 * z * z);
    case "softmax":
      throw new TypeError("softmax is not elementwise: its Jacobian is used in BP1");
  }
}

/** a = σ(z) for a whole layer (softmax: e^zⱼ / Σₖ e^zₖ, shifted by the largest z). */
export function activate(layer: DenseLayer, z: Float64Array): Float64Array {
  if (layer.activation !== "softmax") return z.map((v) => sigma(layer.activation, v, layer.negativeSlope));
  let max = -Infinity;
  for (const v of z) if (v > max) max = v;
  const e = z.map((v) => Math.exp(v - max));
  let s = 0;
  for (const v of e) s += v;
  return e.map((v) => v / s);
}

/** The forward pass: z[l] and a[l] for every layer, a[0] the input (so a has one more entry than z). */
export function forwardByHand(net: readonly DenseLayer[], x: ArrayLike<number>): { z: Float64Array[]; a: Float64Array[] } {
  const a: Float64Array[] = [Float64Array.from(x)];
  const z: Float64Array[] = [];
  for (const layer of net) {
    const prev = a[a.length - 1]!;
    const zl = new Float64Array(layer.outFeatures);
    for (let j = 0; j < layer.outFeatures; j++) {
      let s = layer.b[j]!;
      for (let k = 0; k < layer.inFeatures; k++) s += layer.w[j * layer.inFeatures + k]! * prev[k]!;
      zl[j] = s;
    }
    z.push(zl);
    a.push(activate(layer, zl));
  }
  return { z, a };
}

/** The target as a vector: a class label becomes one-hot. */
export function targetVector(label: number | ArrayLike<number>, size: number): Float64Array {
  if (typeof label !== "number") return Float64Array.from(label);
  const y = new Float64Array(size);
  y[label] = 1;
  return y;
}

/** softmax(v) (for cross-entropy on raw outputs, which applies it inside the cost). */
function softmaxOf(v: Float64Array): Float64Array {
  return activate({ activation: "softmax" } as DenseLayer, v);
}

/**
 * C for one example, as descent's objectives define it (train/objective.ts): quadratic ½‖y − a‖²;
 * mse (1/k)‖y − a‖²; cross-entropy −Σ[y ln a + (1−y) ln(1−a)] on a sigmoid output, −ln aᵧ on a
 * softmax output, −ln softmax(a)ᵧ on an identity output; log-likelihood −ln aᵧ.
 * z is the output layer's z (the cross-entropies read it, exactly as descent's do, to stay finite).
 */
export function costByHand(cost: HandCost, output: HandActivation, aL: Float64Array, zL: Float64Array, y: Float64Array): number {
  let c = 0;
  switch (cost) {
    case "quadratic":
      for (let j = 0; j < aL.length; j++) c += 0.5 * (y[j]! - aL[j]!) ** 2;
      return c;
    case "mse":
      for (let j = 0; j < aL.length; j++) c += (y[j]! - aL[j]!) ** 2;
      return c / aL.length;
    case "cross-entropy":
      if (output === "sigmoid") {
        // −[y ln σ(z) + (1−y) ln(1−σ(z))] = softplus(z) − y·z, finite for any z.
        for (let j = 0; j < zL.length; j++) {
          const v = zL[j]!;
          c += Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v))) - y[j]! * v;
        }
        return c;
      }
    // falls through: on a softmax or raw output, cross-entropy is the log-likelihood of softmax(z)
    case "log-likelihood": {
      let max = -Infinity;
      for (const v of zL) if (v > max) max = v;
      let s = 0;
      for (const v of zL) s += Math.exp(v - max);
      const logSum = max + Math.log(s);
      for (let j = 0; j < zL.length; j++) c -= y[j]! * (zL[j]! - logSum);
      return c;
    }
  }
}

/** ∇ₐC, the cost's gradient with respect to the output activations. */
export function costGradient(cost: HandCost, aL: Float64Array, y: Float64Array): Float64Array {
  switch (cost) {
    case "quadratic":
      return aL.map((a, j) => a - y[j]!);
    case "mse":
      return aL.map((a, j) => (2 * (a - y[j]!)) / aL.length);
    case "cross-entropy":
      return aL.map((a, j) => -y[j]! / a + (1 - y[j]!) / (1 - a));
    case "log-likelihood":
      return aL.map((a, j) => (y[j]! ? -y[j]! / a : 0));
  }
}

export interface HandBackprop {
  z: Float64Array[];
  /** a[0] is the input x; a[l + 1] is layer l's output. */
  a: Float64Array[];
  /** δ of each layer, ∂C/∂z. */
  delta: Float64Array[];
  /** ∂C/∂b of each layer (BP3: equal to δ). */
  gradB: Float64Array[];
  /** ∂C/∂w of each layer, [out, in] like w. */
  gradW: Float64Array[];
  cost: number;
  /** How δᴸ was computed (BP1's form for this cost and output). */
  outputError: string;
}

/** The four equations for one example x with target y (a label or a vector). */
export function backpropByHand(net: readonly DenseLayer[], x: ArrayLike<number>, target: number | ArrayLike<number>, cost: HandCost): HandBackprop {
  const { z, a } = forwardByHand(net, x);
  const L = net.length - 1;
  const out = net[L]!;
  const aL = a[L + 1]!;
  const zL = z[L]!;
  const y = targetVector(target, aL.length);
  const delta: Float64Array[] = new Array(net.length);

  // BP1: δᴸ = ∇ₐC ⊙ σ'(zᴸ).
  let outputError: string;
  if ((cost === "cross-entropy" && (out.activation === "sigmoid" || out.activation === "softmax")) || (cost === "log-likelihood" && out.activation === "softmax")) {
    // σ' cancels the cost's denominators (Nielsen eqs. 66 and 84): δᴸ = aᴸ − y exactly, where the
    // unsimplified product would divide by an aᴸ that rounds to 0 or 1.
    delta[L] = aL.map((v, j) => v - y[j]!);
    outputError = "δᴸ = aᴸ − y";
  } else if (cost === "cross-entropy" || cost === "log-likelihood") {
    // An identity output: the cost applies softmax itself, so ∇_zC = softmax(zᴸ) − y.
    delta[L] = softmaxOf(zL).map((v, j) => v - y[j]!);
    outputError = "δᴸ = softmax(zᴸ) − y";
  } else if (out.activation === "softmax") {
    // Softmax is not elementwise: σ'(zᴸ) is its Jacobian aⱼ(1[j=k] − aₖ), so δⱼ = aⱼ(gⱼ − Σₖ aₖgₖ).
    const g = costGradient(cost, aL, y);
    let dot = 0;
    for (let k = 0; k < aL.length; k++) dot += aL[k]! * g[k]!;
    delta[L] = aL.map((v, j) => v * (g[j]! - dot));
    outputError = "δᴸ = J_softmax(zᴸ)ᵀ ∇ₐC";
  } else {
    const g = costGradient(cost, aL, y);
    delta[L] = g.map((v, j) => v * sigmaPrime(out.activation, zL[j]!, out.negativeSlope));
    outputError = "δᴸ = ∇ₐC ⊙ σ'(zᴸ)";
  }

  // BP2: δˡ = ((wˡ⁺¹)ᵀ δˡ⁺¹) ⊙ σ'(zˡ), from the last hidden layer back to the first.
  for (let l = L - 1; l >= 0; l--) {
    const next = net[l + 1]!;
    const layer = net[l]!;
    const d = new Float64Array(layer.outFeatures);
    for (let k = 0; k < layer.outFeatures; k++) {
      let s = 0;
      for (let j = 0; j < next.outFeatures; j++) s += next.w[j * next.inFeatures + k]! * delta[l + 1]![j]!;
      d[k] = s * sigmaPrime(layer.activation, z[l]![k]!, layer.negativeSlope);
    }
    delta[l] = d;
  }

  // BP3: ∂C/∂bˡⱼ = δˡⱼ.  BP4: ∂C/∂wˡⱼₖ = aˡ⁻¹ₖ δˡⱼ.
  const gradB = delta.map((d) => Float64Array.from(d));
  const gradW = net.map((layer, l) => {
    const gw = new Float64Array(layer.outFeatures * layer.inFeatures);
    for (let j = 0; j < layer.outFeatures; j++) {
      for (let k = 0; k < layer.inFeatures; k++) gw[j * layer.inFeatures + k] = a[l]![k]! * delta[l]![j]!;
    }
    return gw;
  });
  return { z, a, delta, gradB, gradW, cost: costByHand(cost, out.activation, aL, zL, y), outputError };
}
