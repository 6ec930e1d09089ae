/**
 * The safetensors layout (https://github.com/huggingface/safetensors), F32 and F64 only:
 *
 *   [8 bytes: header length N, little-endian u64] [N bytes: UTF-8 JSON header] [data region]
 *
 * header = { "__metadata__"?: {string: string},
 *            "<name>": { "dtype": "F32" | "F64", "shape": [...], "data_offsets": [begin, end] } }
 * Offsets are relative to the data region. Decoding trusts nothing: every length and offset is
 * checked before it is used, the tensors must tile the data region exactly, and the data is copied.
 *
 * Integrity (descent's own convention; other readers see one more metadata string): a file encoded
 * with `checksum: true` starts exactly
 *   [8-byte length]{"__metadata__":{"checksum":"crc32:xxxxxxxx",...
 * where xxxxxxxx (lowercase hex) is the CRC-32 of the whole file with those eight digits written
 * as "00000000". A fixed place means the decoder finds it without trusting the header's contents,
 * and a "checksum" entry anywhere else is refused. It is checked once the structure is known to be
 * sound (so a truncated file is reported as truncated) and before any value is returned.
 */
import { ModelFileError } from "../errors.js";
import { fmt } from "../shape.js";
import { parseJsonStrict } from "./json-strict.js";
import { excerpt, printablePath, quoted } from "../text.js";
import { crc32 } from "./crc32.js";

export interface StoredTensor {
  name: string;
  dtype: "F32" | "F64";
  shape: number[];
  data: Float32Array | Float64Array;
}

/** Largest header accepted (the reference implementation uses the same cap). */
export const MAX_HEADER_BYTES = 100_000_000;

const ITEM_SIZE = { F32: 4, F64: 8 } as const;
/** The safetensors dtypes descent does not load, by item size: a caller that asks (otherDtypes) learns their names and shapes, e.g. PyTorch's I64 num_batches_tracked. */
const OTHER_SIZE: Record<string, number> = { BOOL: 1, U8: 1, I8: 1, F8_E4M3: 1, F8_E5M2: 1, I16: 2, U16: 2, F16: 2, BF16: 2, I32: 4, U32: 4, I64: 8, U64: 8 };
const SUPPORTED = Object.keys(ITEM_SIZE).join(" and ");
const METADATA = "__metadata__";
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const TENSOR_FIELDS = ["dtype", "shape", "data_offsets"];
const CHECKSUM = "checksum";
/** The bytes a checksummed file has from offset 8, up to its eight hex digits. */
const CHECKSUM_PREFIX = new TextEncoder().encode(`{"${METADATA}":{"${CHECKSUM}":"crc32:`);
const CHECKSUM_AT = 8 + CHECKSUM_PREFIX.length;
const ZERO_DIGITS = new TextEncoder().encode("00000000");

// ---- encode --------------------------------------------------------------------------------------

/**
 * Tensors in the given order, packed without gaps; header padded with spaces to a multiple of 8.
 * `checksum: true` adds the integrity checksum described above as the first metadata entry.
 */
