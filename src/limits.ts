/**
 * Caps on what a file, a flag or an architecture may make descent allocate, checked before the
 * allocation — so a 66-byte PNG declaring 30000×30000 pixels, a gzip bomb or a spec declaring
 * billions of weights gets a clear message instead of gigabytes of memory, a crash or a hang.
 *
 * The defaults are far above anything descent needs (MNIST's largest file is 47 MB, the largest
 * preset has under 2 million parameters) and far below what takes a laptop down. The CLI reads
 * the DESCENT_MAX_* environment variables (see LIMIT_VARIABLES) with `limitsFromEnv`; code using
 * the library calls `setLimits`. No Node APIs here: the environment is passed in.
 */
import { UsageError } from "./errors.js";

export interface Limits {
  /** Bytes of a model file, checkpoint or IDX file read from disk (default 1 GiB). */
  maxFileBytes: number;
  /** Bytes a gzip-compressed IDX file may inflate to (default 1 GiB; MNIST's largest is 47 MB). */
  maxInflatedBytes: number;
  /** Bytes of a PNG file for `predict` (default 64 MiB). */
  maxImageBytes: number;
  /** Pixels (width × height) of a PNG for `predict` (default 40 million, a 40-megapixel photo; decoding one that size peaks near 1 GB for 16-bit RGBA). */
  maxImagePixels: number;
  /** Parameters of a whole model, counted from its architecture before any layer is allocated (default 100 million: 400 MB of float32, 1.2 GB with Adam's state). */
  maxParameters: number;
  /**
   * Cells (rows × columns, header included) of a CSV table, counted while it is parsed, and values
   * of its encoded feature matrix (one-hot columns multiply them). Default 10 million: a 72 MB file
   * of short numbers, parsed in about 11 s into about 420 MiB of strings.
   */
  maxTableCells: number;
}

const GiB = 1024 ** 3;

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxFileBytes: GiB,
  maxInflatedBytes: GiB,
  maxImageBytes: 64 * 1024 ** 2,
  maxImagePixels: 40_000_000,
  maxParameters: 100_000_000,
  maxTableCells: 10_000_000,
});

/** The environment variable that raises each limit (read by the CLI only). */
export const LIMIT_VARIABLES: Readonly<Record<keyof Limits, string>> = Object.freeze({
  maxFileBytes: "DESCENT_MAX_FILE_SIZE",
  maxInflatedBytes: "DESCENT_MAX_INFLATED_SIZE",
  maxImageBytes: "DESCENT_MAX_IMAGE_SIZE",
  maxImagePixels: "DESCENT_MAX_IMAGE_PIXELS",
  maxParameters: "DESCENT_MAX_PARAMETERS",
  maxTableCells: "DESCENT_MAX_TABLE_CELLS",
});

/** Limits counted in bytes (K/M/G suffixes are powers of 1024); the others count items (powers of 1000). */
const BYTE_LIMITS: ReadonlySet<keyof Limits> = new Set(["maxFileBytes", "maxInflatedBytes", "maxImageBytes"]);

let current: Limits = { ...DEFAULT_LIMITS };

/** The limits in force. */
export const limits = (): Readonly<Limits> => current;

/** Changes some limits (each a positive safe integer); the others keep their value. `setLimits(DEFAULT_LIMITS)` restores the defaults. */
export function setLimits(partial: Partial<Limits>): void {
  for (const [key, value] of Object.entries(partial) as [keyof Limits, number | undefined][]) {
    if (!Object.hasOwn(DEFAULT_LIMITS, key)) throw new UsageError(`setLimits: unknown limit "${key}" (known: ${Object.keys(DEFAULT_LIMITS).join(", ")})`);
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value < 1) throw new UsageError(`setLimits: ${key} must be a positive integer, got ${value}`);
  }
  current = { ...current, ...Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) };
}

/**
 * The limits set by DESCENT_MAX_* variables in `env` (only those present). A value is a number
 * ("2e8", "1500000") with an optional K, M, G or T suffix: powers of 1024 for sizes ("4G" = 4 GiB,
 * "512MiB" also reads), powers of 1000 for counts ("200M" parameters). Throws a UsageError naming
 * the variable for anything else.
 */
export function limitsFromEnv(env: Readonly<Record<string, string | undefined>>): Partial<Limits> {
  const out: Partial<Limits> = {};
  for (const [key, variable] of Object.entries(LIMIT_VARIABLES) as [keyof Limits, string][]) {
    const text = env[variable];
    if (text === undefined || text.trim() === "") continue;
    out[key] = parseAmount(text, variable, BYTE_LIMITS.has(key));
  }
  return out;
}

function parseAmount(text: string, variable: string, bytes: boolean): number {
  const m = /^\s*(\d+(?:\.\d+)?(?:e\d+)?)\s*([kmgt]?)(i?b)?\s*$/i.exec(text);
  const unit = m?.[2] ? "kmgt".indexOf(m[2].toLowerCase()) + 1 : 0;
  const value = m && !(m[3] && !bytes) ? Number(m[1]) * (bytes ? 1024 : 1000) ** unit : NaN;
  if (!Number.isSafeInteger(value) || value < 1) {
    const example = bytes ? `${variable}=4G (4 GiB) or ${variable}=2000000000` : `${variable}=2e8 or ${variable}=200M`;
    throw new UsageError(`${variable}="${text}" is not a positive whole ${bytes ? "number of bytes" : "number"} — use e.g. ${example}`);
  }
  return value;
}

/** "1 GiB", "64 MiB", "1.5 KiB", "68 bytes". */
export function formatBytes(n: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (i + 1 < units.length && n >= 1024 ** (i + 1)) i++;
  return i === 0 ? `${n} bytes` : `${Number((n / 1024 ** i).toPrecision(3))} ${units[i]}`;
}

/** 100000000 → "100,000,000". */
export const formatCount = (n: number): string => (Number.isSafeInteger(n) ? n.toLocaleString("en-US") : n.toPrecision(4));

/** The end of every over-the-limit message: the limit and how to raise it. */
export function limitHint(key: keyof Limits): string {
  const value = current[key];
  const unit = key === "maxImagePixels" ? "pixels" : key === "maxTableCells" ? "cells" : "parameters";
  const shown = BYTE_LIMITS.has(key) ? formatBytes(value) : `${formatCount(value)} ${unit}`;
  return `the limit is ${shown}; if the input is genuine, raise it with ${LIMIT_VARIABLES[key]}=…`;
}

/**
 * Throws `error(message)` when a model would have more than maxParameters parameters. `where` names
 * the file, flag or layer; call it with the count from the spec, before allocating any layer.
 */
export function checkParameters(count: number, where: string, error: (message: string) => Error): void {
  if (count > current.maxParameters) {
    throw error(`${where}: the model would have ${formatCount(count)} parameters — ${limitHint("maxParameters")}`);
  }
}

/** Longest `--arch` string (descent's largest presets take about 200 characters). */
export const MAX_ARCH_LENGTH = 10_000;
