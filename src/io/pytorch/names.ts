/**
 * The torch.nn module equivalent to a descent model, and the correspondence of their tensor names:
 * descent "layers.0.weight" is torch "layers.0.weight" (the top Sequential becomes Model.layers),
 * a nested Sequential's "body.layers.1.weight" is torch "body.1.weight" (nn.Sequential names its
 * children 0, 1, …), BatchNorm's "runningMean" is "running_mean". Both directions — export writes
 * torch names, import reads them — use this one walk over the rows of layers.ts.
 */
import type { Module, LayerSpec } from "../../nn/module.js";
import { ExportError } from "../onnx/graph.js";
import { quoted } from "../../text.js";
import { PYTORCH_LAYERS, pyLiteral, type PyTorchLayer } from "./layers.js";

export interface TorchModule {
  /** The Python expression building the network (Model.layers in model.py). */
  code: string;
  /** descent tensor name → torch state_dict name, in descent's state-dict order. */
  names: Map<string, string>;
  /** Full torch names of state_dict entries descent does not keep (BatchNorm's num_batches_tracked). */
  torchOnly: Set<string>;
  /** Helper classes model.py must define. */
  classes: Set<string>;
}

interface Node {
  descent: string;
  torch: string;
  row: PyTorchLayer;
  spec: LayerSpec;
}

/** Walks `model`'s spec through the PyTorch table. Throws an ExportError naming the first layer it has no row for. */
export function torchModule(model: Module): TorchModule {
  const nodes: Node[] = [];
  const classes = new Set<string>();
  const spec = model.spec();

  const walk = (s: LayerSpec, descent: string, torch: string, where: string): string => {
    const row = PYTORCH_LAYERS.get(s.type);
    if (!row) {
      throw new ExportError(`layer ${quoted(where || "model")} (${quoted(s.type)}) has no PyTorch equivalent in descent's export table — register one with registerPyTorchLayer`);
    }
    nodes.push({ descent, torch, row, spec: s });
    for (const c of typeof row.classes === "function" ? row.classes(s) : row.classes ?? []) classes.add(c);
    return row.module({
      spec: s,
      where: where || "model",
      child: (key, torchKey) => {
        const sub = childSpec(s, key, where);
        return walk(sub, `${descent}${key}.`, `${torch}${torchKey}.`, where ? `${where}.${key}` : key);
      },
      list: (key) => (Array.isArray(s[key]) ? (s[key] as unknown[]).map((_, i) => `${key}.${i}`) : []),
      py: (key, fallback) => pyLiteral(s[key] ?? fallback, `layer ${quoted(where || "model")} (${s.type}) "${key}"`),
      fail: (why) => {
        throw new ExportError(`layer ${quoted(where || "model")} (${quoted(s.type)}): ${why}`);
      },
    });
  };

  // Model.layers is always an nn.Sequential: descent's top Sequential keeps its names ("layers.0…"),
  // any other top layer becomes its only element ("layers.0.").
  let code: string;
  if (spec.type === "Sequential" && Array.isArray(spec.layers)) {
    nodes.push({ descent: "", torch: "", row: PYTORCH_LAYERS.get("Sequential")!, spec });
    const items = (spec.layers as LayerSpec[]).map((s, i) => walk(s, `layers.${i}.`, `layers.${i}.`, `layers.${i}`));
    code = `nn.Sequential(\n${items.map((c) => `    ${c.replace(/\n/g, "\n    ")},`).join("\n")}\n)`;
  } else {
    code = `nn.Sequential(${walk(spec, "", "layers.0.", "")})`;
  }

  const names = new Map<string, string>();
  const torchOnly = new Set<string>();
  for (const name of Object.keys(model.stateDict())) {
    const owner = ownerOf(nodes, name);
    const own = name.slice(owner.descent.length);
    const renames = typeof owner.row.renames === "function" ? owner.row.renames(owner.spec) : owner.row.renames;
    names.set(name, owner.torch + (renames?.[own] ?? own));
  }
  for (const n of nodes) for (const t of n.row.torchOnly ?? []) torchOnly.add(n.torch + t);
  return { code, names, torchOnly, classes };
}

/** The deepest layer whose path is a prefix of the tensor's name. */
function ownerOf(nodes: Node[], name: string): Node {
  let best: Node | undefined;
  for (const n of nodes) if (name.startsWith(n.descent) && (!best || n.descent.length > best.descent.length)) best = n;
  return best!;
}

function childSpec(s: LayerSpec, key: string, where: string): LayerSpec {
  let v: unknown = s;
  for (const part of key.split(".")) v = (v as Record<string, unknown> | undefined)?.[part];
  if (typeof v !== "object" || v === null || typeof (v as LayerSpec).type !== "string") {
    throw new ExportError(`layer ${quoted(where || "model")} (${s.type}): its child "${key}" is not a layer`);
  }
  return v as LayerSpec;
}
