/**
 * The settings table (src/experiment/settings.ts) and validateConfig, which checks every config
 * against it. Oracles: the ranges written in the issue and in this file by hand, the exact
 * messages, the mlp/init modules' own name lists, the explorer's URL keys (web/src/state.ts),
 * and hand-computed edit distances. Wrong-type and edge cases are generated from the table, so a
 * new row is covered without a new test.
 */
import { describe, expect, test } from "vitest";
import { buildExperiment, DEFAULT_CONFIG, validateConfig, type TrainConfig } from "../src/train/config.js";
import { ACTIVATION_NAMES, OUTPUT_NAMES } from "../src/train/defaults.js";
import { PRESETS, presetConfig } from "../src/train/presets.js";
import { activationModule, ACTIVATIONS, OUTPUTS } from "../src/nn/mlp.js";
import { ACTIVATION_TABLE } from "../src/nn/activation-table.js";
import { TensorDataset } from "../src/data/dataset.js";
import { UsageError } from "../src/errors.js";
import {
  SETTINGS, checkSetting, didYouMean, editDistance, formatRange, inRange, parseSetting, settingFor, type Range, type Setting,
} from "../src/experiment/settings.js";

/** Runs f and returns the UsageError it throws (failing the test on anything else, e.g. a TypeError). */
function usageError(f: () => unknown): UsageError {
  try {
    f();
  } catch (e) {
    expect(e, String(e)).toBeInstanceOf(UsageError);
    return e as UsageError;
  }
  throw new Error("expected a UsageError, nothing was thrown");
}

const withSetting = (key: string, value: unknown) => ({ ...DEFAULT_CONFIG, [key]: value });

describe("the table", () => {
  test("has the ranges the issue asks for", () => {
    // Written out by hand from the issue: a change to the table must change this list too.
    const expected: Record<string, string> = {
      lr: "(0, 10000]", momentum: "[0, 1)", batchSize: "[1, 1e6]", epochs: "[1, 1e6]", l1: "[0, 1e6]", l2: "[0, 1e6]",
      weightDecay: "[0, 1e6]", dropout: "[0, 1)", clipNorm: "(0, 1e9]", clipValue: "(0, 1e9]", lrGamma: "(0, 1]",
      lrStep: "[1, 1e6]", plateauPatience: "[1, 10000]", earlyStopping: "[0, 10000]", validation: "[0, 60000)",
      trainSize: "[0, 1e7]", seed: "[0, 2^32)", ensemble: "[1, 100]", folds: "[2, 100]", steps: "[2, 10000]", since: "[1790, 2017]",
      dampening: "[0, 1]", beta1: "[0, 1)", beta2: "[0, 1)", eps: "[0, 1]", alpha: "[0, 1]",
    };
    const numeric = Object.fromEntries(SETTINGS.flatMap((s) => (s.kind === "number" || s.kind === "integer" ? [[s.key, formatRange(s.range)]] : [])));
    expect(numeric).toEqual(expected);
  });

  test("every required setting's default is valid, and inside its range", () => {
    for (const s of SETTINGS) {
      expect(s.default, s.key).toEqual(DEFAULT_CONFIG[s.key]);
      if (s.optional) continue;
      expect(() => checkSetting(s, s.default, s.key), s.key).not.toThrow();
      if (s.kind === "number" || s.kind === "integer") expect(inRange(s.default as number, s.range), s.key).toBe(true);
    }
  });

  test("every field of DEFAULT_CONFIG has a row; flags are unique; URL keys are the explorer's", () => {
    expect(Object.keys(DEFAULT_CONFIG).every((k) => SETTINGS.some((s) => s.key === k))).toBe(true);
    const flags = SETTINGS.map((s) => s.flag.split(" ")[0]);
    expect(new Set(flags).size).toBe(flags.length);
    // web/src/state.ts's KEYS, copied by hand; "net" holds either a layer list or an arch.
    const explorer = { layers: "net", arch: "net", activation: "act", output: "out", cost: "cost", init: "init", optimizer: "opt", lr: "lr", momentum: "mom", batchSize: "batch", l1: "l1", l2: "l2", dropout: "drop", seed: "seed" };
    for (const [key, url] of Object.entries(explorer)) expect(settingFor(key as keyof TrainConfig).url, key).toBe(url);
    const others = SETTINGS.filter((s) => s.url !== "net").map((s) => s.url);
    expect(new Set(others).size).toBe(others.length);
  });

  test("--activation and --output offer the activation table's names, and each one builds a layer", () => {
    expect(settingFor("activation")).toMatchObject({ kind: "choice", choices: ACTIVATION_NAMES });
    expect(settingFor("output")).toMatchObject({ kind: "choice", choices: OUTPUT_NAMES });
    for (const name of [...ACTIVATIONS, ...OUTPUTS]) expect(activationModule(name).spec().type, name).toBe(ACTIVATION_TABLE.find((a) => a.name === name)!.spec.type);
  });
});

