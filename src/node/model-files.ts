/** Model files on disk: atomic writes, and loads with messages that say what to do. */
import { dirname } from "node:path";
import { ModelFileError } from "../errors.js";
import type { Module } from "../nn/module.js";
import { decodeModel, encodeModel, type ModelMeta } from "../io/model-file.js";
import { errorCode, writeFileAtomic } from "./atomic-write.js";
import { readFileBounded } from "./read-file.js";

export { writeFileAtomic };

/** Writes the model file atomically; fs failures become ModelFileErrors that say what to do. */
export async function saveModel(path: string, model: Module, meta: ModelMeta): Promise<void> {
  const bytes = encodeModel(model, meta);
  try {
    await writeFileAtomic(path, bytes);
  } catch (e) {
    const code = errorCode(e);
    const why =
      code === "ENOENT" ? `the directory ${dirname(path)} does not exist — create it first or choose another --out path`
      : code === "EISDIR" ? "that path is a directory — give a file path such as model.safetensors inside it"
      : code === "EACCES" || code === "EPERM" ? `permission denied — choose a directory you can write to`
      : code === "ENOSPC" ? "the disk is full — free some space and save again"
      : `${code || "error"}: ${(e as Error).message}`;
    throw new ModelFileError(`cannot save the model to ${path}: ${why} (any existing file there is unchanged)`, { cause: e });
  }
}

/** Reads (bounded: a regular file of at most maxFileBytes), validates and rebuilds a model file written by `saveModel`. */
export async function loadModel(path: string): Promise<ReturnType<typeof decodeModel>> {
  return decodeModel(await readModelBytes(path), path);
}

/** A model file's bytes, unvalidated (decodeModel checks them), read bounded (a regular file of at most maxFileBytes). */
export function readModelBytes(path: string): Promise<Uint8Array> {
  return readFileBounded(path, {
    error: ModelFileError,
    explain: (code) =>
      code === "ENOENT" ? `no such file — train a model first with \`descent train --out ${path}\`, or check the path`
      : code === "EISDIR" ? "this is a directory, not a model file — pass the .safetensors file inside it"
      : code === "EACCES" || code === "EPERM" ? "permission denied — check the file's permissions"
      : undefined,
  });
}
