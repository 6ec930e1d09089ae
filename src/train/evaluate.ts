/** Accuracy (and optionally cost) of a model over a dataset, in eval mode, without gradients. */
import type { Module } from "../nn/module.js";
import type { LossFn } from "../nn/losses.js";
import { noGrad } from "../autograd.js";
import { DataLoader, type TensorDataset } from "../data/dataset.js";
import { ConfusionMatrix, RegressionMeter, type RegressionScores } from "./metrics.js";
import { intoScope, scope } from "../memory.js";
import { inferScored } from "./objective.js";
import { resetRecurrentStates } from "../nn/layers/recurrent.js";

export interface EvalResult {
  /** Mean cost per example (NaN without a loss function). */
  loss: number;
  /** Classification: share of examples whose largest output is their label (NaN for regression). */
  accuracy: number;
  correct: number;
  total: number;
  /** Classification: actual × predicted counts (an empty 1-class matrix for regression). */
  confusion: ConfusionMatrix;
  /** Regression datasets: MSE, RMSE, MAE and R² of the outputs against the targets. */
  regression?: RegressionScores;
}

/**
 * Examples per forward pass when none is given: 1000 flat examples, 100 images — a convnet keeps
 * every layer's activations for the batch, and 1000 MNIST images through a 32-64 filter net need
 * over a GiB (wasm memory stops at 2 GiB).
 */
export function defaultEvalBatch(data: TensorDataset): number {
  if (data.streams !== undefined) return data.streams; // windows laid out for a carried state: batches must continue each other
  return data.featureShape.length > 1 ? 100 : 1000;
}

/**
 * @param opts.loss the cost to average (none: loss is NaN); with `lossOnLogits` it reads the input
 * of the model's last layer, a Sigmoid or Softmax (see train/objective.ts).
 */
export function evaluate(model: Module, data: TensorDataset, opts: { loss?: LossFn; lossOnLogits?: boolean; batchSize?: number } = {}): EvalResult {
  const wasTraining = model.training;
  model.eval();
  resetRecurrentStates(model); // a stateful model reads the data from its start, and training goes on from zeros after
  let lossSum = 0;
  let confusion: ConfusionMatrix | null = null;
  const meter = data.task === "regression" ? new RegressionMeter(data.targetWidth) : null;
  try {
    noGrad(() => {
      for (const batch of new DataLoader(data, { batchSize: opts.batchSize ?? defaultEvalBatch(data) })) {
        scope(() => {
          const { out, scored } = inferScored(model, intoScope(batch.x), !!opts.loss && (opts.lossOnLogits ?? false)); // the taped forward's bytes, without the tape
          const rows = batch.y instanceof Int32Array ? batch.y.length : (out.shape[0] ?? 0); // labels (a sequence has one per step)
          if (opts.loss) lossSum += opts.loss(scored, batch.y).item() * rows;
          if (batch.y instanceof Int32Array) {
            confusion ??= new ConfusionMatrix(out.shape[out.rank - 1] ?? 1);
            confusion.add(out.data, batch.y);
          } else meter!.add(out.data, batch.y.data, rows);
        });
      }
    });
  } finally {
    model.train(wasTraining);
    resetRecurrentStates(model);
  }
  if (meter) {
    const regression = meter.result();
    return { loss: regression.total && opts.loss ? lossSum / regression.total : NaN, accuracy: NaN, correct: 0, total: regression.total, confusion: new ConfusionMatrix(1), regression };
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
