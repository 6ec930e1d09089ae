/**
 * Run locks: two training runs writing the same model or checkpoint file would each be told they
 * saved it while one silently replaced the other's work. A run takes `<file>.lock` (created
 * exclusively, holding the owner's pid, host and command) before it starts, and removes it when it
 * ends, however it ends (the process's exit handler). A lock whose process is gone (same host) is
 * stale and taken over; any other is refused with who holds it and what to do.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { resolve } from "node:path";
import { ModelFileError } from "../errors.js";
import { processAlive } from "./atomic-write.js";

interface LockOwner {
  pid: number;
  host: string;
  started: string;
  command: string;
}

const held = new Set<string>();
let exitHookInstalled = false;

/** Removes every lock this process holds (synchronous: safe in an exit handler). */
export function releaseAllLocks(): void {
  for (const lock of held) removeIfOurs(lock);
  held.clear();
}

function removeIfOurs(lock: string): void {
  try {
    const owner = JSON.parse(readFileSync(lock, "utf8")) as Partial<LockOwner>;
    if (owner.pid === process.pid && owner.host === hostname()) unlinkSync(lock);
  } catch {
    // gone already, or not ours
  }
}

/**
 * Takes the lock of `file` for this process, or throws a ModelFileError naming the run that holds
 * it. `flag` is the option that named the file (for the message). Returns a release function.
 */
export function acquireLock(file: string, flag: string): () => void {
  const lock = `${resolve(file)}.lock`;
  if (held.has(lock)) return () => undefined; // the same run names the file twice (e.g. --out and an ensemble member)
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(lock, "wx");
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== "EEXIST") {
        throw new ModelFileError(`${flag} ${file}: cannot create the lock file ${lock} (${code ?? String(e)}) — check that its directory exists and is writable`);
      }
      const owner = readOwner(lock);
      if (owner && owner.host === hostname() && !processAlive(owner.pid)) {
        try {
          unlinkSync(lock); // stale: its run was killed without cleaning up
        } catch {
          // another process took it over first: try again, and see who holds it now
        }
        continue;
      }
      const who = owner
        ? `another descent run (pid ${owner.pid}${owner.host === hostname() ? "" : ` on ${owner.host}`}, started ${owner.started}: ${owner.command})`
        : "another descent run";
      throw new ModelFileError(
        `${flag} ${file} is being written by ${who} — wait for it to finish or choose another file; ` +
          `if no such run exists any more, delete ${lock}`,
      );
    }
    const owner: LockOwner = { pid: process.pid, host: hostname(), started: new Date().toISOString(), command: process.argv.slice(2).join(" ").slice(0, 200) };
    try {
      writeSync(fd, JSON.stringify(owner));
    } finally {
      closeSync(fd);
    }
    held.add(lock);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on("exit", releaseAllLocks);
    }
    return () => {
      if (held.delete(lock)) removeIfOurs(lock);
    };
  }
  throw new ModelFileError(`${flag} ${file}: could not take its lock ${lock} (another run keeps taking it) — try again`);
}

function readOwner(lock: string): LockOwner | null {
  try {
    const v = JSON.parse(readFileSync(lock, "utf8").slice(0, 4096)) as Partial<LockOwner>;
    if (typeof v.pid === "number" && Number.isSafeInteger(v.pid) && v.pid > 0 && typeof v.host === "string") {
      return { pid: v.pid, host: v.host.slice(0, 100), started: String(v.started ?? "?").slice(0, 40), command: String(v.command ?? "").slice(0, 200) };
    }
  } catch {
    // unreadable or half-written: treat as held by an unknown run
  }
  return null;
}
