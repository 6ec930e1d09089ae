/**
 * The safetensors reader/writer and the strict JSON parser behind it.
 * Oracle: byte buffers written by hand in this file (header JSON typed out, floats written
 * little-endian with DataView), following the published layout — never encodeSafetensors' output.
 */
import { expectThrows } from "./helpers.js";
import { describe, expect, test } from "vitest";
import * as zlib from "node:zlib";
import { decodeSafetensors, encodeSafetensors, MAX_HEADER_BYTES, type StoredTensor } from "../src/io/safetensors.js";
import { parseJsonStrict } from "../src/io/json-strict.js";
import { ModelFileError } from "../src/errors.js";

// ---- handmade bytes ------------------------------------------------------------------------------

function f32le(values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const v = new DataView(out.buffer);
  values.forEach((x, i) => v.setFloat32(4 * i, x, true));
  return out;
}

function f64le(values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const v = new DataView(out.buffer);
  values.forEach((x, i) => v.setFloat64(8 * i, x, true));
  return out;
}

const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/**
 * [u64 LE header length][header, space-padded to a multiple of 8][data]. `declared` overrides the
 * length field (for corrupt files); `pad: false` leaves the header unpadded.
 */
function handmade(header: string, data: Uint8Array = new Uint8Array(0), opts: { declared?: bigint; pad?: boolean } = {}): Uint8Array {
  let json = new TextEncoder().encode(header);
  if (opts.pad !== false) json = concat(json, new Uint8Array((8 - (json.length % 8)) % 8).fill(0x20));
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setBigUint64(0, opts.declared ?? BigInt(json.length), true);
  return concat(prefix, json, data);
}

const W = [1, -2.5, 3.25, 0.1];
const B = [1e-300, -0, Math.PI];
const GOOD_HEADER =
  '{"__metadata__":{"note":"hi","format":"pt"},' +
  '"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},' +
  '"b":{"dtype":"F64","shape":[3],"data_offsets":[16,40]}}';
const goodFile = () => handmade(GOOD_HEADER, concat(f32le(W), f64le(B)));

const expectModelFileError = (fn: () => unknown, ...parts: string[]) => expectThrows(ModelFileError, fn, ...parts);

// ---- decode / encode -----------------------------------------------------------------------------

