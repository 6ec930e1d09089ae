/**
 * Checks made before a run starts on the files it will write, so that a long run never ends with
 * "cannot save": the directory exists and is writable, the path is not a directory, a pipe or a
 * device, and no two roles (model, checkpoint) share one file.
 */
import { accessSync, constants, statSync, type Stats } from "node:fs";
import { dirname, resolve } from "node:path";
import { UsageError } from "../errors.js";

export interface OutputFile {
  /** The path as the user gave it. */
  path: string;
  /** The option that named it, e.g. "--out" (for messages). */
  flag: string;
  /** What it will hold, e.g. "model file" or "checkpoint". */
  what: string;
}

const statOrNull = (path: string): Stats | null => {
  try {
    return statSync(path);
  } catch {
    return null;
  }
};

/** Throws a UsageError for the first file that cannot be written as planned. */
export function checkOutputFiles(files: OutputFile[]): void {
  for (const f of files) checkOne(f);
  for (let i = 0; i < files.length; i++) {
    for (let j = i + 1; j < files.length; j++) {
      const [a, b] = [files[i]!, files[j]!];
      if (sameFile(a.path, b.path)) {
        throw new UsageError(`${a.flag} ${a.path} and ${b.flag} ${b.path} are the same file: the ${a.what} would overwrite the ${b.what} — give them different names`);
      }
    }
  }
}

function checkOne({ path, flag, what }: OutputFile): void {
  const dir = dirname(resolve(path));
  const d = statOrNull(dir);
  if (!d) throw new UsageError(`${flag} ${path}: the directory ${dirname(path)} does not exist — create it first or choose another path for the ${what}`);
  if (!d.isDirectory()) throw new UsageError(`${flag} ${path}: ${dirname(path)} is not a directory`);
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch {
    throw new UsageError(`${flag} ${path}: the directory ${dirname(path)} is not writable — choose a directory you can write to for the ${what}`);
  }
  const s = statOrNull(path);
  if (!s) return;
  if (s.isDirectory()) throw new UsageError(`${flag} ${path} is a directory — give a file path inside it for the ${what}`);
  if (!s.isFile()) throw new UsageError(`${flag} ${path} exists and is not a regular file (a pipe, socket or device) — choose another path for the ${what}`);
}

/** Same path after resolving, or the same existing file (hard or symbolic links). */
function sameFile(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  const [sa, sb] = [statOrNull(a), statOrNull(b)];
  return sa !== null && sb !== null && sa.dev === sb.dev && sa.ino === sb.ino;
}
