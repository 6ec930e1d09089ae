/**
 * Adversarial examples by the fast gradient sign method (Goodfellow, Shlens & Szegedy 2015;
 * Nielsen ch. 6 tells the story): x' = clip(x + ε·sign(∇ₓC), 0, 1), with C the cost the model was
 * trained on and sign(0) = 0. The gradient with respect to the input comes from autograd: the
 * input is a leaf with requiresGrad. The model runs in eval mode (dropout off, batch norm on its
 * running statistics), so each example's gradient depends on that example alone.
 */
import { Tensor } from "../tensor.js";
import { backward } from "../autograd.js";
import { noGrad } from "../autograd.js";
import { scope } from "../memory.js";
import type { Module } from "../nn/module.js";
import { DataLoader, type TensorDataset } from "../data/dataset.js";
import { forwardScored, type Objective } from "../train/objective.js";

/** ∂C/∂x for a batch x [N, …] with labels, C = objective.loss (a mean over the batch). */
export function inputGradient(model: Module, x: Float32Array, shape: readonly number[], labels: Int32Array, objective: Objective): Float32Array {
  const params = model.parameters();
  const wasTraining = model.training;
  model.eval();
  try {
    return scope(() => {
      const input = new Tensor(Float32Array.from(x), [...shape], true);
      const c = objective.loss(forwardScored(model, input, objective.lossOnLogits).scored, labels);
      backward(c, Tensor.full([], 1, { dtype: c.dtype }));
      return Float32Array.from(input.grad!.data);
    });
  } finally {
    for (const p of params) p.grad = null;
    model.train(wasTraining);
  }
}

/** x + ε·sign(g), clipped to [0, 1]. */
export function fgsm(x: Float32Array, grad: Float32Array, epsilon: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = Math.min(1, Math.max(0, x[i]! + epsilon * Math.sign(grad[i]!)));
  return out;
}

/** The model's predicted class for each row of x [N, …]. */
export function predict(model: Module, x: Float32Array, shape: readonly number[]): Int32Array {
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => scope(() => {
      const out = model.forward(new Tensor(x, [...shape]));
      const classes = out.shape[out.rank - 1]!;
      const n = shape[0]!;
      const pred = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        let best = 0;
        for (let k = 1; k < classes; k++) if (out.data[i * classes + k]! > out.data[i * classes + best]!) best = k;
        pred[i] = best;
      }
      return pred;
    }));
  } finally {
    model.train(wasTraining);
  }
}

export interface AttackPoint {
  epsilon: number;
  accuracy: number;
  correct: number;
  total: number;
}

export interface AttackExample {
  index: number;
  label: number;
  original: Float32Array;
  adversarial: Float32Array;
  clean: number;
  attacked: number;
}

/**
 * Accuracy on `data` perturbed by FGSM at every ε (ε = 0 is the clean accuracy), and the first
 * `keep` examples the model got right clean and wrong at `showEpsilon`.
 */
export function attackSweep(model: Module, data: TensorDataset, objective: Objective, epsilons: readonly number[], opts: { batchSize?: number; keep?: number; showEpsilon?: number } = {}): { points: AttackPoint[]; examples: AttackExample[] } {
  const correct = epsilons.map(() => 0);
  const examples: AttackExample[] = [];
  const keep = opts.keep ?? 0;
  const show = opts.showEpsilon ?? epsilons[epsilons.length - 1] ?? 0;
  let start = 0;
  for (const batch of new DataLoader(data, { batchSize: opts.batchSize ?? 500 })) {
    const labels = batch.y as Int32Array;
    const x = Float32Array.from(batch.x.data);
    const shape = batch.x.shape;
    const g = inputGradient(model, x, shape, labels, objective);
    const clean = predict(model, x, shape);
    epsilons.forEach((eps, e) => {
      const adv = eps === 0 ? x : fgsm(x, g, eps);
      const pred = eps === 0 ? clean : predict(model, adv, shape);
      for (let i = 0; i < labels.length; i++) if (pred[i] === labels[i]) correct[e]!++;
      if (eps === show && examples.length < keep) {
        const size = x.length / labels.length;
        for (let i = 0; i < labels.length && examples.length < keep; i++) {
          if (clean[i] === labels[i] && pred[i] !== labels[i]) {
            examples.push({ index: start + i, label: labels[i]!, original: x.slice(i * size, (i + 1) * size), adversarial: adv.slice(i * size, (i + 1) * size), clean: clean[i]!, attacked: pred[i]! });
          }
        }
      }
    });
    start += labels.length;
  }
  return { points: epsilons.map((epsilon, e) => ({ epsilon, correct: correct[e]!, total: data.length, accuracy: correct[e]! / data.length })), examples };
}
