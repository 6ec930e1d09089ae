/**
 * The real `descent` binary on hostile and broken model files and images (built by `npm test`'s
 * pretest step). Oracles: the raw bytes of stdout and stderr (no ESC, no U+202E may reach a
 * terminal), exact exit codes, and messages naming the file, the tensor and the counts — the files
 * are built here by hand with encodeModel / encodeSafetensors.
 */
import { describe, expect, test, beforeAll } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PNG } from "pngjs";
import { encodeModel } from "../src/io/model-file.js";
import { encodeSafetensors, type StoredTensor } from "../src/io/safetensors.js";
import { mlp } from "../src/nn/mlp.js";
import { Rng } from "../src/rng.js";
import type { Module } from "../src/nn/module.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = join(root, "bin", "descent.js");
const dir = mkdtempSync(join(tmpdir(), "descent-inspect-"));

/** Raw bytes, so that an escape sequence cannot hide in a decoding step. */
function descent(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, env: { ...process.env, NO_COLOR: "1" }, timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr, outText: r.stdout.toString("utf8"), errText: r.stderr.toString("utf8") };
}

const ESC = Buffer.from([0x1b]);
const BEL = Buffer.from([0x07]);
const RLO = Buffer.from("\u202e", "utf8"); // e2 80 ae
const C1_CSI = Buffer.from("\u009b", "utf8"); // c2 9b

/** No byte sequence a terminal would act on (or that reorders text) in either stream. */
function expectNoRawControls(r: ReturnType<typeof descent>) {
  for (const stream of [r.out, r.err]) {
    for (const bad of [ESC, BEL, RLO, C1_CSI]) expect(stream.includes(bad), `${bad.toString("hex")} in ${JSON.stringify(stream.toString("utf8").slice(0, 300))}`).toBe(false);
  }
}

function expectCleanError(r: ReturnType<typeof descent>, code: number, message: RegExp) {
  expect(r.code, r.errText).toBe(code);
  expect(r.errText).toMatch(message);
  expect(r.errText).not.toMatch(/\n\s+at .+:\d+:\d+/);
}

const save = (name: string, model: Module, training: Record<string, unknown> = {}) => {
  const path = join(dir, name);
  writeFileSync(path, encodeModel(model, { training }));
  return path;
};

/** A 28×28 PNG: a light vertical bar on black, roughly a "1". */
function writeDigitPng(name: string): string {
  const png = new PNG({ width: 28, height: 28 });
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const i = (y * 28 + x) * 4;
      const v = x >= 12 && x <= 15 && y >= 4 && y <= 23 ? 255 : 0;
      png.data[i] = png.data[i + 1] = png.data[i + 2] = v;
      png.data[i + 3] = 255;
    }
  }
  const path = join(dir, name);
  writeFileSync(path, PNG.sync.write(png));
  return path;
}

const ANSI = "\x1b]0;pwned\x07\x1b[2J\x1b[31m";
let good: string;
let hostileMeta: string;
let nanModel: string;
let fiveOutputs: string;
let goodPng: string;

beforeAll(() => {
  good = save("good.safetensors", mlp([784, 30, 10], { rng: new Rng(1) }));
  hostileMeta = save("hostile.safetensors", mlp([784, 30, 10], { rng: new Rng(2) }), {
    [`note${ANSI}`]: `trained by ${ANSI} \u202eexe.txt\u009b2J`,
    long: "L".repeat(5000),
    config: { seed: `\u202e${ANSI}`, [`k\x1b[1m`]: 1 },
  });
  const diverged = mlp([784, 30, 10], { rng: new Rng(3) });
  const w = diverged.stateDict()["layers.0.weight"]!.data;
  for (let i = 0; i < 12; i++) w[i * 100] = NaN;
  w[5] = Infinity;
  nanModel = save("nan.safetensors", diverged);
  fiveOutputs = save("five.safetensors", mlp([784, 30, 5], { rng: new Rng(4) }));
  goodPng = writeDigitPng("good.png");
});

