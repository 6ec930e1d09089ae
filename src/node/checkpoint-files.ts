/**
 * Checkpoint files on disk. fit is synchronous, so a checkpoint is written between two epochs
 * with synchronous calls — atomically, like model files: temp file in the same directory → fsync
 * → rename → fsync the directory, so an interrupted write leaves the previous checkpoint intact.
 */
import { dirname } from "node:path";
import { writeFileAtomicSync } from "./atomic-write.js";
import { ModelFileError } from "../errors.js";
import { decodeCheckpoint, type Checkpoint } from "../train/checkpoint.js";
import { readFileBoundedSync } from "./read-file.js";

/** Writes a checkpoint; fs failures become messages that say what to do (the previous checkpoint is kept). */
export function saveCheckpoint(path: string, bytes: Uint8Array): void {
  try {
    writeFileAtomicSync(path, bytes);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? "";
    const why =
      code === "ENOENT" ? `the directory ${dirname(path)} does not exist — create it first or choose another --checkpoint path`
      : code === "EACCES" || code === "EPERM" ? "permission denied — choose a directory you can write to"
      : code === "ENOSPC" ? "the disk is full — free some space"
      : `${code || "error"}: ${(e as Error).message}`;
    throw new ModelFileError(`cannot write the checkpoint ${path}: ${why} (the previous checkpoint there is unchanged)`, { cause: e });
  }
}

/** Reads (bounded: a regular file of at most maxFileBytes) and decodes a checkpoint. */
export function loadCheckpoint(path: string): Checkpoint {
  const bytes = readFileBoundedSync(path, {
    error: ModelFileError,
    explain: (code) =>
      code === "ENOENT" ? "no such file — checkpoints are written by `descent train --checkpoint FILE`"
      : code === "EISDIR" ? "this is a directory, not a checkpoint file"
      : undefined,
  });
  return decodeCheckpoint(bytes, path);
}
