/**
 * checkBackprop (what `descent explain backprop` and the explorer's backprop view report) and
 * targets given as vectors (the explorer's 2-3-2 network takes any y). Oracles: an independent
 * computation of the same central finite differences here, entry by entry (the cost from the
 * definition ½‖y − a‖² and −Σ[y ln a + (1−y) ln(1−a)], the forward pass from z = wa + b), and
 * autograd's gradients through descent's own ops.
 */
import { describe, expect, test } from "vitest";
import { backpropByHand, type DenseLayer } from "../src/analysis/backprop.js";
import { autogradGradients, checkBackprop, denseLayersOf } from "../src/analysis/backprop-check.js";
import { mlp } from "../src/nn/mlp.js";
import { Rng } from "../src/rng.js";

const sig = (z: number) => 1 / (1 + Math.exp(-z));

/** The cost of a sigmoid network from the definitions, written independently of backprop.ts. */
function costOf(net: DenseLayer[], x: number[], y: number[], cost: "quadratic" | "cross-entropy"): number {
  let a = x;
  for (const l of net) a = Array.from({ length: l.outFeatures }, (_, j) => sig(a.reduce((s, ak, k) => s + l.w[j * l.inFeatures + k]! * ak, l.b[j]!)));
  return cost === "quadratic" ? a.reduce((s, aj, j) => s + 0.5 * (y[j]! - aj) ** 2, 0) : -a.reduce((s, aj, j) => s + y[j]! * Math.log(aj) + (1 - y[j]!) * Math.log(1 - aj), 0);
}

const tiny = () => denseLayersOf(mlp([2, 3, 2], { activation: "sigmoid", output: "sigmoid", init: "normal", rng: new Rng(3) }), "2-3-2");
const x = [0.05, 0.1];
const y = [0.01, 0.99];

describe("checkBackprop on a 2-3-2 sigmoid network with a vector target", () => {
  for (const cost of ["quadratic", "cross-entropy"] as const) {
    test(`${cost}: every one of the 17 parameters is compared, and the hand gradients match a separate finite difference`, () => {
      const net = tiny();
      const hand = backpropByHand(net, x, y, cost);
      expect(hand.cost).toBeCloseTo(costOf(net, x, y, cost), 14);
      const check = checkBackprop(net, x, y, cost, hand, { fdEntries: 50, rng: new Rng(0) });
      expect(check.finiteDifferences.map((r) => [r.biasEntries, r.weightEntries])).toEqual([[3, 6], [2, 6]]);
      for (const r of check.finiteDifferences) expect(Math.max(r.bias, r.weight)).toBeLessThan(1e-7);
      for (const r of check.autograd) expect(Math.max(r.bias, r.weight)).toBeLessThan(1e-12);
      expect(check.autogradCost).toBeCloseTo(hand.cost, 14);
      // The oracle: (C(w + h) − C(w − h)) / 2h from costOf, for every weight of layer 2.
      net[1]!.w.forEach((w, i) => {
        const h = 1e-6;
        const at = (v: number) => { net[1]!.w[i] = v; const c = costOf(net, x, y, cost); net[1]!.w[i] = w; return c; };
        expect(hand.gradW[1]![i]).toBeCloseTo((at(w + h) - at(w - h)) / (2 * h), 8);
      });
    });
  }

  test("the check leaves the network's parameters as they were", () => {
    const net = tiny();
    const before = net.map((l) => [Array.from(l.w), Array.from(l.b)]);
    checkBackprop(net, x, y, "quadratic", backpropByHand(net, x, y, "quadratic"), { fdEntries: 50, rng: new Rng(0) });
    expect(net.map((l) => [Array.from(l.w), Array.from(l.b)])).toEqual(before);
  });
});

test("costs over classes take a one-hot vector as its class, and refuse any other vector", () => {
  const net = denseLayersOf(mlp([3, 4, 3], { output: "softmax", rng: new Rng(2) }), "3-4-3");
  const byLabel = autogradGradients(net, [0.2, 0.5, 0.9], 1, "log-likelihood");
  const byVector = autogradGradients(net, [0.2, 0.5, 0.9], [0, 1, 0], "log-likelihood");
  expect(Array.from(byVector.gradW[0]!)).toEqual(Array.from(byLabel.gradW[0]!));
  expect(() => autogradGradients(net, [0.2, 0.5, 0.9], [0.2, 0.8, 0], "cross-entropy")).toThrow(/not one-hot/);
});
