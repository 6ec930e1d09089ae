// Oracle: the core's own option lists and presets; round trips compared field by field.
import { describe, expect, it } from "vitest";
import {
  ACTIVATION_CHOICES, COST_CHOICES, INIT_CHOICES, OPTIMIZER_CHOICES, OUTPUT_CHOICES, DEFAULT_PRESET,
  explorerPresets, numberProblem, parseSettings, settingsFromConfig, settingsFromPreset, settingsToQuery, toTrainConfig, layerSizes, costChoices, outputChoices,
} from "../web/src/state.js";
import { ACTIVATIONS, OUTPUTS } from "../src/nn/mlp.js";
import { INIT_NAMES } from "../src/nn/init.js";
import { COSTS, OPTIMIZERS, validateConfig } from "../src/train/config.js";
import { presetConfig } from "../src/train/presets.js";

describe("explorer settings ↔ URL", () => {
  it("offers exactly the core's activations, outputs, inits and costs, and every optimizer but full-batch gd", () => {
    expect([...ACTIVATION_CHOICES]).toEqual([...ACTIVATIONS]);
    expect([...OUTPUT_CHOICES]).toEqual([...OUTPUTS]);
    expect([...INIT_CHOICES]).toEqual([...INIT_NAMES]);
    expect([...COST_CHOICES]).toEqual([...COSTS]);
    expect([...OPTIMIZER_CHOICES]).toEqual(OPTIMIZERS.filter((o) => o !== "gd"));
  });

  it("lists the presets a browser can train (no expanded data, no ensembles, no sequence data)", () => {
    const names = explorerPresets();
    for (const seq of ["seq-mnist-lstm", "seq-mnist-rnn", "adding-problem", "adding-problem-rnn", "char-lm"]) expect(names).not.toContain(seq);
    expect(names).toContain("3b1b");
    expect(names).toContain("nielsen-ch1");
    expect(names).toContain("handbook-cnn");
    expect(names).not.toContain("nielsen-ch6-dropout");
    expect(names).not.toContain("nielsen-ch6-ensemble");
  });

  it("an empty query is the default preset", () => {
    const { settings, warnings } = parseSettings("");
    expect(settings).toEqual(settingsFromPreset(DEFAULT_PRESET));
    expect(warnings).toEqual([]);
    expect(settings.net).toBe("784,16,16,10");
  });

  it("round-trips every field through the query string", () => {
    const s = {
      ...settingsFromPreset("nielsen-ch1"), preset: "custom", net: "784,64,32,10", activation: "relu" as const, output: "softmax" as const,
      cost: "log-likelihood" as const, init: "he-normal" as const, optimizer: "adamw" as const, lr: 0.0015, momentum: 0.8,
      batchSize: 64, l1: 0.5, l2: 3, dropout: 0.25, seed: 12345,
    };
    const q = settingsToQuery(s);
    expect(parseSettings(q)).toEqual({ settings: s, warnings: [], notes: [] });
  });

  it("writes only what differs from the preset, and marks edited presets custom", () => {
    const s = settingsFromPreset("nielsen-ch3");
    expect(settingsToQuery(s)).toBe("?preset=nielsen-ch3");
    const edited = parseSettings("?preset=nielsen-ch3&lr=0.25&seed=7").settings;
    expect(edited.preset).toBe("custom");
    expect(edited.lr).toBe(0.25);
    expect(edited.l2).toBe(5); // from the preset
    expect(parseSettings(settingsToQuery(edited)).settings).toEqual(edited);
  });

  it("ignores bad values with a warning instead of failing the page", () => {
    const { settings, warnings } = parseSettings("?preset=nope&act=swish&lr=-1&batch=2.5&seed=abc&net=<script>");
    expect(settings).toEqual(settingsFromPreset(DEFAULT_PRESET));
    expect(warnings).toHaveLength(6);
    expect(warnings.join(" ")).toMatch(/unknown preset "nope"/);
    expect(warnings.join(" ")).toMatch(/act=swish is not one of/);
  });

  it("turns settings into a valid TrainConfig equal to the preset's own (bar the schedule)", () => {
    for (const name of explorerPresets()) {
      const config = toTrainConfig(settingsFromPreset(name));
      expect(() => validateConfig(config)).not.toThrow();
      const core = presetConfig(name);
      // House prices hold out validation rows on the page (see the test below); the rest is the preset.
      const split = core.split ? { split: core.split } : {};
      expect({ ...config, schedule: core.schedule, epochs: core.epochs, earlyStopping: core.earlyStopping, ...split }).toEqual(core);
    }
  });

  it("the task: digits by default (old links unchanged), house prices with task=houses or its preset", () => {
    expect(parseSettings("").settings.task).toBe("digits");
    expect(settingsToQuery(settingsFromPreset("3b1b"))).toBe("?preset=3b1b"); // no task= for digits
    const houses = parseSettings("?task=houses");
    expect(houses).toEqual({ settings: settingsFromPreset("house-prices"), warnings: [], notes: [] });
    expect(houses.settings).toMatchObject({ task: "houses", preset: "house-prices", net: "fc64,relu,fc64,relu,fc1", cost: "mse", optimizer: "adam", lr: 1e-3, batchSize: 16 });
    expect(settingsToQuery(houses.settings)).toBe("?task=houses&preset=house-prices");
    expect(parseSettings("?preset=house-prices").settings).toEqual(houses.settings);
    expect(explorerPresets("houses")).toEqual(["house-prices"]);
    expect(explorerPresets("digits")).not.toContain("house-prices");
    expect(explorerPresets("digits")).toContain("3b1b");
  });

  it("round-trips custom house-price settings through the query string", () => {
    const s = { ...settingsFromPreset("house-prices"), preset: "custom", net: "fc32,tanh,fc1", lr: 0.003, batchSize: 32, seed: 7, l2: 0.5, optimizer: "adamw" as const };
    const q = settingsToQuery(s);
    expect(q).toMatch(/^\?task=houses&preset=custom&/);
    expect(parseSettings(q)).toEqual({ settings: s, warnings: [], notes: [] });
    const edited = parseSettings("?task=houses&preset=house-prices&seed=3");
    expect(edited.settings).toMatchObject({ task: "houses", preset: "custom", seed: 3, net: "fc64,relu,fc64,relu,fc1" });
    expect(parseSettings(settingsToQuery(edited.settings)).settings).toEqual(edited.settings);
  });

  it("a task that does not match its preset, an unknown task, or a classification cost for house prices → a warning, never a broken page", () => {
    const mixed = parseSettings("?task=digits&preset=house-prices");
    expect(mixed.settings).toEqual(settingsFromPreset("3b1b"));
    expect(mixed.warnings).toEqual([`preset "house-prices" trains House prices, not MNIST digits — using 3b1b`]);
    const other = parseSettings("?task=houses&preset=3b1b");
    expect(other.settings).toEqual(settingsFromPreset("house-prices"));
    expect(other.warnings).toHaveLength(1);
    const cats = parseSettings("?task=cats");
    expect(cats.settings).toEqual(settingsFromPreset("3b1b"));
    expect(cats.warnings).toEqual(["task=cats is not one of digits, houses — using digits"]);
    const cost = parseSettings("?task=houses&cost=log-likelihood&out=softmax");
    expect(cost.settings).toEqual(settingsFromPreset("house-prices"));
    expect(cost.warnings).toHaveLength(2);
    expect(costChoices("houses")).toEqual(["quadratic", "mse"]);
    expect(outputChoices("houses")).not.toContain("softmax");
  });

  it("house prices train the CLI's preset config, for its 200 epochs (Play stops there)", () => {
    const config = toTrainConfig(settingsFromPreset("house-prices"));
    expect(config).toEqual({ ...presetConfig("house-prices"), schedule: "constant", earlyStopping: 0, split: [0.7, 0.15, 0.15] });
    expect(config.epochs).toBe(200);
    expect(config.target).toEqual(["cmedv"]);
    expect(toTrainConfig(settingsFromPreset("3b1b")).epochs).toBe(1); // digits train until paused
    // A custom house-price net keeps the table set-up.
    const custom = toTrainConfig({ ...settingsFromPreset("house-prices"), preset: "custom", net: "12,32,1", activation: "relu", output: "identity" });
    expect(custom).toMatchObject({ layers: [12, 32, 1], target: ["cmedv"], cost: "mse", epochs: 200 });
    expect(custom.arch).toBeUndefined();
  });

  it("reads layer lists", () => {
    expect(layerSizes("784,16,16,10")).toEqual([784, 16, 16, 10]);
    expect(layerSizes("conv20x5,relu,fc10")).toBeNull();
  });
});

