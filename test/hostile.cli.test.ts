/**
 * Small hostile files and flags against the real `descent` binary, under a 3 GB address-space
 * limit (`ulimit -v`, with the ref backend: wasm reserves more than that at start) and a timeout:
 * each must end quickly with exit 1 or 2 and one clean message naming the file or flag, the size
 * found and the limit — never a crash, a hang, or gigabytes of memory.
 * Oracles: the bytes built here (PNG chunks from RFC 2083, gzip members, safetensors headers), the
 * parameter counts computed by hand, and the messages and exit codes the README documents.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { constants, deflateRawSync, deflateSync, gzipSync } from "node:zlib";
import { encodeModel } from "../src/io/model-file.js";
import { mlp } from "../src/nn/mlp.js";
import { greyPngBytes } from "./png-bytes.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = join(root, "bin", "descent.js");
const dir = mkdtempSync(join(tmpdir(), "descent-hostile-"));
const model = join(dir, "m.safetensors");

/** `descent …` under ulimit -v 3000000 (KiB), with a 20 s timeout; extra environment variables in `env`. */
function descent(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync("bash", ["-c", 'ulimit -v 3000000; exec "$0" "$@"', process.execPath, bin, ...args], {
    cwd: dir, encoding: "utf8", timeout: 20_000, env: { ...process.env, NO_COLOR: "1", DESCENT_BACKEND: "ref", ...env },
  });
  return { code: r.status, signal: r.signal, out: r.stdout, err: r.stderr };
}

/** Exit `code`, the exact one-line message, nothing else: no stack trace, no V8 fatal-error report. */
function expectRefusal(r: ReturnType<typeof descent>, code: number, message: string) {
  expect(r.signal, r.err).toBeNull();
  expect(r.code, r.err).toBe(code);
  expect(r.err).toBe(`descent: ${message}\n`);
}

/**
 * A zlib stream of `mib` MiB of zeros, built from one byte-aligned 16 MiB piece (a sync flush ends
 * each piece on a byte boundary, so copies concatenate): 2 GiB from about 2 MB of file.
 */
function zlibBomb(mib: number): Buffer {
  const piece = deflateRawSync(new Uint8Array(16 << 20), { level: 9, finishFlush: constants.Z_SYNC_FLUSH });
  const end = deflateRawSync(new Uint8Array(0)); // the final, empty block
  return Buffer.concat([Buffer.from([0x78, 0xda]), ...new Array<Buffer>(mib / 16).fill(piece), end, Buffer.alloc(4)]);
}

/** A descent model file whose architecture is `architecture` and which holds no tensors (hand-built safetensors). */
function modelFileWith(architecture: unknown): Buffer {
  const header = JSON.stringify({ __metadata__: { format: "descent-model", version: "1", architecture: JSON.stringify(architecture), training: "{}" } });
  const padded = header + " ".repeat((8 - (header.length % 8)) % 8);
  const bytes = Buffer.alloc(8 + padded.length);
  bytes.writeBigUInt64LE(BigInt(padded.length), 0);
  bytes.write(padded, 8, "latin1");
  return bytes;
}

const path = (name: string) => join(dir, name);

beforeAll(() => {
  writeFileSync(model, encodeModel(mlp([784, 10, 10]), { training: {} }));
  writeFileSync(path("huge.png"), greyPngBytes(100_000, 100_000, deflateSync(new Uint8Array(1))));
  writeFileSync(path("interlaced-bomb.png"), greyPngBytes(28, 28, zlibBomb(2048), 1));
  execFileSync("mkfifo", [path("fifo")]);
  // 8 Linear(16000 → 16000), each under the per-tensor cap: 8 × (16000² + 16000) = 2,048,128,000 parameters.
  writeFileSync(path("two-billion.safetensors"), modelFileWith({ type: "Sequential", layers: new Array(8).fill({ type: "Linear", inFeatures: 16_000, outFeatures: 16_000 }) }));
  // A gzip bomb named as MNIST's training images: a valid IDX header, then 70 members of 16 MiB of zeros (1.1 GiB).
  mkdirSync(path("bomb"));
  const header = Buffer.from([0, 0, 8, 3, 0, 0, 0xea, 0x60, 0, 0, 0, 28, 0, 0, 0, 28]);
  const member = gzipSync(new Uint8Array(16 << 20), { level: 9 });
  writeFileSync(path("bomb/train-images-idx3-ubyte.gz"), Buffer.concat([gzipSync(header), ...new Array<Buffer>(70).fill(member)]));
});

