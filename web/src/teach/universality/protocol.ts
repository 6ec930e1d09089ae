/** Messages between the universality view and its worker (the gradient-descent fit). */
import type { GoalName } from "./goals.js";

export type ToFitWorker =
  | { type: "reset"; goal: GoalName; width: number; seed: number; lr: number }
  | { type: "play" }
  | { type: "pause" }
  /** Trains exactly n more mini-batches, then reports. */
  | { type: "steps"; n: number };

export type FromFitWorker =
  | { type: "fit"; steps: number; totalSteps: number; deviation: number; curve: number[]; running: boolean }
  | { type: "error"; text: string };
