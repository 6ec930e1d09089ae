/**
 * The one way descent reads an input file: bounded. It opens without blocking (so a FIFO cannot
 * hang the open), checks on the open descriptor that it is a regular file no larger than the cap,
 * then reads exactly the size it saw — a file that grows meanwhile cannot make it read more.
 * Each loader keeps its own words for a missing or unreadable file (`explain`) and its own error class.
 */
import { printablePath } from "../text.js";
import { constants as bufferConstants } from "node:buffer";
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from "node:fs";
import { open } from "node:fs/promises";
import { DescentError } from "../errors.js";
import { formatBytes, limitHint, limits, type Limits } from "../limits.js";

export interface ReadOptions {
  /** Which cap applies (default maxFileBytes). */
  cap?: keyof Pick<Limits, "maxFileBytes" | "maxImageBytes">;
  /** The loader's text for an fs error code (ENOENT, EACCES, EISDIR …), or undefined for the generic one. */
  explain?: (code: string) => string | undefined;
  /** The error class for this kind of file (default DescentError); its message starts with the path. */
  error?: new (message: string, options?: ErrorOptions) => DescentError;
}

// O_NONBLOCK only matters for FIFOs and devices (regular files ignore it); Windows has no such flag.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** Reads a whole regular file of at most the cap. Throws `opts.error` naming the path for anything else. */
export async function readFileBounded(path: string, opts: ReadOptions = {}): Promise<Uint8Array> {
  let handle;
  try {
    handle = await open(path, OPEN_FLAGS);
  } catch (e) {
    throw failure(path, e, opts);
  }
  try {
    const bytes = allocateFor(path, await handle.stat(), opts);
    let filled = 0;
    while (filled < bytes.length) {
      const { bytesRead } = await handle.read(bytes, filled, Math.min(bytes.length - filled, CHUNK));
      if (bytesRead === 0) break; // shrank while read: the parser reports the truncation
      filled += bytesRead;
    }
    return bytes.subarray(0, filled);
  } catch (e) {
    throw e instanceof DescentError ? e : failure(path, e, opts);
  } finally {
    await handle.close();
  }
}

/** readFileBounded for synchronous callers (checkpoints are loaded between epochs of a synchronous fit). */
export function readFileBoundedSync(path: string, opts: ReadOptions = {}): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (e) {
    throw failure(path, e, opts);
  }
  try {
    const bytes = allocateFor(path, fstatSync(fd), opts);
    let filled = 0;
    while (filled < bytes.length) {
      const n = readSync(fd, bytes, filled, Math.min(bytes.length - filled, CHUNK), null);
      if (n === 0) break;
      filled += n;
    }
    return bytes.subarray(0, filled);
  } catch (e) {
    throw e instanceof DescentError ? e : failure(path, e, opts);
  } finally {
    closeSync(fd);
  }
}

/** One read call moves at most 2 GiB on some platforms; read in 64 MiB steps. */
const CHUNK = 64 * 1024 * 1024;

/** The buffer for a file that passed the checks: regular, and no larger than the cap. */
function allocateFor(path: string, st: Stats, opts: ReadOptions): Uint8Array {
  const Err = opts.error ?? DescentError;
  if (st.isDirectory()) throw new Err(`${printablePath(path)}: ${opts.explain?.("EISDIR") ?? "is a directory, not a file — pass a file inside it"}`);
  if (!st.isFile()) {
    throw new Err(`${printablePath(path)}: ${fileKind(st)}, not a regular file — descent reads only regular files; save the data to a file and pass that`);
  }
  const key = opts.cap ?? "maxFileBytes";
  if (st.size > limits()[key]) {
    throw new Err(`${printablePath(path)}: the file is ${formatBytes(st.size)}, larger than descent reads — ${limitHint(key)}`);
  }
  if (st.size > bufferConstants.MAX_LENGTH) {
    throw new Err(`${printablePath(path)}: the file is ${formatBytes(st.size)}, more than Node can hold in one buffer (${formatBytes(bufferConstants.MAX_LENGTH)})`);
  }
  return new Uint8Array(st.size);
}

function fileKind(st: Stats): string {
  if (st.isFIFO()) return "is a FIFO (named pipe)";
  if (st.isCharacterDevice()) return "is a character device";
  if (st.isBlockDevice()) return "is a block device";
  if (st.isSocket()) return "is a socket";
  return "is not a regular file";
}

/** An fs error in the loader's words, or a generic one naming the code. */
function failure(path: string, e: unknown, opts: ReadOptions): DescentError {
  const code = typeof e === "object" && e !== null && typeof (e as { code?: unknown }).code === "string" ? (e as { code: string }).code : "";
  const generic = code === "ENOENT" ? "no such file — check the path"
    : code === "EISDIR" ? "is a directory, not a file — pass a file inside it"
    : code === "EACCES" || code === "EPERM" ? "permission denied — check the file's permissions"
    : `cannot read it (${code || "error"}: ${e instanceof Error ? e.message : String(e)})`;
  return new (opts.error ?? DescentError)(`${printablePath(path)}: ${opts.explain?.(code) ?? generic}`, { cause: e });
}

/** The fs error code behind a readFileBounded failure ("ENOENT" …), or "" — for callers that treat a missing file as normal. */
export const failureCode = (e: unknown): string => {
  const cause = e instanceof Error ? (e.cause as { code?: unknown } | undefined) : undefined;
  return typeof cause?.code === "string" ? cause.code : "";
};