describe("the explorer's ranges are the CLI's (one settings table)", () => {
  // Oracle: the ranges README and `descent train --help` document for --lr, --batch-size, --dropout, --seed.
  it("a link is held to the same edges as the flags", () => {
    const edge = (query: string) => parseSettings(query);
    expect(edge("?lr=10000").warnings).toEqual([]);
    expect(edge("?lr=10001").warnings).toEqual(["lr=10001 must be a number in (0, 10000] — ignored"]);
    expect(edge("?lr=0").warnings).toEqual(["lr=0 must be a number in (0, 10000] — ignored"]);
    expect(edge("?batch=1000000").settings.batchSize).toBe(1_000_000);
    expect(edge("?batch=2.5").warnings).toEqual(["batch=2.5 must be an integer in [1, 1e6] — ignored"]);
    expect(edge("?drop=1").warnings).toEqual(["drop=1 must be a number in [0, 1) — ignored"]);
    expect(edge("?seed=4294967295").settings.seed).toBe(4294967295);
    expect(numberProblem("momentum", 1)).toBe("a number in [0, 1)");
    expect(numberProblem("momentum", 0.5)).toBeNull();
  });
});

// Oracle: the rules issue 17 states for one consistent state, driven message by message.
import { lagBehind, newPageState, receive, settingsEdited } from "../web/src/page-state.js";
import type { FromWorker, ModelInfo } from "../web/src/protocol.js";

