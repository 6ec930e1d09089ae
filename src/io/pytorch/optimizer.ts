/**
 * descent's optimizer state in torch.optim's layout, so train_ddp.py continues a run with the same
 * moments: torch.optim numbers the parameters across its param_groups (0, 1, … in group order) and
 * keeps per parameter {"step", "exp_avg", "exp_avg_sq"} (Adam, AdamW), {"momentum_buffer"} (SGD),
 * {"step", "square_avg", "momentum_buffer", "grad_avg"} (RMSprop). Buffers travel as tensors
 * "state.<index>.<torch buffer>" shaped like their parameter; the rest as JSON (pipeline.json).
 */
import type { OptimizerState } from "../../optim/optimizer.js";
import type { StoredTensor } from "../safetensors.js";
import type { OptimizerName } from "../../train/defaults.js";
import { ExportError } from "../onnx/graph.js";

/** descent's buffer names → torch.optim's, per optimizer family. */
const BUFFERS: Record<string, Record<string, string>> = {
  SGD: { momentum: "momentum_buffer" },
  Adam: { m: "exp_avg", v: "exp_avg_sq" },
  AdamW: { m: "exp_avg", v: "exp_avg_sq" },
  RMSprop: { squareAvg: "square_avg", momentum: "momentum_buffer", gradAvg: "grad_avg" },
};

/** The torch.optim class of a descent optimizer setting. */
export function torchOptimizerClass(name: OptimizerName): "SGD" | "Adam" | "AdamW" | "RMSprop" {
  switch (name) {
    case "gd": case "sgd": case "momentum": case "nesterov": return "SGD";
    case "adam": return "Adam";
    case "adamw": return "AdamW";
    case "rmsprop": return "RMSprop";
  }
}

/** One param group's hyper-parameters under torch.optim's names. */
function torchHypers(cls: string, h: Record<string, unknown>): Record<string, unknown> {
  const wd = h.weightDecay ?? 0;
  switch (cls) {
    case "SGD": return { lr: h.lr, momentum: h.momentum ?? 0, dampening: h.dampening ?? 0, nesterov: h.nesterov ?? false, weight_decay: wd };
    case "RMSprop": return { lr: h.lr, alpha: h.alpha, eps: h.eps, momentum: h.momentum ?? 0, centered: h.centered ?? false, weight_decay: wd };
    default: return { lr: h.lr, betas: h.betas, eps: h.eps, weight_decay: wd };
  }
}

export interface TorchOptimizerState {
  /** For pipeline.json: the class, its param groups (torch parameter names and hyper-parameters) and each parameter's step count. */
  json: { class: string; param_groups: Record<string, unknown>[]; step: Record<string, number> };
  /** For optimizer.safetensors: "state.<index>.<buffer>", shaped like the parameter. */
  tensors: StoredTensor[];
}

/**
 * @param groups the torch names and shapes of each group's parameters, in descent's group order.
 * @param state descent's optimizer.stateDict() (its groups in the same order).
 */
export function torchOptimizerState(name: OptimizerName, groups: { name: string; shape: number[] }[][], state: OptimizerState<Record<string, unknown>>): TorchOptimizerState {
  const cls = torchOptimizerClass(name);
  const tensors: StoredTensor[] = [];
  const step: Record<string, number> = {};
  let index = 0;
  const paramGroups = groups.map((params, g) => {
    const hyper = state.groups[g];
    if (!hyper || state.state[g]?.length !== params.length) throw new ExportError(`optimizer state: group ${g} does not match the model's parameters`);
    params.forEach((p, i) => {
      const st = state.state[g]![i]!;
      for (const [buf, data] of Object.entries(st.buffers)) {
        const torchName = BUFFERS[cls]![buf];
        if (!torchName) throw new ExportError(`optimizer state: ${cls} has no buffer for descent's "${buf}"`);
        if (!(data instanceof Float32Array)) throw new ExportError(`optimizer state: buffer "${buf}" of ${p.name} is not float32`);
        tensors.push({ name: `state.${index}.${torchName}`, dtype: "F32", shape: p.shape, data });
      }
      step[String(index)] = st.step;
      index++;
    });
    return { ...torchHypers(cls, hyper as Record<string, unknown>), params: params.map((p) => p.name) };
  });
  return { json: { class: cls, param_groups: paramGroups, step }, tensors };
}