describe("text from files never reaches the terminal raw", () => {
  test("info on training metadata holding ANSI escapes, a bidi override and a C1 CSI: escaped, exit 0", () => {
    const r = descent("info", hostileMeta);
    expect(r.code, r.errText).toBe(0);
    expectNoRawControls(r);
    expect(r.outText).toContain("\\x1b]0;pwned\\x07\\x1b[2J");
    expect(r.outText).toContain("\\u202eexe.txt\\x9b2J");
    // A long value is cut in text mode, and says where to see it whole.
    expect(r.outText).toMatch(/L{100,200}…\(4,\d{3} more characters; see --json\)/);
  });

  test("info --json: valid JSON holding the same strings, with no raw control bytes", () => {
    const r = descent("info", hostileMeta, "--json");
    expect(r.code, r.errText).toBe(0);
    expectNoRawControls(r);
    const j = JSON.parse(r.outText) as { training: Record<string, unknown>; nonFinite: unknown[] };
    expect(j.training[`note${ANSI}`]).toBe(`trained by ${ANSI} \u202eexe.txt\u009b2J`);
    expect(j.training.long).toBe("L".repeat(5000));
    expect(j.nonFinite).toEqual([]);
  });

  test("an error quoting a 1 MB tensor name (with escapes) stays short: < 2 KB of stderr", () => {
    const model = mlp([784, 30, 10], { rng: new Rng(5) });
    const tensors: StoredTensor[] = Object.entries(model.stateDict()).map(([name, t]) => ({ name, dtype: "F32", shape: [...t.shape], data: t.data }));
    tensors.push({ name: `${ANSI}${"A".repeat(1_000_000)}`, dtype: "F32", shape: [1], data: new Float32Array(1) });
    const path = join(dir, "huge-name.safetensors");
    writeFileSync(path, encodeSafetensors(tensors, { format: "descent-model", version: "1", architecture: JSON.stringify(model.spec()), training: "{}" }));
    const r = descent("info", path);
    expectCleanError(r, 1, /huge-name\.safetensors: tensor "\\x1b\]0;pwned\\x07\\x1b\[2J\\x1b\[31mA+…\(999,9\d\d more characters\)" is not part of the architecture/);
    expect(r.err.length).toBeLessThan(2048);
    expectNoRawControls(r);
  });

  test("50 stray tensors: the message names the first 10 and counts the rest", () => {
    const model = mlp([784, 30, 10], { rng: new Rng(6) });
    const tensors: StoredTensor[] = Object.entries(model.stateDict()).map(([name, t]) => ({ name, dtype: "F32", shape: [...t.shape], data: t.data }));
    for (let i = 0; i < 50; i++) tensors.push({ name: `stray.${i}`, dtype: "F32", shape: [1], data: new Float32Array(1) });
    const path = join(dir, "stray.safetensors");
    writeFileSync(path, encodeSafetensors(tensors, { format: "descent-model", version: "1", architecture: JSON.stringify(model.spec()), training: "{}" }));
    const r = descent("info", path);
    expectCleanError(r, 1, /tensor "stray\.9" is not part of the architecture; and 40 more problems — the weights do not fit/);
    expect(r.errText).not.toContain("stray.10");
  });

  test("a 1 MB unknown layer type with escapes: a short error, no raw escapes", () => {
    const path = join(dir, "huge-type.safetensors");
    const type = `${ANSI}\u202e${"T".repeat(1_000_000)}`;
    writeFileSync(path, encodeSafetensors([], { format: "descent-model", version: "1", architecture: JSON.stringify({ type }), training: "{}" }));
    const r = descent("info", path);
    expectCleanError(r, 1, /huge-type\.safetensors: model: unknown layer type "\\x1b\]0;pwned.*\\u202eT+…\(\d{3},\d{3} more characters\)" \(known: Sequential, Linear/);
    expect(r.err.length).toBeLessThan(2048);
    expectNoRawControls(r);
  });

  test("a path holding an escape sequence is shown escaped (missing model, missing image)", () => {
    const evil = `no${ANSI}such.safetensors`;
    const r = descent("eval", evil);
    expectCleanError(r, 1, /no\\x1b\]0;pwned\\x07\\x1b\[2J\\x1b\[31msuch\.safetensors: no such file/);
    expectNoRawControls(r);
    const p = descent("predict", good, `x${ANSI}.png`);
    expectCleanError(p, 1, /x\\x1b\]0;pwned.*\.png: no such file/);
    expectNoRawControls(p);
  });
});

describe("models that cannot classify MNIST digits are refused", () => {
  test("a NaN/Infinity weight: eval exits 1 naming the tensor and the counts", () => {
    const r = descent("eval", nanModel);
    expectCleanError(
      r,
      1,
      /nan\.safetensors: 13 of 23,520 values of "layers\.0\.weight" are not finite \(12 NaN, 1 \+Infinity\) — the model diverged during training or the file is damaged; retrain it \(try a smaller --lr or --clip-norm\)/,
    );
    expect(r.outText).toBe("");
  });

  test("a NaN weight: predict refuses it too", () => {
    expectCleanError(descent("predict", nanModel, goodPng), 1, /"layers\.0\.weight" are not finite/);
  });

  test("a NaN weight: info shows the model, and the finding as a warning (text and --json)", () => {
    const r = descent("info", nanModel);
    expect(r.code, r.errText).toBe(0);
    expect(r.outText).toContain("[784, 30, 10]");
    expect(r.errText).toMatch(/warning: .*nan\.safetensors: 13 of 23,520 values of "layers\.0\.weight" are not finite \(12 NaN, 1 \+Infinity\)/);
    const j = JSON.parse(descent("info", nanModel, "--json").outText) as { nonFinite: unknown };
    expect(j.nonFinite).toEqual([{ tensor: "layers.0.weight", nan: 12, posInf: 1, negInf: 0, size: 23_520 }]);
  });

  test("a model with 5 outputs (Linear 30→5): eval and predict refuse it before scoring", () => {
    const expected = /five\.safetensors: the model has 5 outputs per image, but MNIST has 10 classes \(the digits 0–9\) and needs 10 outputs — this model was not trained to classify MNIST digits/;
    const e = descent("eval", fiveOutputs);
    expectCleanError(e, 1, expected);
    expect(e.outText).not.toContain("accuracy");
    expectCleanError(descent("eval", good, fiveOutputs), 1, expected);
    const p = descent("predict", fiveOutputs, goodPng);
    expectCleanError(p, 1, expected);
    expect(p.outText).toBe("");
  });

  test("explore --model refuses the 5-output model and the NaN model before serving", () => {
    for (const [file, message] of [[fiveOutputs, /five\.safetensors: the model has 5 outputs per image/], [nanModel, /"layers\.0\.weight" are not finite/]] as const) {
      // Were it accepted, the server would start and run until the timeout kills it.
      const r = spawnSync(process.execPath, [bin, "explore", "--port", "0", "--model", file], { cwd: dir, env: { ...process.env, NO_COLOR: "1" }, timeout: 20_000 });
      expect(r.status, r.stderr.toString()).toBe(1);
      expect(r.stderr.toString()).toMatch(message);
      expect(r.stdout.toString()).not.toContain("descent explorer:");
    }
  });
});

describe("predict with several images", () => {
  test("[good, missing, not a PNG, good]: two predictions, two errors naming their files, exit 1", () => {
    const notPng = join(dir, "notapng.png");
    writeFileSync(notPng, "just some text, not an image\n");
    const r = descent("predict", good, goodPng, "missing.png", notPng, goodPng);
    expect(r.code, r.errText).toBe(1);
    expect(r.outText.match(/^.*good\.png: \d /gm)).toHaveLength(2);
    expect(r.errText).toMatch(/descent: missing\.png: no such file/);
    expect(r.errText).toMatch(/descent: .*notapng\.png: not a PNG file \(looks like a text file\)/);
    expect(r.errText).toMatch(/2 of 4 images could not be read/);
    expect(r.errText).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });

  test("--json: one line per image, {image, error} for the failures", () => {
    const r = descent("predict", good, "missing.png", goodPng, "--json");
    expect(r.code, r.errText).toBe(1);
    const lines = r.outText.trim().split("\n").map((l) => JSON.parse(l) as { image: string; prediction?: number; error?: string });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toEqual({ image: "missing.png", error: "missing.png: no such file — check the path" });
    expect(lines[1]!.image).toBe(goodPng);
    expect(lines[1]!.prediction).toBeGreaterThanOrEqual(0);
  });

  test("every image read: exit 0", () => {
    const r = descent("predict", good, goodPng, goodPng);
    expect(r.code, r.errText).toBe(0);
    expect(r.outText.match(/good\.png: \d /g)).toHaveLength(2);
  });

  test("a bad model file stops at once, before any image", () => {
    const r = descent("predict", join(dir, "absent.safetensors"), goodPng, "missing.png");
    expectCleanError(r, 1, /absent\.safetensors: no such file/);
    expect(r.errText).not.toContain("missing.png");
    expect(r.outText).toBe("");
  });
});
