/**
 * Checkpoints: a training run saved at the end of an epoch, so that a resumed run is bit-identical
 * to one never interrupted. A safetensors file (like model files) holding
 *   tensors  model.<name> (weights and buffers), best.<name> (early stopping's best weights),
 *            optimizer.<group>.<param>.<buffer> (momentum, Adam's m and v …);
 *   metadata format "descent-checkpoint", version, config (the run's TrainConfig), fit (epoch,
 *            history, best, plateau), optimizer (step counts, hyper-parameters), rngs (every random
 *            stream the run draws from: shuffling, augmentation, dropout masks), checksum (CRC-32
 *            of the file, see io/safetensors.ts).
 * Decoding trusts nothing: every field's type and range, and every tensor's name and size, are
 * checked — against the run's rebuilt experiment where needed — before any value is used, so a
 * damaged or edited file is refused with the field it got wrong and a failed restore changes nothing.
 * Bytes in, bytes out — writing the file atomically is src/node's job.
 */
import { printablePath } from "../text.js";
import { DescentError, ModelFileError } from "../errors.js";
import { Dropout } from "../nn/layers/dropout.js";
import type { Module } from "../nn/module.js";
import type { FloatArray } from "../kernels/types.js";
import { checkRngState, type Rng, type RngState } from "../rng.js";
import { decodeSafetensors, encodeSafetensors, type StoredTensor } from "../io/safetensors.js";
import { parseJsonStrict } from "../io/json-strict.js";
import { array, FieldError, integer, mustBe, number, record, string } from "../io/fields.js";
import { checkMetadataKeys, listProblems, tensorProblems } from "../io/model-file.js";
import { fmt } from "../shape.js";
import { validateConfig, type Experiment } from "./config.js";
import type { TrainConfig } from "./defaults.js";
import type { EpochLog } from "./callbacks.js";
import type { FitState } from "./trainer.js";

export const CHECKPOINT_FORMAT = "descent-checkpoint";
export const CHECKPOINT_VERSION = "1";

/** Every random stream a run draws from after it is built, keyed by stream path. */
export function experimentRngs(exp: Experiment): Rng[] {
  const rngs: Rng[] = [];
  if (exp.loader.opts.rng) rngs.push(exp.loader.opts.rng);
  if (exp.loader.opts.augmentRng) rngs.push(exp.loader.opts.augmentRng);
  const walk = (m: Module) => {
    if (m instanceof Dropout) rngs.push(m.rng);
    for (const [, child] of m.namedChildren()) walk(child);
  };
  walk(exp.model);
  return rngs;
}

/** JSON has no infinities: −Infinity ("nothing yet") travels as null. */
const finite = (x: number) => (Number.isFinite(x) ? x : null);
const orMinusInfinity = (x: number | null) => x ?? -Infinity;

/** The run `exp` (built from `config`) as it stands after `fit.epoch` epochs. */
export function encodeCheckpoint(config: TrainConfig, exp: Experiment, fit: FitState): Uint8Array {
  const tensors: StoredTensor[] = [];
  const add = (name: string, data: Float32Array | Float64Array, shape: number[]) =>
    tensors.push({ name, dtype: data instanceof Float64Array ? "F64" : "F32", shape, data });
  for (const [name, t] of Object.entries(exp.model.stateDict())) add(`model.${name}`, t.data, [...t.shape]);
  if (fit.bestWeights) for (const [name, data] of Object.entries(fit.bestWeights)) add(`best.${name}`, data, [data.length]);
  const opt = exp.trainer.opts.optimizer.stateDict();
  opt.state.forEach((group, g) => group.forEach((p, i) => {
    for (const [buf, data] of Object.entries(p.buffers)) add(`optimizer.${g}.${i}.${buf}`, data, [data.length]);
  }));
  return encodeSafetensors(tensors, {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    config: JSON.stringify(config),
    fit: JSON.stringify({
      epoch: fit.epoch, history: fit.history, best: { score: finite(fit.best.score), epoch: fit.best.epoch },
      plateau: fit.plateau ? { ...fit.plateau, best: finite(fit.plateau.best) } : null,
    }),
    optimizer: JSON.stringify({
      step: opt.step, groups: opt.groups,
      state: opt.state.map((group) => group.map((p) => ({ step: p.step, buffers: Object.keys(p.buffers) }))),
    }),
    rngs: JSON.stringify(experimentRngs(exp).map((r) => r.state())),
  }, { checksum: true });
}