describe("safetensors", () => {
  test("a handmade file decodes to its values, shapes and metadata", () => {
    // Oracle: the numbers written with DataView above (F32 values rounded with Math.fround).
    const { metadata, tensors } = decodeSafetensors(goodFile(), "good.safetensors");
    expect(metadata).toEqual({ note: "hi", format: "pt" });
    expect([...tensors.keys()]).toEqual(["w", "b"]);
    const w = tensors.get("w")!;
    expect(w.dtype).toBe("F32");
    expect(w.shape).toEqual([2, 2]);
    expect(w.data).toBeInstanceOf(Float32Array);
    expect(Array.from(w.data)).toEqual(W.map(Math.fround));
    const b = tensors.get("b")!;
    expect(b.dtype).toBe("F64");
    expect(b.shape).toEqual([3]);
    expect(b.data).toBeInstanceOf(Float64Array);
    expect(Object.is(b.data[1], -0)).toBe(true);
    expect(Array.from(b.data)).toEqual(B);
  });

  test("decodes from an unaligned view and returns copies independent of the input", () => {
    // Oracle: the handmade values; an odd byteOffset would make a direct Float64Array view throw.
    const bytes = goodFile();
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    const view = shifted.subarray(3);
    const { tensors } = decodeSafetensors(view, "shifted.safetensors");
    expect(Array.from(tensors.get("b")!.data)).toEqual(B);
    view.fill(0);
    expect(Array.from(tensors.get("w")!.data)).toEqual(W.map(Math.fround));
  });

  test("an unpadded header, zero-size tensors and an empty file ({}) are valid", () => {
    // Oracle: the layout allows any header length; a [0, 3] tensor occupies no bytes.
    const file = handmade('{"e":{"dtype":"F32","shape":[0,3],"data_offsets":[0,0]},"x":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}', f32le([7]), { pad: false });
    const { metadata, tensors } = decodeSafetensors(file, "z.safetensors");
    expect(metadata).toEqual({});
    expect(tensors.get("e")!.shape).toEqual([0, 3]);
    expect(tensors.get("e")!.data.length).toBe(0);
    expect(tensors.get("x")!.shape).toEqual([]);
    expect(Array.from(tensors.get("x")!.data)).toEqual([7]);
    expect(decodeSafetensors(handmade("{}"), "empty.safetensors").tensors.size).toBe(0);
  });

  test("encode writes exactly the handmade bytes (compact JSON, space padding to 8) and round trips", () => {
    // Oracle: goodFile(), typed out by hand with the same key order.
    const tensors: StoredTensor[] = [
      { name: "w", dtype: "F32", shape: [2, 2], data: Float32Array.from(W) },
      { name: "b", dtype: "F64", shape: [3], data: Float64Array.from(B) },
    ];
    const bytes = encodeSafetensors(tensors, { note: "hi", format: "pt" });
    expect(bytes).toEqual(goodFile());
    expect((bytes.length - 40) % 8).toBe(0);
    const back = decodeSafetensors(bytes, "rt.safetensors");
    expect(back.metadata).toEqual({ note: "hi", format: "pt" });
    for (const t of tensors) expect(back.tensors.get(t.name)).toEqual(t);
  });

  test("encode without metadata omits __metadata__", () => {
    // Oracle: handmade header with only the tensor entry.
    const bytes = encodeSafetensors([{ name: "x", dtype: "F32", shape: [1], data: Float32Array.of(2) }]);
    expect(bytes).toEqual(handmade('{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', f32le([2])));
  });

  test("encode refuses tensors it cannot describe", () => {
    // Oracle: the layout — names are unique and not reserved, data fills the shape, dtype matches.
    const t = (over: Partial<StoredTensor>): StoredTensor => ({ name: "x", dtype: "F32", shape: [2], data: new Float32Array(2), ...over });
    expectModelFileError(() => encodeSafetensors([t({}), t({})]), '"x"', "twice");
    expectModelFileError(() => encodeSafetensors([t({ name: "__metadata__" })]), "reserved");
    expectModelFileError(() => encodeSafetensors([t({ shape: [3] })]), "2 values do not fill shape [3]");
    expectModelFileError(() => encodeSafetensors([t({ dtype: "F64" })]), "F64 does not match");
  });

  // Each row: a corrupt file and the parts its error message must contain.
  const tensorFile = (entry: string, data: Uint8Array) => handmade(`{"t":${entry}}`, data);
  const corrupt: [string, () => Uint8Array, string[]][] = [
    ["empty file", () => new Uint8Array(0), ["0 bytes", "too short", "truncated"]],
    ["7 bytes", () => new Uint8Array(7), ["7 bytes", "too short"]],
    ["header length > file", () => handmade("{}", new Uint8Array(0), { declared: 100n }), ["header length 100", "past the end of the 16-byte file"]],
    ["header length > cap", () => handmade("{}", new Uint8Array(0), { declared: BigInt(MAX_HEADER_BYTES + 1) }), [`header length ${MAX_HEADER_BYTES + 1}`, "limit", "not a safetensors file"]],
    ["header length 2^64-1", () => handmade("{}", new Uint8Array(0), { declared: 2n ** 64n - 1n }), ["18446744073709551615", "limit"]],
    ["header not UTF-8", () => concat(handmade("{}").subarray(0, 8), Uint8Array.of(0x7b, 0xff, 0xfe, 0x7d, 0x20, 0x20, 0x20, 0x20)), ["not valid UTF-8"]],
    ["non-JSON header", () => handmade("{not json}"), ["header", "invalid JSON at line 1, column 2", "not safetensors"]],
    ["header is an array", () => handmade("[]"), ["must be a JSON object", "found an array"]],
    ["header is a number", () => handmade("42"), ["must be a JSON object", "found 42"]],
    ["duplicate tensor keys", () => handmade('{"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"t":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', f32le([1, 2])), ['duplicate key "t"']],
    ["duplicate keys inside __metadata__", () => handmade('{"__metadata__":{"a":"1","a":"2"}}'), ['duplicate key "a"']],
    ["__metadata__ not an object", () => handmade('{"__metadata__":["a"]}'), ['"__metadata__" must be an object of strings']],
    ["metadata value not a string", () => handmade('{"__metadata__":{"epochs":3}}'), ['"epochs" must be a string, found 3']],
    ["tensor entry not an object", () => tensorFile("[1,2]", new Uint8Array(0)), ['tensor "t"', "expected {"]],
    ["missing field", () => tensorFile('{"dtype":"F32","shape":[1]}', f32le([1])), ['tensor "t"', '"data_offsets" field is missing']],
    ["unknown field", () => tensorFile('{"dtype":"F32","shape":[1],"data_offsets":[0,4],"extra":1}', f32le([1])), ['unknown field "extra"']],
    ["dtype I64", () => tensorFile('{"dtype":"I64","shape":[1],"data_offsets":[0,8]}', new Uint8Array(8)), ['dtype "I64" is not supported', "F32 and F64"]],
    ["negative shape", () => tensorFile('{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}', f32le([1])), ["shape must be a list of non-negative integers, found [-1]"]],
    ["fractional shape", () => tensorFile('{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}', f32le([1])), ["non-negative integers, found [1.5]"]],
    ["shape not a list", () => tensorFile('{"dtype":"F32","shape":"2","data_offsets":[0,8]}', f32le([1, 2])), ['found "2"']],
    ["three offsets", () => tensorFile('{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}', f32le([1])), ["two non-negative integers", "[0,4,8]"]],
    ["offsets past the end", () => tensorFile('{"dtype":"F32","shape":[2],"data_offsets":[0,8]}', f32le([1])), ["[0, 8] run past the 4-byte data region"]],
    ["begin > end", () => tensorFile('{"dtype":"F32","shape":[0],"data_offsets":[8,0]}', f32le([1, 2])), ["[8, 0] has begin > end"]],
    ["size mismatch with shape", () => tensorFile('{"dtype":"F32","shape":[3],"data_offsets":[0,8]}', f32le([1, 2])), ["shape [3] F32 needs 12 bytes", "hold 8"]],
    ["overlap", () => handmade('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}', f32le([1, 2, 3])), ['tensor "b" [4, 12] overlaps tensor "a"']],
    ["gap", () => handmade('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}', f32le([1, 2, 3])), ['gap of 4 unused bytes between tensor "a" and tensor "b"']],
    ["gap at the start", () => tensorFile('{"dtype":"F32","shape":[1],"data_offsets":[4,8]}', f32le([1, 2])), ["gap of 4 unused bytes between the start of the data region"]],
    ["trailing bytes", () => tensorFile('{"dtype":"F32","shape":[1],"data_offsets":[0,4]}', f32le([1, 2])), ["4 trailing bytes", "data region is 8 bytes"]],
    ["empty tensor name", () => handmade('{"":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', f32le([1])), ["empty name"]],
  ];

  test.each(corrupt)("corrupt: %s", (_, make, parts) => {
    // Oracle: the layout's rules; each handmade file breaks exactly one.
    expectModelFileError(() => decodeSafetensors(make(), "bad.safetensors"), "bad.safetensors: ", ...parts);
  });

  test('a tensor named "__proto__" is an ordinary tensor and pollutes nothing', () => {
    // Oracle: Object.prototype is unchanged; the name round trips as a plain key.
    const file = handmade('{"__metadata__":{"__proto__":"x"},"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', f32le([5]));
    const { metadata, tensors } = decodeSafetensors(file, "proto.safetensors");
    expect(Object.getPrototypeOf(metadata)).toBe(Object.prototype);
    expect(Object.hasOwn(metadata, "__proto__")).toBe(true);
    expect(Array.from(tensors.get("__proto__")!.data)).toEqual([5]);
    expect(Object.keys(Object.prototype)).toEqual([]);
    expect(({} as Record<string, unknown>).dtype).toBeUndefined();
  });
});

