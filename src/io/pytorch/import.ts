/**
 * Weights saved by PyTorch (safetensors.torch.save_file(model.state_dict()), or model.py's
 * save_safetensors) into a descent model of the same architecture. Every tensor is checked against
 * the architecture before a value is copied: names (torch's, names.ts), shapes, dtypes. float32 is
 * taken as is; float64 is converted to float32 (said in a note: descent trains in float32); BatchNorm's
 * integer num_batches_tracked is accepted and dropped (descent keeps no such counter); any other
 * dtype, a missing, extra or mis-shaped tensor is refused with the tensor named.
 */
import type { Module } from "../../nn/module.js";
import { ModelFileError } from "../../errors.js";
import { fmt, sameShape } from "../../shape.js";
import { printablePath, quoted } from "../../text.js";
import { decodeSafetensors } from "../safetensors.js";
import { listProblems } from "../model-file.js";
import { torchModule } from "./names.js";

export interface PyTorchImport {
  /** Things to tell the user that did not stop the import (float64 converted, counters dropped). */
  notes: string[];
  tensors: number;
}

/** Reads `bytes` (a safetensors file with torch names) into `model`'s tensors; `file` names it in messages. */
export function importPytorch(model: Module, bytes: Uint8Array, file: string): PyTorchImport {
  const { tensors, others } = decodeSafetensors(bytes, file, { otherDtypes: true });
  const { names, torchOnly } = torchModule(model);
  const own = model.stateDict();
  const problems: string[] = [];
  const converted: string[] = [];
  const values: Record<string, { data: Float32Array; shape: number[] }> = {};
  const expected = new Set(names.values());

  for (const [descentName, torchName] of names) {
    const need = own[descentName]!;
    const found = tensors.get(torchName);
    const other = others.find((o) => o.name === torchName);
    if (!found && !other) {
      problems.push(`tensor ${quoted(torchName)} ${fmt(need.shape)} is missing`);
    } else if (other) {
      problems.push(`tensor ${quoted(torchName)} is ${other.dtype}, but descent reads float32 (or float64) weights — save it as float32 (tensor.float())`);
    } else if (!sameShape(found!.shape, need.shape)) {
      problems.push(`tensor ${quoted(torchName)} has shape ${fmt(found!.shape)}, but the architecture needs ${fmt(need.shape)}`);
    } else {
      if (found!.dtype === "F64") converted.push(torchName);
      values[descentName] = { data: found!.data instanceof Float32Array ? found!.data : Float32Array.from(found!.data), shape: found!.shape };
    }
  }
  const dropped: string[] = [];
  for (const name of tensors.keys()) if (!expected.has(name)) problems.push(torchOnly.has(name) ? `tensor ${quoted(name)} should be an integer counter, found float` : `tensor ${quoted(name)} is not part of the architecture`);
  for (const o of others) {
    if (expected.has(o.name)) continue;
    if (torchOnly.has(o.name) && /^[IU]\d+$/.test(o.dtype) && o.shape.length === 0) dropped.push(o.name);
    else problems.push(`tensor ${quoted(o.name)} (${o.dtype} ${fmt(o.shape)}) is not part of the architecture`);
  }
  if (problems.length > 0) {
    throw new ModelFileError(`${printablePath(file)}: ${listProblems(problems)} — the weights do not fit the architecture (${describe(names)}); export the model again with descent export --format pytorch, or pass the --arch it was trained with`);
  }
  model.loadStateDict(values, file);
  const notes: string[] = [];
  if (converted.length > 0) notes.push(`${printablePath(file)}: ${converted.length} float64 tensor${converted.length === 1 ? "" : "s"} (${converted.slice(0, 3).map(quoted).join(", ")}${converted.length > 3 ? ", …" : ""}) rounded to float32, as descent trains`);
  if (dropped.length > 0) notes.push(`${printablePath(file)}: dropped PyTorch's BatchNorm step counters (${dropped.length}× num_batches_tracked; descent keeps none)`);
  return { notes, tensors: names.size };
}

/** "layers.0.weight, layers.0.bias, … (6 tensors)" */
function describe(names: Map<string, string>): string {
  const list = [...names.values()];
  return `${list.slice(0, 4).join(", ")}${list.length > 4 ? ", …" : ""} (${list.length} tensor${list.length === 1 ? "" : "s"})`;
}
