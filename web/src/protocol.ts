/** Messages between the page (main.ts) and the training worker (sim.ts). */
import type { TrainConfig } from "../../src/train/defaults.js";
import type { EvalReport, Nudge, TrainPoint } from "./session.js";

export type ToWorker =
  | { type: "config"; config: TrainConfig }
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
  | { type: "model"; description: string; origin: string; dense: DenseWeights | null; training: boolean }
  | { type: "train"; point: TrainPoint; stepsPerSecond: number }
  | { type: "eval"; report: EvalReport; mistakePixels: Uint8Array }
  | { type: "prediction"; id: number; values: Float32Array[] }
  | { type: "weights"; dense: DenseWeights | null; images: { count: number; width: number; height: number; data: Float32Array } | null }
  | { type: "nudges"; step: number; list: Nudge[]; byLayer: Nudge[][] }
  | { type: "engine"; backend: string; sharedMemory: boolean; isolated: boolean; threads: number; note?: string }
  | { type: "error"; text: string };
