/**
 * Weight penalties as losses (add them to the cost). The book scales by the training-set size n:
 * L2: (λ/2n) Σ w² (eq. 85), L1: (λ/n) Σ |w| (eq. 95) — pass λ/n as `strength`.
 * By convention only weights are penalised, not biases (see `weightsOnly`).
 */
import type { Tensor } from "../tensor.js";
import { abs, mul } from "../ops/elementwise.js";
import { sum } from "../ops/reduce.js";
import type { Parameter } from "./module.js";

/** (strength / 2) · Σ w² over the given tensors. */
export function l2Penalty(params: readonly Tensor[], strength: number): Tensor {
  return params.map((p) => sum(mul(p, p))).reduce((a, b) => a.add(b)).mul(strength / 2);
}

/** strength · Σ |w| over the given tensors. */
export function l1Penalty(params: readonly Tensor[], strength: number): Tensor {
  return params.map((p) => sum(abs(p))).reduce((a, b) => a.add(b)).mul(strength);
}

/** The weights of named parameters (every "…weight"), leaving biases and norms unpenalised. */
export function weightsOnly(named: readonly [string, Parameter][]): Parameter[] {
  return named.filter(([name]) => name === "weight" || name.endsWith(".weight")).map(([, p]) => p);
}
