// Oracle: the core's own option lists and presets; round trips compared field by field.
import { describe, expect, it } from "vitest";
import {
  ACTIVATION_CHOICES, COST_CHOICES, INIT_CHOICES, OPTIMIZER_CHOICES, OUTPUT_CHOICES, DEFAULT_PRESET,
  explorerPresets, parseSettings, settingsFromPreset, settingsToQuery, toTrainConfig, layerSizes,
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

  it("lists the presets a browser can train (no expanded data, no ensembles)", () => {
    const names = explorerPresets();
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
    expect(parseSettings(q)).toEqual({ settings: s, warnings: [] });
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
      expect({ ...config, schedule: core.schedule, epochs: core.epochs, earlyStopping: core.earlyStopping }).toEqual(core);
    }
  });

  it("reads layer lists", () => {
    expect(layerSizes("784,16,16,10")).toEqual([784, 16, 16, 10]);
    expect(layerSizes("conv20x5,relu,fc10")).toBeNull();
  });
});