describe("validateConfig", () => {
  test("accepts the defaults and every preset, also after a JSON round trip (as from a checkpoint)", () => {
    expect(() => validateConfig(DEFAULT_CONFIG)).not.toThrow();
    for (const name of Object.keys(PRESETS)) {
      expect(() => validateConfig(presetConfig(name)), name).not.toThrow();
      expect(() => validateConfig(JSON.parse(JSON.stringify(presetConfig(name)))), name).not.toThrow();
    }
  });

  /** Values of the wrong type (or shape) for each kind of setting. */
  const wrong: Record<Setting["kind"], unknown[]> = {
    number: ["0.1", true, null, [1], {}, Number.NaN, Number.POSITIVE_INFINITY],
    integer: ["10", 2.5, false, null, [10], {}, Number.NaN],
    choice: [12, "nope", null, ["relu"], {}],
    boolean: ["true", 1, null, {}],
    list: ["abc", "784,30,10", 5, null, [784], [784, "30", 10], [784, 1.5, 10], [784, 0, 10], [784, {}, 10], {}],
    special: [12, null, true, [1]],
  };
  const special: Record<string, unknown[]> = {
    arch: ["", "x".repeat(10_001)],
    augment: [5, "rotate=3", { rotate: "3" }, { rotate: 400 }, { rotate: -1 }, { bogus: 1 }, { elastic: 5 }, { elastic: { alpha: 1 } }, { elastic: { alpha: 1, sigma: 0 } }, { elastic: { alpha: 1, sigma: 4, beta: 2 } }],
  };

  test.each(SETTINGS.map((s) => [s.key, s] as const))("%s: every wrong type gives a UsageError naming it", (key, s) => {
    for (const bad of [...wrong[s.kind], ...(special[key] ?? [])]) {
      const e = usageError(() => validateConfig(withSetting(key, bad)));
      expect(e.message, JSON.stringify(bad)).toMatch(new RegExp(`^${key}[.:]`));
    }
    if (!s.optional) {
      const { [key]: _gone, ...rest } = DEFAULT_CONFIG as unknown as Record<string, unknown>;
      expect(usageError(() => validateConfig(rest)).message).toMatch(new RegExp(`^${key}: missing; expected `));
    }
  });

  /** Values just inside and just outside each end of a range. */
  function edges(r: Range, integer: boolean): { inside: number[]; outside: number[] } {
    const step = (x: number) => (integer ? 1 : Math.max(1e-6, Math.abs(x) * 1e-6));
    return {
      inside: [r.minOpen ? r.min + step(r.min) : r.min, r.maxOpen ? r.max - step(r.max) : r.max],
      outside: [r.minOpen ? r.min : r.min - step(r.min), r.maxOpen ? r.max : r.max + step(r.max)],
    };
  }

  test.each(SETTINGS.filter((s) => s.kind === "number" || s.kind === "integer").map((s) => [s.key, s] as const))(
    "%s: both ends of its range are enforced, and the edges inside are accepted",
    (key, s) => {
      if (s.kind !== "number" && s.kind !== "integer") throw new Error("unreachable");
      const { inside, outside } = edges(s.range, s.kind === "integer");
      for (const v of inside) expect(() => validateConfig(withSetting(key, v)), `${key} ${v}`).not.toThrow();
      for (const v of outside) {
        expect(usageError(() => validateConfig(withSetting(key, v))).message).toBe(
          `${key}: expected ${s.kind === "integer" ? "an integer" : "a number"} in ${formatRange(s.range)}, got ${v}`,
        );
      }
    },
  );

  test("augmentation parameters: edges of the ranges in the issue", () => {
    const ok = [{ rotate: 180 }, { translate: 14 }, { scale: 0.9 }, { probability: 1 }, { elastic: { alpha: 1000, sigma: 100 } }, { elastic: { alpha: 0, sigma: 1e-3 } }];
    for (const augment of ok) expect(() => validateConfig(withSetting("augment", augment)), JSON.stringify(augment)).not.toThrow();
    const bad: [unknown, string][] = [
      [{ rotate: 180.5 }, "augment.rotate: expected a number of degrees in [0, 180], got 180.5"],
      [{ translate: 15 }, "augment.translate: expected a number of pixels in [0, 14], got 15"],
      [{ scale: 1 }, "augment.scale: expected a number in [0, 0.9], got 1"],
      [{ elastic: { alpha: 1001, sigma: 4 } }, "augment.elastic.alpha: expected a number of pixels in [0, 1000], got 1001"],
      [{ elastic: { alpha: 34, sigma: 0 } }, "augment.elastic.sigma: expected a number of pixels in (0, 100], got 0"],
      [{ rotat: 3 }, 'augment: unknown "rotat" — did you mean rotate? (expected rotate, translate, scale, probability, elastic)'],
    ];
    for (const [augment, message] of bad) expect(usageError(() => validateConfig(withSetting("augment", augment))).message).toBe(message);
  });

  test("exact messages for the issue's examples", () => {
    const cases: [unknown, string][] = [
      [withSetting("layers", "abc"), 'layers: expected a list of 2 to 1000 layer sizes, each an integer in [1, 2^20], got "abc"'],
      [withSetting("lr", "0.1"), 'lr: expected a number in (0, 10000], got "0.1"'],
      [withSetting("augment", 5), 'augment: expected an object like {"rotate": 10, "translate": 2, "scale": 0.1, "elastic": {"alpha": 34, "sigma": 4}}, got 5'],
      [withSetting("arch", 12), 'arch: expected a string like "conv20x5,relu,maxpool2,fc100,relu,fc10" of at most 10000 characters, got 12'],
      [withSetting("lrGamma", 3), "lrGamma: expected a number in (0, 1], got 3"],
      [withSetting("activation", "relu6"), 'activation: expected one of sigmoid, tanh, relu, leaky-relu, identity, gelu, got "relu6" — did you mean relu?'],
      [withSetting("lrr", 0.1), `unknown setting "lrr" — did you mean lr? (settings: ${SETTINGS.map((s) => s.key).join(", ")})`],
      [5, "the settings must be an object like {\"lr\": 0.5, \"epochs\": 30}, got 5"],
      [null, "the settings must be an object like {\"lr\": 0.5, \"epochs\": 30}, got null"],
      [[1, 2], "the settings must be an object like {\"lr\": 0.5, \"epochs\": 30}, got [1,2]"],
    ];
    for (const [config, message] of cases) expect(usageError(() => validateConfig(config)).message).toBe(message);
  });

  test("a __proto__ key from JSON is an unknown setting, not a prototype", () => {
    const config = JSON.parse(`{"__proto__": {"lr": 1}, ${JSON.stringify(DEFAULT_CONFIG).slice(1)}`) as unknown;
    expect(usageError(() => validateConfig(config)).message).toMatch(/^unknown setting "__proto__"/);
  });

  test("values that cannot be shown as JSON still give a UsageError", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(usageError(() => validateConfig(withSetting("augment", cyclic))).message).toMatch(/^augment: unknown "self"/);
    expect(usageError(() => validateConfig(withSetting("lr", 10n))).message).toBe("lr: expected a number in (0, 10000], got 10n");
  });
});

