/**
 * Hostile checkpoints. Each starts as a valid checkpoint written by the real encoder (a small run
 * with Adam, dropout, the plateau schedule and early stopping, so every kind of state is there),
 * then one field or tensor is changed and the file re-encoded with encodeSafetensors — structure
 * valid and checksum correct, so it is the field check that must fire. Oracle: the format as
 * documented in src/train/checkpoint.ts; each expected message names the field by hand.
 */
import { describe, expect, test } from "vitest";
import { buildExperiment, DEFAULT_CONFIG, type Experiment, type TrainConfig } from "../src/train/config.js";
import { decodeCheckpoint, encodeCheckpoint, experimentRngs } from "../src/train/checkpoint.js";
import { decodeSafetensors, encodeSafetensors, type StoredTensor } from "../src/io/safetensors.js";
import { TensorDataset } from "../src/data/dataset.js";
import { Rng } from "../src/rng.js";
import { ModelFileError } from "../src/errors.js";
import { expectThrows } from "./helpers.js";

/** n examples of 4 features; the label says whether the first two sum above 0. */
function dataset(n: number, seed: number): TensorDataset {
  const rng = new Rng(seed);
  const x = Float32Array.from({ length: n * 4 }, () => rng.normal());
  const y = Int32Array.from({ length: n }, (_, i) => (x[4 * i]! + x[4 * i + 1]! > 0 ? 1 : 0));
  return new TensorDataset(x, [4], y);
}
const DATA = { train: dataset(40, 1), validation: dataset(20, 2) };
const CONFIG: TrainConfig = {
  ...DEFAULT_CONFIG, layers: [4, 3, 2], activation: "relu", output: "softmax", cost: "log-likelihood", init: "he-normal",
  optimizer: "adam", lr: 0.01, batchSize: 5, epochs: 3, dropout: 0.2, schedule: "plateau", plateauPatience: 1, earlyStopping: 3, seed: 3,
};
const build = (config: TrainConfig = CONFIG) => buildExperiment(config, DATA);

/** The checkpoint after epoch 2 of CONFIG's run. */
const VALID = (() => {
  const exp = build();
  const states: Uint8Array[] = [];
  exp.trainer.fit(exp.loader, { ...exp.fitOptions, onEpochComplete: (s) => states.push(encodeCheckpoint(CONFIG, exp, s)) });
  return states[1]!;
})();

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
interface Parts { meta: Record<string, string>; json: Record<"config" | "fit" | "optimizer" | "rngs", Json>; tensors: Map<string, StoredTensor> }

/** VALID with `change` applied to its parsed metadata and tensors, re-encoded with a correct checksum. */
function edited(change: (p: Parts) => void, opts: { checksum?: boolean } = { checksum: true }): Uint8Array {
  const { metadata, tensors } = decodeSafetensors(VALID, "valid.ckpt");
  const json = { config: JSON.parse(metadata.config!), fit: JSON.parse(metadata.fit!), optimizer: JSON.parse(metadata.optimizer!), rngs: JSON.parse(metadata.rngs!) };
  const parts: Parts = { meta: { ...metadata }, json, tensors };
  change(parts);
  const meta = { ...parts.meta };
  for (const k of ["config", "fit", "optimizer", "rngs"] as const) if (parts.json[k] !== undefined) meta[k] = JSON.stringify(parts.json[k]);
  return encodeSafetensors([...parts.tensors.values()], meta, opts);
}
const flat = (name: string, data: Float32Array | Float64Array): StoredTensor => ({ name, dtype: data instanceof Float64Array ? "F64" : "F32", shape: [data.length], data });

const ADVICE = "the checkpoint is corrupt (edited, or damaged by a descent that wrote no checksum); resume from a backup copy or start the run again";
const expectRefused = (fn: () => unknown, ...parts: string[]) => expectThrows(ModelFileError, fn, ...parts);