export interface Checkpoint {
  /** The run's settings: resuming rebuilds the experiment from these. */
  config: TrainConfig;
  /**
   * Puts the saved weights, optimizer state and random streams into `exp` (built from `config`);
   * returns fit's state to resume from. Everything is checked against `exp` first: on error
   * nothing in `exp` has changed.
   */
  restore(exp: Experiment): FitState;
  epoch: number;
  /** Things to tell the user that do not stop the resume (a file without a checksum). */
  notes: string[];
}

const METADATA_KEYS = ["format", "version", "config", "fit", "optimizer", "rngs"];
/** EpochLog's fields; losses and accuracies may be null: JSON writes a NaN or infinite value as null. */
const LOG_REQUIRED = ["epoch", "trainLoss", "lr", "seconds", "steps"];
const LOG_OPTIONAL = ["trainAccuracy", "valLoss", "valAccuracy", "testLoss", "testAccuracy", "evalSeconds", "valMetrics", "testMetrics", "gradNorm"];
const REGRESSION_METRICS = ["mse", "rmse", "mae", "r2"];
const GRAD_NORM = ["mean", "max", "clipped"];

/** fit's state as saved: −Infinity still null, best weights not yet attached. */
interface SavedFit {
  epoch: number;
  history: EpochLog[];
  best: { score: number | null; epoch: number };
  plateau: { lr: number; best: number | null; waited: number } | null;
}

/** The optimizer's state as saved: buffers by name, their values in tensors optimizer.<group>.<param>.<buffer>. */
interface SavedOptimizer {
  step: unknown;
  groups: unknown;
  state: { step: unknown; buffers: string[] }[][];
}

const accuracy = (path: string, v: unknown) => number(path, v, "a number in [0, 1]", (x) => x >= 0 && x <= 1);
const orNull = <T>(v: unknown, read: (v: unknown) => T): T | null => (v === null ? null : read(v));

function readFit(v: unknown): SavedFit {
  const fit = record("fit", v, ["epoch", "history", "best", "plateau"]);
  const epoch = integer("fit.epoch", fit.epoch, 1);
  const history = array("fit.history", fit.history).map((entry, i) => readEpochLog(entry, `fit.history[${i}]`));
  // fit records every epoch it completes, numbered from 1, so the history is exactly 1..epoch.
  if (history.length !== epoch) throw new FieldError(`fit.history has ${history.length} epochs, but fit.epoch says ${epoch} were completed`);
  history.forEach((h, i) => {
    if (h.epoch !== i + 1) mustBe(`fit.history[${i}].epoch`, `${i + 1} (epochs are listed in order from 1)`, h.epoch);
  });
  // "score" (the monitored score: a validation accuracy, or minus a validation MSE); files written
  // before regression existed call it "accuracy".
  const legacy = typeof fit.best === "object" && fit.best !== null && Object.hasOwn(fit.best, "accuracy");
  const b = record("fit.best", fit.best, [legacy ? "accuracy" : "score", "epoch"]);
  const score = legacy
    ? orNull(b.accuracy, (x) => accuracy("fit.best.accuracy", x))
    : orNull(b.score, (x) => number("fit.best.score", x, "a number (or null)"));
  const best = { score, epoch: integer("fit.best.epoch", b.epoch, 0, epoch) };
  // The best epoch is 0 with no score until a validation score is seen.
  if ((best.score === null) !== (best.epoch === 0)) {
    throw new FieldError(`fit.best has ${best.score === null ? "no score" : "a score"} but epoch ${best.epoch} (no score goes with epoch 0 only)`);
  }
  const plateau = orNull(fit.plateau, (p) => {
    const r = record("fit.plateau", p, ["lr", "best", "waited"]);
    return {
      lr: number("fit.plateau.lr", r.lr, "a number > 0", (x) => x > 0),
      best: orNull(r.best, (x) => number("fit.plateau.best", x)),
      waited: integer("fit.plateau.waited", r.waited, 0),
    };
  });
  return { epoch, history, best, plateau };
}

