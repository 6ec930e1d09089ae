/** Human-readable summaries of a model's architecture. */
import type { LayerSpec } from "../nn/module.js";
import { UsageError } from "../errors.js";

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
    if (first.inChannels !== 1) throw new UsageError(`${file}: the model's first convolution takes ${String(first.inChannels)} channels, but MNIST images have 1`);
    return [1, side, side];
  }
  const n = inputSize(spec);
  if (n !== null && n !== features) {
    throw new UsageError(`${file}: the model takes ${n} inputs, but MNIST images have ${features} pixels — it was not trained on MNIST-sized images`);
  }
  return [features];
}
