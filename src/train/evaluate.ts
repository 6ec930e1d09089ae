/** Accuracy (and optionally cost) of a model over a dataset, in eval mode, without gradients. */
import type { Module } from "../nn/module.js";
import type { LossFn } from "../nn/losses.js";
import { noGrad } from "../autograd.js";
import { DataLoader, type TensorDataset } from "../data/dataset.js";
import { ConfusionMatrix } from "./metrics.js";
import { intoScope, scope } from "../memory.js";

export interface EvalResult {
  /** Mean cost per example (NaN without a loss function). */
  loss: number;
  accuracy: number;
  correct: number;
  total: number;
  confusion: ConfusionMatrix;
}

/**
 * Examples per forward pass when none is given: 1000 flat examples, 100 images — a convnet keeps
 * every layer's activations for the batch, and 1000 MNIST images through a 32-64 filter net need
 * over a GiB (wasm memory stops at 2 GiB).
 */
export function defaultEvalBatch(data: TensorDataset): number {
  return data.featureShape.length > 1 ? 100 : 1000;
}

export function evaluate(model: Module, data: TensorDataset, opts: { loss?: LossFn; batchSize?: number } = {}): EvalResult {
  const wasTraining = model.training;
  model.eval();
  let lossSum = 0;
  let confusion: ConfusionMatrix | null = null;
  try {
    noGrad(() => {
      for (const batch of new DataLoader(data, { batchSize: opts.batchSize ?? defaultEvalBatch(data) })) {
        scope(() => {
          const out = model.forward(intoScope(batch.x));
          confusion ??= new ConfusionMatrix(out.shape[out.rank - 1] ?? 1);
          if (opts.loss) lossSum += opts.loss(out, batch.y).item() * batch.y.length;
          confusion.add(out.data, batch.y);
        });
      }
    });
  } finally {
    model.train(wasTraining);
  }
  const cm = confusion ?? new ConfusionMatrix(1);
  const total = cm.total;
  return {
    loss: total && opts.loss ? lossSum / total : NaN,
    accuracy: total ? cm.correct / total : NaN,
    correct: cm.correct,
    total,
    confusion: cm,
  };
}