describe("a valid checkpoint", () => {
  test("decodes and restores, with no notes; one re-encoded without a checksum restores with a note", () => {
    const ck = decodeCheckpoint(VALID, "run.ckpt");
    expect(ck.notes).toEqual([]);
    expect(ck.restore(build()).epoch).toBe(2);
    const old = decodeCheckpoint(edited(() => {}, {}), "old.ckpt");
    expect(old.notes).toEqual(["old.ckpt: written without a checksum by an older descent; the next checkpoint this run saves will have one"]);
    expect(old.restore(build()).epoch).toBe(2);
  });

  // Oracle: the valid file itself — a checkpoint written before regression existed names the best score "accuracy".
  test("an older checkpoint whose best score is called accuracy restores the same best", () => {
    const now = decodeCheckpoint(VALID, "run.ckpt").restore(build()).best;
    const legacy = decodeCheckpoint(edited((p) => (p.json.fit.best = { accuracy: p.json.fit.best.score, epoch: p.json.fit.best.epoch })), "old.ckpt");
    expect(legacy.restore(build()).best).toEqual(now);
    expect(now.epoch).toBeGreaterThan(0);
  });
});

// [what, change, exact message parts] — refused by decodeCheckpoint itself.
const atDecode: [string, (p: Parts) => void, string[]][] = [
  ["fit.epoch a string", (p) => (p.json.fit.epoch = "2"), ['run.ckpt: fit.epoch must be an integer ≥ 1, found "2" — ' + ADVICE]],
  ["fit.epoch 0", (p) => (p.json.fit.epoch = 0), ["fit.epoch must be an integer ≥ 1, found 0"]],
  ["fit an array", (p) => (p.json.fit = [1]), ["run.ckpt: fit must be an object {epoch, history, best, plateau}, found [1]"]],
  ["fit with an extra field", (p) => (p.json.fit.extra = 1), ['fit has an unknown field "extra" (expected epoch, history, best, plateau)']],
  ["fit without history", (p) => delete p.json.fit.history, ["fit.history is missing"]],
  ["history a string", (p) => (p.json.fit.history = "abc"), ['fit.history must be an array, found "abc"']],
  ["history[1].trainLoss a string", (p) => (p.json.fit.history[1].trainLoss = "abc"), ['run.ckpt: fit.history[1].trainLoss must be a number (or null), found "abc" — the checkpoint is corrupt']],
  ["history[0].steps negative", (p) => (p.json.fit.history[0].steps = -1), ["fit.history[0].steps must be an integer ≥ 0, found -1"]],
  ["history[0].lr an object", (p) => (p.json.fit.history[0].lr = { a: 1 }), ['fit.history[0].lr must be a number ≥ 0, found {"a":1}']],
  ["history[0].valAccuracy 1.5", (p) => (p.json.fit.history[0].valAccuracy = 1.5), ["fit.history[0].valAccuracy must be a number in [0, 1], found 1.5"]],
  ["history[0] missing trainLoss", (p) => delete p.json.fit.history[0].trainLoss, ["fit.history[0].trainLoss is missing"]],
  ["history[0] an unknown field", (p) => (p.json.fit.history[0].__proto__x = 1), ['fit.history[0] has an unknown field "__proto__x"']],
  ["history[0] null", (p) => (p.json.fit.history[0] = null), ["fit.history[0] must be an object {epoch, trainLoss, lr, seconds, steps}, found null"]],
  ["history one epoch short", (p) => p.json.fit.history.pop(), ["fit.history has 1 epochs, but fit.epoch says 2 were completed"]],
  ["history epochs out of order", (p) => (p.json.fit.history[1].epoch = 5), ["fit.history[1].epoch must be 2 (epochs are listed in order from 1), found 5"]],
  ["best.epoch past fit.epoch", (p) => (p.json.fit.best.epoch = 3), ["fit.best.epoch must be an integer in [0, 2], found 3"]],
  ["best.score a string", (p) => (p.json.fit.best.score = "0.3"), ['fit.best.score must be a number (or null), found "0.3"']],
  ["best: score without an epoch", (p) => (p.json.fit.best.epoch = 0), ["fit.best has a score but epoch 0"]],
  ["legacy best.accuracy out of [0, 1]", (p) => (p.json.fit.best = { accuracy: 1.5, epoch: p.json.fit.best.epoch }), ["fit.best.accuracy must be a number in [0, 1], found 1.5"]],
  ["plateau.lr 0", (p) => (p.json.fit.plateau.lr = 0), ["fit.plateau.lr must be a number > 0, found 0"]],
  ["plateau.waited 1.5", (p) => (p.json.fit.plateau.waited = 1.5), ["fit.plateau.waited must be an integer ≥ 0, found 1.5"]],
  ["plateau a string", (p) => (p.json.fit.plateau = "yes"), ['fit.plateau must be an object {lr, best, waited}, found "yes"']],
  ["optimizer.state a number", (p) => (p.json.optimizer.state = 3), ["optimizer.state must be an array, found 3"]],
  ["optimizer.state[0] an object", (p) => (p.json.optimizer.state[0] = {}), ["optimizer.state[0] must be an array, found {}"]],
  ["buffer names not strings", (p) => (p.json.optimizer.state[0][0].buffers = [5]), ["optimizer.state[0][0].buffers[0] must be a string of at most 80 characters, found 5"]],
  ["buffer names twice", (p) => (p.json.optimizer.state[0][0].buffers = ["m", "m"]), ['optimizer.state[0][0].buffers must be names that appear once each, found ["m","m"]']],
  ["a listed buffer without its tensor", (p) => p.tensors.delete("optimizer.0.1.v"), ['run.ckpt: tensor "optimizer.0.1.v" listed in its optimizer state is missing']],
  ["an optimizer tensor not listed", (p) => p.tensors.set("optimizer.9.9.m", flat("optimizer.9.9.m", new Float32Array(2))), ['tensor "optimizer.9.9.m" is not listed in its optimizer state']],
  ["an optimizer tensor not flat", (p) => p.tensors.set("optimizer.0.0.m", { ...p.tensors.get("optimizer.0.0.m")!, shape: [3, 4] }), ['tensor "optimizer.0.0.m" has shape [3, 4], but descent stores it flat ([12])']],
  ["rngs an object", (p) => (p.json.rngs = {}), ["rngs must be an array, found {}"]],
  ["rng state all zero", (p) => (p.json.rngs[1].s = [0, 0, 0, 0]), ["rngs[1].s is all zero, a state xoshiro128** never reaches"]],
  ["rng word 2^32", (p) => (p.json.rngs[0].s[2] = 2 ** 32), ["rngs[0].s[2] must be an integer in [0, 4294967295], found 4294967296"]],
  ["rng word negative", (p) => (p.json.rngs[0].s[0] = -1), ["rngs[0].s[0] must be an integer in [0, 4294967295], found -1"]],
  ["rng word fractional", (p) => (p.json.rngs[0].s[3] = 0.5), ["rngs[0].s[3] must be an integer in [0, 4294967295], found 0.5"]],
  ["rng with 3 words", (p) => p.json.rngs[0].s.pop(), ["rngs[0].s must hold 4 integers, found 3"]],
  ["rng path a number", (p) => (p.json.rngs[0].path = 7), ["rngs[0].path must be a string of at most 1000 characters, found 7"]],
  ["rng without a seed", (p) => delete p.json.rngs[0].seed, ["rngs[0].seed is missing"]],
  ["rng seed a string", (p) => (p.json.rngs[0].seed = "3"), ['rngs[0].seed must be an integer in [0, 4294967295], found "3"']],
  ["the same stream twice", (p) => (p.json.rngs[1] = p.json.rngs[0]), ['rngs holds random stream "shuffle" twice']],
  ["config an array", (p) => (p.json.config = [1]), ["config must be a JSON object of settings, found [1]"]],
  ["config with lr 0", (p) => (p.json.config.lr = 0), ["run.ckpt: its saved settings are invalid (lr: expected a number in (0, 10000], got 0) — the checkpoint is corrupt or was written by another version"]],
  ["a tensor outside model/best/optimizer", (p) => p.tensors.set("junk", flat("junk", new Float32Array(1))), ['run.ckpt: tensor "junk" is not part of a checkpoint (descent writes model.*, best.* and optimizer.* tensors)']],
  ["an unknown metadata entry", (p) => (p.meta.checksun = "x"), ['__metadata__ has an unknown entry "checksun"']],
  ["no rngs entry", (p) => { p.json.rngs = undefined; delete p.meta.rngs; }, ['run.ckpt: the metadata has no "rngs" entry — the checkpoint is incomplete']],
  ["metadata fit not JSON", (p) => { p.json.fit = undefined; p.meta.fit = "{oops"; }, ["run.ckpt: fit: invalid JSON at line 1, column 2"]],
];

