/**
 * IDX parsing. Oracle: IDX files written out byte by byte in the tests (the format spec by LeCun &
 * Cortes), with the big-endian element bytes computed by hand — never bytes made by descent.
 */
import { describe, test, expect } from "vitest";
import { parseIdx } from "../src/data/idx.js";
import { IdxError } from "../src/errors.js";

const u8 = (...b: number[]) => new Uint8Array(b);

/** Asserts that parsing throws an IdxError whose message contains every fragment. */
function expectIdxError(bytes: Uint8Array, ...fragments: string[]): void {
  let err: unknown;
  try {
    parseIdx(bytes, "bad.idx");
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(IdxError);
  const msg = (err as Error).message;
  expect(msg).toContain("bad.idx");
  for (const f of fragments) expect(msg).toContain(f);
}

describe("parseIdx: valid files", () => {
  test("uint8 rank 1", () => {
    // Oracle: header 00 00 08 01, dim 3, then bytes 0, 7, 255.
    const a = parseIdx(u8(0, 0, 0x08, 1, 0, 0, 0, 3, 0, 7, 255));
    expect(a.dtype).toBe("uint8");
    expect(a.shape).toEqual([3]);
    expect(a.data).toBeInstanceOf(Uint8Array);
    expect([...a.data]).toEqual([0, 7, 255]);
  });

  test("uint8 rank 3 (two 2×3 images), dims > 255 use all four big-endian bytes", () => {
    // Oracle: dims 2, 2, 3 → 12 pixels 1..12 in row-major order.
    const a = parseIdx(u8(0, 0, 0x08, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12));
    expect(a.shape).toEqual([2, 2, 3]);
    expect([...a.data]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    // Oracle: dim bytes 00 00 01 02 = 258.
    const big = new Uint8Array(8 + 258);
    big.set([0, 0, 0x08, 1, 0, 0, 1, 2]);
    big[8 + 257] = 42;
    const b = parseIdx(big);
    expect(b.shape).toEqual([258]);
    expect(b.data[257]).toBe(42);
  });

  test("int8: bytes ff 80 7f are −1, −128, 127", () => {
    // Oracle: two's complement by hand.
    const a = parseIdx(u8(0, 0, 0x09, 1, 0, 0, 0, 3, 0xff, 0x80, 0x7f));
    expect(a.dtype).toBe("int8");
    expect(a.data).toBeInstanceOf(Int8Array);
    expect([...a.data]).toEqual([-1, -128, 127]);
  });

  test("int16 big-endian: 01 02 = 258, ff fe = −2, 80 00 = −32768", () => {
    const a = parseIdx(u8(0, 0, 0x0b, 1, 0, 0, 0, 3, 0x01, 0x02, 0xff, 0xfe, 0x80, 0x00));
    expect(a.dtype).toBe("int16");
    expect(a.data).toBeInstanceOf(Int16Array);
    expect([...a.data]).toEqual([258, -2, -32768]);
  });

  test("int32 big-endian, rank 2: 00 01 00 00 = 65536, ff ff ff ff = −1, 7f ff ff ff, 80 00 00 00", () => {
    const a = parseIdx(
      u8(0, 0, 0x0c, 2, 0, 0, 0, 2, 0, 0, 0, 2, 0x00, 0x01, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0x80, 0, 0, 0),
    );
    expect(a.dtype).toBe("int32");
    expect(a.shape).toEqual([2, 2]);
    expect(a.data).toBeInstanceOf(Int32Array);
    expect([...a.data]).toEqual([65536, -1, 2147483647, -2147483648]);
  });

  test("float32 big-endian: 3f 80 00 00 = 1, c0 00 00 00 = −2, 3e 20 00 00 = 0.15625", () => {
    // Oracle: IEEE 754 by hand — 0.15625 = 1.25·2⁻³: exponent 124 (0x7c), mantissa 0x200000.
    const a = parseIdx(u8(0, 0, 0x0d, 1, 0, 0, 0, 3, 0x3f, 0x80, 0, 0, 0xc0, 0, 0, 0, 0x3e, 0x20, 0, 0));
    expect(a.dtype).toBe("float32");
    expect(a.data).toBeInstanceOf(Float32Array);
    expect([...a.data]).toEqual([1, -2, 0.15625]);
  });

  test("float64 big-endian: 3f f0 … = 1, 40 09 21 fb 54 44 2d 18 = π, c0 24 … = −10", () => {
    const a = parseIdx(
      u8(0, 0, 0x0e, 1, 0, 0, 0, 3, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18, 0xc0, 0x24, 0, 0, 0, 0, 0, 0),
    );
    expect(a.dtype).toBe("float64");
    expect(a.data).toBeInstanceOf(Float64Array);
    expect([...a.data]).toEqual([1, Math.PI, -10]);
  });

  test("payload at an odd offset inside a larger buffer decodes the same", () => {
    // Oracle: the int16 bytes 01 02 / ff fe from above, placed at byteOffset 1 (unaligned).
    const buf = new Uint8Array(1 + 12);
    buf.set([0, 0, 0x0b, 1, 0, 0, 0, 2, 0x01, 0x02, 0xff, 0xfe], 1);
    const a = parseIdx(buf.subarray(1));
    expect([...a.data]).toEqual([258, -2]);
  });

  test("rank 4 is accepted", () => {
    // Oracle: dims 1, 1, 1, 2 → two bytes.
    const a = parseIdx(u8(0, 0, 0x08, 4, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 5, 6));
    expect(a.shape).toEqual([1, 1, 1, 2]);
    expect([...a.data]).toEqual([5, 6]);
  });
});

describe("parseIdx: corrupt files throw IdxError naming the file", () => {
  test("empty", () => expectIdxError(u8(), "empty", "4-byte", "re-download"));

  test("3 bytes", () => expectIdxError(u8(0, 0, 8), "only 3 bytes", "4-byte"));

  test("wrong magic", () => expectIdxError(u8(0x12, 0x34, 0x08, 1, 0, 0, 0, 1, 0), "00 00", "0x12 0x34"));

  test("HTML instead of IDX", () => expectIdxError(new TextEncoder().encode("<!DOCTYPE html>"), "HTML"));

  test("gzip magic", () => expectIdxError(u8(0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0), "gzip", "1f 8b", "gunzip"));

  test("bad type code lists the valid codes", () =>
    expectIdxError(u8(0, 0, 0x0a, 1, 0, 0, 0, 1, 0), "0x0A", "0x08 uint8", "0x0B int16", "0x0E float64"));

  test("rank 0", () => expectIdxError(u8(0, 0, 0x08, 0), "rank 0", "1..4"));

  test("rank 9", () => expectIdxError(u8(0, 0, 0x08, 9, 0, 0, 0, 1), "rank 9", "1..4"));

  test("truncated header", () =>
    // rank 3 needs 4 + 12 = 16 header bytes; 10 given.
    expectIdxError(u8(0, 0, 0x08, 3, 0, 0, 0, 2, 0, 0), "header truncated", "16", "found 10"));

  test("truncated data", () =>
    // shape [2, 3] int16 needs 12 data bytes; 5 given.
    expectIdxError(u8(0, 0, 0x0b, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5), "truncated: expected 12 data bytes for shape [2, 3]", "found 5", "re-download"));

  test("trailing bytes", () => expectIdxError(u8(0, 0, 0x08, 1, 0, 0, 0, 2, 1, 2, 3, 4, 5), "has 3 trailing bytes after the data"));

  test("zero dimension", () => expectIdxError(u8(0, 0, 0x08, 2, 0, 0, 0, 4, 0, 0, 0, 0), "dimension 1", "[4, 0]"));

  test("absurd size", () =>
    // dims ff ff ff ff × 2 of float64 ≈ 6.9e10 bytes.
    expectIdxError(u8(0, 0, 0x0e, 2, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 2), "limit", "corrupt"));

  test("default name is used when none is given", () => {
    expect(() => parseIdx(u8())).toThrow(/^idx: /);
  });
});
