/**
 * A saved network read as the layers of backprop.ts, and the two checks of the hand-written
 * equations: autograd (descent's own ops and costs, in float64) and central finite differences
 * of the cost (the hand forward pass, in float64).
 */
import type { Module } from "../nn/module.js";
import { Sequential } from "../nn/layers/sequential.js";
import { Linear } from "../nn/layers/linear.js";
import { GELU, Identity, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh } from "../nn/layers/activations.js";
import { Dropout } from "../nn/layers/dropout.js";
import { Flatten } from "../nn/layers/flatten.js";
import { DescentError } from "../errors.js";
import { Tensor } from "../tensor.js";
import { linear } from "../ops/linalg.js";
import { gelu, leakyRelu, relu, sigmoid, tanh } from "../ops/elementwise.js";
import { softmax } from "../ops/softmax.js";
import { objectiveFor } from "../train/objective.js";
import type { OutputName } from "../nn/mlp.js";
import { Rng } from "../rng.js";
import { costByHand, forwardByHand, targetVector, type DenseLayer, type HandActivation, type HandCost } from "./backprop.js";

/** The activation a module is, if it is one backprop by hand knows. */
function activationOf(m: Module): { act: HandActivation; slope?: number } | null {
  if (m instanceof Sigmoid) return { act: "sigmoid" };
  if (m instanceof Tanh) return { act: "tanh" };
  if (m instanceof ReLU) return { act: "relu" };
  if (m instanceof LeakyReLU) return { act: "leaky-relu", slope: m.negativeSlope };
  if (m instanceof GELU) return { act: "gelu" };
  if (m instanceof Identity) return { act: "identity" };
  if (m instanceof Softmax && (m.dim === -1 || m.dim === 1)) return { act: "softmax" };
  return null;
}

/**
 * The model as fully connected layers, each a Linear and the activation after it (identity when
 * none follows). Dropout (off at evaluation) and a leading Flatten are passed over. Anything else
 * — convolutions, batch norm, residual blocks, recurrent layers — is refused: the four equations
 * here are the book's, for fully connected networks.
 */
export function denseLayersOf(model: Module, name: string): DenseLayer[] {
  const refuse = (what: string): never => {
    throw new DescentError(`${name}: backprop by hand covers fully connected networks (Linear layers, each followed by an elementwise activation, softmax last); ${what} — try a model trained with --layers, e.g. descent train --preset nielsen-ch2`);
  };
  if (!(model instanceof Sequential)) refuse(`this model is a ${model.spec().type}, not a chain of layers`);
  const layers: DenseLayer[] = [];
  let activated = true;
  (model as Sequential).layers.forEach((m, i) => {
    if (m instanceof Dropout || (m instanceof Flatten && layers.length === 0)) return;
    if (m instanceof Linear) {
      const w = Float64Array.from(m.weight.data);
      layers.push({ w, b: m.bias ? Float64Array.from(m.bias.data) : new Float64Array(m.outFeatures), inFeatures: m.inFeatures, outFeatures: m.outFeatures, activation: "identity" });
      activated = false;
      return;
    }
    const act = activationOf(m);
    if (!act) return refuse(`layer ${i} is a ${m.spec().type}`);
    if (activated) return refuse(`layer ${i} (${m.spec().type}) follows ${layers.length ? "another activation" : "nothing"} instead of a Linear layer`);
    const last = layers[layers.length - 1]!;
    last.activation = act.act;
    if (act.slope !== undefined) last.negativeSlope = act.slope;
    activated = true;
  });
  if (layers.length === 0) refuse("it has no Linear layer");
  layers.slice(0, -1).forEach((l, i) => {
    if (l.activation === "softmax") refuse(`hidden layer ${i + 1} ends with softmax, which is not elementwise`);
  });
  return layers;
}

/** The output activation as train/objective.ts names it. */
function outputName(act: HandActivation): OutputName {
  return act === "sigmoid" || act === "softmax" ? act : "identity";
}

function activationOp(layer: DenseLayer, z: Tensor): Tensor {
  switch (layer.activation) {
    case "sigmoid": return sigmoid(z);
    case "tanh": return tanh(z);
    case "relu": return relu(z);
    case "leaky-relu": return leakyRelu(z, layer.negativeSlope ?? 0.01);
    case "gelu": return gelu(z);
    case "softmax": return softmax(z, -1);
    case "identity": return z;
  }
}

/** ∂C/∂b and ∂C/∂w of every layer by autograd: descent's ops and its training cost, in float64. */
export function autogradGradients(net: readonly DenseLayer[], x: ArrayLike<number>, label: number | ArrayLike<number>, cost: HandCost): { gradB: Float64Array[]; gradW: Float64Array[]; cost: number } {
  const objective = objectiveFor(cost, outputName(net[net.length - 1]!.activation));
  const ws = net.map((l) => new Tensor(Float64Array.from(l.w), [l.outFeatures, l.inFeatures], true));
  const bs = net.map((l) => new Tensor(Float64Array.from(l.b), [l.outFeatures], true));
  let a = new Tensor(Float64Array.from(x), [1, net[0]!.inFeatures]);
  let scored = a;
  net.forEach((layer, l) => {
    const z = linear(a, ws[l]!, bs[l]!);
    a = activationOp(layer, z);
    scored = l === net.length - 1 && objective.lossOnLogits ? z : a;
  });
  const out = net[net.length - 1]!;
  const byClass = cost === "log-likelihood" || (cost === "cross-entropy" && (typeof label === "number" || out.activation !== "sigmoid"));
  const target = byClass ? Int32Array.of(classOf(label)) : new Tensor(targetVector(label, out.outFeatures), [1, out.outFeatures]);
  const c = objective.loss(scored, target);
  c.backward(Tensor.full([], 1, { dtype: "float64" }));
  return { gradB: bs.map((b) => Float64Array.from(b.grad!.data)), gradW: ws.map((w) => Float64Array.from(w.grad!.data)), cost: c.item() };
}