function readEpochLog(v: unknown, path: string): EpochLog {
  const r = record(path, v, LOG_REQUIRED, LOG_OPTIONAL);
  const read = (k: string, x: unknown): unknown => {
    const at = `${path}.${k}`;
    if (k === "epoch") return integer(at, x, 1);
    if (k === "steps") return integer(at, x, 0);
    if (k === "lr" || k === "seconds" || k === "evalSeconds") return number(at, x, "a number ≥ 0", (y) => y >= 0);
    if (k === "valMetrics" || k === "testMetrics") {
      const m = record(at, x, REGRESSION_METRICS);
      return Object.fromEntries(REGRESSION_METRICS.map((name) => [name, m[name] === null ? NaN : number(`${at}.${name}`, m[name], "a number (or null)")]));
    }
    if (k === "gradNorm") {
      const m = record(at, x, GRAD_NORM);
      return {
        mean: m.mean === null ? NaN : number(`${at}.mean`, m.mean, "a number ≥ 0 (or null)", (y) => y >= 0),
        max: m.max === null ? NaN : number(`${at}.max`, m.max, "a number ≥ 0 (or null)", (y) => y >= 0),
        clipped: accuracy(`${at}.clipped`, m.clipped),
      };
    }
    if (x === null) return NaN;
    return k.endsWith("Accuracy") ? accuracy(at, x) : number(at, x, "a number (or null)");
  };
  // In the file's key order, so that re-encoding a restored run writes the same bytes.
  return Object.fromEntries(Object.keys(r).map((k) => [k, read(k, r[k])])) as unknown as EpochLog;
}

function readOptimizer(v: unknown): SavedOptimizer {
  const opt = record("optimizer", v, ["step", "groups", "state"]);
  const state = array("optimizer.state", opt.state).map((group, g) =>
    array(`optimizer.state[${g}]`, group).map((p, i) => {
      const path = `optimizer.state[${g}][${i}]`;
      const r = record(path, p, ["step", "buffers"]);
      const buffers = array(`${path}.buffers`, r.buffers, "an array of buffer names").map((b, k) => string(`${path}.buffers[${k}]`, b, 80));
      if (new Set(buffers).size !== buffers.length) mustBe(`${path}.buffers`, "names that appear once each", buffers);
      return { step: r.step, buffers };
    }));
  // step, groups and the buffers' names are the optimizer's to check (checkStateDict in restore).
  return { step: opt.step, groups: opt.groups, state };
}

function readRngs(v: unknown): RngState[] {
  const rngs = array("rngs", v).map((r, i) => checkRngState(r, `rngs[${i}]`));
  const seen = new Set<string>();
  for (const { path } of rngs) {
    if (seen.has(path)) throw new FieldError(`rngs holds random stream ${JSON.stringify(path.slice(0, 80))} twice`);
    seen.add(path);
  }
  return rngs;
}