describe("decodeCheckpoint refuses a wrong field, naming it", () => {
  test.each(atDecode)("%s", (_, change, parts) => {
    expectRefused(() => decodeCheckpoint(edited(change), "run.ckpt"), ...parts);
  });
});

// Wrong-typed settings: validateConfig must be total over unknown input for these to give a
// ModelFileError (the settings branch makes it so; until it is merged some of these may throw a TypeError).
const badSettings: [string, (c: Json) => void, string][] = [
  ["layers null (needs the total validateConfig)", (c) => (c.layers = null), "layers"],
  ["lr a string (needs the total validateConfig)", (c) => (c.lr = "abc"), "lr"],
  ["optimizer a number (needs the total validateConfig)", (c) => (c.optimizer = 5), "optimizer"],
  ["augment a string (needs the total validateConfig)", (c) => (c.augment = "x"), "augment"],
];

describe("wrong-typed saved settings are refused as invalid settings", () => {
  test.each(badSettings)("%s", (_, change, field) => {
    expectRefused(() => decodeCheckpoint(edited((p) => change(p.json.config)), "run.ckpt"),
      "run.ckpt: its saved settings are invalid (", field, ") — the checkpoint is corrupt or was written by another version");
  });
});

// [what, change, exact message parts] — decodes, but does not fit the run its settings build: refused by restore().
const MISMATCH = "the checkpoint does not fit the run its own settings build (edited or corrupt); resume from a backup copy or start the run again";
const atRestore: [string, (p: Parts) => void, string[]][] = [
  ["optimizer.step a string", (p) => (p.json.optimizer.step = "16"), [`run.ckpt: optimizer.step must be an integer ≥ 0, found "16" — ${MISMATCH}`]],
  ["optimizer.groups[0].lr a string", (p) => (p.json.optimizer.groups[0].lr = "0.01"), ['optimizer.groups[0].lr must be a number ≥ 0, found "0.01"']],
  ["optimizer.groups[1].eps negative", (p) => (p.json.optimizer.groups[1].eps = -1), ["optimizer.groups[1].eps must be a number ≥ 0, found -1"]],
  ["betas[1] = 1", (p) => (p.json.optimizer.groups[0].betas = [0.9, 1]), ["optimizer.groups[0].betas[1] must be a number in [0, 1), found 1"]],
  ["betas of three", (p) => (p.json.optimizer.groups[0].betas = [0.9, 0.9, 0.9]), ["optimizer.groups[0].betas must be two numbers in [0, 1), found [0.9,0.9,0.9]"]],
  ["a hyper-parameter Adam has not", (p) => (p.json.optimizer.groups[0].momentum = 0.9), ['optimizer.groups[0] has an unknown field "momentum" (expected lr, betas, eps, weightDecay)']],
  ["a hyper-parameter missing", (p) => delete p.json.optimizer.groups[0].weightDecay, ["optimizer.groups[0].weightDecay is missing"]],
  ["one group fewer", (p) => p.json.optimizer.groups.pop(), ["optimizer.groups has 1 parameter group, but this Adam has 2"]],
  ["a parameter fewer", (p) => { p.json.optimizer.state[1].pop(); p.tensors.delete("optimizer.1.1.m"); p.tensors.delete("optimizer.1.1.v"); },
    ["optimizer.state[1] has 1 parameter, but group 1 of this Adam has 2"]],
  ["a parameter's step past the optimizer's", (p) => (p.json.optimizer.state[0][0].step = 17), ["optimizer.state[0][0].step must be an integer in [0, 16], found 17"]],
  ["a buffer Adam does not keep", (p) => {
    p.json.optimizer.state[0][0].buffers = ["m", "v", "velocity"];
    p.tensors.set("optimizer.0.0.velocity", flat("optimizer.0.0.velocity", new Float32Array(12)));
  }, ['optimizer.state[0][0].buffers has an unknown field "velocity" (expected m, v)']],
  ["a buffer missing", (p) => { p.json.optimizer.state[0][1].buffers = ["m"]; p.tensors.delete("optimizer.0.1.v"); }, ["optimizer.state[0][1].buffers.v is missing"]],
  ["buffers at step 0", (p) => (p.json.optimizer.state[1][0].step = 0), ['optimizer.state[1][0].buffers must be empty at step 0 (buffers are made by the first update), found ["m","v"]']],
  ["a buffer of the wrong length", (p) => p.tensors.set("optimizer.0.0.m", flat("optimizer.0.0.m", new Float32Array(5))), [`optimizer.state[0][0].buffers.m has 5 values, but its parameter has 12 — ${MISMATCH}`]],
  ["a buffer of the wrong dtype", (p) => p.tensors.set("optimizer.1.1.v", flat("optimizer.1.1.v", new Float64Array(2))), ["optimizer.state[1][1].buffers.v must be a float32 array like its parameter"]],
  ["a model tensor missing", (p) => p.tensors.delete("model.layers.3.bias"), ['run.ckpt (model weights) does not match the model its saved settings build: tensor "layers.3.bias" [2] needed by the architecture (Linear 3→2) is missing']],
  ["an extra model tensor", (p) => p.tensors.set("model.layers.9.weight", flat("model.layers.9.weight", new Float32Array(1))), ['tensor "layers.9.weight" is not part of the architecture']],
  ["a model tensor of the wrong shape", (p) => p.tensors.set("model.layers.0.weight", { name: "model.layers.0.weight", dtype: "F32", shape: [4, 3], data: new Float32Array(12) }),
    ['tensor "layers.0.weight" has shape [4, 3], but the architecture (Linear 4→3) needs [3, 4]']],
  ["a model tensor F64", (p) => p.tensors.set("model.layers.0.bias", { name: "model.layers.0.bias", dtype: "F64", shape: [3], data: new Float64Array(3) }),
    ['tensor "layers.0.bias" is F64, but the architecture (Linear 4→3) stores F32']],
  ["a best tensor of the wrong length", (p) => p.tensors.set("best.layers.0.weight", flat("best.layers.0.weight", new Float32Array(11))),
    ['run.ckpt: early stopping\'s best weights do not fit the model: tensor "best.layers.0.weight" has 11 values, but "layers.0.weight" has 12']],
  ["a best tensor missing", (p) => p.tensors.delete("best.layers.3.bias"), ['tensor "best.layers.3.bias" is missing']],
  ["an extra best tensor", (p) => p.tensors.set("best.extra", flat("best.extra", new Float32Array(1))), ['tensor "best.extra" is not part of the model']],
  ["random stream with another seed", (p) => (p.json.rngs[1].seed = 4), ['run.ckpt: random stream "dropout0" has seed 4, but this run\'s seed is 3']],
  ["a random stream this run lacks", (p) => (p.json.rngs[1].path = "dropout9"), ['random stream "dropout9" is not part of this run']],
  ["no plateau state for a plateau run", (p) => (p.json.fit.plateau = null), ["run.ckpt: it lacks the plateau schedule's state, but its saved settings use that schedule"]],
];

