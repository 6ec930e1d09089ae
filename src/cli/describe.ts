/** Human-readable summaries of a model's architecture. */
import type { LayerSpec, Module } from "../nn/module.js";
import { DescentError, ModelFileError, UsageError } from "../errors.js";
import { Tensor } from "../tensor.js";
import { noGrad } from "../autograd.js";
import { scope } from "../memory.js";
import { assertFiniteWeights } from "../io/model-health.js";
import { printablePath } from "../text.js";
import { fmt } from "../shape.js";
import { flatLayers, layerDefinition, layerLabel, type LayerInput } from "../nn/layer.js";
import "../nn/layers/index.js"; // the built-in layers' definitions

/** MNIST's classes: the digits 0–9. */
export const MNIST_CLASSES = 10;

export { flatLayers, layerLabel };

/** "[784, 30, 10] Sigmoid" for nets of Linear layers, activations and Dropout; the chain of layers otherwise. */
export function describeNetwork(spec: LayerSpec): string {
  const layers = flatLayers(spec);
  const linear = layers.filter((l) => l.type === "Linear");
  const isActivation = (l: LayerSpec) => layerDefinition(l.type)?.activation === true;
  const mlpLike = layers.every((l) => l.type === "Linear" || l.type === "Dropout" || isActivation(l));
  if (mlpLike && linear.length > 0) {
    const acts = [...new Set(layers.filter(isActivation).map((l) => l.type))];
    const sizes = [linear[0]!.inFeatures, ...linear.map((l) => l.outFeatures)];
    return `[${sizes.join(", ")}] ${acts.join("/")}`;
  }
  return layers.filter((l) => l.type !== "Flatten").map(layerLabel).join(" → ");
}

/** The first layer that reads the input: looked for inside containers (Sequential, Residual) and past layers that pass it on (Flatten, Dropout). */
function firstLayer(spec: LayerSpec): LayerSpec | undefined {
  const def = layerDefinition(spec.type);
  if (def?.children) {
    for (const child of def.children(spec)) {
      const first = firstLayer(child);
      if (first) return first;
    }
    return undefined;
  }
  return def?.transparent ? undefined : spec;
}

/** What the first layer that reads the input needs of it (features of a vector, or channels of an image), if it says. */
function firstInput(spec: LayerSpec): LayerInput | undefined {
  const first = firstLayer(spec);
  return first && layerDefinition(first.type)?.input?.(first);
}

/** Number of inputs the first layer takes, when the model starts with a layer that reads flat vectors (Linear). */
export function inputSize(spec: LayerSpec): number | null {
  const input = firstInput(spec);
  return input && "features" in input ? input.features : null;
}

/**
 * The shape of one input example for this model, given MNIST's `features` (784): images
 * [C, side, side] for convolutional models, flat vectors otherwise. Throws if they cannot fit.
 */
export function inputShapeFor(spec: LayerSpec, features: number, file: string): number[] {
  const input = firstInput(spec);
  if (input && "tokens" in input) {
    throw new UsageError(`${printablePath(file)}: the model reads characters (an Embedding of ${input.tokens} tokens: a language model), not MNIST images — generate text with it: descent sample ${printablePath(file)}`);
  }
  if (input && "stepFeatures" in input) {
    // A recurrent model reads MNIST row by row: [rows, pixels per row].
    const side = Math.round(Math.sqrt(features));
    if (input.stepFeatures !== side) {
      throw new UsageError(`${printablePath(file)}: the model reads sequences of ${input.stepFeatures} values per step, but MNIST read row by row has ${side} pixels per row — it was not trained on MNIST (e.g. the adding problem's model)`);
    }
    return [features / side, side];
  }
  if (input && "channels" in input) {
    const side = Math.round(Math.sqrt(features));
    if (input.channels !== 1) throw new UsageError(`${printablePath(file)}: the model's first convolution takes ${String(input.channels)} channels, but MNIST images have 1`);
    return [1, side, side];
  }
  const n = inputSize(spec);
  if (n !== null && n !== features) {
    throw new UsageError(`${printablePath(file)}: the model takes ${n} inputs, but MNIST images have ${features} pixels — it was not trained on MNIST-sized images`);
  }
  return [features];
}

/**
 * The shape of the model's output for one example (batch dimension dropped), found by running one
 * zero example through it in eval mode — whatever layers it ends with. The mode is restored after.
 */
export function outputShapeFor(model: Module, inputShape: number[], path: string): number[] {
  const wasTraining = model.training;
  model.eval();
  try {
    return scope(() => noGrad(() => model.forward(Tensor.zeros([1, ...inputShape])).shape.slice(1)));
  } catch (e) {
    if (!(e instanceof DescentError)) throw e;
    throw new ModelFileError(
      `${printablePath(path)}: the stored architecture cannot process one ${inputShape.join("×")} input (${e.message}) — the file was edited or is corrupt; retrain with \`descent train --out <path>\``,
      { cause: e },
    );
  } finally {
    model.train(wasTraining);
  }
}

/**
 * What eval, predict and explore check before using a model on MNIST images of `features` pixels:
 * finite weights, an input that fits the images and one output per digit. Returns the shape of one
 * input example. A 5-output model would otherwise "score" on the labels below 5 only.
 */
export function checkMnistModel(path: string, model: Module, architecture: LayerSpec, features = 784): number[] {
  assertFiniteWeights(printablePath(path), model.stateDict());
  const shape = inputShapeFor(architecture, features, path);
  const out = outputShapeFor(model, shape, path);
  if (out.length !== 1 || out[0] !== MNIST_CLASSES) {
    const found = out.length === 1 ? `${out[0]!} output${out[0] === 1 ? "" : "s"}` : `an output of shape ${fmt(out)}`;
    throw new ModelFileError(
      `${printablePath(path)}: the model has ${found} per image, but MNIST has ${MNIST_CLASSES} classes (the digits 0–9) and needs ${MNIST_CLASSES} outputs — ` +
        "this model was not trained to classify MNIST digits; train one with `descent train --out <path>`",
    );
  }
  return shape;
}
