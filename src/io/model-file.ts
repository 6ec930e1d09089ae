/**
 * descent's model file: a safetensors file (weights loadable by any safetensors reader) whose
 * "__metadata__" says what it is and how to rebuild the network:
 *   format: "descent-model", version: "1",
 *   architecture: JSON of model.spec(), training: JSON of free-form training facts,
 *   checksum: CRC-32 of the file (see safetensors.ts; files from before it load, with a note).
 * Loading rebuilds the model from the spec through nn/registry.ts — nothing in the file is run —
 * and checks every tensor against what that architecture needs before copying a single value.
 */
import { Module, type LayerSpec } from "../nn/module.js";
import { buildModule } from "../nn/registry.js";
import { ModelFileError } from "../errors.js";
import { fmt, sameShape } from "../shape.js";
import { decodeSafetensors, encodeSafetensors, type StoredTensor } from "./safetensors.js";
import { parseJsonStrict } from "./json-strict.js";
import { excerpt, printablePath, quoted } from "../text.js";

/** Tensor problems named in one message. */
const MAX_LISTED = 10;

export const MODEL_FORMAT = "descent-model";
export const MODEL_VERSION = "1";
const MODEL_KEYS = ["format", "version", "architecture", "training"];

/** The note for a file without a checksum (written before descent added them). */
export const noChecksumNote = (name: string) => `${name}: written without a checksum by an older descent; re-save it to add one`;

export interface ModelMeta {
  /** Free-form: preset, hyper-parameters, epochs, accuracy, seed, date… (must be JSON-serialisable). */
  training: Record<string, unknown>;
}

/** Weights in stateDict order (float32 → F32, float64 → F64) plus architecture and training facts. */
export function encodeModel(model: Module, meta: ModelMeta): Uint8Array {
  const tensors: StoredTensor[] = Object.entries(model.stateDict()).map(([name, t]) => ({
    name,
    dtype: t.data instanceof Float64Array ? "F64" : "F32",
    shape: [...t.shape],
    data: t.data,
  }));
  return encodeSafetensors(tensors, {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    architecture: JSON.stringify(model.spec()),
    training: JSON.stringify(meta.training),
  }, { checksum: true });
}

/**
 * Refuses metadata entries a descent file of this version does not have. Besides strictness this
 * closes the checksum's one gap: damage to the word "checksum" itself would otherwise make a
 * checksummed file look like an old one without a checksum.
 */
export function checkMetadataKeys(metadata: Record<string, string>, known: readonly string[], fail: (what: string) => never): void {
  const unknown = Object.keys(metadata).filter((k) => !known.includes(k));
  if (unknown.length > 0) {
    fail(`__metadata__ has ${unknown.length === 1 ? "an unknown entry" : "unknown entries"} ${unknown.slice(0, 5).map((k) => JSON.stringify(k.slice(0, 80))).join(", ")} ` +
      `(descent writes only ${known.join(", ")}) — the file was edited or damaged; use the original file or a backup`);
  }
}

/**
 * Validates and rebuilds a model. `architecture` is the rebuilt model's own spec (defaults filled
 * in); `meta.training` is parsed with parseJsonStrict. `notes` are things worth telling the user
 * that do not stop the load (a file without a checksum).
 */
