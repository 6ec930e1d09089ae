/** Messages between the race view and its worker (the network surface). */
import type { RacerName, Trajectory } from "../../../../src/analysis/race.js";

export interface RaceRequest {
  id: number;
  seed: number;
  /** MNIST test images the cost is averaged over (the first ones). */
  examples: number;
  span: number;
  /** Gradient descent's η on this slice (the others follow networkRates). */
  lr: number;
  steps: number;
  grid: number;
  start: [number, number];
  racers: { name: RacerName; lr: number }[];
}

export type RaceWorkerReply =
  | { type: "status"; key: "loading" | "grid" | "racing" }
  | { type: "result"; id: number; grid: { xs: number[]; ys: number[]; z: number[] }; trajectories: Trajectory[] }
  | { type: "error"; id: number; text: string };