/** Validates a checkpoint's bytes; `name` (the file) goes into every error message. */
export function decodeCheckpoint(bytes: Uint8Array, file: string): Checkpoint {
  const name = printablePath(file); // a path is shown, never obeyed by the terminal
  const fail = (what: string): never => {
    throw new ModelFileError(`${name}: ${what}`);
  };
  const { metadata, tensors, checksummed } = decodeSafetensors(bytes, file);
  const meta = (key: string) => (Object.hasOwn(metadata, key) ? metadata[key] : undefined);
  if (meta("format") !== CHECKPOINT_FORMAT) {
    fail(meta("format") === "descent-model"
      ? "this is a model file, not a checkpoint — resume from the file given to --checkpoint (a model file can be evaluated or used for predictions)"
      : `not a descent checkpoint (no "format": "${CHECKPOINT_FORMAT}" in its metadata) — pass the file written by descent train --checkpoint`);
  }
  if (meta("version") !== CHECKPOINT_VERSION) fail(`checkpoint version ${JSON.stringify(meta("version")?.slice(0, 80) ?? null)} is not supported (this descent reads version ${CHECKPOINT_VERSION})`);
  checkMetadataKeys(metadata, METADATA_KEYS, fail);
  const json = (key: string): unknown => {
    const text = meta(key);
    if (text === undefined) return fail(`the metadata has no "${key}" entry — the checkpoint is incomplete`);
    return parseJsonStrict(text, `${name}: ${key}`);
  };
  /** A field that is wrong in itself: the file is damaged or was edited. */
  const corrupt = (e: unknown): unknown =>
    e instanceof FieldError ? new ModelFileError(`${name}: ${e.message} — the checkpoint is corrupt (edited, or damaged by a descent that wrote no checksum); resume from a backup copy or start the run again`) : e;
  /** A field that does not fit the run its settings build. */
  const mismatch = (e: unknown): unknown =>
    e instanceof FieldError ? new ModelFileError(`${name}: ${e.message} — the checkpoint does not fit the run its own settings build (edited or corrupt); resume from a backup copy or start the run again`) : e;

  let config: TrainConfig, fit: SavedFit, opt: SavedOptimizer, rngs: RngState[];
  try {
    const c = json("config");
    if (typeof c !== "object" || c === null || Array.isArray(c)) mustBe("config", "a JSON object of settings", c);
    config = c as TrainConfig; // its fields are validateConfig's to check, below
    fit = readFit(json("fit"));
    opt = readOptimizer(json("optimizer"));
    rngs = readRngs(json("rngs"));
  } catch (e) {
    throw corrupt(e);
  }
  try {
    validateConfig(config);
  } catch (e) {
    if (!(e instanceof DescentError)) throw e;
    fail(`its saved settings are invalid (${e.message}) — the checkpoint is corrupt or was written by another version`);
  }

  // Every tensor belongs to the model, early stopping's best weights, or one optimizer buffer.
  const part = { model: new Map<string, StoredTensor>(), best: new Map<string, StoredTensor>(), optimizer: new Map<string, StoredTensor>() };
  for (const [key, t] of tensors) {
    const prefix = (Object.keys(part) as (keyof typeof part)[]).find((p) => key.startsWith(`${p}.`));
    if (!prefix) return fail(`tensor ${JSON.stringify(key.slice(0, 80))} is not part of a checkpoint (descent writes model.*, best.* and optimizer.* tensors) — the checkpoint was edited or is corrupt`);
    part[prefix].set(key.slice(prefix.length + 1), t);
  }
  const bufferKeys = new Set(opt.state.flatMap((group, g) => group.flatMap((p, i) => p.buffers.map((b) => `${g}.${i}.${b}`))));
  for (const k of bufferKeys) if (!part.optimizer.has(k)) fail(`tensor "optimizer.${k}" listed in its optimizer state is missing — the checkpoint is incomplete or corrupt`);
  if (part.optimizer.size !== bufferKeys.size) {
    const extra = [...part.optimizer.keys()].find((k) => !bufferKeys.has(k))!;
    fail(`tensor ${JSON.stringify(`optimizer.${extra}`.slice(0, 80))} is not listed in its optimizer state — the checkpoint was edited or is corrupt`);
  }
  for (const [kind, tensorsOfKind] of [["best", part.best], ["optimizer", part.optimizer]] as const) {
    for (const [k, t] of tensorsOfKind) {
      if (t.shape.length !== 1) fail(`tensor "${kind}.${k}" has shape ${fmt(t.shape)}, but descent stores it flat ([${t.data.length}]) — the checkpoint is corrupt`);
    }
  }
  if (part.best.size > 0 && fit.best.epoch === 0) fail("it holds best.* weights but no best epoch (fit.best.epoch is 0) — the checkpoint is corrupt");

  return {
    config,
    epoch: fit.epoch,
    notes: checksummed ? [] : [`${name}: written without a checksum by an older descent; the next checkpoint this run saves will have one`],
    restore(exp: Experiment): FitState {
      // Check everything against the experiment first; copy only once all of it fits.
      const problems = tensorProblems(exp.model, part.model);
      if (problems.length > 0) {
        throw new ModelFileError(`${name} (model weights) does not match the model its saved settings build: ${listProblems(problems)} — the checkpoint was edited or is corrupt`);
      }
      const bestWeights = checkBest(exp, part.best, fit, fail);
      const optimizer = exp.trainer.opts.optimizer;
      let state;
      try {
        state = optimizer.checkStateDict({
          step: opt.step,
          groups: opt.groups,
          state: opt.state.map((group, g) => group.map((p, i) => ({
            step: p.step,
            buffers: Object.fromEntries(p.buffers.map((b) => [b, part.optimizer.get(`${g}.${i}.${b}`)!.data])),
          }))),
        }, "optimizer");
      } catch (e) {
        throw mismatch(e);
      }
      const streams = new Map(experimentRngs(exp).map((r) => [r.path, r]));
      if (streams.size !== rngs.length) fail(`it saved ${rngs.length} random streams, but this run draws from ${streams.size} — it belongs to another network`);
      for (const st of rngs) {
        const r = streams.get(st.path) ?? fail(`random stream ${JSON.stringify(st.path.slice(0, 80))} is not part of this run — it belongs to another network`);
        if (r.seed !== st.seed) fail(`random stream "${st.path}" has seed ${st.seed}, but this run's seed is ${r.seed} — the checkpoint is corrupt`);
      }
      if ((fit.plateau !== null) !== (exp.fitOptions.plateau !== undefined)) {
        fail(`it ${fit.plateau ? "holds" : "lacks"} the plateau schedule's state, but its saved settings ${fit.plateau ? "do not use" : "use"} that schedule — the checkpoint is corrupt`);
      }

      exp.model.loadStateDict(Object.fromEntries(part.model), `${name} (model weights)`);
      optimizer.loadStateDict(state, "optimizer");
      for (const st of rngs) streams.get(st.path)!.restore(st);
      return {
        epoch: fit.epoch,
        history: fit.history,
        best: { score: orMinusInfinity(fit.best.score), epoch: fit.best.epoch },
        bestWeights,
        plateau: fit.plateau ? { ...fit.plateau, best: orMinusInfinity(fit.plateau.best) } : null,
      };
    },
  };
}

