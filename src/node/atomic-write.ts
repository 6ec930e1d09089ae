/**
 * Atomic file replacement for model files and checkpoints: temp file in the same directory → fsync
 * → rename over the target → fsync the directory, so a crash leaves either the old file or the new
 * one, never a mix. Temp files never outlive their write:
 *  - a write that fails removes its temp file;
 *  - while a write is in flight its temp path is registered, and the process's exit handler (which
 *    also runs when a second Ctrl-C makes the CLI quit at once) removes it;
 *  - a temp file left by a process that was killed outright (SIGKILL, power loss) is named after
 *    its pid: the next write of the same target removes it once that process is gone.
 */
import { closeSync, fsyncSync, openSync, readdirSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { open, rename, unlink } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { basename, dirname, join } from "node:path";

const inFlight = new Set<string>();
let exitHookInstalled = false;

function track(temp: string): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on("exit", removeTempFilesNow);
  }
  inFlight.add(temp);
}

/** Removes the temp files of writes still in flight (synchronous: safe in an exit handler). */
export function removeTempFilesNow(): void {
  for (const temp of inFlight) {
    try {
      unlinkSync(temp);
    } catch {
      // already renamed or removed
    }
  }
  inFlight.clear();
}

/** `.model.safetensors.<pid>.<random>.tmp` beside the target. */
function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
}

/** True while a process with this pid exists (on this machine). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"; // exists, owned by someone else
  }
}

/** Removes temp files of `path` whose writer process no longer exists (a writer killed outright). */
export function removeStaleTempFiles(path: string): void {
  const dir = dirname(path);
  const prefix = `.${basename(path)}.`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith(".tmp")) continue;
    const m = /^(\d+)\.[0-9a-f]{12}\.tmp$/.exec(name.slice(prefix.length));
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || processAlive(pid)) continue;
    try {
      unlinkSync(join(dir, name));
    } catch {
      // raced with another cleaner, or not ours to remove: leave it
    }
  }
}

/** Replaces `path` with `bytes` atomically. Throws the underlying fs error (callers turn it into a message). */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  removeStaleTempFiles(path);
  const temp = tempPathFor(path);
  track(temp);
  try {
    const file = await open(temp, "wx");
    try {
      await file.writeFile(bytes);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, path);
  } catch (e) {
    await unlink(temp).catch(() => undefined);
    throw e;
  } finally {
    inFlight.delete(temp);
  }
  await syncDirectory(dirname(path));
}

/** The same, synchronously (checkpoints are written between two epochs of a synchronous loop). */
export function writeFileAtomicSync(path: string, bytes: Uint8Array): void {
  removeStaleTempFiles(path);
  const temp = tempPathFor(path);
  track(temp);
  let fd: number | null = null;
  try {
    fd = openSync(temp, "wx");
    for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(temp, path);
  } catch (e) {
    if (fd !== null) closeSync(fd);
    try {
      unlinkSync(temp);
    } catch {
      // never created
    }
    throw e;
  } finally {
    inFlight.delete(temp);
  }
  try {
    const d = openSync(dirname(path), "r");
    try {
      fsyncSync(d);
    } finally {
      closeSync(d);
    }
  } catch {
    // Some platforms cannot open or sync a directory; the rename itself has happened.
  }
}

/** Makes the rename durable. Some platforms (Windows) cannot open a directory; there it is skipped. */
async function syncDirectory(path: string): Promise<void> {
  let handle;
  try {
    handle = await open(path, "r");
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

export const errorCode = (e: unknown): string =>
  typeof e === "object" && e !== null && typeof (e as { code?: unknown }).code === "string" ? (e as { code: string }).code : "";