export function decodeModel(bytes: Uint8Array, name: string): { model: Module; meta: ModelMeta; architecture: LayerSpec; notes: string[] } {
  const { metadata, tensors, checksummed } = decodeSafetensors(bytes, name);
  const [format, version, architectureJson, trainingJson] = ["format", "version", "architecture", "training"].map((k) =>
    Object.hasOwn(metadata, k) ? metadata[k] : undefined,
  );
  const fail = (what: string): never => {
    throw new ModelFileError(`${printablePath(name)}: ${what}`);
  };
  if (format === "descent-checkpoint") {
    fail(`this is a training checkpoint, not a model file — continue the run with \`descent train --resume ${printablePath(name)}\`; the model file is written when it finishes (--out)`);
  }
  if (format !== MODEL_FORMAT) {
    const names = [...tensors.keys()];
    const listed = names.slice(0, 5).map((n) => quoted(n)).join(", ") + (names.length > 5 ? ", …" : "");
    fail(
      `not a descent model file: its __metadata__ has ${format === undefined ? "no" : `"format": ${excerpt(format)}, not`} "format": "${MODEL_FORMAT}". ` +
        `It is a safetensors file with ${names.length} tensor${names.length === 1 ? "" : "s"}${names.length ? ` (${listed})` : ""} but no architecture descent can rebuild — ` +
        "load a file written by `descent train --out <path>`",
    );
  }
  if (version !== MODEL_VERSION) {
    fail(`model file version ${excerpt(version ?? null)} is not supported (this descent reads version ${MODEL_VERSION}) — re-save it with this version of descent`);
  }
  checkMetadataKeys(metadata, MODEL_KEYS, fail);
  if (architectureJson === undefined) return fail('__metadata__ has no "architecture" entry — the file is incomplete; save it again');
  if (trainingJson === undefined) return fail('__metadata__ has no "training" entry — the file is incomplete; save it again');

  const model = buildModule(parseJsonStrict(architectureJson, `${name}: architecture`), `${name}: model`);
  const training = parseJsonStrict(trainingJson, `${name}: training metadata`);
  if (typeof training !== "object" || training === null || Array.isArray(training)) {
    fail(`training metadata must be a JSON object, found ${excerpt(training)} — the file is corrupt`);
  }

  const problems = tensorProblems(model, tensors);
  if (problems.length > 0) {
    fail(`${listProblems(problems)} — the weights do not fit the stored architecture (file edited or corrupt); retrain with \`descent train --out <path>\``);
  }
  model.loadStateDict(Object.fromEntries(tensors), name);
  return { model, meta: { training: training as Record<string, unknown> }, architecture: model.spec(), notes: checksummed ? [] : [noChecksumNote(name)] };
}

/** A hostile file may hold thousands of stray tensors: name the first few problems, count the rest. */
export const listProblems = (problems: string[]): string =>
  (problems.length > MAX_LISTED ? [...problems.slice(0, MAX_LISTED), `and ${problems.length - MAX_LISTED} more problems`] : problems).join("; ");

/**
 * Checks stored tensors against a model: every tensor its state dict has, with its shape and
 * dtype, and nothing else. Returns one line per problem (empty when they fit); checkpoints use it too.
 */
export function tensorProblems(model: Module, tensors: Map<string, StoredTensor>): string[] {
  const own = model.stateDict();
  const problems: string[] = [];
  for (const [k, t] of Object.entries(own)) {
    const found = tensors.get(k);
    const layer = describeOwner(model, k);
    const dtype = t.data instanceof Float64Array ? "F64" : "F32";
    if (!found) {
      problems.push(`tensor ${quoted(k)} ${fmt(t.shape)} needed by the architecture (${layer}) is missing`);
    } else if (!sameShape(found.shape, t.shape)) {
      problems.push(`tensor ${quoted(k)} has shape ${fmt(found.shape)}, but the architecture (${layer}) needs ${fmt(t.shape)}`);
    } else if (found.dtype !== dtype) {
      problems.push(`tensor ${quoted(k)} is ${found.dtype}, but the architecture (${layer}) stores ${dtype}`);
    }
  }
  const unexpected = [...tensors.keys()].filter((k) => !Object.hasOwn(own, k));
  for (const k of unexpected) problems.push(`tensor ${quoted(k)} is not part of the architecture`);
  return problems;
}

/** "Linear 100→10" for the module owning "layers.2.weight". */
function describeOwner(model: Module, tensorName: string): string {
  let m = model;
  let rest = tensorName;
  for (let descended = true; descended; ) {
    descended = false;
    for (const [child, sub] of m.namedChildren()) {
      if (rest.startsWith(`${child}.`)) {
        m = sub;
        rest = rest.slice(child.length + 1);
        descended = true;
        break;
      }
    }
  }
  const spec = m.spec();
  return spec.type === "Linear" ? `Linear ${String(spec.inFeatures)}→${String(spec.outFeatures)}` : spec.type;
}
