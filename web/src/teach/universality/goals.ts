/**
 * The functions to build: the book's f and a few others, each inside (0, 1) on [0, 1] so that
 * σ⁻¹∘f exists (the weighted output the bumps must follow). Pure: the page and its worker share it.
 */
import { bookGoal } from "../../../../src/analysis/universality.js";

export const GOALS = ["book", "sine", "step", "peak"] as const;
export type GoalName = (typeof GOALS)[number];

export const GOAL_FUNCTIONS: Record<GoalName, (x: number) => number> = {
  /** Nielsen ch. 4: f(x) = 0.2 + 0.4x² + 0.3x·sin(15x) + 0.05·cos(50x). */
  book: bookGoal,
  sine: (x) => 0.5 + 0.35 * Math.sin(4 * Math.PI * x),
  step: (x) => 0.2 + 0.6 / (1 + Math.exp(-40 * (x - 0.5))),
  peak: (x) => 0.15 + 0.7 * Math.exp(-((x - 0.4) ** 2) / 0.01),
};

export const GOAL_FORMULAS: Record<GoalName, string> = {
  book: "f(x) = 0.2 + 0.4x² + 0.3x·sin(15x) + 0.05·cos(50x)",
  sine: "f(x) = 0.5 + 0.35·sin(4πx)",
  step: "f(x) = 0.2 + 0.6·σ(40(x − 0.5))",
  peak: "f(x) = 0.15 + 0.7·exp(−(x − 0.4)²/0.01)",
};

export const isGoal = (v: string | null): v is GoalName => v !== null && (GOALS as readonly string[]).includes(v);
