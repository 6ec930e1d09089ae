/**
 * Each layer's "speed of learning" (Nielsen ch. 5): ‖∂C/∂bˡ‖ and ‖∂C/∂Wˡ‖, C the cost averaged
 * over a fixed probe set. The book's generate_gradient.py averages backprop's gradient over the
 * first 1,000 training images with the cost alone (no L2 term: network2.backprop ignores λ) —
 * the same as the gradient of the mean cost over those images, which is what this computes.
 * Measuring changes nothing in the model: batch-norm running statistics are put back and the
 * parameters' gradients are cleared afterwards.
 */
import type { Module, Parameter } from "../nn/module.js";
import { forwardScored, type Objective } from "../train/objective.js";
import type { Tensor } from "../tensor.js";
import { Tensor as T } from "../tensor.js";
import { backward } from "../autograd.js";
import { scope } from "../memory.js";
import type { Batch } from "../data/dataset.js";
import type { Callback } from "../train/callbacks.js";

/** One layer with weights (a Linear or a convolution): its name in the state dict and its gradient norms. */
export interface LayerSpeed {
  layer: string;
  /** ‖∂C/∂b‖ (0 when the layer has no bias). */
  bias: number;
  /** ‖∂C/∂W‖. */
  weight: number;
}

/** The layers whose speed is measured: every module with a weight of rank ≥ 2 (batch norm's 1-D scale is not a layer here). */
export function weightedLayers(model: Module): { layer: string; weight: Parameter; bias: Parameter | null }[] {
  const params = new Map(model.namedParameters());
  const out: { layer: string; weight: Parameter; bias: Parameter | null }[] = [];
  for (const [name, p] of params) {
    if (!name.endsWith("weight") || p.rank < 2) continue;
    const layer = name.slice(0, -"weight".length).replace(/\.$/, "");
    out.push({ layer, weight: p, bias: params.get(`${layer ? `${layer}.` : ""}bias`) ?? null });
  }
  return out;
}

function norm(t: Tensor | null): number {
  if (!t) return 0;
  let s = 0;
  for (let i = 0; i < t.size; i++) s += t.data[i]! * t.data[i]!;
  return Math.sqrt(s);
}

/**
 * ‖∂C/∂bˡ‖ and ‖∂C/∂Wˡ‖ for every weighted layer, C = loss(model(probe.x), probe.y) (a mean over
 * the probe's examples), in the model's current mode (training mode: batch norm uses the probe's
 * statistics, as during training).
 */
export function layerSpeeds(model: Module, objective: Objective, probe: Batch): LayerSpeed[] {
  const layers = weightedLayers(model);
  const params = model.parameters();
  const buffers = model.namedBuffers().map(([, b]) => [b, b.data.slice()] as const);
  try {
    return scope(() => {
      for (const p of params) p.grad = null;
      const c = objective.loss(forwardScored(model, probe.x, objective.lossOnLogits).scored, probe.y);
      backward(c, T.full([], 1, { dtype: c.dtype }));
      return layers.map(({ layer, weight, bias }) => ({ layer, bias: norm(bias?.grad ?? null), weight: norm(weight.grad) }));
    });
  } finally {
    for (const p of params) p.grad = null;
    for (const [b, data] of buffers) b.data.set(data);
  }
}

/** Speeds measured at a point of training: epoch 0 is the initialisation. */
export interface SpeedRecord {
  epoch: number;
  bias: number[];
  weight: number[];
}

/** A training callback that measures the speeds before training and after every epoch. */
export function speedsCallback(model: Module, objective: Objective, probe: Batch, into: SpeedRecord[]): Callback {
  const measure = (epoch: number) => {
    const s = layerSpeeds(model, objective, probe);
    into.push({ epoch, bias: s.map((l) => l.bias), weight: s.map((l) => l.weight) });
  };
  return {
    onTrainStart: (ctx) => measure(ctx.epoch),
    onEpochEnd: (log) => measure(log.epoch),
  };
}
