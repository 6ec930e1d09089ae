/**
 * Checkpoints: a training run saved at the end of an epoch, so that a resumed run is bit-identical
 * to one never interrupted. A safetensors file (like model files) holding
 *   tensors  model.<name> (weights and buffers), best.<name> (early stopping's best weights),
 *            optimizer.<group>.<param>.<buffer> (momentum, Adam's m and v …);
 *   metadata format "descent-checkpoint", version, config (the run's TrainConfig), fit (epoch,
 *            history, best, plateau), optimizer (step counts, hyper-parameters), rngs (every random
 *            stream the run draws from: shuffling, augmentation, dropout masks).
 * Bytes in, bytes out — writing the file atomically is src/node's job.
 */
import { ModelFileError } from "../errors.js";
import { Dropout } from "../nn/layers/dropout.js";
import type { Module } from "../nn/module.js";
import type { OptimizerState } from "../optim/optimizer.js";
import type { Rng, RngState } from "../rng.js";
import { decodeSafetensors, encodeSafetensors, type StoredTensor } from "../io/safetensors.js";
import { parseJsonStrict } from "../io/json-strict.js";
import type { Experiment } from "./config.js";
import type { TrainConfig } from "./defaults.js";
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
const orMinusInfinity = (x: unknown) => (typeof x === "number" ? x : -Infinity);

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
      epoch: fit.epoch, history: fit.history, best: { accuracy: finite(fit.best.accuracy), epoch: fit.best.epoch },
      plateau: fit.plateau ? { ...fit.plateau, best: finite(fit.plateau.best) } : null,
    }),
    optimizer: JSON.stringify({
      step: opt.step, groups: opt.groups,
      state: opt.state.map((group) => group.map((p) => ({ step: p.step, buffers: Object.keys(p.buffers) }))),
    }),
    rngs: JSON.stringify(experimentRngs(exp).map((r) => r.state())),
  });
}

export interface Checkpoint {
  /** The run's settings: resuming rebuilds the experiment from these. */
  config: TrainConfig;
  /** Puts the saved weights, optimizer state and random streams into `exp` (built from `config`); returns fit's state to resume from. */
  restore(exp: Experiment): FitState;
  epoch: number;
}

/** Validates a checkpoint's bytes; `name` (the file) goes into every error message. */
export function decodeCheckpoint(bytes: Uint8Array, name: string): Checkpoint {
  const fail = (what: string): never => {
    throw new ModelFileError(`${name}: ${what}`);
  };
  const { metadata, tensors } = decodeSafetensors(bytes, name);
  const meta = (key: string) => (Object.hasOwn(metadata, key) ? metadata[key] : undefined);
  if (meta("format") !== CHECKPOINT_FORMAT) {
    fail(meta("format") === "descent-model"
      ? "this is a model file, not a checkpoint — resume from the file given to --checkpoint (a model file can be evaluated or used for predictions)"
      : `not a descent checkpoint (no "format": "${CHECKPOINT_FORMAT}" in its metadata) — pass the file written by descent train --checkpoint`);
  }
  if (meta("version") !== CHECKPOINT_VERSION) fail(`checkpoint version ${JSON.stringify(meta("version") ?? null)} is not supported (this descent reads version ${CHECKPOINT_VERSION})`);
  const json = (key: string) => {
    const text = meta(key);
    if (text === undefined) return fail(`the metadata has no "${key}" entry — the checkpoint is incomplete`);
    return parseJsonStrict(text, `${name}: ${key}`) as Record<string, unknown>;
  };
  const config = json("config") as unknown as TrainConfig;
  const fit = json("fit") as { epoch: number; history: FitState["history"]; best: { accuracy: number | null; epoch: number }; plateau: { lr: number; best: number | null; waited: number } | null };
  const opt = json("optimizer") as { step: number; groups: Record<string, unknown>[]; state: { step: number; buffers: string[] }[][] };
  const rngs = json("rngs") as unknown as RngState[];
  if (!Number.isInteger(fit.epoch) || fit.epoch < 1 || !Array.isArray(fit.history) || !Array.isArray(opt.state) || !Array.isArray(rngs)) {
    fail("its training state is malformed — the checkpoint is corrupt");
  }

  const tensor = (key: string): StoredTensor => tensors.get(key) ?? fail(`tensor "${key}" is missing — the checkpoint is incomplete`);
  const prefixed = (prefix: string) => Object.fromEntries([...tensors.entries()].filter(([k]) => k.startsWith(prefix)).map(([k, t]) => [k.slice(prefix.length), t]));

  return {
    config,
    epoch: fit.epoch,
    restore(exp: Experiment): FitState {
      exp.model.loadStateDict(prefixed("model."), `${name} (model weights)`);
      const optimizer = exp.trainer.opts.optimizer;
      const state: OptimizerState<never> = {
        step: opt.step,
        groups: opt.groups as never[],
        state: opt.state.map((group, g) => group.map((p, i) => ({
          step: p.step,
          buffers: Object.fromEntries(p.buffers.map((b) => [b, tensor(`optimizer.${g}.${i}.${b}`).data])),
        }))),
      };
      try {
        optimizer.loadStateDict(state as never);
      } catch (e) {
        fail(`the optimizer state does not fit this run (${(e as Error).message}) — was it written by another network or optimizer?`);
      }
      const streams = new Map(experimentRngs(exp).map((r) => [r.path, r]));
      if (streams.size !== rngs.length) fail(`it saved ${rngs.length} random streams, but this run draws from ${streams.size} — it belongs to another network`);
      for (const st of rngs) {
        const r = streams.get(st.path) ?? fail(`random stream "${st.path}" is not part of this run — it belongs to another network`);
        r.restore(st);
      }
      const best = prefixed("best.");
      return {
        epoch: fit.epoch,
        history: fit.history,
        best: { accuracy: orMinusInfinity(fit.best.accuracy), epoch: fit.best.epoch },
        bestWeights: Object.keys(best).length ? Object.fromEntries(Object.entries(best).map(([k, t]) => [k, t.data as Float32Array | Float64Array])) : null,
        plateau: fit.plateau ? { ...fit.plateau, best: orMinusInfinity(fit.plateau.best) } : null,
      };
    },
  };
}
