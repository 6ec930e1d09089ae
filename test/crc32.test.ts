/**
 * CRC-32 (IEEE). Oracles: the published check values of the CRC catalogue ("123456789" →
 * 0xCBF43926) and of zlib, and node:zlib's own crc32 — an independent implementation in C.
 */
import { describe, expect, test } from "vitest";
import * as zlib from "node:zlib";
import { crc32 } from "../src/io/crc32.js";
import { Rng } from "../src/rng.js";

const ascii = (s: string) => new TextEncoder().encode(s);
const zlibCrc32 = (zlib as unknown as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

describe("crc32", () => {
  test("known check values", () => {
    expect(crc32(ascii("123456789"))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32(ascii("a"))).toBe(0xe8b7be43);
    expect(crc32(ascii("The quick brown fox jumps over the lazy dog"))).toBe(0x414fa339);
    expect(crc32(new Uint8Array(32))).toBe(0x190a55ad); // 32 zero bytes
    expect(crc32(new Uint8Array(32).fill(0xff))).toBe(0xff6cab0b); // 32 bytes of 0xFF
  });

  test("continues across pieces: crc32(b, crc32(a)) = crc32(a ‖ b), at every split", () => {
    const data = ascii("The quick brown fox jumps over the lazy dog");
    for (let cut = 0; cut <= data.length; cut++) {
      expect(crc32(data.subarray(cut), crc32(data.subarray(0, cut))), `cut at ${cut}`).toBe(0x414fa339);
    }
  });

  test("matches node:zlib's crc32 on random data of every length up to 100 and on unaligned views", () => {
    expect(zlibCrc32, "this Node has zlib.crc32 (Node ≥ 20.15)").toBeTypeOf("function");
    const rng = new Rng(5);
    const bytes = Uint8Array.from({ length: 5000 }, () => rng.int(256));
    for (let n = 0; n <= 100; n++) expect(crc32(bytes.subarray(0, n)), `length ${n}`).toBe(zlibCrc32!(bytes.subarray(0, n)));
    for (const [from, to] of [[1, 4999], [3, 4096], [7, 1000]] as const) {
      expect(crc32(bytes.subarray(from, to))).toBe(zlibCrc32!(bytes.subarray(from, to)));
      expect(crc32(bytes.subarray(to), crc32(bytes.subarray(from, to)))).toBe(zlibCrc32!(bytes.subarray(from)));
    }
  });
});