describe("the training page's state object", () => {
  const model = (run: number, over: Partial<ModelInfo> = {}): FromWorker => ({
    type: "model", dense: null,
    model: { run, task: "digits", layers: [], params: 13002, sizes: [784, 16, 16, 10], origin: { kind: "run" }, config: null, trainable: true, ...over },
  });
  const train = (run: number, step: number): FromWorker => ({ type: "train", run, point: { step, epoch: 0, loss: 1, accuracy: 0.5, examples: 10 }, stepsPerSecond: 100 });
  const evalAt = (run: number, step: number): FromWorker => ({
    type: "eval", run, mistakePixels: new Uint8Array(0),
    report: { step, valLoss: 1, valAccuracy: 0.9, testLoss: 1, testAccuracy: 0.9, confusion: [], mistakes: [] },
  });

  it("stamps each measurement with its step and says when it lags the run", () => {
    const s = newPageState(settingsFromPreset("3b1b"));
    receive(s, model(1));
    receive(s, evalAt(1, 0));
    expect(lagBehind(s, s.measurements.eval)).toBeNull();
    receive(s, train(1, 500));
    expect(s.run.step).toBe(500);
    expect(lagBehind(s, s.measurements.eval)).toBe(0);
    receive(s, evalAt(1, 500));
    expect(lagBehind(s, s.measurements.eval)).toBeNull();
  });

  it("drops what belongs to an older run; a new model starts a new history", () => {
    const s = newPageState(settingsFromPreset("3b1b"));
    receive(s, model(1));
    receive(s, train(1, 3244));
    receive(s, model(2, { origin: { kind: "file", name: "cli.safetensors", testAccuracy: 0.97 } }));
    expect(s.run).toMatchObject({ id: 2, step: 0 });
    expect(s.measurements.train).toBeNull();
    expect(receive(s, train(1, 3245))).toBe(false);
    expect(receive(s, evalAt(1, 3245))).toBe(false);
    expect(s.run.step).toBe(0);
    expect(s.measurements.eval).toBeNull();
    // The same run described anew (a loaded model now trained here) keeps its history.
    receive(s, train(2, 5));
    receive(s, model(2, { origin: { kind: "continued", name: "cli.safetensors" } }));
    expect(s.run.step).toBe(5);
    expect(s.measurements.train?.step).toBe(5);
  });

  it("a warning belongs to the run that raised it; a stopped run is no longer 'evaluating'", () => {
    const s = newPageState(settingsFromPreset("3b1b"));
    receive(s, model(1));
    receive(s, { type: "evaluating", run: 1, step: 0, done: 0.3 });
    receive(s, { type: "error", run: 1, code: "diverged", params: { cost: "Infinity", step: 3, lr: 10000, epoch: 0 } });
    expect(s.warning).toMatchObject({ run: 1, code: "diverged" });
    expect(s.measurements.evaluating).toBeNull();
    expect(receive(s, { type: "error", run: 0, code: "internal", params: {} })).toBe(false); // an older run's
    receive(s, model(2));
    expect(s.warning).toBeNull();
  });

  it("an edited form no longer describes the model on screen, until the next model", () => {
    const s = newPageState(settingsFromPreset("3b1b"));
    receive(s, model(1));
    settingsEdited(s, { ...settingsFromPreset("3b1b"), lr: 1, preset: "custom" });
    expect(s.settingsChanged).toBe(true);
    receive(s, model(2));
    expect(s.settingsChanged).toBe(false);
  });

  it("a model file's recorded settings become the form's: its preset when they are one", () => {
    expect(settingsFromConfig(toTrainConfig(settingsFromPreset("nielsen-ch1")))).toEqual(settingsFromPreset("nielsen-ch1"));
    const custom = { ...settingsFromPreset("w3"), preset: "custom", seed: 9 };
    expect(settingsFromConfig(toTrainConfig(custom))).toEqual(custom);
  });
});

import { tableSplit } from "../src/data/table-split.js";

describe("house prices in the explorer", () => {
  it("holds out validation rows for its curve, but tests on the preset's own 76 rows", () => {
    const page = toTrainConfig(settingsFromPreset("house-prices"));
    const cli = presetConfig("house-prices");
    for (const seed of [1, 2, 7]) {
      const a = tableSplit(506, { ...page, seed });
      const b = tableSplit(506, { ...cli, seed });
      expect(Array.from(a.test)).toEqual(Array.from(b.test));
      expect(a.val.length).toBe(76);
      expect(b.val.length).toBe(0);
      expect(b.train.length).toBe(430);
    }
  });
});
