/**
 * Optimizer state dicts: a state taken mid-run and loaded into a fresh optimizer continues exactly
 * (oracle: the same optimizer never interrupted), and a state that does not fit — wrong types,
 * out-of-range hyper-parameters, buffers of the wrong name, size or dtype — is refused naming the
 * field (oracle: the rules written out in src/optim/optimizer.ts), changing nothing.
 */
import { describe, expect, test } from "vitest";
import { Tensor } from "../src/tensor.js";
import { Parameter } from "../src/nn/module.js";
import { SGD } from "../src/optim/sgd.js";
import { RMSprop } from "../src/optim/rmsprop.js";
import { Adam, AdamW } from "../src/optim/adam.js";
import type { Optimizer } from "../src/optim/optimizer.js";
import { ModelFileError } from "../src/errors.js";
import { expectThrows } from "./helpers.js";

/** Two parameters (3 and 2 values) in two groups; the gradient of Σ(w − target)² at each step. */
function setup() {
  const a = new Parameter(Float32Array.of(1, -2, 0.5), [3]);
  const b = new Parameter(Float32Array.of(0.25, 3), [2]);
  const groups = [{ params: [a] }, { params: [b], weightDecay: 0 }];
  const step = (opt: Optimizer<{ lr: number }>) => {
    for (const p of [a, b]) p.grad = new Tensor(Float32Array.from(p.data, (w, i) => 2 * (w - i)), [p.size]);
    opt.step();
  };
  return { a, b, groups, step };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const makers: [string, (groups: ReturnType<typeof setup>["groups"]) => Optimizer<{ lr: number }>][] = [
  ["SGD with Nesterov momentum", (g) => new SGD(g, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-3 }) as never],
  ["SGD without momentum", (g) => new SGD(g, { lr: 0.05 }) as never],
  ["centered RMSprop with momentum", (g) => new RMSprop(g, { lr: 0.01, momentum: 0.5, centered: true }) as never],
  ["Adam", (g) => new Adam(g, { lr: 0.01 }) as never],
  ["AdamW", (g) => new AdamW(g, { lr: 0.01 }) as never],
];

describe("optimizer state dicts", () => {
  test.each(makers)("%s: a state loaded into a fresh optimizer continues exactly", (_, make) => {
    const whole = setup();
    const opt = make(whole.groups);
    for (let i = 0; i < 3; i++) whole.step(opt);
    const saved = opt.stateDict();
    for (let i = 0; i < 3; i++) whole.step(opt);

    const again = setup();
    const first = make(again.groups);
    for (let i = 0; i < 3; i++) again.step(first); // the same first three steps
    const resumed = make(again.groups);
    resumed.loadStateDict(saved);
    for (let i = 0; i < 3; i++) again.step(resumed);
    expect(Array.from(again.a.data)).toEqual(Array.from(whole.a.data));
    expect(Array.from(again.b.data)).toEqual(Array.from(whole.b.data));
  });

  const sgd = (g: ReturnType<typeof setup>["groups"]) => new SGD(g, { lr: 0.05, momentum: 0.9 }) as unknown as Optimizer<{ lr: number }>;
  const rms = (g: ReturnType<typeof setup>["groups"]) => new RMSprop(g, { lr: 0.01, centered: true }) as unknown as Optimizer<{ lr: number }>;
  // [what, optimizer, change to a valid state after two steps, message parts]
  const hostile: [string, typeof sgd, (s: Json) => void, string][] = [
    ["step a string", sgd, (s) => (s.step = "2"), 'optimizer state.step must be an integer ≥ 0, found "2"'],
    ["lr negative", sgd, (s) => (s.groups[0].lr = -1), "optimizer state.groups[0].lr must be a number ≥ 0, found -1"],
    ["lr NaN", sgd, (s) => (s.groups[1].lr = NaN), "optimizer state.groups[1].lr must be a number ≥ 0, found NaN"],
    ["nesterov a string", sgd, (s) => (s.groups[0].nesterov = "yes"), 'optimizer state.groups[0].nesterov must be true or false, found "yes"'],
    ["Nesterov without momentum", sgd, (s) => Object.assign(s.groups[0], { nesterov: true, momentum: 0 }), "optimizer state.groups[0]: SGD: Nesterov momentum needs momentum > 0 and dampening 0"],
    ["dampening 2", sgd, (s) => (s.groups[0].dampening = 2), "optimizer state.groups[0].dampening must be a number in [0, 1], found 2"],
    ["RMSprop alpha 1.5", rms, (s) => (s.groups[0].alpha = 1.5), "optimizer state.groups[0].alpha must be a number in [0, 1], found 1.5"],
    ["RMSprop centered a number", rms, (s) => (s.groups[0].centered = 1), "optimizer state.groups[0].centered must be true or false, found 1"],
    ["centered RMSprop without its gradAvg", rms, (s) => delete s.state[0][0].buffers.gradAvg, "optimizer state.state[0][0].buffers.gradAvg is missing"],
    ["a momentum buffer without momentum", sgd, (s) => { s.groups.forEach((g: Json) => (g.momentum = 0)); }, 'optimizer state.state[0][0].buffers has an unknown field "momentum" (expected none)'],
    ["a buffer too short", sgd, (s) => (s.state[1][0].buffers.momentum = new Float32Array(1)), "optimizer state.state[1][0].buffers.momentum has 1 values, but its parameter has 2"],
    ["a buffer of numbers", sgd, (s) => (s.state[1][0].buffers.momentum = [0, 0]), "optimizer state.state[1][0].buffers.momentum must be a float32 array like its parameter, found [0,0]"],
    ["state missing a group", sgd, (s) => s.state.pop(), "optimizer state.state has 1 parameter group, but this SGD has 2"],
    ["a group of a number", sgd, (s) => (s.state[0] = 7), "optimizer state.state[0] must be an array, found 7"],
  ];
  test.each(hostile)("refused: %s — and nothing changes", (_, make, change, message) => {
    const { groups, step } = setup();
    const opt = make(groups);
    step(opt);
    step(opt);
    const state: Json = opt.stateDict();
    change(state);
    const before = opt.stateDict();
    expectThrows(ModelFileError, () => opt.loadStateDict(state), message);
    expect(opt.stateDict()).toEqual(before);
  });

  test("a state that is not an object is refused naming what it must be", () => {
    const opt = new SGD(setup().groups, { lr: 0.1 });
    expectThrows(ModelFileError, () => opt.loadStateDict(null as never), "optimizer state must be an object {step, groups, state}, found null");
    expectThrows(ModelFileError, () => opt.loadStateDict({ step: 0, groups: "x", state: [] } as never), 'optimizer state.groups must be an array, found "x"');
  });
});