describe("hostile files", () => {
  test("predict: a 66-byte PNG declaring 100000×100000 pixels", () => {
    expectRefusal(descent(["predict", model, path("huge.png")]), 1,
      `${path("huge.png")}: the PNG declares 100000×100000 = 10,000,000,000 pixels, more than descent decodes — scale the image down ` +
        "(a digit needs no more than a few hundred pixels a side); the limit is 40,000,000 pixels; if the input is genuine, raise it with DESCENT_MAX_IMAGE_PIXELS=…");
  });

  test("predict: a 28×28 interlaced PNG whose 2 MB of image data inflate to 2 GiB", () => {
    // 28 rows of at most 28 + 14 bytes: 1176 bytes is all 28×28 interlaced grey pixels can fill.
    expectRefusal(descent(["predict", model, path("interlaced-bomb.png")]), 1,
      `${path("interlaced-bomb.png")}: corrupt PNG — its image data inflates past the 1.15 KiB that 28×28 interlaced pixels can fill (a zlib bomb?); re-export or re-save the image as PNG`);
  });

  test("info: a FIFO nobody writes to, and /dev/zero, are refused at once", () => {
    const fifo = descent(["info", path("fifo")]);
    expectRefusal(fifo, 1, `${path("fifo")}: is a FIFO (named pipe), not a regular file — descent reads only regular files; save the data to a file and pass that`);
    expectRefusal(descent(["info", "/dev/zero"]), 1, "/dev/zero: is a character device, not a regular file — descent reads only regular files; save the data to a file and pass that");
  });

  test("info: a 1 KiB model file whose architecture declares 2 billion parameters", () => {
    expectRefusal(descent(["info", path("two-billion.safetensors")]), 1,
      `${path("two-billion.safetensors")}: model: the model would have 2,048,128,000 parameters — the limit is 100,000,000 parameters; if the input is genuine, raise it with DESCENT_MAX_PARAMETERS=…`);
  });

  test("eval --data: a 1.1 MB gzip IDX file that inflates past 1 GiB", () => {
    const bomb = path("bomb/train-images-idx3-ubyte.gz");
    expectRefusal(descent(["eval", model, "--data", path("bomb")]), 1,
      `${bomb}: the 1.09 MiB gzip file inflates past 1 GiB (MNIST's largest file inflates to 45 MiB) — it is corrupt or a gzip bomb; ` +
        "the limit is 1 GiB; if the input is genuine, raise it with DESCENT_MAX_INFLATED_SIZE=…");
  });
});

describe("hostile flags", () => {
  test("train --arch fc99999999999", () => {
    expectRefusal(descent(["train", "--arch", "fc99999999999", "--epochs", "1"]), 2,
      '--arch: "fc99999999999" sets units to 99999999999, expected 1 to 16777216 (the shape there is [784]); see descent train --help');
  });

  test("train --arch fc16000000: 12.6 billion parameters, refused before allocating", () => {
    expectRefusal(descent(["train", "--arch", "fc16000000", "--epochs", "1"]), 2,
      "--arch: the model would have 12,560,000,000 parameters — the limit is 100,000,000 parameters; if the input is genuine, raise it with DESCENT_MAX_PARAMETERS=… " +
        '(the largest layer, "fc16000000", has 12,560,000,000)');
  });

  test("train --arch res( nested 10000 deep, and 1900 deep within the length cap", () => {
    // The length cap (from the settings table) refuses the first before it is parsed; the value is quoted short.
    const r = descent(["train", "--arch", `${"res(".repeat(10_000)}relu${")".repeat(10_000)}`]);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(/^descent: --arch res\(res\(.{0,80}…\(49,944 more characters\): expected a string like "conv20x5,relu,maxpool2,fc100,relu,fc10" of at most 10000 characters, got "res\(res\(.{0,60}\.\.\.\n$/);
    expectRefusal(descent(["train", "--arch", `${"res(".repeat(1_900)}relu${")".repeat(1_900)}`]), 2,
      "--arch: res( … ) nested more than 8 deep at character 36");
  });

  test("train --layers 784,999999999,10 and 784,1000000,10", () => {
    expectRefusal(descent(["train", "--layers", "784,999999999,10", "--epochs", "1"]), 2, "--layers 784,999999999,10: a layer of 999999999 units, expected at most 1048576");
    expectRefusal(descent(["train", "--layers", "784,1000000,10", "--epochs", "1"]), 2,
      "--layers 784,1000000,10: the model would have 795,000,010 parameters — the limit is 100,000,000 parameters; if the input is genuine, raise it with DESCENT_MAX_PARAMETERS=…");
  });
});

describe("DESCENT_MAX_* variables", () => {
  test("lowered limits apply to every command", () => {
    // Oracle: [784, 30, 10] has 784·30 + 30 + 30·10 + 10 = 23,860 parameters.
    expectRefusal(descent(["train", "--layers", "784,30,10"], { DESCENT_MAX_PARAMETERS: "23859" }), 2,
      "--layers 784,30,10: the model would have 23,860 parameters — the limit is 23,859 parameters; if the input is genuine, raise it with DESCENT_MAX_PARAMETERS=…");
    const size = descent(["info", model], { DESCENT_MAX_FILE_SIZE: "1K" });
    expect(size.code, size.err).toBe(1);
    expect(size.err).toMatch(new RegExp(`^descent: ${model}: the file is \\d+(\\.\\d+)? KiB, larger than descent reads — the limit is 1 KiB; if the input is genuine, raise it with DESCENT_MAX_FILE_SIZE=…\\n$`));
    expectRefusal(descent(["predict", model, path("huge.png")], { DESCENT_MAX_IMAGE_SIZE: "65" }), 1,
      `${path("huge.png")}: the file is 66 bytes, larger than descent reads — the limit is 65 bytes; if the input is genuine, raise it with DESCENT_MAX_IMAGE_SIZE=…`);
  });

  test("a raised limit lets the same input through", () => {
    const r = descent(["info", model], { DESCENT_MAX_FILE_SIZE: "1G", DESCENT_MAX_PARAMETERS: "2e8" });
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/parameters\s+7,960/); // 785·10 + 11·10
  });

  test("a malformed value is a usage error naming the variable", () => {
    expectRefusal(descent(["info", model], { DESCENT_MAX_FILE_SIZE: "lots" }), 2,
      'DESCENT_MAX_FILE_SIZE="lots" is not a positive whole number of bytes — use e.g. DESCENT_MAX_FILE_SIZE=4G (4 GiB) or DESCENT_MAX_FILE_SIZE=2000000000');
  });
});
