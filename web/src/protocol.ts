/**
 * Messages between the training page (train-page.ts) and its worker (sim.ts). Every message about a
 * model carries the id of the run it belongs to (a fresh network, or a model loaded from a file, is
 * a new run): the page drops what belongs to an older run, and a warning lives and dies with its run.
 * The worker speaks in codes and parameters; the page words them in its language (train-strings.ts),
 * so switching language re-labels everything without asking the worker, and one table holds the words.
 */
import type { TrainConfig } from "../../src/train/defaults.js";
import type { EvalReport, LayerBlock, Nudge, RegressionReport, TrainPoint } from "./session.js";
import type { Baselines } from "./houses.js";
import type { Task } from "./state.js";

export type ToWorker =
  /** The form's settings; `keep`: they describe the model in use (set from a loaded file), so it is not discarded. */
  | { type: "config"; config: TrainConfig; task: Task; keep?: boolean }
  | { type: "play" }
  | { type: "pause" }
  | { type: "step" }
  | { type: "reset" }
  | { type: "threads"; count: 1 | 2 }
  /** Steps per second while playing (Infinity: as fast as possible). Never changes the weights at a given step. */
  | { type: "speed"; perSecond: number }
  | { type: "predict"; id: number; pixels: Float32Array }
  | { type: "load-model"; name: string; bytes: Uint8Array };

export interface DenseWeights {
  sizes: number[];
  weights: Float32Array[];
  biases: Float32Array[];
}

/** Small images, row-major, `count` of them: first-layer weights, filters or feature maps. */
export interface Images {
  count: number;
  width: number;
  height: number;
  data: Float32Array;
}

/** Where the model on screen came from. */
export type ModelOrigin =
  | { kind: "run" }
  | { kind: "continued"; name: string }
  | { kind: "file"; name: string; testAccuracy: number | null }
  | { kind: "default" }
  | { kind: "yours" };

export interface ModelInfo {
  run: number;
  task: Task;
  /** Its layers with the shape each one outputs for one input (batch left out). */
  layers: LayerBlock[];
  params: number;
  /** Layer sizes of a fully connected net ("784-16-16-10"), else null. */
  sizes: number[] | null;
  origin: ModelOrigin;
  /** The settings the model was trained with: the run's, or those a model file records (null if it records none). */
  config: TrainConfig | null;
  /** Whether Play trains this very model (a run, or a loaded file whose settings the form shows). */
  trainable: boolean;
}

export type StatusCode =
  | "starting" | "loading-model" | "loading-mnist" | "loading-houses" | "ready" | "training" | "paused" | "reset"
  | "stopped" | "model-loaded" | "epochs-done";

export type ErrorCode =
  | "diverged" | "run-stopped" | "still-loading" | "no-model" | "data-missing" | "bad-model-file" | "other-task-file"
  | "cannot-continue" | "threads-unavailable" | "bad-settings" | "internal";

export type Params = Record<string, string | number>;

export type FromWorker =
  | { type: "status"; phase: "loading" | "idle" | "running"; code: StatusCode; params?: Params }
  | { type: "model"; model: ModelInfo; dense: DenseWeights | null }
  | { type: "train"; run: number; point: TrainPoint; stepsPerSecond: number }
  /** An evaluation of the weights of step `step` is under way (`done`: fraction) — or, with step null, was abandoned. */
  | { type: "evaluating"; run: number; step: number | null; done: number }
  | { type: "eval"; run: number; report: EvalReport; mistakePixels: Uint8Array }
  | { type: "regression"; run: number; report: RegressionReport }
  /** House prices: the rows of the split for this seed, and what the two baselines score on its test rows (sent once per split). */
  | { type: "table"; seed: number; rows: { train: number; validation: number; test: number }; features: number; target: string; baselines: Baselines }
  | { type: "prediction"; id: number; run: number; step: number; values: Float32Array[]; maps: Images | null }
  | { type: "weights"; run: number; step: number; dense: DenseWeights | null; images: Images | null }
  | { type: "nudges"; run: number; step: number; list: Nudge[]; byLayer: Nudge[][] }
  | { type: "engine"; backend: string; sharedMemory: boolean; isolated: boolean; threads: number; fma: boolean; note?: string }
  /** A problem, for the run `run` (null: not tied to a run, e.g. a file that is not a model). */
  | { type: "error"; run: number | null; code: ErrorCode; params: Params };
