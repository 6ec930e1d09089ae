/**
 * `descent export --format onnx` with the real binary. Oracles: ONNX Runtime (the file runs there,
 * loaded by this test too, with the documented input and output names), the model's own test-set
 * accuracy as `descent eval` reports it, handmade table rows, and the messages and exit codes for
 * what must be refused.
 */
import { describe, expect, test } from "vitest";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadOnnxRuntime } from "../src/node/onnx-runtime.js";

const ort = loadOnnxRuntime();
if (!ort) throw new Error("onnxruntime-node is not installed: run `node tools/ensure-onnxruntime.mjs` (npm test does it first)");

const bin = fileURLToPath(new URL("../bin/descent.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "descent-onnx-"));
const descent = (args: string[], env: Record<string, string> = {}) => {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const noStack = /\n\s+at .+:\d+:\d+/;

/** quick.safetensors: the quick preset, briefly trained (one epoch on 3,000 images), once for the file. */
let quickTrained = false;
function quickModel(): void {
  if (quickTrained) return;
  const t = descent(["train", "--preset", "quick", "--epochs", "1", "--train-size", "3000", "--out", "quick.safetensors"]);
  expect(t.code, t.err).toBe(0);
  quickTrained = true;
}

interface Report {
  out: string;
  opset: number;
  input: { name: string; shape: (string | number)[] };
  output: { name: string; shape: (string | number)[] };
  check: { examples: number; maxAbsDiff: number; maxAbsOutput: number; sameClass?: number; accuracy?: { descent: number; onnxRuntime: number } };
}

describe("an MNIST model", () => {
  test("quick (briefly trained): --check runs the file on the 10,000 test images — the same classes, the accuracy eval reports; the file loads in ONNX Runtime with its documented names", async () => {
    quickModel();
    const e = descent(["eval", "quick.safetensors", "--json"]);
    expect(e.code, e.err).toBe(0);
    const accuracy = (JSON.parse(e.out) as { accuracy: number }).accuracy;

    const r = descent(["export", "quick.safetensors", "--format", "onnx", "--check", "--json"]);
    expect(r.code, r.err).toBe(0);
    const report = JSON.parse(r.out) as Report;
    expect(report.out).toBe("quick.onnx"); // the default: the model's name with .onnx
    expect(report.opset).toBe(21);
    expect(report.input).toEqual({ name: "pixels", shape: ["N", 784] });
    expect(report.output).toEqual({ name: "output", shape: ["N", 10] });
    expect(report.check.examples).toBe(10000);
    expect(report.check.sameClass).toBe(10000);
    expect(report.check.maxAbsDiff).toBeLessThan(1e-5); // softmax outputs in [0, 1]
    expect(report.check.accuracy).toEqual({ descent: accuracy, onnxRuntime: accuracy });

    const session = await ort.session(readFileSync(join(dir, "quick.onnx")));
    try {
      expect(session.inputNames).toEqual(["pixels"]);
      expect(session.outputNames).toEqual(["output"]);
      const out = await session.run("pixels", new Float32Array(3 * 784), [3, 784]);
      expect(out.dims).toEqual([3, 10]);
      const sums = [0, 1, 2].map((r) => out.data.subarray(r * 10, r * 10 + 10).reduce((a, b) => a + b, 0));
      for (const s of sums) expect(s).toBeCloseTo(1, 5); // the model ends in softmax
    } finally {
      await session.release();
    }

    // Written atomically (no temp file left beside it), and the same model gives the same bytes.
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    const again = descent(["export", "quick.safetensors", "--format", "onnx", "--out", "again.onnx"]);
    expect(again.code, again.err).toBe(0);
    expect(again.out).toMatch(/^wrote again\.onnx \(ONNX, opset 21, [\d,]+ bytes\): input "pixels" \[N, 784\] → output "output" \[N, 10\], 4 nodes \(Gemm, Relu, Softmax\)\n$/);
    expect(Buffer.compare(readFileSync(join(dir, "again.onnx")), readFileSync(join(dir, "quick.onnx")))).toBe(0);
  });

  test("a convolutional model takes [N, 1, 28, 28], as descent predict feeds it", () => {
    const t = descent(["train", "--arch", "conv4x5p2s2g1,bn,relu,maxpool2,res(conv4x3p1;relu),avgpool2,fc10,softmax", "--cost", "log-likelihood", "--epochs", "1", "--train-size", "500", "--out", "conv.safetensors"]);
    expect(t.code, t.err).toBe(0);
    const r = descent(["export", "conv.safetensors", "--format", "onnx", "--out", "conv.onnx", "--check", "--json"]);
    expect(r.code, r.err).toBe(0);
    const report = JSON.parse(r.out) as Report;
    expect(report.input.shape).toEqual(["N", 1, 28, 28]);
    expect(report.check.sameClass).toBe(10000);
    expect(report.check.maxAbsDiff).toBeLessThan(1e-5);
  });
});

describe("a table model", () => {
  test("house-prices: the graph standardises the 12 raw features; --check on the 76 test rows of its split", () => {
    const t = descent(["train", "--preset", "house-prices", "--epochs", "30", "--out", "hp.safetensors"]);
    expect(t.code, t.err).toBe(0);
    const r = descent(["export", "hp.safetensors", "--format", "onnx", "--check", "--json"]);
    expect(r.code, r.err).toBe(0);
    const report = JSON.parse(r.out) as Report;
    expect(report.input).toEqual({ name: "features", shape: ["N", 12] });
    expect(report.output).toEqual({ name: "output", shape: ["N", 1] });
    expect(report.check.examples).toBe(76);
    expect(report.check.sameClass).toBeUndefined(); // a regression has no classes
    expect(report.check.maxAbsOutput).toBeGreaterThan(5); // prices in $1000s: the graph does not unscale what needs no unscaling
    expect(report.check.maxAbsDiff).toBeLessThan(1e-4);

    const text = descent(["export", "hp.safetensors", "--format", "onnx", "--out", "hp2.onnx"]);
    expect(text.out).toContain('input "features": float32 [N, 12]: the encoded features in this order: crim, zn, indus');
  });

  test("the adding problem: a sequence model's input [N, T, 2]; --check on its 10,000 test sequences, regenerated from the saved seed", () => {
    const t = descent(["train", "--preset", "adding-problem", "--steps", "12", "--train-size", "640", "--epochs", "1", "--out", "add.safetensors"]);
    expect(t.code, t.err).toBe(0);
    const r = descent(["export", "add.safetensors", "--format", "onnx", "--check", "--json"]);
    expect(r.code, r.err).toBe(0);
    const report = JSON.parse(r.out) as Report;
    expect(report.input).toEqual({ name: "sequence", shape: ["N", 12, 2] });
    expect(report.output).toEqual({ name: "output", shape: ["N", 1] });
    expect(report.check.examples).toBe(10000);
    expect(report.check.maxAbsDiff).toBeLessThan(1e-5);
  });

  test("a classifier with a categorical column and missing cells (--impute mean): one-hot input, NaN for missing, the same classes", async () => {
    const rows = ["x,colour,label"];
    for (let i = 0; i < 90; i++) {
      const x = ((i * 37) % 19) / 3 - 3;
      const colour = ["red", "green", "blue"][i % 3]!;
      const label = x + (colour === "red" ? 1.5 : colour === "blue" ? -1.5 : 0) > 0 ? "yes" : "no";
      rows.push(`${i % 11 === 0 ? "" : x.toFixed(3)},${i % 13 === 0 ? "NA" : colour},${label}`);
    }
    writeFileSync(join(dir, "colours.csv"), `${rows.join("\n")}\n`);
    const t = descent(["train", "--data", "colours.csv", "--target", "label", "--impute", "mean", "--epochs", "40", "--out", "colours.safetensors"]);
    expect(t.code, t.err).toBe(0);
    const r = descent(["export", "colours.safetensors", "--format", "onnx", "--check", "--json"]);
    expect(r.code, r.err).toBe(0);
    const report = JSON.parse(r.out) as Report;
    expect(report.input.shape).toEqual(["N", 4]); // x, colour=blue, colour=green, colour=red
    expect(report.check.sameClass).toBe(report.check.examples);
    expect(report.check.maxAbsDiff).toBeLessThan(1e-5);

    // A missing x (NaN) and a missing colour (NaN in its three slots) are filled with the training means in the graph.
    const session = await ort.session(readFileSync(join(dir, "colours.onnx")));
    try {
      const out = await session.run("features", Float32Array.of(NaN, 0, 0, 1, 2, NaN, NaN, NaN), [2, 4]);
      expect(Array.from(out.data).every(Number.isFinite)).toBe(true);
      expect(out.data[0]! + out.data[1]!).toBeCloseTo(1, 5);
    } finally {
      await session.release();
    }
  });
});

describe("what export refuses", () => {
  test("overwriting the model, a .safetensors path or an existing safetensors file; a missing format; an unknown one", () => {
    quickModel();
    copyFileSync(join(dir, "quick.safetensors"), join(dir, "copy.bin"));
    const cases: [string[], number, string][] = [
      [["--format", "onnx", "--out", "quick.safetensors"], 2, "--out quick.safetensors is the model file itself: the ONNX file would replace the model — give another path, e.g. quick.onnx"],
      [["--format", "onnx", "--out", "other.safetensors"], 2, "--out other.safetensors: an ONNX file is not a .safetensors file — name it other.onnx"],
      [["--format", "onnx", "--out", "copy.bin"], 2, "--out copy.bin holds a safetensors file (a model?): descent export does not overwrite it — choose another path"],
      [["--format", "onnx", "--out", "nowhere/x.onnx"], 2, "--out nowhere/x.onnx: the directory nowhere does not exist"],
      [[], 2, "required option '--format <name>' not specified"],
      [["--format", "tflite"], 2, '--format must be one of onnx, pytorch; got "tflite"'],
    ];
    for (const [args, code, message] of cases) {
      const r = descent(["export", "quick.safetensors", ...args]);
      expect(r.code, args.join(" ")).toBe(code);
      expect(r.err).toContain(message);
      expect(r.err).not.toMatch(noStack);
    }
    expect(readFileSync(join(dir, "copy.bin")).equals(readFileSync(join(dir, "quick.safetensors")))).toBe(true);
    expect(existsSync(join(dir, "other.safetensors"))).toBe(false);
  });

  test("--check without ONNX Runtime says how to install it, before writing anything", () => {
    const empty = mkdtempSync(join(tmpdir(), "descent-no-ort-"));
    const r = descent(["export", "quick.safetensors", "--format", "onnx", "--out", "unchecked.onnx", "--check"], { DESCENT_ONNXRUNTIME_DIR: empty });
    expect(r.code).toBe(1);
    expect(r.err).toContain(`DESCENT_ONNXRUNTIME_DIR is ${empty}, but onnxruntime-node is not installed there`);
    expect(r.err).toContain("ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node@1.31.1");
    expect(r.err).not.toMatch(noStack);
    expect(existsSync(join(dir, "unchecked.onnx"))).toBe(false);
  });
});
