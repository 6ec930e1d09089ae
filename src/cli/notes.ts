/** Notes a loader attaches to what it read (e.g. "written without a checksum by an older descent"), printed on stderr. */
import pc from "picocolors";

export function noted<T extends { notes: string[] }>(loaded: T): T {
  for (const n of loaded.notes) process.stderr.write(pc.dim(`descent: note: ${n}\n`));
  return loaded;
}
