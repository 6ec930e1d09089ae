import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import { PNG } from "pngjs";
import { afterAll, describe, expect, test } from "vitest";
import { DescentError } from "../src/errors.js";
import { readImage } from "../src/node/png.js";
import { mnistLike } from "../src/data/preprocess.js";
import { chunk } from "./png-bytes.js";

const dir = mkdtempSync(join(tmpdir(), "descent-png-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An RGBA test pattern: each pixel's channels are distinct functions of its position. */
function pattern(width: number, height: number): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const o = (y * width + x) * 4;
    data[o] = (x * 37 + y * 11) & 255;
    data[o + 1] = (x * 5 + y * 53) & 255;
    data[o + 2] = (x * y * 7) & 255;
    data[o + 3] = (x * 29 + y * 3 + 40) & 255;
  }
  return data;
}

/** Writes an image with pngjs's encoder (the oracle for what the file holds) and returns its path. */
function writeWithPngjs(name: string, width: number, height: number, data: Buffer, opts: ConstructorParameters<typeof PNG>[0] = {}): string {
  const png = new PNG({ width, height, ...opts });
  png.data = data;
  const path = join(dir, name);
  writeFileSync(path, PNG.sync.write(png, opts));
  return path;
}

// A minimal PNG encoder, written from the PNG spec (RFC 2083), for the kinds pngjs cannot write (chunks: ./png-bytes.ts).
/** PNG bytes from raw scanlines (each row's bytes, filter type 0 prepended here). */
function encodePng(width: number, height: number, depth: number, colorType: number, rows: Uint8Array[], extra: Buffer[] = []): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([depth, colorType, 0, 0, 0], 8);
  const raw = Buffer.concat(rows.flatMap((r) => [Buffer.from([0]), Buffer.from(r)]));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    ...extra,
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", new Uint8Array(0)),
  ]);
}

describe("readImage decodes every PNG kind to 8-bit RGBA", () => {
  test("RGBA round-trips exactly", async () => {
    // Oracle: the pixels handed to pngjs's encoder.
    const data = pattern(13, 7);
    const img = await readImage(writeWithPngjs("rgba.png", 13, 7, data));
    expect(img).toMatchObject({ width: 13, height: 7, channels: 4 });
    expect(Buffer.from(img.data)).toEqual(data);
  });

  test("RGB (colour type 2): colours kept, alpha 255", async () => {
    // Oracle: the encoder's input with alpha 255 (it drops alpha for colour type 2).
    const data = pattern(9, 5);
    for (let i = 3; i < data.length; i += 4) data[i] = 255;
    const img = await readImage(writeWithPngjs("rgb.png", 9, 5, data, { colorType: 2 }));
    expect(Buffer.from(img.data)).toEqual(data);
  });

  test("grey (colour type 0) and grey+alpha (colour type 4): R = G = B = grey", async () => {
    // Oracle: grey input pixels (R = G = B) go through the encoder's (R+G+B)/3 unchanged.
    const w = 11, h = 6;
    const data = pattern(w, h);
    for (let i = 0; i < data.length; i += 4) data.fill(data[i]!, i, i + 3);
    const withAlpha = await readImage(writeWithPngjs("grey-alpha.png", w, h, data, { colorType: 4 }));
    expect(Buffer.from(withAlpha.data)).toEqual(data);

    for (let i = 3; i < data.length; i += 4) data[i] = 255;
    const grey = await readImage(writeWithPngjs("grey.png", w, h, data, { colorType: 0 }));
    expect(Buffer.from(grey.data)).toEqual(data);
  });

  test("16-bit RGBA written by pngjs comes back scaled to 8 bits", async () => {
    // Oracle: the spec's scaling v8 = round(v16 · 255 / 65535); v16 = 257·k gives exactly k.
    const w = 4, h = 3;
    const data = Buffer.alloc(w * h * 4 * 2);
    const expected = Buffer.alloc(w * h * 4);
    const samples = new Uint16Array(data.buffer, data.byteOffset, w * h * 4);
    for (let i = 0; i < samples.length; i++) {
      const k = (i * 23 + 7) & 255;
      samples[i] = 257 * k;
      expected[i] = k;
    }
    const img = await readImage(writeWithPngjs("rgba16.png", w, h, data, { bitDepth: 16 }));
    expect(img.channels).toBe(4);
    expect(Buffer.from(img.data)).toEqual(expected);
  });

  test("16-bit grey, hand-encoded", async () => {
    // Oracle: the spec's 16-bit → 8-bit scaling on values written by the test's own encoder.
    const values = [0, 65535, 257 * 100, 1000, 40000, 65000];
    const row = new Uint8Array(values.length * 2);
    values.forEach((v, i) => { row[2 * i] = v >> 8; row[2 * i + 1] = v & 255; });
    const path = join(dir, "grey16.png");
    writeFileSync(path, encodePng(values.length, 1, 16, 0, [row]));
    const img = await readImage(path);
    const greyOut = Array.from({ length: values.length }, (_, i) => img.data[i * 4]);
    expect(greyOut).toEqual(values.map((v) => Math.round((v * 255) / 65535)));
    expect(Array.from({ length: values.length }, (_, i) => img.data[i * 4 + 3])).toEqual(values.map(() => 255));
  });

  test("palette with transparency (colour type 3 + tRNS), hand-encoded", async () => {
    // Oracle: the palette and tRNS entries the test wrote.
    const palette = [[0, 0, 0], [255, 255, 255], [200, 10, 30]];
    const alpha = [0, 255, 128];
    const extra = [chunk("PLTE", Uint8Array.from(palette.flat())), chunk("tRNS", Uint8Array.from(alpha))];
    const path = join(dir, "palette.png");
    writeFileSync(path, encodePng(3, 2, 8, 3, [Uint8Array.of(0, 1, 2), Uint8Array.of(2, 1, 0)], extra));
    const img = await readImage(path);
    const px = (i: number) => [...palette[i]!, alpha[i]!];
    expect(Array.from(img.data)).toEqual([0, 1, 2, 2, 1, 0].flatMap(px));
  });

  test("a drawn digit goes from file to an MNIST-like input", async () => {
    // Oracle: the geometry rule — the 20-px box — on a black-on-transparent RGBA drawing.
    const w = 40, h = 60;
    const data = Buffer.alloc(w * h * 4);
    for (let y = 10; y < 50; y++) for (let x = 15; x < 25; x++) data[(y * w + x) * 4 + 3] = 255;
    const r = mnistLike(await readImage(writeWithPngjs("bar.png", w, h, data)));
    const rows = Array.from({ length: 28 }, (_, i) => r.pixels.subarray(i * 28, i * 28 + 28).some((v) => v > 0.5));
    expect(rows.filter(Boolean)).toHaveLength(20);
  });
});