describe("parsing a setting from text (flags, URL parameters)", () => {
  test("numbers: out of range and not numbers", () => {
    expect(usageError(() => parseSetting(settingFor("lrGamma"), "3", "--lr-gamma")).message).toBe("--lr-gamma 3: expected a number in (0, 1], got 3");
    expect(usageError(() => parseSetting(settingFor("lr"), "abc", "--lr")).message).toBe('--lr abc: expected a number in (0, 10000], got "abc"');
    expect(usageError(() => parseSetting(settingFor("lr"), "", "--lr")).message).toBe('--lr : expected a number in (0, 10000], got ""');
    expect(usageError(() => parseSetting(settingFor("epochs"), "2.5", "--epochs")).message).toBe("--epochs 2.5: expected an integer in [1, 1e6], got 2.5");
    expect(parseSetting(settingFor("lr"), "0.5", "--lr")).toBe(0.5);
  });

  test("augment specs", () => {
    expect(parseSetting(settingFor("augment"), "rotate=10,translate=2,scale=0.1,elastic=34:4", "--augment"))
      .toEqual({ rotate: 10, translate: 2, scale: 0.1, elastic: { alpha: 34, sigma: 4 } });
    expect(usageError(() => parseSetting(settingFor("augment"), "rotate=400", "--augment")).message)
      .toBe("--augment rotate=400: expected a number of degrees in [0, 180], got 400");
    expect(usageError(() => parseSetting(settingFor("augment"), "elastic=34", "--augment")).message)
      .toBe('--augment elastic=34 (sigma): expected a number of pixels in (0, 100], got ""');
    expect(usageError(() => parseSetting(settingFor("augment"), "rotate=x", "--augment")).message)
      .toBe('--augment rotate=x: expected a number of degrees in [0, 180], got "x"');
  });
});

