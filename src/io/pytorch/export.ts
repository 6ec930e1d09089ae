/**
 * A descent model as a PyTorch project directory, bytes out (writing the files is the CLI's job):
 *   model.py            the network as a torch.nn.Module (model-py.ts), readable;
 *   model.safetensors   its weights and buffers under the names of that module's state_dict();
 *   pipeline.json       the input (shape, pixel scaling or the table's encoding and standardisation),
 *                       targets and classes, the data split, the training settings, the name map;
 *   train_ddp.py        continues the training under torch.distributed (train-ddp-py.ts);
 *   optimizer.safetensors  when exported from a checkpoint: the optimizer's moments (optimizer.ts).
 */
import type { Module } from "../../nn/module.js";
import type { TablePrep } from "../../data/table-prep.js";
import { encodeSafetensors, type StoredTensor } from "../safetensors.js";
import { VERSION } from "../../version.js";
import { torchModule } from "./names.js";
import { modelPy } from "./model-py.js";
import { TRAIN_DDP_PY } from "./train-ddp-py.js";
import type { TorchOptimizerState } from "./optimizer.js";

export const PIPELINE_FORMAT = "descent-pytorch";
export const PIPELINE_VERSION = 1;

export interface PyTorchExportOptions {
  /** The shape of one example: [784], [1, 28, 28], [features]. */
  inputShape: readonly number[];
  title: string;
  inputDoc: string;
  outputDoc: string;
  tablePrep?: TablePrep;
  /** What pipeline.json says besides the architecture, the name map and the optimizer: data, split, settings, training record. */
  pipeline: Record<string, unknown>;
  /** From a checkpoint: the optimizer's state in torch.optim's layout. */
  optimizer?: TorchOptimizerState;
}

export interface PyTorchExport {
  files: { name: string; bytes: Uint8Array }[];
  /** descent tensor name → torch name. */
  names: Map<string, string>;
  tensors: number;
}

export function exportPytorch(model: Module, opts: PyTorchExportOptions): PyTorchExport {
  const torch = torchModule(model);
  const tensors: StoredTensor[] = Object.entries(model.stateDict()).map(([name, t]) => ({
    name: torch.names.get(name)!,
    dtype: t.data instanceof Float64Array ? "F64" : "F32",
    shape: [...t.shape],
    data: t.data,
  }));
  const py = modelPy({
    code: torch.code, classes: torch.classes, inputShape: opts.inputShape, title: opts.title,
    inputDoc: opts.inputDoc, outputDoc: opts.outputDoc, ...(opts.tablePrep ? { tablePrep: opts.tablePrep } : {}),
  });
  const pipeline = {
    format: PIPELINE_FORMAT,
    version: PIPELINE_VERSION,
    descentVersion: VERSION,
    ...opts.pipeline,
    architecture: model.spec(),
    tensors: Object.fromEntries(torch.names),
    optimizer: opts.optimizer?.json ?? null,
  };
  const text = (s: string) => new TextEncoder().encode(s);
  const files = [
    { name: "model.py", bytes: text(py) },
    { name: "model.safetensors", bytes: encodeSafetensors(tensors, { format: "pt" }) },
    { name: "pipeline.json", bytes: text(`${JSON.stringify(pipeline, null, 2)}\n`) },
    { name: "train_ddp.py", bytes: text(TRAIN_DDP_PY) },
  ];
  // Only a checkpoint's optimizer has state (step counts) to carry.
  if (opts.optimizer && Object.keys(opts.optimizer.json.step).length > 0) files.push({ name: "optimizer.safetensors", bytes: encodeSafetensors(opts.optimizer.tensors, { format: "pt" }) });
  return { files, names: torch.names, tensors: tensors.length };
}
