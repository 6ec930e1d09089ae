/** Several trained models answering together: majority vote or averaged outputs. */
import { ShapeError } from "../errors.js";
import { defaultEvalBatch } from "./evaluate.js";
import type { Module } from "../nn/module.js";
import { noGrad } from "../autograd.js";
import { scope, intoScope } from "../memory.js";
import { DataLoader, type TensorDataset } from "../data/dataset.js";
import { argmaxRows, ConfusionMatrix } from "./metrics.js";

export type Combine = "vote" | "average";

export interface EnsembleResult {
  /** Accuracy of each member alone. */
  members: number[];
  vote: { accuracy: number; confusion: ConfusionMatrix };
  average: { accuracy: number; confusion: ConfusionMatrix };
}

/**
 * Evaluates each model and two ensembles over `data`: "vote" (each member's top class is a vote;
 * ties go to the class with the larger summed output) and "average" (mean of the outputs).
 */
export function evaluateEnsemble(models: readonly Module[], data: TensorDataset, batchSize = defaultEvalBatch(data)): EnsembleResult {
  if (data.task !== "classification") throw new ShapeError("evaluateEnsemble: members vote on class labels; this is a regression dataset");
  const correct = models.map(() => 0);
  let classes = 0;
  let vote: ConfusionMatrix | null = null;
  let average: ConfusionMatrix | null = null;
  for (const m of models) m.eval();
  noGrad(() => {
    for (const batch of new DataLoader(data, { batchSize })) {
      scope(() => {
        const x = intoScope(batch.x);
        const labels = batch.y as Int32Array;
        const n = labels.length;
        let votes: Float64Array | null = null;
        let sums: Float64Array | null = null;
        models.forEach((model, k) => {
          const out = model.forward(x);
          classes = out.shape[out.rank - 1] ?? 1;
          votes ??= new Float64Array(n * classes);
          sums ??= new Float64Array(n * classes);
          const pred = argmaxRows(out.data, n, classes);
          for (let r = 0; r < n; r++) {
            if (pred[r] === labels[r]) correct[k]!++;
            votes[r * classes + pred[r]!]! += 1;
            for (let c = 0; c < classes; c++) sums[r * classes + c]! += out.data[r * classes + c]!;
          }
        });
        // A vote count plus a sliver of the summed outputs breaks ties by confidence.
        const tieBroken = votes!.map((v, i) => v + 1e-6 * Math.tanh(sums![i]!));
        (vote ??= new ConfusionMatrix(classes)).add(tieBroken, labels);
        (average ??= new ConfusionMatrix(classes)).add(sums!, labels);
      });
    }
  });
  for (const m of models) m.train();
  const total = data.length;
  const v = vote ?? new ConfusionMatrix(1);
  const a = average ?? new ConfusionMatrix(1);
  return {
    members: correct.map((c) => c / total),
    vote: { accuracy: v.correct / total, confusion: v },
    average: { accuracy: a.correct / total, confusion: a },
  };
}
