// Oracle: the same run without interruption — a resumed run must match it bit for bit.
import { describe, expect, it } from "vitest";
import { loadMnist } from "../src/node/mnist.js";
import { buildExperiment, DEFAULT_CONFIG, type TrainConfig } from "../src/train/config.js";
import { decodeCheckpoint, encodeCheckpoint } from "../src/train/checkpoint.js";
import type { FitState } from "../src/train/trainer.js";
import type { EpochLog } from "../src/train/callbacks.js";
import { encodeModel } from "../src/io/model-file.js";
import { ModelFileError } from "../src/errors.js";

const mnist = await loadMnist();
const data = { train: mnist.train, validation: mnist.validation.slice(0, 2000), test: mnist.test.slice(0, 2000) };

// Every kind of state a run carries: Adam's moments, dropout masks, shuffling, augmentation,
// the plateau rule and early stopping's best weights.
const config: TrainConfig = {
  ...DEFAULT_CONFIG, layers: [784, 32, 10], activation: "relu", output: "softmax", cost: "log-likelihood", init: "he-normal",
  optimizer: "adam", lr: 2e-3, batchSize: 50, epochs: 4, dropout: 0.2, trainSize: 3000, augment: { translate: 1 },
  schedule: "plateau", plateauPatience: 1, earlyStopping: 3, seed: 11,
};

const weights = (exp: ReturnType<typeof buildExperiment>) => Object.values(exp.model.stateDict()).map((t) => Array.from(t.data));
const timeless = (h: EpochLog[]) => h.map(({ seconds: _s, evalSeconds: _e, ...rest }) => rest);

describe("checkpoints", () => {
  it("a run resumed from any epoch's checkpoint ends bit-identical to the uninterrupted run", () => {
    const whole = buildExperiment(config, data);
    const states: Uint8Array[] = [];
    const full = whole.trainer.fit(whole.loader, { ...whole.fitOptions, onEpochComplete: (s: FitState) => states.push(encodeCheckpoint(config, whole, s)) });
    expect(states).toHaveLength(4);

    for (const at of [1, 2, 3]) {
      const ck = decodeCheckpoint(states[at - 1]!, `epoch-${at}.ckpt`);
      expect(ck.epoch).toBe(at);
      expect(ck.config).toEqual(config);
      const again = buildExperiment(ck.config, data);
      const resume = ck.restore(again);
      const rest = again.trainer.fit(again.loader, { ...again.fitOptions, resume });
      expect(weights(again)).toEqual(weights(whole));
      expect(timeless(rest.history)).toEqual(timeless(full.history));
      expect(rest.finalEpoch).toBe(full.finalEpoch);
    }
  });

  it("the checkpoint itself round-trips: re-encoding a restored run gives the same bytes", () => {
    const exp = buildExperiment({ ...config, epochs: 1 }, data);
    let bytes: Uint8Array | null = null;
    exp.trainer.fit(exp.loader, { ...exp.fitOptions, onEpochComplete: (s) => (bytes = encodeCheckpoint(config, exp, s)) });
    const ck = decodeCheckpoint(bytes!, "a.ckpt");
    const again = buildExperiment(ck.config, data);
    const state = ck.restore(again);
    expect(Buffer.from(encodeCheckpoint(config, again, state))).toEqual(Buffer.from(bytes!));
  });

  it("refuses model files, other networks and junk, naming the file", () => {
    const exp = buildExperiment({ ...config, epochs: 1 }, data);
    let bytes: Uint8Array | null = null;
    exp.trainer.fit(exp.loader, { ...exp.fitOptions, onEpochComplete: (s) => (bytes = encodeCheckpoint(config, exp, s)) });
    expect(() => decodeCheckpoint(encodeModel(exp.model, { training: {} }), "model.safetensors")).toThrow(/model\.safetensors: this is a model file, not a checkpoint/);
    expect(() => decodeCheckpoint(new Uint8Array(16), "zero.ckpt")).toThrow(ModelFileError);
    const other = buildExperiment({ ...config, layers: [784, 16, 10] }, data);
    expect(() => decodeCheckpoint(bytes!, "run.ckpt").restore(other)).toThrow(/run\.ckpt \(model weights\) does not match the model/);
    const { augment: _a, ...rest } = config;
    const noAugment = buildExperiment(rest, data);
    expect(() => decodeCheckpoint(bytes!, "run.ckpt").restore(noAugment)).toThrow(/run\.ckpt: it saved 3 random streams, but this run draws from 2/);
  });
});
