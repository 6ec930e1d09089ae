/**
 * Small inputs that declare huge things, and "files" that never end: every one is refused with a
 * message naming the file, flag or layer and the limit, before anything large is allocated.
 * Oracles: hostile bytes built here by hand (PNG chunks, gzip members, IDX headers, safetensors
 * headers), the operating system's own file kinds (mkfifo, /dev/zero, a directory) and the counts
 * of parameters computed by hand.
 */
import { afterAll, afterEach, describe, expect, test } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateSync, gzipSync } from "node:zlib";
import { DescentError, IdxError, ModelFileError, UsageError } from "../src/errors.js";
import { DEFAULT_LIMITS, formatBytes, limits, limitsFromEnv, setLimits } from "../src/limits.js";
import { readFileBounded, readFileBoundedSync } from "../src/node/read-file.js";
import { loadModel } from "../src/node/model-files.js";
import { loadCheckpoint } from "../src/node/checkpoint-files.js";
import { readIdxFile } from "../src/node/mnist.js";
import { readImage } from "../src/node/png.js";
import { parseIdx } from "../src/data/idx.js";
import { buildArch } from "../src/nn/arch.js";
import { buildModule, specParameters } from "../src/nn/registry.js";
import { mlp, mlpParameters } from "../src/nn/mlp.js";
import { intList } from "../src/cli/parse.js";
import { greyPngBytes } from "./png-bytes.js";