/**
 * Early stopping's best weights: one flat tensor per model tensor, of its size and dtype — present
 * exactly when the run stops early and has seen a best epoch (as fit keeps them).
 */
function checkBest(exp: Experiment, best: Map<string, StoredTensor>, fit: SavedFit, fail: (what: string) => never): Record<string, FloatArray> | null {
  const kept = exp.fitOptions.earlyStopping !== undefined && fit.best.epoch > 0;
  if (!kept) {
    if (best.size > 0) fail("it holds early stopping's best.* weights, but its saved settings do not stop early — the checkpoint is corrupt");
    return null;
  }
  const own = exp.model.stateDict();
  const problems: string[] = [];
  for (const [k, t] of Object.entries(own)) {
    const found = best.get(k);
    if (!found) problems.push(`tensor "best.${k}" is missing`);
    else if (found.data.length !== t.size) problems.push(`tensor "best.${k}" has ${found.data.length} values, but "${k}" has ${t.size}`);
    else if ((found.data instanceof Float64Array) !== (t.data instanceof Float64Array)) problems.push(`tensor "best.${k}" is ${found.dtype}, but "${k}" is ${t.data instanceof Float64Array ? "F64" : "F32"}`);
  }
  for (const k of best.keys()) if (!Object.hasOwn(own, k)) problems.push(`tensor ${JSON.stringify(`best.${k}`.slice(0, 80))} is not part of the model`);
  if (problems.length > 0) fail(`early stopping's best weights do not fit the model: ${problems.slice(0, 10).join("; ")} — the checkpoint is corrupt`);
  return Object.fromEntries([...best].map(([k, t]) => [k, t.data]));
}