// ---- parseJsonStrict ---------------------------------------------------------------------------

describe("parseJsonStrict", () => {
  const valid = [
    '{"a": [1, -2.5e3, 0, 1E-2, true, false, null], "b": {"c": "d"}}',
    ' \t\r\n[ ] ',
    '"esc: \\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\ud83d\\ude00 \\ud800"',
    '"ünïcødé 😀"',
    "-0",
    '{"": 1, "a b": {}}',
  ];
  test.each(valid)("agrees with JSON.parse on %s", (text) => {
    // Oracle: JSON.parse, for documents without duplicate keys.
    expect(parseJsonStrict(text, "t.json")).toEqual(JSON.parse(text));
  });

  const invalid: [string, string][] = [
    ["", "expected a value"],
    ['{"a": 1,}', "expected a string key"],
    ["[1, 2,]", "expected a value"],
    ["[1 2]", 'expected "," or "]"'],
    ['{"a" 1}', 'expected ":"'],
    ["01", "unexpected text after the JSON value"],
    ["1.", "unexpected text"],
    ["+1", "expected a value"],
    ["NaN", "expected a value"],
    ['"abc', "unterminated string"],
    ['"a\nb"', "control character"],
    ['"\\x"', "invalid escape"],
    ['"\\u12g4"', "four hex digits"],
    ["tru", "expected a value"],
    ["{'a': 1}", "expected a string key"],
  ];
  test.each(invalid)("rejects %j", (text, part) => {
    // Oracle: the RFC 8259 grammar (JSON.parse rejects each too).
    expect(() => JSON.parse(text)).toThrow();
    expectModelFileError(() => parseJsonStrict(text, "t.json"), "t.json: invalid JSON", part);
  });

  test("reports line and column, and rejects duplicate keys that JSON.parse would accept", () => {
    // Oracle: positions counted by hand; JSON.parse keeps the last duplicate silently.
    expectModelFileError(() => parseJsonStrict('{\n  "a": 1,\n  "a": 2\n}', "d.json"), "line 3, column 3", 'duplicate key "a"');
    expect(JSON.parse('{"a": 1, "a": 2}')).toEqual({ a: 2 });
  });

  test("rejects numbers that overflow to Infinity (JSON.parse returns Infinity)", () => {
    // Oracle: 1e400 exceeds the largest double (~1.8e308); a shape or offset must never be Infinity.
    expect(JSON.parse("1e400")).toBe(Infinity);
    expectModelFileError(() => parseJsonStrict("[1e400]", "t.json"), "number 1e400 is out of range");
  });

  test("limits nesting depth to 64", () => {
    // Oracle: 64 nested arrays are fine, 65 are not.
    expect(parseJsonStrict("[".repeat(64) + "]".repeat(64), "n.json")).toBeInstanceOf(Array);
    expectModelFileError(() => parseJsonStrict("[".repeat(65) + "]".repeat(65), "n.json"), "nesting deeper than 64");
    expectModelFileError(() => parseJsonStrict('{"a":'.repeat(100000) + "1" + "}".repeat(100000), "n.json"), "nesting deeper than 64");
  });

  test('"__proto__" keys become own properties, not prototypes', () => {
    // Oracle: Object.prototype and the result's prototype are unchanged.
    const v = parseJsonStrict('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}', "p.json") as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.hasOwn(v, "__proto__")).toBe(true);
    expect((v as { polluted?: unknown }).polluted).toBeUndefined();
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.keys(v)).toEqual(["__proto__", "constructor"]);
  });
});