const dir = mkdtempSync(join(tmpdir(), "descent-limits-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => setLimits(DEFAULT_LIMITS));

/** The error a call throws (sync or async), so its class and message can be checked. */
async function caught(f: () => unknown): Promise<Error> {
  try {
    await f();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an error, none was thrown");
}

function write(name: string, bytes: Uint8Array | string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

describe("limits: defaults, setLimits, DESCENT_MAX_* values", () => {
  test("the documented defaults", () => {
    // Oracle: the numbers the README and src/limits.ts document.
    expect(limits()).toEqual({ maxFileBytes: 2 ** 30, maxInflatedBytes: 2 ** 30, maxImageBytes: 64 * 2 ** 20, maxImagePixels: 40e6, maxParameters: 100e6, maxTableCells: 10e6 });
  });

  test("sizes take K/M/G/T as powers of 1024, counts as powers of 1000, plain numbers and exponents as is", () => {
    expect(limitsFromEnv({ DESCENT_MAX_FILE_SIZE: "4G", DESCENT_MAX_INFLATED_SIZE: "512MiB", DESCENT_MAX_IMAGE_SIZE: "1.5k" })).toEqual({
      maxFileBytes: 4 * 2 ** 30, maxInflatedBytes: 512 * 2 ** 20, maxImageBytes: 1536,
    });
    expect(limitsFromEnv({ DESCENT_MAX_PARAMETERS: "2e8", DESCENT_MAX_IMAGE_PIXELS: "50M" })).toEqual({ maxParameters: 2e8, maxImagePixels: 50e6 });
    expect(limitsFromEnv({ DESCENT_MAX_PARAMETERS: "123456789", OTHER: "x", DESCENT_MAX_FILE_SIZE: "" })).toEqual({ maxParameters: 123456789 });
  });

  test.each([
    ["DESCENT_MAX_FILE_SIZE", "lots"], ["DESCENT_MAX_FILE_SIZE", "0"], ["DESCENT_MAX_FILE_SIZE", "-5"], ["DESCENT_MAX_FILE_SIZE", "0.5"],
    ["DESCENT_MAX_FILE_SIZE", "4X"], ["DESCENT_MAX_PARAMETERS", "2GB"], ["DESCENT_MAX_PARAMETERS", "1e400"], ["DESCENT_MAX_IMAGE_PIXELS", "1e16"],
  ])("%s=%s is a UsageError naming the variable and an example", async (variable, value) => {
    const e = await caught(() => limitsFromEnv({ [variable]: value }));
    expect(e).toBeInstanceOf(UsageError);
    expect(e.message).toContain(`${variable}="${value}" is not a positive whole`);
    expect(e.message).toMatch(new RegExp(`use e\\.g\\. ${variable}=`));
  });

  test("setLimits changes only what it is given and refuses non-positive or unknown limits", async () => {
    setLimits({ maxParameters: 5 });
    expect(limits()).toEqual({ ...DEFAULT_LIMITS, maxParameters: 5 });
    expect(await caught(() => setLimits({ maxFileBytes: 0 }))).toBeInstanceOf(UsageError);
    expect(await caught(() => setLimits({ maxFileBytes: Number.NaN }))).toBeInstanceOf(UsageError);
    expect((await caught(() => setLimits({ maxBytes: 1 } as never))).message).toContain('unknown limit "maxBytes"');
    expect(limits().maxFileBytes).toBe(DEFAULT_LIMITS.maxFileBytes);
  });

  test("formatBytes", () => {
    expect([formatBytes(68), formatBytes(1024), formatBytes(64 * 2 ** 20), formatBytes(2 ** 30), formatBytes(1536)]).toEqual(["68 bytes", "1 KiB", "64 MiB", "1 GiB", "1.5 KiB"]);
  });
});

describe("the bounded reader refuses what is not a small regular file", () => {
  const fifo = join(dir, "pipe");
  execFileSync("mkfifo", [fifo]);

  test.each([
    ["a FIFO (nobody writes to it: a plain read would wait forever)", fifo, "is a FIFO (named pipe), not a regular file"],
    ["/dev/zero (a plain read would never end)", "/dev/zero", "is a character device, not a regular file"],
    ["a directory", dir, "is a directory, not a file — pass a file inside it"],
    ["a missing file", join(dir, "nope"), "no such file — check the path"],
  ])("%s — async and sync", async (_what, path, message) => {
    for (const read of [() => readFileBounded(path), () => readFileBoundedSync(path)]) {
      const e = await caught(read);
      expect(e).toBeInstanceOf(DescentError);
      expect(e.message).toBe(`${path}: ${message}${message.includes("regular") ? " — descent reads only regular files; save the data to a file and pass that" : ""}`);
    }
  });

  test("a file over the cap is refused before reading, naming size, limit and variable; one at the cap is read", async () => {
    const big = write("big.bin", new Uint8Array(101));
    const exact = write("exact.bin", new Uint8Array(100).fill(7));
    setLimits({ maxFileBytes: 100 });
    for (const read of [() => readFileBounded(big), () => readFileBoundedSync(big)]) {
      expect((await caught(read)).message).toBe(
        `${big}: the file is 101 bytes, larger than descent reads — the limit is 100 bytes; if the input is genuine, raise it with DESCENT_MAX_FILE_SIZE=…`,
      );
    }
    expect(await readFileBounded(exact)).toEqual(new Uint8Array(100).fill(7));
    expect(readFileBoundedSync(exact)).toEqual(new Uint8Array(100).fill(7));
  });

  test("it reads the size fstat reported, no more (procfs files report 0 bytes however much they hold)", async () => {
    // Oracle: Linux reports st_size 0 for /proc files; an unbounded read would return their text.
    expect((await readFileBounded("/proc/self/status")).length).toBe(0);
  });

  test("the loaders use it, with their own error class and words", async () => {
    const model = await caught(() => loadModel(fifo));
    expect(model).toBeInstanceOf(ModelFileError);
    expect(model.message).toContain(`${fifo}: is a FIFO (named pipe)`);
    const ckpt = await caught(() => loadCheckpoint("/dev/zero"));
    expect(ckpt).toBeInstanceOf(ModelFileError);
    expect(ckpt.message).toContain("/dev/zero: is a character device");
    expect((await caught(() => loadCheckpoint(dir))).message).toBe(`${dir}: this is a directory, not a checkpoint file`);
    expect((await caught(() => loadModel(dir))).message).toBe(`${dir}: this is a directory, not a model file — pass the .safetensors file inside it`);
    const idx = await caught(() => readIdxFile(fifo));
    expect(idx).toBeInstanceOf(IdxError);
    expect(idx.message).toContain(`${fifo}: is a FIFO (named pipe)`);
    expect((await caught(() => readImage("/dev/zero"))).message).toContain("/dev/zero: is a character device");
    setLimits({ maxImageBytes: 10 });
    const png = write("eleven.png", new Uint8Array(11));
    expect((await caught(() => readImage(png))).message).toBe(
      `${png}: the file is 11 bytes, larger than descent reads — the limit is 10 bytes; if the input is genuine, raise it with DESCENT_MAX_IMAGE_SIZE=…`,
    );
  });
});

describe("gzip: inflating stops at maxInflatedBytes", () => {
  /** A valid IDX file of n bytes of uint8 data: header 00 00 08 01, then n as a big-endian u32. */
  const idx = (n: number) => {
    const out = new Uint8Array(8 + n);
    out.set([0, 0, 8, 1, n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
    return out;
  };

  test("a gzip bomb (many members of zeros) is refused, naming the file, the cap and the variable", async () => {
    // 2 MiB of zeros deflate to about 2 KiB; Node gunzips concatenated members as one stream.
    const member = gzipSync(new Uint8Array(1 << 20));
    const bomb = write("bomb-idx1-ubyte.gz", Buffer.concat([gzipSync(idx(16)), member, member]));
    setLimits({ maxInflatedBytes: 1 << 20 });
    const e = await caught(() => readIdxFile(bomb));
    expect(e).toBeInstanceOf(IdxError);
    expect(e.message).toBe(
      `${bomb}: the ${formatBytes(Buffer.concat([gzipSync(idx(16)), member, member]).length)} gzip file inflates past 1 MiB (MNIST's largest file inflates to 45 MiB) — ` +
        "it is corrupt or a gzip bomb; the limit is 1 MiB; if the input is genuine, raise it with DESCENT_MAX_INFLATED_SIZE=…",
    );
  });

  test("a gzipped file that inflates to exactly the cap is read", async () => {
    const bytes = idx(1000 - 8);
    bytes.fill(3, 8);
    setLimits({ maxInflatedBytes: 1000 });
    const a = await readIdxFile(write("ok-idx1-ubyte.gz", gzipSync(bytes)));
    expect(a.shape).toEqual([992]);
    expect(a.data[991]).toBe(3);
  });
});

/** An 8-bit grey PNG declaring width × height whose IDAT is `inflated` zero bytes, deflated. */
const greyPng = (width: number, height: number, inflated: number, interlace = 0) =>
  greyPngBytes(width, height, deflateSync(new Uint8Array(inflated)), interlace);

describe("PNG: the IHDR is checked before pngjs decodes anything", () => {
  test("a 66-byte PNG declaring 100000×100000 pixels", async () => {
    const bytes = greyPng(100_000, 100_000, 1);
    expect(bytes.length).toBe(66);
    const path = write("huge.png", bytes);
    expect((await caught(() => readImage(path))).message).toBe(
      `${path}: the PNG declares 100000×100000 = 10,000,000,000 pixels, more than descent decodes — scale the image down ` +
        "(a digit needs no more than a few hundred pixels a side); the limit is 40,000,000 pixels; if the input is genuine, raise it with DESCENT_MAX_IMAGE_PIXELS=…",
    );
  });

  test("the pixel cap is width × height, inclusive", async () => {
    setLimits({ maxImagePixels: 100 });
    expect((await readImage(write("ten.png", greyPng(10, 10, 10 * 11)))).width).toBe(10);
    expect((await caught(() => readImage(write("eleven.png", greyPng(11, 10, 10 * 12)))))).toBeInstanceOf(DescentError);
  });

  test("zero width or height, and a first chunk that is not IHDR", async () => {
    const zero = write("zero.png", greyPng(0, 5, 1));
    expect((await caught(() => readImage(zero))).message).toBe(
      `${zero}: corrupt PNG — its header declares 0×5 pixels; both must be at least 1; re-export or re-save the image as PNG`,
    );
    const noIhdr = greyPng(4, 4, 20);
    noIhdr.write("IHDX", 12, "latin1");
    const path = write("no-ihdr.png", noIhdr);
    expect((await caught(() => readImage(path))).message).toContain(`${path}: corrupt PNG — it does not start with a 13-byte IHDR chunk`);
    const cut = write("cut.png", greyPng(100_000, 100_000, 1).subarray(0, 30)); // stops inside the IHDR
    expect((await caught(() => readImage(cut))).message).toBe(
      `${cut}: truncated PNG — the file stops after 30 bytes, before the IEND chunk that ends every PNG (an interrupted download or copy?); get or save the image again`,
    );
  });

  test("a damaged IHDR (CRC mismatch) declaring 100000×100000 is left to pngjs, which rejects it before allocating", async () => {
    // Oracle: the CRC the test's writer computed no longer matches once one bit of it flips.
    const bytes = greyPng(100_000, 100_000, 1);
    bytes[29] = bytes[29]! ^ 1;
    const path = write("bad-crc.png", bytes);
    expect((await caught(() => readImage(path))).message).toMatch(new RegExp(`^${path}: corrupt PNG \\(the decoder says: .+\\) — re-export or re-save the image as PNG$`));
  });

  test("too little compressed data for the declared size (deflate packs at most 1032 bytes into one)", async () => {
    // 6000×6000 grey needs 6000·6001 bytes of scanlines; one zero byte deflates to 9 bytes.
    const path = write("implausible.png", greyPng(6000, 6000, 1));
    expect((await caught(() => readImage(path))).message).toBe(
      `${path}: corrupt PNG — its header declares 6000×6000 pixels (34.3 MiB of scanlines), but its 9 bytes of compressed image data ` +
        "cannot inflate to more than 9.13 KiB; re-export or re-save the image as PNG",
    );
  });

  test("an interlaced PNG whose data is a zlib bomb (pngjs would inflate interlaced data without a cap)", async () => {
    // 10×10 grey interlaced makes 20 rows in its 7 Adam7 passes, 120 bytes with filter bytes; this IDAT inflates to 8 MiB.
    const path = write("interlaced-bomb.png", greyPng(10, 10, 8 << 20, 1));
    expect((await caught(() => readImage(path))).message).toBe(
      `${path}: corrupt PNG — its image data inflates past the 240 bytes that 10×10 interlaced pixels can fill (a zlib bomb?); re-export or re-save the image as PNG`,
    );
  });

  test("a genuine interlaced image still decodes (the Adam7 bound is not too tight)", async () => {
    // Oracle: pngjs's own encoder cannot interlace, so the scanlines of each Adam7 pass are written here:
    // 8×8 grey has passes of 1×1, 1×1, 2×1, 2×2, 4×2, 4×4 and 8×4 pixels, each row a filter byte 0 and then the pixels.
    const passes: [number, number][] = [[1, 1], [1, 1], [2, 1], [2, 2], [4, 2], [4, 4], [8, 4]];
    const raw = passes.flatMap(([w, h]) => Array.from({ length: h }, () => [0, ...new Array<number>(w).fill(200)])).flat();
    const png = greyPngBytes(8, 8, deflateSync(Uint8Array.from(raw)), 1);
    const img = await readImage(write("interlaced.png", png));
    expect(img.width).toBe(8);
    expect(Array.from(img.data.subarray(0, 8))).toEqual([200, 200, 200, 255, 200, 200, 200, 255]);
  });
});

describe("IDX: declared dimensions are checked against the bytes before anything is allocated", () => {
  /** An IDX header (type code, dims) followed by `payload` bytes. */
  function idxBytes(code: number, dims: number[], payload = 0): Uint8Array {
    const out = new Uint8Array(4 + 4 * dims.length + payload);
    const view = new DataView(out.buffer);
    out.set([0, 0, code, dims.length]);
    dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
    return out;
  }

  test.each([
    ["four dims of 2^32 − 1 (product 3.4e38, far past 2^53)", idxBytes(0x08, [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], 16), /more than the 2147483648-byte limit/],
    ["float64 dims whose product overflows 2^53 only as bytes", idxBytes(0x0e, [0x100000, 0x100000, 0x100000], 8), /more than the 2147483648-byte limit/],
    ["60000×28×28 declared, 100 bytes present", idxBytes(0x08, [60000, 28, 28], 100), /truncated: expected 47040000 data bytes .* found 100/],
    ["2^31 uint8 declared, 10 present", idxBytes(0x08, [2 ** 31], 10), /truncated: expected 2147483648 data bytes/],
    ["int32 [2^29] declared (exactly the byte limit), 4 present", idxBytes(0x0c, [2 ** 29], 4), /truncated: expected 2147483648 data bytes/],
  ])("%s", (_what, bytes, message) => {
    const e = (() => {
      try {
        parseIdx(bytes, "hostile");
      } catch (err) {
        return err as Error;
      }
      throw new Error("expected an IdxError");
    })();
    expect(e).toBeInstanceOf(IdxError);
    expect(e.message).toMatch(/^hostile: /);
    expect(e.message).toMatch(message);
  });
});

describe("--arch: every token checked, the parameter count before any allocation", () => {
  const arch = (a: string, input = [1, 28, 28]) => buildArch(a, { input });

  test.each([
    ["conv0x5", "conv0x5", '"conv0x5" sets filters to 0, expected 1 to 16777216'],
    ["conv20x0", "conv20x0", '"conv20x0" sets kernel size to 0, expected 1 to 16777216'],
    ["conv20x5s0", "conv20x5s0", '"conv20x5s0" sets stride to 0, expected 1 to 16777216'],
    ["conv20x5p5", "conv20x5p5", '"conv20x5p5" sets padding to 5, expected 0 to 4'],
    ["conv20x5g0", "conv20x5g0", '"conv20x5g0" sets groups to 0, expected 1 to 16777216'],
    ["maxpool0", "maxpool0", '"maxpool0" sets kernel size to 0, expected 1 to 16777216'],
    ["avgpool2s0", "avgpool2s0", '"avgpool2s0" sets stride to 0, expected 1 to 16777216'],
    ["fc0", "fc0", '"fc0" sets units to 0, expected 1 to 16777216'],
    ["fc99999999999", "fc99999999999", '"fc99999999999" sets units to 99999999999, expected 1 to 16777216'],
    ["fc and 300 nines", `fc${"9".repeat(300)}`, `"fc${"9".repeat(38)}…" sets units to ${"9".repeat(12)}…, expected 1 to 16777216`],
    ["dropout1", "dropout1", '"dropout1" needs a probability in [0, 1) written like dropout0.5'],
    ["dropout.", "dropout.", '"dropout." needs a probability in [0, 1) written like dropout0.5'],
    ["dropout", "dropout", '"dropout" needs a probability in [0, 1) written like dropout0.5'],
    ["fc10,,relu", "fc10,,relu", '"" is an empty layer (two separators in a row, or one at the end)'],
    ["fc10,", "fc10,", '"" is an empty layer'],
    ["res(relu;;relu)", "res(relu;;relu)", '"" is an empty layer'],
    ["constructor", "constructor", '"constructor" is not a layer'],
    ["res(", "res(", '--arch: 1 "(" never closed — write res(<layers separated by ;>)'],
    ["res(relu))", "res(relu))", '--arch: the ")" at character 10 closes nothing'],
    ["res( nested 1000 deep", `${"res(".repeat(1000)}relu${")".repeat(1000)}`, "--arch: res( … ) nested more than 8 deep at character 36"],
    ["a 1 MB string", "relu,".repeat(200_000) + "relu", "--arch is 1000004 characters long, more than 10000"],
    ["fc16000000", "fc16000000", "--arch: the model would have 12,560,000,000 parameters — the limit is 100,000,000 parameters; if the input is genuine, raise it with DESCENT_MAX_PARAMETERS=… (the largest layer, \"fc16000000\", has 12,560,000,000)"],
  ])("%s", (_label, a, message) => {
    let e: unknown;
    try {
      arch(a);
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(UsageError);
    expect((e as Error).message).toContain(message);
  });

  test("the total counts every layer: each of 1000 layers fits, all together do not", () => {
    // Oracle: 1000 × (100·100 + 100) = 10,100,000 by hand; the cap is lowered to 10,000,000.
    setLimits({ maxParameters: 10_000_000 });
    const many = ["fc100", ...new Array<string>(999).fill("fc100")].join(",");
    expect(() => arch(many, [100])).toThrow("--arch: the model would have 10,100,000 parameters — the limit is 10,000,000 parameters");
    setLimits({ maxParameters: 10_100_000 });
    expect(arch(many, [100]).model.numParameters()).toBe(10_100_000);
  });

  test("parameters in residual blocks and batch norm are counted", () => {
    // Oracle: conv8x3p1 on 8 channels = 8·8·9 + 8 = 584; bn = 4·8 (weight, bias, running mean, variance).
    setLimits({ maxParameters: 2 * 584 + 32 - 1 });
    expect(() => arch("conv8x3p1,res(conv8x3p1;bn)", [8, 6, 6])).toThrow("would have 1,200 parameters");
    setLimits({ maxParameters: 1200 });
    expect(arch("conv8x3p1,res(conv8x3p1;bn)", [8, 6, 6]).model.numParameters()).toBe(2 * 584 + 16); // running statistics are buffers
  });
});

describe("--layers and mlp: parameters counted first", () => {
  test("mlpParameters is Σ (n_in + 1)·n_out", () => {
    // Oracle: Nielsen's [784, 30, 10] network has 23,860 parameters (784·30 + 30 + 30·10 + 10).
    expect(mlpParameters([784, 30, 10])).toBe(23_860);
    expect(mlp([784, 30, 10]).numParameters()).toBe(23_860);
  });

  test("mlp refuses an over-limit network before allocating it", () => {
    expect(() => mlp([784, 1_000_000, 10])).toThrow(new UsageError(
      "layers 784,1000000,10: the model would have 795,000,010 parameters — the limit is 100,000,000 parameters; if the input is genuine, raise it with DESCENT_MAX_PARAMETERS=…",
    ));
  });

  test("--layers: sizes over 2^20 and totals over the limit are usage errors naming the flag", () => {
    const parse = intList("--layers");
    expect(() => parse("784,999999999,10")).toThrow(new UsageError("--layers 784,999999999,10: a layer of 999999999 units, expected at most 1048576"));
    expect(() => parse("784,1000000,10")).toThrow("--layers 784,1000000,10: the model would have 795,000,010 parameters");
    expect(parse("784,30,10")).toEqual([784, 30, 10]);
  });
});

describe("model-file architectures: the total is checked before any layer exists", () => {
  const linear = (n: number) => ({ type: "Linear", inFeatures: n, outFeatures: n });

  test("eight layers each under the per-tensor cap, 2 billion parameters together", () => {
    // Oracle: 8 × (16000·16000 + 16000) = 2,048,128,000. Allocating it would take 8 GB; the check takes none.
    const spec = { type: "Sequential", layers: new Array(8).fill(linear(16_000)) };
    expect(specParameters(spec)).toBe(2_048_128_000);
    expect(() => buildModule(spec, "hostile.safetensors: model")).toThrow(new ModelFileError(
      "hostile.safetensors: model: the model would have 2,048,128,000 parameters — the limit is 100,000,000 parameters; if the input is genuine, raise it with DESCENT_MAX_PARAMETERS=…",
    ));
  });

  test("residual bodies and batch norms count; the cap is inclusive", () => {
    // Oracle: conv 4·2·3·3 + 4 = 76, BatchNorm2d(4) = 16, Linear 10→3 = 33 → 125.
    const spec = { type: "Sequential", layers: [
      { type: "Conv2d", inChannels: 2, outChannels: 4, kernelSize: 3, padding: 1 },
      { type: "Residual", body: { type: "BatchNorm2d", numFeatures: 4 } },
      { type: "Linear", inFeatures: 10, outFeatures: 3 },
    ] };
    expect(specParameters(spec)).toBe(125);
    setLimits({ maxParameters: 124 });
    expect(() => buildModule(spec)).toThrow("model: the model would have 125 parameters");
    setLimits({ maxParameters: 125 });
    expect(buildModule(spec).numParameters()).toBe(76 + 8 + 33); // running statistics are buffers, not parameters
  });

  test("nesting is bounded without a stack overflow", () => {
    let spec: object = { type: "ReLU" };
    for (let i = 0; i < 100_000; i++) spec = { type: "Residual", body: spec };
    expect(() => buildModule(spec)).toThrow(/layers nested more than 64 deep — the architecture is corrupt/);
  });

  test("convolution padding must be smaller than the kernel (more only allocates constant borders)", () => {
    expect(() => buildModule({ type: "Conv2d", inChannels: 1, outChannels: 1, kernelSize: 3, padding: 1000000 })).toThrow(
      new ModelFileError('model (Conv2d): "padding" must be smaller than "kernelSize" 3, found 1000000'),
    );
  });

  test("a model file declaring 2 billion parameters, with no weights, is refused by loadModel", async () => {
    // Handmade safetensors: u64 LE header length, then the JSON header (metadata only, no tensors).
    const architecture = JSON.stringify({ type: "Sequential", layers: new Array(8).fill(linear(16_000)) });
    const header = JSON.stringify({ __metadata__: { format: "descent-model", version: "1", architecture, training: "{}" } });
    const padded = header + " ".repeat((8 - (header.length % 8)) % 8);
    const bytes = Buffer.alloc(8 + padded.length);
    bytes.writeBigUInt64LE(BigInt(padded.length), 0);
    bytes.write(padded, 8, "latin1");
    const path = write("two-billion.safetensors", bytes);
    const e = await caught(() => loadModel(path));
    expect(e).toBeInstanceOf(ModelFileError);
    expect(e.message).toContain(`${path}: model: the model would have 2,048,128,000 parameters — the limit is 100,000,000 parameters`);
  });
});
