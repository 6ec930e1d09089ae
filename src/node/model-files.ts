/** Model files on disk: atomic writes, and loads with messages that say what to do. */
import { open, rename, unlink } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { basename, dirname, join } from "node:path";
import { ModelFileError } from "../errors.js";
import type { Module } from "../nn/module.js";
import { decodeModel, encodeModel, type ModelMeta } from "../io/model-file.js";
import { readFileBounded } from "./read-file.js";

/**
 * Replaces `path` with `bytes` so that a crash or error leaves either the old file or the new one,
 * never a mix: temp file in the same directory → fsync → rename over the target → fsync the
 * directory. On failure the temp file is removed and an existing target is untouched.
 * Throws the underlying fs error (callers turn it into a message).
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  let created = false;
  try {
    const file = await open(temp, "wx");
    created = true;
    try {
      await file.writeFile(bytes);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, path);
    created = false;
  } catch (e) {
    if (created) await unlink(temp).catch(() => undefined);
    throw e;
  }
  await syncDirectory(dir);
}

/** Makes the rename durable. Some platforms (Windows) cannot open a directory; there it is skipped. */
async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, "r");
  } catch (e) {
    if (["EISDIR", "EPERM", "EACCES"].includes(errorCode(e))) return;
    throw e;
  }
  try {
    await handle.sync();
  } catch (e) {
    if (!["EINVAL", "EPERM", "EBADF"].includes(errorCode(e))) throw e;
  } finally {
    await handle.close();
  }
}

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
  const bytes = await readFileBounded(path, {
    error: ModelFileError,
    explain: (code) =>
      code === "ENOENT" ? `no such file — train a model first with \`descent train --out ${path}\`, or check the path`
      : code === "EISDIR" ? "this is a directory, not a model file — pass the .safetensors file inside it"
      : code === "EACCES" || code === "EPERM" ? "permission denied — check the file's permissions"
      : undefined,
  });
  return decodeModel(bytes, path);
}

const errorCode = (e: unknown): string =>
  typeof e === "object" && e !== null && typeof (e as { code?: unknown }).code === "string" ? (e as { code: string }).code : "";
