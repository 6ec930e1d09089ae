/**
 * Backprop by hand (Nielsen ch. 2). Oracles: autograd through descent's ops and training costs in
 * float64, and central finite differences of the cost, for every hidden activation and every
 * cost/output pair descent trains with, on small random nets; the hand forward pass against the
 * model's own forward; refusals named for non-dense models.
 */
import { describe, expect, test } from "vitest";
import { backpropByHand, forwardByHand, type DenseLayer, type HandActivation, type HandCost } from "../src/analysis/backprop.js";
import { autogradGradients, denseLayersOf, finiteDifference, maxRelativeDifference } from "../src/analysis/backprop-check.js";
import { mlp } from "../src/nn/mlp.js";
import { buildArch } from "../src/nn/arch.js";
import { Rng } from "../src/rng.js";
import { Tensor } from "../src/tensor.js";
import { noGrad } from "../src/autograd.js";
import { DescentError } from "../src/errors.js";

function randomNet(sizes: number[], hidden: HandActivation, output: HandActivation, seed: number): DenseLayer[] {
  const rng = new Rng(seed);
  return sizes.slice(1).map((out, l) => {
    const inF = sizes[l]!;
    return {
      w: Float64Array.from({ length: out * inF }, () => rng.normal() * 0.9),
      b: Float64Array.from({ length: out }, () => rng.normal() * 0.5),
      inFeatures: inF, outFeatures: out,
      activation: l === sizes.length - 2 ? output : hidden,
      ...(hidden === "leaky-relu" && l < sizes.length - 2 ? { negativeSlope: 0.1 } : {}),
    };
  });
}

const HIDDEN: HandActivation[] = ["sigmoid", "tanh", "relu", "leaky-relu", "identity", "gelu"];
const PAIRS: [HandCost, HandActivation][] = [
  ["quadratic", "sigmoid"], ["quadratic", "identity"], ["quadratic", "softmax"], ["mse", "sigmoid"], ["mse", "identity"],
  ["cross-entropy", "sigmoid"], ["cross-entropy", "softmax"], ["cross-entropy", "identity"], ["log-likelihood", "softmax"],
];

describe("the four equations against autograd and finite differences", () => {
  for (const [cost, output] of PAIRS) {
    for (const hidden of HIDDEN) {
      test(`${cost} on a ${output} output, ${hidden} hidden layers ([5, 4, 3, 3])`, () => {
        const seed = PAIRS.findIndex((p) => p[0] === cost && p[1] === output) * 10 + HIDDEN.indexOf(hidden);
        const net = randomNet([5, 4, 3, 3], hidden, output, seed);
        const x = Array.from({ length: 5 }, (_, i) => Math.sin(i + seed));
        const label = 1;
        const hand = backpropByHand(net, x, label, cost);
        const auto = autogradGradients(net, x, label, cost);
        expect(hand.cost).toBeCloseTo(auto.cost, 12);
        net.forEach((layer, l) => {
          expect(maxRelativeDifference(hand.gradB[l]!, auto.gradB[l]!), `∂C/∂b layer ${l}`).toBeLessThan(1e-10);
          expect(maxRelativeDifference(hand.gradW[l]!, auto.gradW[l]!), `∂C/∂w layer ${l}`).toBeLessThan(1e-10);
          const fdB = Array.from(layer.b, (_, i) => finiteDifference(net, x, label, cost, l, "b", i));
          const fdW = Array.from(layer.w, (_, i) => finiteDifference(net, x, label, cost, l, "w", i));
          expect(maxRelativeDifference(hand.gradB[l]!, fdB), `∂C/∂b layer ${l} vs finite differences`).toBeLessThan(1e-6);
          expect(maxRelativeDifference(hand.gradW[l]!, fdW), `∂C/∂w layer ${l} vs finite differences`).toBeLessThan(1e-6);
          // BP3 and BP4 themselves: ∂C/∂b = δ and ∂C/∂wⱼₖ = aₖδⱼ, the gradient not all zero.
          expect(Array.from(hand.gradB[l]!)).toEqual(Array.from(hand.delta[l]!));
        });
        expect(hand.gradW.some((g) => g.some((v) => v !== 0))).toBe(true);
      });
    }
  }

  test("BP1's simplified form: cross-entropy on a sigmoid gives δᴸ = aᴸ − y, finite even when σ(z) rounds to 1", () => {
    const net = randomNet([2, 2], "sigmoid", "sigmoid", 1);
    net[0]!.b[0] = 60; // σ(≈60) is 1 in float64
    const hand = backpropByHand(net, [0.1, 0.2], 1, "cross-entropy");
    expect(hand.outputError).toBe("δᴸ = aᴸ − y");
    const auto = autogradGradients(net, [0.1, 0.2], 1, "cross-entropy");
    expect(hand.delta[0]![0]).toBeCloseTo(1, 12);
    expect(maxRelativeDifference(hand.gradB[0]!, auto.gradB[0]!)).toBeLessThan(1e-12);
    expect(Number.isFinite(hand.cost)).toBe(true);
  });
});

describe("a saved network read as dense layers", () => {
  test("an mlp's layers and activations; the hand forward pass equals the model's forward", () => {
    const model = mlp([6, 5, 4], { activation: "tanh", output: "softmax", rng: new Rng(2) });
    const net = denseLayersOf(model, "m.safetensors");
    expect(net.map((l) => [l.inFeatures, l.outFeatures, l.activation])).toEqual([[6, 5, "tanh"], [5, 4, "softmax"]]);
    const x = [0.1, -0.4, 0.9, 0.3, 0, -1];
    const mine = forwardByHand(net, x).a[2]!;
    model.eval();
    const theirs = noGrad(() => model.forward(new Tensor(Float32Array.from(x), [1, 6]))).data;
    mine.forEach((v, i) => expect(v).toBeCloseTo(theirs[i]!, 6));
  });

  test("an arch ending without an activation gets an identity output; leaky ReLU keeps its slope", () => {
    const { model } = buildArch("fc4,leakyrelu,fc3", { input: [5], rng: new Rng(1) });
    const net = denseLayersOf(model, "m");
    expect(net.map((l) => l.activation)).toEqual(["leaky-relu", "identity"]);
    expect(net[0]!.negativeSlope).toBe(0.01);
  });

  test("convolutions and batch norm are refused with a message that names the layer and what to do", () => {
    const conv = buildArch("conv4x3,relu,fc10,softmax", { input: [1, 8, 8], rng: new Rng(1) }).model;
    expect(() => denseLayersOf(conv, "cnn.safetensors")).toThrow(DescentError);
    expect(() => denseLayersOf(conv, "cnn.safetensors")).toThrow(/cnn\.safetensors: backprop by hand covers fully connected networks.*Conv2d.*--layers/);
    const bn = buildArch("fc8,bn,relu,fc3", { input: [5], rng: new Rng(1) }).model;
    expect(() => denseLayersOf(bn, "bn.safetensors")).toThrow(/BatchNorm/);
  });
});
