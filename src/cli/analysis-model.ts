/**
 * A saved MNIST model made ready for an analysis (landscape, race, backprop by hand): the model,
 * the cost it was trained with (from its training record, or --cost), and the examples of one
 * split it is scored on.
 */
import { loadModel } from "../node/model-files.js";
import { loadMnist } from "../node/mnist.js";
import { noted } from "./notes.js";
import { checkMnistModel } from "./describe.js";
import { tablePrepOf } from "./table-model.js";
import { validateConfig, COSTS, type CostName, type TrainConfig } from "../train/config.js";
import { objectiveFor, squashingOutput, type Objective } from "../train/objective.js";
import { Sigmoid, Softmax } from "../nn/layers/activations.js";
import { UsageError } from "../errors.js";
import { printablePath } from "../text.js";
import type { Module } from "../nn/module.js";
import type { TensorDataset } from "../data/dataset.js";
import type { Mnist } from "../data/mnist.js";
import type { OutputName } from "../nn/mlp.js";

export interface AnalysisModel {
  path: string;
  model: Module;
  /** The run's config from the training record (null for a file without one). */
  config: TrainConfig | null;
  cost: CostName;
  objective: Objective;
  /** One example's input shape ([784] or [1, 28, 28]). */
  shape: number[];
}

/** The output the model ends with, as the objectives name it. */
function outputOf(model: Module): OutputName {
  const last = squashingOutput(model);
  return last instanceof Softmax ? "softmax" : last instanceof Sigmoid ? "sigmoid" : "identity";
}

/** Loads an MNIST classifier and the cost to measure it with: --cost, else the record's, else the one its output suggests. */
export async function loadAnalysisModel(path: string, costFlag: CostName | undefined, command: string): Promise<AnalysisModel> {
  const { model, meta, architecture } = noted(await loadModel(path));
  if (tablePrepOf(path, meta.training)) throw new UsageError(`${printablePath(path)} was trained on a table; ${command} reads MNIST models for now — give a model trained on MNIST`);
  const shape = checkMnistModel(path, model, architecture, 784);
  let config: TrainConfig | null = null;
  try {
    config = meta.training.config === undefined ? null : validateConfig(meta.training.config);
  } catch {
    config = null; // an old or edited record: the analysis still runs, without what needs the config
  }
  const output = outputOf(model);
  const cost = costFlag ?? config?.cost ?? (output === "softmax" ? "log-likelihood" : output === "sigmoid" ? "cross-entropy" : "cross-entropy");
  if (cost === "log-likelihood" && output !== "softmax") throw new UsageError(`--cost log-likelihood needs a softmax output; ${printablePath(path)} ends with ${output}`);
  if (!(COSTS as readonly string[]).includes(cost)) throw new UsageError(`unknown cost "${cost}"`);
  return { path, model, config, cost, objective: objectiveFor(cost, output), shape };
}

/** The first `n` examples of an MNIST split, shaped for the model. */
export function splitExamples(data: Mnist, split: "test" | "validation" | "train", n: number, shape: number[]): TensorDataset {
  const d = data[split];
  if (d.length === 0) throw new UsageError(`the ${split} split is empty`);
  return d.slice(0, Math.min(n, d.length)).withFeatureShape(shape);
}

export const loadData = (dir: string | undefined) => loadMnist(dir ? { dir } : {});
