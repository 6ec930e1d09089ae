/** Human-readable summaries of a model's architecture. */
import type { LayerSpec, Module } from "../nn/module.js";
import { DescentError, ModelFileError, UsageError } from "../errors.js";
import { Tensor } from "../tensor.js";
import { noGrad } from "../autograd.js";
import { scope } from "../memory.js";
import { assertFiniteWeights } from "../io/model-health.js";
import { printablePath } from "../text.js";
import { fmt } from "../shape.js";

/** MNIST's classes: the digits 0–9. */
export const MNIST_CLASSES = 10;

/** Layers in order, flattening Sequential containers. */
export function flatLayers(spec: LayerSpec): LayerSpec[] {
  if (spec.type === "Sequential" && Array.isArray(spec.layers)) return (spec.layers as LayerSpec[]).flatMap(flatLayers);
  return [spec];
}

/** A short label for one layer: "conv 1→20 5×5", "fc 640→100", "maxpool 2", "relu". */
export function layerLabel(l: LayerSpec): string {
  switch (l.type) {
    case "Linear": return `fc ${String(l.inFeatures)}→${String(l.outFeatures)}`;
    case "Conv2d": {
      const extra = [l.padding ? `pad ${String(l.padding)}` : "", l.stride !== 1 ? `stride ${String(l.stride)}` : "", l.groups !== 1 ? `groups ${String(l.groups)}` : ""].filter(Boolean);
      return `conv ${String(l.inChannels)}→${String(l.outChannels)} ${String(l.kernelSize)}×${String(l.kernelSize)}${extra.length ? ` (${extra.join(", ")})` : ""}`;
    }
    case "MaxPool2d": return `maxpool ${String(l.kernelSize)}`;
    case "AvgPool2d": return `avgpool ${String(l.kernelSize)}`;
    case "BatchNorm1d":
    case "BatchNorm2d": return "batchnorm";
    case "Dropout": return `dropout ${String(l.p)}`;
    case "Residual": return `res(${flatLayers(l.body as LayerSpec).map(layerLabel).join(" → ")})`;
    default: return l.type.toLowerCase();
  }
}

/** "[784, 30, 10] Sigmoid" for plain MLPs; the chain of layers otherwise. */
export function describeNetwork(spec: LayerSpec): string {
  const layers = flatLayers(spec);
  const linear = layers.filter((l) => l.type === "Linear");
  const mlpLike = layers.every((l) => ["Linear", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "Softmax", "Identity", "Dropout"].includes(l.type));
  if (mlpLike && linear.length > 0) {
    const acts = [...new Set(layers.filter((l) => l.type !== "Linear" && l.type !== "Dropout").map((l) => l.type))];
    const sizes = [linear[0]!.inFeatures, ...linear.map((l) => l.outFeatures)];
    return `[${sizes.join(", ")}] ${acts.join("/")}`;
  }
  return layers.filter((l) => l.type !== "Flatten").map(layerLabel).join(" → ");
}

/** The first layer that reads the input (looking inside Sequential and Residual blocks). */
function firstLayer(spec: LayerSpec): LayerSpec | undefined {
  for (const l of flatLayers(spec)) {
    if (l.type === "Residual") return firstLayer(l.body as LayerSpec);
    if (l.type !== "Flatten" && l.type !== "Dropout") return l;
  }
  return undefined;
}

/** Number of inputs the first layer takes, when the model starts with a Linear layer. */
export function inputSize(spec: LayerSpec): number | null {
  const first = firstLayer(spec);
  return first?.type === "Linear" ? (first.inFeatures as number) : null;
}

/**
 * The shape of one input example for this model, given MNIST's `features` (784): images
 * [C, side, side] for convolutional models, flat vectors otherwise. Throws if they cannot fit.
 */
export function inputShapeFor(spec: LayerSpec, features: number, file: string): number[] {
  const first = firstLayer(spec);
  if (first?.type === "Conv2d") {
    const side = Math.round(Math.sqrt(features));
    if (first.inChannels !== 1) throw new UsageError(`${printablePath(file)}: the model's first convolution takes ${String(first.inChannels)} channels, but MNIST images have 1`);
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