describe("suggestions", () => {
  test("edit distance: hand-computed values", () => {
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("adam", "adam")).toBe(0);
    expect(editDistance("ca", "ac")).toBe(1); // one swap of neighbours
    expect(editDistance("nielsen-ch33", "nielsen-ch3")).toBe(1);
  });

  test("the nearest valid names, or nothing when none is close", () => {
    const presets = Object.keys(PRESETS);
    expect(didYouMean("nielsen-ch33", presets)).toBe(" — did you mean nielsen-ch3?");
    expect(didYouMean("nielsen-ch2", presets)).toBe(" — did you mean nielsen-ch1 or nielsen-ch3?");
    expect(didYouMean("relu6", ACTIVATIONS)).toBe(" — did you mean relu?");
    expect(didYouMean("ReLU", ACTIVATIONS)).toBe(" — did you mean relu?");
    expect(didYouMean("crossentropy", ["quadratic", "cross-entropy", "log-likelihood", "mse"])).toBe(" — did you mean cross-entropy?");
    expect(didYouMean("swish", ACTIVATIONS)).toBe("");
    expect(didYouMean("gpu", ["ref", "wasm"])).toBe("");
    expect(didYouMean("x".repeat(1000), ["x"])).toBe("");
  });
});

describe("buildExperiment refuses a network without one output per class", () => {
  /** n examples of 784 zeros with labels 0, 1, …, classes − 1, 0, 1, … */
  function data(n: number, classes: number) {
    const labels = Int32Array.from({ length: n }, (_, i) => i % classes);
    return { train: new TensorDataset(new Float32Array(n * 784), [784], labels) };
  }

  test("layers: the message names the widths and the fix", () => {
    const e = usageError(() => buildExperiment({ ...DEFAULT_CONFIG, layers: [784, 30, 5] }, data(20, 10)));
    expect(e.message).toBe("the network ends with 5 outputs, but the data has 10 classes (labels 0–9): end --layers with 10");
    expect(() => buildExperiment({ ...DEFAULT_CONFIG, layers: [784, 4, 3] }, data(20, 3))).not.toThrow();
    // Classes count over every split: a training subset without the digit 9 still has 10 classes.
    const tenInTest = { train: data(9, 9).train, test: data(10, 10).train };
    expect(usageError(() => buildExperiment({ ...DEFAULT_CONFIG, layers: [784, 4, 9] }, tenInTest)).message).toMatch(/data has 10 classes/);
  });

  test("arch: fully connected and convolutional endings", () => {
    expect(usageError(() => buildExperiment({ ...DEFAULT_CONFIG, arch: "fc30,sigmoid,fc12,sigmoid" }, data(20, 10))).message)
      .toBe("the network ends with 12 outputs, but the data has 10 classes (labels 0–9): end --arch with fc10");
    expect(usageError(() => buildExperiment({ ...DEFAULT_CONFIG, arch: "conv2x5,relu" }, data(20, 10))).message)
      .toBe("the network ends with a [2, 24, 24] output, but the data has 10 classes (labels 0–9): end --arch with fc10");
  });
});

describe("optimizer hyper-parameters are settings too", () => {
  // Oracle: the values given, as torch.optim names them (betas, eps, alpha, centered, dampening).
  test("--beta1/--beta2/--eps reach Adam, --alpha/--centered RMSProp, --dampening SGD with momentum", () => {
    const data = { train: new TensorDataset(new Float32Array(8 * 4), [4], new Int32Array(8).map((_, i) => i % 2)) };
    const hyper = (c: Partial<TrainConfig>) => buildExperiment({ ...DEFAULT_CONFIG, layers: [4, 3, 2], validation: 0, ...c }, data).trainer.opts.optimizer.groups[0]!.hyper as Record<string, unknown>;
    expect(hyper({ optimizer: "adam", beta1: 0.8, beta2: 0.99, eps: 1e-7 })).toMatchObject({ betas: [0.8, 0.99], eps: 1e-7 });
    expect(hyper({ optimizer: "adamw", beta2: 0.95 })).toMatchObject({ betas: [0.9, 0.95], eps: 1e-8 });
    expect(hyper({ optimizer: "rmsprop", alpha: 0.9, centered: true, eps: 1e-6 })).toMatchObject({ alpha: 0.9, centered: true, eps: 1e-6 });
    expect(hyper({ optimizer: "momentum", dampening: 0.3 })).toMatchObject({ momentum: 0.9, dampening: 0.3 });
    expect(() => validateConfig({ ...DEFAULT_CONFIG, optimizer: "nesterov", dampening: 0.5 })).toThrow(/Nesterov momentum needs dampening 0/);
    expect(() => validateConfig({ ...DEFAULT_CONFIG, beta1: 1 })).toThrow(/beta1: expected a number in \[0, 1\), got 1/);
  });
});