/** The class a target names: the label itself, or the 1 of a one-hot vector (costs over classes need one). */
function classOf(label: number | ArrayLike<number>): number {
  if (typeof label === "number") return label;
  const v = Array.from(label);
  const k = v.indexOf(1);
  if (k < 0 || v.some((y, i) => y !== (i === k ? 1 : 0))) throw new RangeError(`autogradGradients: this cost compares the output with a class, but the target [${v.join(", ")}] is not one-hot`);
  return k;
}

/** Which weights finite differences check in a layer: all of them up to `limit`, else a seeded sample plus the largest hand gradient. */
export function sampledEntries(size: number, limit: number, rng: Rng, largest: number): number[] {
  if (size <= limit) return Array.from({ length: size }, (_, i) => i);
  const picked = new Set<number>([largest]);
  while (picked.size < limit) picked.add(rng.int(size));
  return [...picked].sort((a, b) => a - b);
}

/** (C(θ + h) − C(θ − h)) / 2h for one parameter entry, with the hand forward pass. */
export function finiteDifference(net: DenseLayer[], x: ArrayLike<number>, label: number | ArrayLike<number>, cost: HandCost, l: number, which: "w" | "b", i: number, h = 1e-6): number {
  const arr = net[l]![which];
  const keep = arr[i]!;
  const C = () => {
    const { z, a } = forwardByHand(net, x);
    const L = net.length - 1;
    return costByHand(cost, net[L]!.activation, a[L + 1]!, z[L]!, targetVector(label, net[L]!.outFeatures));
  };
  const step = h * Math.max(1, Math.abs(keep));
  arr[i] = keep + step;
  const up = C();
  arr[i] = keep - step;
  const down = C();
  arr[i] = keep;
  return (up - down) / (2 * step);
}

/**
 * max |hand − other| over the entries compared, divided by the largest |other| among them: the
 * error relative to the tensor's scale (an entry-by-entry ratio would blow up on entries that are
 * 0 up to rounding). 0 when both are all zero.
 */
export function maxRelativeDifference(hand: ArrayLike<number>, other: ArrayLike<number>, entries?: readonly number[]): number {
  const idx = entries ?? Array.from({ length: other.length }, (_, i) => i);
  let diff = 0;
  let scale = 0;
  for (const i of idx) {
    diff = Math.max(diff, Math.abs(hand[i]! - other[i]!));
    scale = Math.max(scale, Math.abs(other[i]!));
  }
  return scale > 0 ? diff / scale : diff;
}

/** How far one layer's hand gradients are from another method's: max relative differences (maxRelativeDifference). */
export interface LayerCheck {
  bias: number;
  weight: number;
}

export interface BackpropCheck {
  /** Hand backprop against central finite differences of the cost, per layer, and how many entries were compared. */
  finiteDifferences: (LayerCheck & { biasEntries: number; weightEntries: number; h: number })[];
  /** Hand backprop against autograd (descent's ops and cost, float64), per layer: every entry. */
  autograd: LayerCheck[];
  /** C as autograd computes it. */
  autogradCost: number;
}

/**
 * Both checks of a hand backprop (`descent explain backprop` prints them): autograd over every
 * entry, and finite differences (h = 1e-6) over every bias (or a sample of at least 10) and
 * `fdEntries` weights per layer (all of them in a smaller layer; else a sample drawn from `rng`
 * plus the largest hand gradient).
 */
export function checkBackprop(net: DenseLayer[], x: ArrayLike<number>, label: number | ArrayLike<number>, cost: HandCost, hand: { gradB: Float64Array[]; gradW: Float64Array[] }, opts: { fdEntries: number; rng: Rng }): BackpropCheck {
  const auto = autogradGradients(net, x, label, cost);
  const limit = opts.fdEntries;
  const finiteDifferences = net.map((layer, l) => {
    const largestW = hand.gradW[l]!.reduce((best, v, i, arr) => (Math.abs(v) > Math.abs(arr[best]!) ? i : best), 0);
    const bEntries = sampledEntries(layer.outFeatures, Math.max(limit, 10), opts.rng, 0);
    const wEntries = sampledEntries(layer.w.length, limit, opts.rng, largestW);
    const fdB = new Float64Array(layer.outFeatures);
    const fdW = new Float64Array(layer.w.length);
    for (const i of bEntries) fdB[i] = finiteDifference(net, x, label, cost, l, "b", i);
    for (const i of wEntries) fdW[i] = finiteDifference(net, x, label, cost, l, "w", i);
    return { bias: maxRelativeDifference(hand.gradB[l]!, fdB, bEntries), weight: maxRelativeDifference(hand.gradW[l]!, fdW, wEntries), biasEntries: bEntries.length, weightEntries: wEntries.length, h: 1e-6 };
  });
  const autograd = net.map((_, l) => ({ bias: maxRelativeDifference(hand.gradB[l]!, auto.gradB[l]!), weight: maxRelativeDifference(hand.gradW[l]!, auto.gradW[l]!) }));
  return { finiteDifferences, autograd, autogradCost: auto.cost };
}
