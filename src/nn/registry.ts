/**
 * Layer specs → modules. Model files store `spec()` output; loading rebuilds the model here and
 * never runs anything from the file. Each field, and the total parameter count, is validated before
 * anything is allocated. The layer types are the registered definitions (nn/layer.ts): every
 * built-in registers itself from its own file, and registerLayer adds a user's own.
 */
import "./layers/index.js";
import type { Module } from "./module.js";
import { planLayer } from "./layer.js";
import { ModelFileError } from "../errors.js";
import { checkParameters } from "../limits.js";

export { LAYER_TYPES, registerLayer, layerDefinition, layerDefinitions, leaf, SpecReader, type LayerDefinition, type LayerPlan, type ArchToken, type ArchContext } from "./layer.js";

/**
 * Rebuilds a module from its spec (weights are left at their defaults; load them after). Every
 * field is checked, and the whole model's parameter count against limits().maxParameters, before
 * any layer is allocated.
 */
export function buildModule(spec: unknown, where = "model"): Module {
  const p = planLayer(spec, where, 0);
  checkParameters(p.params, where, (message) => new ModelFileError(message));
  return p.make();
}

/** The parameter count (with BatchNorm's running statistics) of a spec, checking it as buildModule does but allocating nothing. */
export const specParameters = (spec: unknown, where = "model"): number => planLayer(spec, where, 0).params;