export function encodeSafetensors(tensors: StoredTensor[], metadata: Record<string, string> = {}, opts: { checksum?: boolean } = {}): Uint8Array {
  const entries: string[] = [];
  const metaKeys = Object.keys(metadata);
  if (opts.checksum && Object.hasOwn(metadata, CHECKSUM)) throw new ModelFileError(`encodeSafetensors: the metadata key "${CHECKSUM}" is reserved for the checksum`);
  const metaEntries = metaKeys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(String(metadata[k]))}`);
  if (opts.checksum) metaEntries.unshift(`"${CHECKSUM}":"crc32:00000000"`);
  if (metaEntries.length > 0) entries.push(`${JSON.stringify(METADATA)}:{${metaEntries.join(",")}}`);
  const names = new Set<string>();
  let offset = 0;
  for (const t of tensors) {
    checkForEncoding(t, names);
    const bytes = t.data.length * ITEM_SIZE[t.dtype];
    // Built by hand rather than JSON.stringify(object) so key order is fixed and "__proto__" is safe.
    entries.push(`${JSON.stringify(t.name)}:{"dtype":"${t.dtype}","shape":[${t.shape.join(",")}],"data_offsets":[${offset},${offset + bytes}]}`);
    offset += bytes;
  }
  const json = new TextEncoder().encode(`{${entries.join(",")}}`);
  const headerLength = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let at = 8 + headerLength;
  for (const t of tensors) {
    writeLittleEndian(view, at, t.data);
    at += t.data.byteLength;
  }
  if (opts.checksum) out.set(new TextEncoder().encode(crc32(out).toString(16).padStart(8, "0")), CHECKSUM_AT);
  return out;
}

function checkForEncoding(t: StoredTensor, names: Set<string>): void {
  const fail = (what: string) => {
    throw new ModelFileError(`encodeSafetensors: tensor ${quoted(t.name)}: ${what}`);
  };
  if (t.name === "" || t.name === METADATA) fail(`the name is reserved or empty`);
  if (names.has(t.name)) fail("the name appears twice");
  names.add(t.name);
  if (!Object.hasOwn(ITEM_SIZE, t.dtype)) fail(`dtype must be ${SUPPORTED}`);
  if ((t.dtype === "F32") !== (t.data instanceof Float32Array)) fail(`dtype ${t.dtype} does not match its ${t.data.constructor.name}`);
  if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) fail(`shape ${fmt(t.shape)} must hold non-negative integers`);
  const count = t.shape.reduce((n, d) => n * d, 1);
  if (count !== t.data.length) fail(`${t.data.length} values do not fill shape ${fmt(t.shape)} (${count} needed)`);
}

function writeLittleEndian(view: DataView, at: number, data: Float32Array | Float64Array): void {
  if (LITTLE_ENDIAN_HOST) {
    new Uint8Array(view.buffer, at, data.byteLength).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  } else if (data instanceof Float32Array) {
    for (let i = 0; i < data.length; i++) view.setFloat32(at + 4 * i, data[i]!, true);
  } else {
    for (let i = 0; i < data.length; i++) view.setFloat64(at + 8 * i, data[i]!, true);
  }
}

// ---- decode --------------------------------------------------------------------------------------

/** A tensor of a dtype descent does not load (decodeSafetensors with otherDtypes): its place was checked, its values not read. */
export interface OtherTensor {
  name: string;
  dtype: string;
  shape: number[];
}

interface Entry {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

/**
 * Validates the whole file, then returns copies of its tensors (aligned, host byte order).
 * A checksum is verified before any value is returned, and left out of `metadata`; `checksummed`
 * says whether the file had one (files written before descent added checksums have none).
 */
export function decodeSafetensors(
  bytes: Uint8Array, name: string, opts: { otherDtypes?: boolean } = {},
): { metadata: Record<string, string>; tensors: Map<string, StoredTensor>; checksummed: boolean; others: OtherTensor[] } {
  const fail = (what: string): never => {
    throw new ModelFileError(`${printablePath(name)}: ${what}`);
  };
  if (bytes.length < 8) {
    fail(`${bytes.length} bytes is too short for a safetensors file (it starts with an 8-byte header length) — the file is empty or truncated; save it again`);
  }
  const checksumInPlace = CHECKSUM_PREFIX.every((b, i) => bytes[8 + i] === b);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = view.getBigUint64(0, true);
  if (declared > BigInt(MAX_HEADER_BYTES)) {
    fail(`header length ${declared} exceeds the ${MAX_HEADER_BYTES}-byte limit — this is not a safetensors file, or it is corrupt`);
  }
  const headerLength = Number(declared);
  if (headerLength > bytes.length - 8) {
    fail(`header length ${headerLength} runs past the end of the ${bytes.length}-byte file — the file is truncated or not safetensors`);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + headerLength));
  } catch {
    return fail("the header is not valid UTF-8 — the file is corrupt or not safetensors");
  }
  let header: unknown;
  try {
    header = parseJsonStrict(text, `${name}: header`);
  } catch (e) {
    throw new ModelFileError(`${(e as Error).message} — the file is corrupt or not safetensors`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) {
    fail(`the header must be a JSON object {"<tensor name>": {...}}, found ${Array.isArray(header) ? "an array" : excerpt(header)} — the file is corrupt or not safetensors`);
  }
  const record = header as Record<string, unknown>;
  const metadata = readMetadata(record[METADATA], fail);
  const checksum = Object.hasOwn(metadata, CHECKSUM) ? metadata[CHECKSUM]! : null;
  if (checksum !== null) {
    if (!checksumInPlace) fail(`its "${CHECKSUM}" metadata entry is not where descent writes it (first, in the form "crc32:" and 8 lowercase hex digits) — the file was edited; use the original file or re-save it`);
    delete metadata[CHECKSUM];
  }
  const entries = Object.keys(record)
    .filter((k) => k !== METADATA)
    .map((k) => readEntry(k, record[k], fail, opts.otherDtypes === true));

  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  checkTiling(entries, dataLength, fail);
  // After the structure, so a truncated file is reported as truncated; before any value is used.
  if (checksum !== null) verifyChecksum(bytes, checksum, fail);

  const tensors = new Map<string, StoredTensor>();
  const others: OtherTensor[] = [];
  for (const e of entries) {
    if (e.dtype !== "F32" && e.dtype !== "F64") {
      others.push({ name: e.name, dtype: e.dtype, shape: e.shape });
      continue;
    }
    const chunk = bytes.subarray(dataStart + e.begin, dataStart + e.end);
    tensors.set(e.name, { name: e.name, dtype: e.dtype, shape: e.shape, data: readLittleEndian(chunk, e.dtype) });
  }
  return { metadata, tensors, checksummed: checksum !== null, others };
}

/** Checks the CRC-32 of a file that has one where descent writes it; `value` is the entry as parsed. */
function verifyChecksum(bytes: Uint8Array, value: string, fail: (what: string) => never): void {
  const digits = String.fromCharCode(...bytes.subarray(CHECKSUM_AT, CHECKSUM_AT + 8));
  if (!/^crc32:[0-9a-f]{8}$/.test(value) || value !== `crc32:${digits}`) {
    fail(`its checksum ${JSON.stringify(value.slice(0, 80))} is not "crc32:" and 8 lowercase hex digits — the file was damaged after it was written (disk, copy or download error); use a backup or retrain`);
  }
  let crc = crc32(bytes.subarray(0, CHECKSUM_AT));
  crc = crc32(ZERO_DIGITS, crc);
  crc = crc32(bytes.subarray(CHECKSUM_AT + 8), crc);
  const computed = crc.toString(16).padStart(8, "0");
  if (computed !== digits) {
    fail(`fails its integrity check (crc32 stored ${digits}, computed ${computed}): the file was damaged after it was written (disk, copy or download error) — use a backup or retrain`);
  }
}

function readMetadata(value: unknown, fail: (what: string) => never): Record<string, string> {
  const out: Record<string, string> = {};
  if (value === undefined) return out;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    fail(`"${METADATA}" must be an object of strings, found ${excerpt(value)} — the file is corrupt`);
  }
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v !== "string") fail(`"${METADATA}" entry ${quoted(k)} must be a string, found ${excerpt(v)} — the file is corrupt`);
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function readEntry(tensor: string, value: unknown, fail: (what: string) => never, otherDtypes: boolean): Entry {
  const where = `tensor ${quoted(tensor)}`;
  if (tensor === "") fail("a tensor has an empty name — the file is corrupt");
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return fail(`${where}: expected {"dtype", "shape", "data_offsets"}, found ${excerpt(value)} — the file is corrupt`);
  }
  const v = value as Record<string, unknown>;
  for (const k of Object.keys(v)) if (!TENSOR_FIELDS.includes(k)) fail(`${where}: unknown field ${quoted(k)} (expected only ${TENSOR_FIELDS.join(", ")})`);
  for (const k of TENSOR_FIELDS) if (!(k in v)) fail(`${where}: the "${k}" field is missing — the file is corrupt`);

  const dtype = v.dtype;
  const other = otherDtypes && typeof dtype === "string" && Object.hasOwn(OTHER_SIZE, dtype);
  if (!other && (typeof dtype !== "string" || !Object.hasOwn(ITEM_SIZE, dtype))) {
    fail(`${where}: dtype ${excerpt(dtype)} is not supported (descent reads ${SUPPORTED}) — convert the tensor to float32 before saving`);
  }
  const shape = v.shape;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    fail(`${where}: shape must be a list of non-negative integers, found ${excerpt(shape)} — the file is corrupt`);
  }
  const offsets = v.data_offsets;
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    fail(`${where}: data_offsets must be two non-negative integers [begin, end], found ${excerpt(offsets)} — the file is corrupt`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end) fail(`${where}: data_offsets [${begin}, ${end}] has begin > end — the file is corrupt`);
  const itemSize = other ? OTHER_SIZE[dtype as string]! : ITEM_SIZE[dtype as "F32" | "F64"];
  const count = elementCount(shape as number[]);
  if (end - begin !== count * itemSize) {
    fail(`${where}: shape ${fmt(shape as number[])} ${dtype} needs ${count * itemSize} bytes, but data_offsets [${begin}, ${end}] hold ${end - begin} — the file is corrupt`);
  }
  return { name: tensor, dtype: dtype as string, shape: [...(shape as number[])], begin, end };
}

/** prod(shape); a zero anywhere wins even if the other dimensions overflow to Infinity. */
const elementCount = (shape: number[]) => (shape.includes(0) ? 0 : shape.reduce((n, d) => n * d, 1));

/** The tensors, sorted by offset, must cover [0, dataLength) with no gap, overlap or leftover. */
function checkTiling(entries: Entry[], dataLength: number, fail: (what: string) => never): void {
  for (const e of entries) {
    if (e.end > dataLength) {
      fail(`tensor ${quoted(e.name)}: data_offsets [${e.begin}, ${e.end}] run past the ${dataLength}-byte data region — the file is truncated or corrupt`);
    }
  }
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  let previous = "the start of the data region";
  for (const e of sorted) {
    const here = `tensor ${quoted(e.name)} [${e.begin}, ${e.end}]`;
    if (e.begin < at) fail(`${here} overlaps ${previous} (which ends at ${at}) — the file is corrupt`);
    if (e.begin > at) fail(`gap of ${e.begin - at} unused bytes between ${previous} and ${here} — the file is corrupt`);
    at = e.end;
    previous = `tensor ${quoted(e.name)}`;
  }
  if (at !== dataLength) {
    fail(`${dataLength - at} trailing bytes after the last tensor (data region is ${dataLength} bytes, tensors cover ${at}) — the file is corrupt or was appended to`);
  }
}

function readLittleEndian(chunk: Uint8Array, dtype: "F32" | "F64"): Float32Array | Float64Array {
  // A fresh buffer: aligned for the typed array, and independent of the caller's bytes.
  const copy = new Uint8Array(chunk.length);
  copy.set(chunk);
  if (LITTLE_ENDIAN_HOST) return dtype === "F32" ? new Float32Array(copy.buffer) : new Float64Array(copy.buffer);
  const view = new DataView(copy.buffer);
  if (dtype === "F32") return Float32Array.from({ length: chunk.length / 4 }, (_, i) => view.getFloat32(4 * i, true));
  return Float64Array.from({ length: chunk.length / 8 }, (_, i) => view.getFloat64(8 * i, true));
}