// ---- integrity checksum --------------------------------------------------------------------------

describe("safetensors integrity checksum", () => {
  // Oracle: node:zlib's crc32 (independent of src/io/crc32.ts) over handmade bytes, and the layout
  // descent documents: "checksum" first in __metadata__, the CRC taken with its digits as "00000000".
  const zlibCrc32 = (zlib as unknown as { crc32: (data: Uint8Array) => number }).crc32;
  const PREFIX = '{"__metadata__":{"checksum":"crc32:';
  const DIGITS_AT = 8 + PREFIX.length;
  const ascii = (s: string) => new TextEncoder().encode(s);
  const TENSORS = '"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},"b":{"dtype":"F64","shape":[3],"data_offsets":[16,40]}}';
  /** A handmade file whose checksum entry holds `digits`, or (by default) its true CRC. */
  function checksummed(restOfHeader: string, data: Uint8Array, digits?: string): Uint8Array {
    const file = handmade(`${PREFIX}00000000"${restOfHeader}`, data);
    file.set(ascii(digits ?? zlibCrc32(file).toString(16).padStart(8, "0")), DIGITS_AT);
    return file;
  }
  const goodChecksummed = () => checksummed(`,"note":"hi","format":"pt"},${TENSORS}`, concat(f32le(W), f64le(B)));
  const tensors = (): StoredTensor[] => [
    { name: "w", dtype: "F32", shape: [2, 2], data: Float32Array.from(W) },
    { name: "b", dtype: "F64", shape: [3], data: Float64Array.from(B) },
  ];

  test("encode with checksum: true writes exactly the handmade bytes; decode verifies the CRC and hides the entry", () => {
    const bytes = encodeSafetensors(tensors(), { note: "hi", format: "pt" }, { checksum: true });
    expect(bytes).toEqual(goodChecksummed());
    const back = decodeSafetensors(bytes, "c.safetensors");
    expect(back.checksummed).toBe(true);
    expect(back.metadata).toEqual({ note: "hi", format: "pt" });
    for (const t of tensors()) expect(back.tensors.get(t.name)).toEqual(t);
    // Without metadata the checksum is the only entry.
    expect(encodeSafetensors(tensors(), {}, { checksum: true })).toEqual(checksummed(`},${TENSORS}`, concat(f32le(W), f64le(B))));
  });

  test("a file without a checksum still decodes, and says so", () => {
    const back = decodeSafetensors(goodFile(), "old.safetensors");
    expect(back.checksummed).toBe(false);
    expect(back.metadata).toEqual({ note: "hi", format: "pt" });
  });

  test("a wrong CRC is refused naming both values", () => {
    const file = goodChecksummed();
    const digits = new TextDecoder().decode(file.subarray(DIGITS_AT, DIGITS_AT + 8));
    const wrong = digits === "00000001" ? "00000002" : "00000001";
    expectModelFileError(() => decodeSafetensors(checksummed(`,"note":"hi","format":"pt"},${TENSORS}`, concat(f32le(W), f64le(B)), wrong), "c.safetensors"),
      `c.safetensors: fails its integrity check (crc32 stored ${wrong}, computed ${digits}): the file was damaged after it was written (disk, copy or download error) — use a backup or retrain`);
  });

  test("a changed data byte is refused by the integrity check, with the CRC node:zlib computes", () => {
    const file = goodChecksummed();
    const stored = new TextDecoder().decode(file.subarray(DIGITS_AT, DIGITS_AT + 8));
    file[file.length - 1]! ^= 0x40; // the last F64 value's sign bit: still a valid number, so only the CRC can tell
    const zeroed = file.slice();
    zeroed.set(ascii("00000000"), DIGITS_AT);
    const computed = zlibCrc32(zeroed).toString(16).padStart(8, "0");
    expectModelFileError(() => decodeSafetensors(file, "c.safetensors"), `crc32 stored ${stored}, computed ${computed}`);
  });

  test("every single-byte change of a checksummed file is refused, never accepted and never a TypeError", () => {
    const file = goodChecksummed();
    for (let i = 0; i < file.length; i++) {
      for (const flip of [0x01, 0x20, 0x80, 0xff]) {
        const damaged = file.slice();
        damaged[i]! ^= flip;
        let caught: unknown = null;
        try {
          decodeSafetensors(damaged, "c.safetensors");
        } catch (e) {
          caught = e;
        }
        // A file that decodes after the change must at least have lost its checksum (the word
        // "checksum" itself damaged); descent's model and checkpoint readers refuse that as an
        // unknown metadata entry (tested in model-file.test.ts and checkpoint.hostile.test.ts).
        if (caught === null) {
          expect(i, `byte ${i} ^ ${flip} accepted`).toBeGreaterThanOrEqual(8 + '{"__metadata__":{"'.length);
          expect(i, `byte ${i} ^ ${flip} accepted`).toBeLessThan(8 + '{"__metadata__":{"checksum'.length);
          expect(decodeSafetensors(damaged, "c.safetensors").checksummed).toBe(false);
        } else {
          expect(caught, `byte ${i} ^ ${flip}`).toBeInstanceOf(ModelFileError);
        }
      }
    }
  });

  test("a checksum entry anywhere but first, or not in descent's form, is refused", () => {
    const data = concat(f32le(W), f64le(B));
    expectModelFileError(() => decodeSafetensors(handmade(`{"__metadata__":{"format":"pt","checksum":"crc32:00000000"},${TENSORS}`, data), "moved.safetensors"),
      'moved.safetensors: its "checksum" metadata entry is not where descent writes it', "the file was edited");
    expectModelFileError(() => decodeSafetensors(handmade(`{"__metadata__":{"checksum":"sha256:00"},${TENSORS}`, data), "other.safetensors"), "is not where descent writes it");
    const file = goodChecksummed();
    const upper = new TextDecoder().decode(file.subarray(DIGITS_AT, DIGITS_AT + 8)).toUpperCase();
    if (upper !== upper.toLowerCase()) {
      expectModelFileError(() => decodeSafetensors(checksummed(`,"note":"hi","format":"pt"},${TENSORS}`, data, upper), "upper.safetensors"), "is not \"crc32:\" and 8 lowercase hex digits");
    }
    expectModelFileError(() => decodeSafetensors(checksummed(`,"format":"pt"},${TENSORS}`, data, "1234567g"), "g.safetensors"), 'g.safetensors: its checksum "crc32:1234567g" is not "crc32:" and 8 lowercase hex digits');
    expectModelFileError(() => encodeSafetensors(tensors(), { checksum: "mine" }, { checksum: true }), 'the metadata key "checksum" is reserved');
  });
});
