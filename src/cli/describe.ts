/** Human-readable summaries of a model's architecture. */
import type { LayerSpec } from "../nn/module.js";
import { UsageError } from "../errors.js";

/** Layers in order, flattening Sequential containers. */
export function flatLayers(spec: LayerSpec): LayerSpec[] {
  if (spec.type === "Sequential" && Array.isArray(spec.layers)) return (spec.layers as LayerSpec[]).flatMap(flatLayers);
  return [spec];
}

/** "[784, 30, 10] Sigmoid" style summary for MLPs; a list of layer types otherwise. */
export function describeNetwork(spec: LayerSpec): string {
  const layers = flatLayers(spec);
  const linear = layers.filter((l) => l.type === "Linear");
  const acts = [...new Set(layers.filter((l) => l.type !== "Linear" && l.type !== "Dropout").map((l) => l.type))];
  if (linear.length > 0 && linear.length + acts.length <= layers.length) {
    const sizes = [linear[0]!.inFeatures, ...linear.map((l) => l.outFeatures)];
    return `[${sizes.join(", ")}] ${acts.join("/")}`;
  }
  return layers.map((l) => l.type).join(" → ");
}

/** Number of inputs the first layer takes, when the model starts with a Linear layer. */
export function inputSize(spec: LayerSpec): number | null {
  const first = flatLayers(spec).find((l) => l.type !== "Flatten" && l.type !== "Dropout");
  return first?.type === "Linear" ? (first.inFeatures as number) : null;
}

export function checkInputSize(spec: LayerSpec, features: number, file: string): void {
  const n = inputSize(spec);
  if (n !== null && n !== features) {
    throw new UsageError(`${file}: the model takes ${n} inputs, but MNIST images have ${features} pixels — it was not trained on MNIST-sized images`);
  }
}
