/** One trial of a search: a config trained for its epochs, scored on validation (and test, once at the end). */
import { buildExperiment, type TrainConfig } from "../train/config.js";
import type { TensorDataset } from "../data/dataset.js";
import type { JobResult } from "./search.js";

export function runTrial(config: TrainConfig, data: { train: TensorDataset; validation?: TensorDataset; test?: TensorDataset }): JobResult {
  const t0 = performance.now();
  const ex = buildExperiment(config, data);
  // The test set is scored once after training, not after every epoch: it never steers the search.
  const { test: _test, ...fitOptions } = ex.fitOptions;
  const r = ex.trainer.fit(ex.loader, fitOptions);
  const val = r.history.find((h) => h.epoch === r.finalEpoch)?.valAccuracy ?? r.history[r.history.length - 1]?.valAccuracy;
  const test = ex.data.test ? ex.trainer.evaluate(ex.data.test) : undefined;
  return {
    validationAccuracy: val ?? NaN,
    ...(test && !test.regression ? { testAccuracy: test.accuracy } : {}),
    seconds: (performance.now() - t0) / 1000,
    ...(r.stopped ? { stopped: r.stopped.message } : {}),
  };
}