describe("restore refuses state that does not fit the run, and changes nothing", () => {
  test.each(atRestore)("%s", (_, change, parts) => {
    const ck = decodeCheckpoint(edited(change), "run.ckpt");
    const exp = build();
    const before = snapshot(exp);
    expectRefused(() => ck.restore(exp), ...parts);
    // Oracle: copies taken before the call — a failed restore leaves no half-restored run.
    expect(snapshot(exp)).toEqual(before);
  });

  test("best weights in a run without early stopping are refused", () => {
    const { earlyStopping: _e, ...rest } = CONFIG;
    const noStop = { ...rest, earlyStopping: 0 };
    const bytes = edited((p) => (p.json.config = noStop));
    expectRefused(() => decodeCheckpoint(bytes, "run.ckpt").restore(build(noStop)), "run.ckpt: it holds early stopping's best.* weights, but its saved settings do not stop early");
  });
});

/** Everything restore() may change: weights, optimizer state, random streams. */
function snapshot(exp: Experiment) {
  return {
    weights: Object.entries(exp.model.stateDict()).map(([k, t]) => [k, Array.from(t.data)]),
    optimizer: exp.trainer.opts.optimizer.stateDict(),
    rngs: experimentRngs(exp).map((r) => r.state()),
  };
}

describe("checkpoint integrity", () => {
  test("a sample of single-byte changes across the whole file are each refused with a ModelFileError", () => {
    // Oracle: CRC-32 catches any one changed byte; the structure checks catch what breaks the layout.
    for (let i = 0; i < VALID.length; i += 3) {
      const damaged = VALID.slice();
      damaged[i]! ^= i % 2 ? 0x01 : 0xff;
      expectRefused(() => decodeCheckpoint(damaged, "run.ckpt").restore(build()), "run.ckpt");
    }
  });
});

