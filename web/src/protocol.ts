/** Messages between the page (main.ts) and the training worker (sim.ts). */
import type { TrainConfig } from "../../src/train/defaults.js";
import type { EvalReport, Nudge, RegressionReport, TrainPoint } from "./session.js";
import type { Baselines } from "./houses.js";
import type { Task } from "./state.js";

export type ToWorker =
  | { type: "config"; config: TrainConfig; task: Task }
  | { type: "play" }
  | { type: "pause" }
  | { type: "step" }
  | { type: "reset" }
  | { type: "threads"; count: 1 | 2 }
  | { type: "predict"; id: number; pixels: Float32Array }
  | { type: "load-model"; name: string; bytes: Uint8Array };

export interface DenseWeights {
  sizes: number[];
  weights: Float32Array[];
  biases: Float32Array[];
}

export type FromWorker =
  | { type: "status"; phase: "loading" | "idle" | "running"; text: string }
  | { type: "model"; task: Task; description: string; origin: string; dense: DenseWeights | null; training: boolean }
  | { type: "train"; point: TrainPoint; stepsPerSecond: number }
  | { type: "eval"; report: EvalReport; mistakePixels: Uint8Array }
  | { type: "regression"; report: RegressionReport }
  /** House prices: the rows of the split for this seed, and what the two baselines score on its test rows (sent once per split). */
  | { type: "table"; seed: number; rows: { train: number; validation: number; test: number }; features: number; target: string; baselines: Baselines }
  | { type: "prediction"; id: number; values: Float32Array[] }
  | { type: "weights"; dense: DenseWeights | null; images: { count: number; width: number; height: number; data: Float32Array } | null }
  | { type: "nudges"; step: number; list: Nudge[]; byLayer: Nudge[][] }
  | { type: "engine"; backend: string; sharedMemory: boolean; isolated: boolean; threads: number; fma: boolean; note?: string }
  | { type: "error"; text: string };
