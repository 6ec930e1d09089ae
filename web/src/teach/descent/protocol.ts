/** Messages between the descent view and its worker (descent-worker.ts). */

/** Where the digit whose cost is shown comes from. */
export type DigitSource = { kind: "drawn"; pixels: Float32Array } | { kind: "test"; index: number };

export type GradientSource = "step" | "eval";

export type ToWorker =
  | { type: "init"; seed: number; lr: number }
  | { type: "step"; count: number; lr: number }
  | { type: "play"; lr: number }
  | { type: "pause" }
  | { type: "lr"; lr: number }
  | { type: "digit"; source: DigitSource; label: number | null }
  | { type: "gradient"; source: GradientSource };

/** Everything the panels show, as of one step (costs are the explainer's Σ(y−a)², averaged). */
export interface Analysis {
  step: number;
  /** Average of Σ(y−a)² over the evaluation set (= 2 × descent's quadratic cost C = ½Σ(y−a)²). */
  evalCost: number;
  evalAccuracy: number;
  /** ‖∇C‖ on the evaluation set (C = ½Σ(y−a)², descent's cost). */
  gradNorm: number;
  /** The learning-rate curve: Σ-cost after one step θ − η∇C, for each η. */
  etas: number[];
  curve: number[];
  /** Index into etas of the lowest cost. */
  best: number;
  zones: string[];
  /** The slice: xs (downhill), ys (random) in units of the random direction's norm, Σ-cost per point. */
  landscape: { xs: number[]; ys: number[]; cost: number[]; span: number };
  /** Where the earlier weights project on today's slice (oldest first), with their steps. */
  trail: { step: number; alpha: number; beta: number }[];
  /** α on the slice of one step η·(−∇C): alpha = η · alphaPerEta. */
  alphaPerEta: number;
  /** The slider's η when analysed, and the Σ-cost after one step at it. */
  current: { lr: number; cost: number };
}

export interface DigitReport {
  step: number;
  source: DigitSource;
  pixels: Float32Array;
  /** The digit meant (the test label, or the one chosen). */
  label: number;
  /** The test image's own label (null for a drawing). */
  trueLabel: number | null;
  /** The ten outputs a. */
  a: number[];
}

export interface GradientReport {
  step: number;
  source: GradientSource;
  /** ∂C/∂w for every parameter, in parameters() order (C = ½Σ(y−a)², descent's cost). */
  grad: Float64Array;
  weights: Float32Array;
  /** The shapes of the parameters, in order. */
  shapes: number[][];
  /** For "step": the η the step used (its nudges are what it added). */
  lr: number | null;
}

export type FromWorker =
  | { type: "status"; phase: "loading" | "ready" | "running" | "idle"; fma: boolean }
  | { type: "progress"; step: number; batchCost: number; stepsPerSecond: number }
  | { type: "analysis"; analysis: Analysis }
  | { type: "digit"; report: DigitReport }
  | { type: "gradient"; report: GradientReport }
  | { type: "point"; lr: number; cost: number; step: number }
  | { type: "error"; text: string };
