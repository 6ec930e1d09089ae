/**
 * The IDX file format (LeCun & Cortes, the MNIST distribution): bytes in, typed arrays out.
 *
 * Layout: magic 00 00, a type code byte, a rank byte, then `rank` big-endian uint32 dimensions,
 * then the elements in row-major order, big-endian. No fs here — see src/node/mnist.ts.
 */
import { IdxError } from "../errors.js";
import { printablePath } from "../text.js";

export type IdxDType = "uint8" | "int8" | "int16" | "int32" | "float32" | "float64";

export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  dtype: IdxDType;
  shape: number[];
  data: IdxData;
}

/** Type code (byte 2) → element type and size in bytes. */
const TYPES: ReadonlyMap<number, { dtype: IdxDType; bytes: number }> = new Map([
  [0x08, { dtype: "uint8", bytes: 1 }],
  [0x09, { dtype: "int8", bytes: 1 }],
  [0x0b, { dtype: "int16", bytes: 2 }],
  [0x0c, { dtype: "int32", bytes: 4 }],
  [0x0d, { dtype: "float32", bytes: 4 }],
  [0x0e, { dtype: "float64", bytes: 8 }],
]);

const MAX_RANK = 4;
/** A header that asks for more than this is corrupt (MNIST's largest file is 47 MB). */
const MAX_DATA_BYTES = 2 ** 31;

const hex = (b: number) => "0x" + b.toString(16).padStart(2, "0").toUpperCase();
const fmtShape = (shape: readonly number[]) => `[${shape.join(", ")}]`;

/**
 * Parses and validates an IDX file. Throws IdxError naming `name` on any malformed input.
 * uint8 and int8 data are views into `bytes` (no copy); wider types are decoded from big-endian.
 */
export function parseIdx(bytes: Uint8Array, name = "idx"): IdxArray {
  if (bytes.length < 4) {
    throw new IdxError(
      `${printablePath(name)}: ${bytes.length === 0 ? "is empty" : `is only ${bytes.length} bytes`}, expected at least a 4-byte IDX header — the file is incomplete; re-download it`,
    );
  }
  const [b0, b1, code, rank] = [bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!];
  if (b0 === 0x1f && b1 === 0x8b) {
    throw new IdxError(`${printablePath(name)}: looks gzip-compressed (starts 1f 8b) — pass the .gz path or gunzip it first`);
  }
  if (b0 !== 0 || b1 !== 0) {
    const text = b0 === 0x3c ? " (starts with '<': probably an HTML page saved by a failed download)" : "";
    throw new IdxError(
      `${printablePath(name)}: not an IDX file: expected magic bytes 00 00, found ${hex(b0)} ${hex(b1)}${text} — check the path, or re-download the file`,
    );
  }
  const type = TYPES.get(code);
  if (!type) {
    const valid = [...TYPES].map(([c, t]) => `${hex(c)} ${t.dtype}`).join(", ");
    throw new IdxError(`${printablePath(name)}: unknown IDX element type code ${hex(code)} (byte 2); valid codes are ${valid} — the file is corrupt or not IDX`);
  }
  if (rank < 1 || rank > MAX_RANK) {
    throw new IdxError(`${printablePath(name)}: rank ${rank} (byte 3) is not supported, expected 1..${MAX_RANK} — the file is corrupt or not IDX`);
  }
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    throw new IdxError(
      `${printablePath(name)}: header truncated: rank ${rank} needs ${headerBytes} header bytes, found ${bytes.length} — the file is incomplete; re-download it`,
    );
  }

  // DataView reads big-endian at any offset, so unaligned payloads need no copy first.
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < rank; i++) shape.push(view.getUint32(4 + 4 * i, false));
  const zero = shape.findIndex((d) => d === 0);
  if (zero >= 0) {
    throw new IdxError(`${printablePath(name)}: dimension ${zero} of shape ${fmtShape(shape)} is 0, expected every dimension ≥ 1 — the header is corrupt`);
  }
  // In float64: exact up to 2^53, and any product past that is far over MAX_DATA_BYTES anyway.
  const count = shape.reduce((a, d) => a * d, 1);
  const dataBytes = count * type.bytes;
  if (dataBytes > MAX_DATA_BYTES) {
    throw new IdxError(
      `${printablePath(name)}: shape ${fmtShape(shape)} of ${type.dtype} needs ${dataBytes} data bytes, more than the ${MAX_DATA_BYTES}-byte limit — the header is probably corrupt`,
    );
  }
  const found = bytes.length - headerBytes;
  if (found < dataBytes) {
    throw new IdxError(
      `${printablePath(name)}: truncated: expected ${dataBytes} data bytes for shape ${fmtShape(shape)} (${type.dtype}), found ${found} — the file is incomplete; re-download it`,
    );
  }
  if (found > dataBytes) {
    throw new IdxError(
      `${printablePath(name)}: has ${found - dataBytes} trailing bytes after the data (shape ${fmtShape(shape)} of ${type.dtype} needs ${dataBytes}, found ${found}) — the header does not match the file; re-download it`,
    );
  }
  return { dtype: type.dtype, shape, data: decode(type.dtype, view, bytes, headerBytes, count) };
}

function decode(dtype: IdxDType, view: DataView, bytes: Uint8Array, offset: number, n: number): IdxData {
  const start = bytes.byteOffset + offset;
  switch (dtype) {
    case "uint8":
      return new Uint8Array(bytes.buffer, start, n);
    case "int8":
      return new Int8Array(bytes.buffer, start, n);
    case "int16": {
      const out = new Int16Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt16(offset + 2 * i, false);
      return out;
    }
    case "int32": {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt32(offset + 4 * i, false);
      return out;
    }
    case "float32": {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(offset + 4 * i, false);
      return out;
    }
    case "float64": {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(offset + 8 * i, false);
      return out;
    }
  }
}