describe("no value in the saved state can crash decoding or restoring", () => {
  test("every field of fit, optimizer and rngs, replaced by each hostile value: accepted or a ModelFileError, never another error", () => {
    // Oracle: the contract that user-caused errors are DescentErrors — a TypeError or RangeError
    // here would reach the user as a stack trace. (config's fields are validateConfig's to check.)
    const HOSTILE: Json[] = ["abc", "", null, -1, 0.5, 1e308, 2 ** 53, true, [], {}, [1, 2, 3, 4], { lr: 1 }];
    const paths: (string | number)[][] = [];
    const walk = (v: Json, path: (string | number)[]) => {
      paths.push(path);
      if (v !== null && typeof v === "object") for (const k of Object.keys(v)) walk(v[k], [...path, Array.isArray(v) ? Number(k) : k]);
    };
    const { metadata } = decodeSafetensors(VALID, "valid.ckpt");
    for (const k of ["fit", "optimizer", "rngs"]) walk(JSON.parse(metadata[k]!), [k]);
    let refused = 0;
    for (const path of paths) {
      for (const value of HOSTILE) {
        const bytes = edited((p) => {
          let at: Json = p.json;
          for (const key of path.slice(0, -1)) at = at[key];
          at[path[path.length - 1]!] = value;
        });
        try {
          decodeCheckpoint(bytes, "run.ckpt").restore(build());
        } catch (e) {
          expect(e, `${path.join(".")} = ${JSON.stringify(value)}: ${(e as Error).message}`).toBeInstanceOf(ModelFileError);
          refused++;
        }
      }
    }
    expect(paths.length).toBeGreaterThan(60);
    expect(refused).toBeGreaterThan(paths.length * HOSTILE.length * 0.8);
  });
});