describe("readImage errors", () => {
  /** Expects a DescentError whose message names the file and matches `pattern`. */
  async function expectError(path: string, pattern: RegExp) {
    const err = await readImage(path).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(DescentError);
    const message = (err as Error).message;
    expect(message).toContain(path);
    expect(message).toMatch(pattern);
    expect(message).not.toMatch(/\n\s+at /); // no stack trace text in the message
  }

  test("a missing file", async () => {
    // Oracle: the file does not exist.
    await expectError(join(dir, "nope.png"), /no such file — check the path/);
  });

  test("a JPEG named .png", async () => {
    // Oracle: JPEG's magic FF D8 FF.
    const path = join(dir, "photo.png");
    writeFileSync(path, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1]));
    await expectError(path, /not a PNG file \(looks like a JPEG\) — only PNG is supported; convert it/);
  });

  test("a text file", async () => {
    const path = join(dir, "notes.png");
    writeFileSync(path, "hello, this is not an image\n");
    await expectError(path, /not a PNG file \(looks like a text file\)/);
  });

  test("an empty file", async () => {
    const path = join(dir, "empty.png");
    writeFileSync(path, "");
    await expectError(path, /empty, expected a PNG/);
  });

  test("a truncated PNG (half the bytes, and only the first 5)", async () => {
    // Oracle: a valid PNG (decoded above) cut short.
    const whole = PNG.sync.write(Object.assign(new PNG({ width: 30, height: 30 }), { data: pattern(30, 30) }));
    const half = join(dir, "half.png");
    writeFileSync(half, whole.subarray(0, whole.length >> 1));
    await expectError(half, /truncated PNG — the file stops after \d+ bytes, before the IEND chunk/);
    const five = join(dir, "five.png");
    writeFileSync(five, whole.subarray(0, 5));
    await expectError(five, /truncated PNG \(only 5 bytes\)/);
  });

  test("a PNG with a damaged chunk (CRC mismatch)", async () => {
    const whole = PNG.sync.write(Object.assign(new PNG({ width: 8, height: 8 }), { data: pattern(8, 8) }));
    const bad = Buffer.from(whole);
    bad[20] = bad[20]! ^ 0xff; // inside IHDR's data
    const path = join(dir, "crc.png");
    writeFileSync(path, bad);
    await expectError(path, /corrupt PNG \(the decoder says: .+\) — re-export or re-save/);
  });

  test("a folder", async () => {
    await expectError(dir, /is a folder, expected a PNG file/);
  });
});
