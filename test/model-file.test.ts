/**
 * descent model files: safetensors + architecture + training metadata, checked against the
 * architecture on load; and the Node adapter's atomic writes.
 */
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as zlib from "node:zlib";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeModel, encodeModel } from "../src/io/model-file.js";
import { decodeSafetensors, encodeSafetensors, type StoredTensor } from "../src/io/safetensors.js";
import { loadModel, saveModel, writeFileAtomic } from "../src/node/model-files.js";
import { mlp } from "../src/nn/mlp.js";
import { expectThrows } from "./helpers.js";
import { Linear } from "../src/nn/layers/linear.js";
import { LeakyReLU, Softmax } from "../src/nn/layers/activations.js";
import { Dropout } from "../src/nn/layers/dropout.js";
import { Flatten, Sequential } from "../src/nn/layers/sequential.js";
import { Tensor } from "../src/tensor.js";
import { Parameter } from "../src/nn/module.js";
import { Rng } from "../src/rng.js";
import { ModelFileError } from "../src/errors.js";

// Lets one test make rename() fail after the temp file is written (the rest use the real fs).
const fsControl = vi.hoisted(() => ({ failRename: false }));
vi.mock("node:fs/promises", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs/promises")>();
  return {
    ...real,
    rename: async (from: string, to: string) => {
      if (fsControl.failRename) throw Object.assign(new Error("injected rename failure"), { code: "EIO" });
      return real.rename(from, to);
    },
  };
});

const TRAINING = { preset: "book", lr: 3, batchSize: 10, epochs: 30, accuracy: 0.9512, seed: 7, date: "2025-01-02T03:04:05.000Z", layers: [784, 30, 10], note: "ünïcødé" };

/** A copy of a model's tensors, taken before anything else touches them. */
const snapshot = (m: { stateDict(): Record<string, Tensor> }) =>
  Object.fromEntries(Object.entries(m.stateDict()).map(([k, t]) => [k, { shape: [...t.shape], data: t.data.slice() }]));

/** A descent model file with the given architecture JSON and tensors (built with the tested safetensors writer). */
function modelFile(architecture: string, tensors: StoredTensor[], extra: Record<string, string> = {}): Uint8Array {
  return encodeSafetensors(tensors, { format: "descent-model", version: "1", architecture, training: "{}", ...extra });
}

const storedFrom = (m: { stateDict(): Record<string, Tensor> }): StoredTensor[] =>
  Object.entries(m.stateDict()).map(([name, t]) => ({ name, dtype: "F32", shape: [...t.shape], data: t.data as Float32Array }));

const expectModelFileError = (fn: () => unknown, ...parts: string[]) => expectThrows(ModelFileError, fn, ...parts);

describe("model file", () => {
  test("mlp([784, 30, 10]) round trips: architecture, every parameter bit and the training metadata", () => {
    // Oracle: the original model's spec, a copy of its tensors taken before saving, and the metadata literal.
    const model = mlp([784, 30, 10], { rng: new Rng(7) });
    const before = snapshot(model);
    const bytes = encodeModel(model, { training: TRAINING });
    const { model: loaded, meta, architecture } = decodeModel(bytes, "model.safetensors");
    expect(architecture).toEqual(model.spec());
    expect(loaded.spec()).toEqual(model.spec());
    expect(meta.training).toEqual(TRAINING);
    expect(Object.keys(loaded.stateDict())).toEqual(["layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias"]);
    for (const [k, t] of Object.entries(loaded.stateDict())) {
      expect(t.shape, k).toEqual(before[k]!.shape);
      expect(t.data, k).toEqual(before[k]!.data); // bit-exact, including the typed-array type
    }
    const x = Tensor.randn([3, 784], new Rng(1));
    expect(loaded.forward(x).data).toEqual(model.forward(x).data);
  });

  test("the file is plain safetensors with the metadata described in the brief", () => {
    // Oracle: the file-format definition (format, version, architecture = JSON of spec()).
    const model = mlp([4, 3, 2], { rng: new Rng(3) });
    const { metadata, tensors } = decodeSafetensors(encodeModel(model, { training: { seed: 3 } }), "m");
    expect(metadata).toEqual({ format: "descent-model", version: "1", architecture: JSON.stringify(model.spec()), training: '{"seed":3}' });
    expect([...tensors.keys()]).toEqual(Object.keys(model.stateDict()));
  });

  test("a new file carries its CRC-32 first in __metadata__ and loads without notes", () => {
    // Oracle: node:zlib's crc32 over the file with the 8 digits set to "00000000" (descent's convention).
    const bytes = encodeModel(mlp([4, 3, 2], { rng: new Rng(3) }), { training: {} });
    const prefix = '{"__metadata__":{"checksum":"crc32:';
    expect(new TextDecoder().decode(bytes.subarray(8, 8 + prefix.length))).toBe(prefix);
    const digits = new TextDecoder().decode(bytes.subarray(8 + prefix.length, 8 + prefix.length + 8));
    const zeroed = bytes.slice();
    zeroed.set(new TextEncoder().encode("00000000"), 8 + prefix.length);
    expect(digits).toBe((zlib as unknown as { crc32: (b: Uint8Array) => number }).crc32(zeroed).toString(16).padStart(8, "0"));
    expect(decodeModel(bytes, "m.safetensors").notes).toEqual([]);
  });

  test("an old model file without a checksum (web/public/default-model.safetensors) loads, with a note", () => {
    // Oracle: that file was committed before descent wrote checksums; its header has none.
    const path = fileURLToPath(new URL("../web/public/default-model.safetensors", import.meta.url));
    const bytes = readFileSync(path);
    expect(decodeSafetensors(bytes, "default").checksummed).toBe(false);
    const { model, notes } = decodeModel(bytes, "default-model.safetensors");
    expect(model.numParameters()).toBeGreaterThan(0);
    expect(notes).toEqual(["default-model.safetensors: written without a checksum by an older descent; re-save it to add one"]);
  });

  test("every single-byte change of a model file is refused with a ModelFileError, never accepted, never a TypeError", () => {
    // Oracle: CRC-32 detects every error burst of up to 32 bits; the one part it cannot protect —
    // the word "checksum" naming it — is caught as an unknown metadata entry.
    const bytes = encodeModel(mlp([4, 3, 2], { rng: new Rng(3) }), { training: { seed: 3 } });
    const kinds = new Set<string>();
    for (let i = 0; i < bytes.length; i++) {
      for (const flip of [0x01, 0x80, 0xff]) {
        const damaged = bytes.slice();
        damaged[i]! ^= flip;
        let caught: unknown = null;
        try {
          decodeModel(damaged, "m.safetensors");
        } catch (e) {
          caught = e;
        }
        expect(caught, `byte ${i} ^ 0x${flip.toString(16)}`).toBeInstanceOf(ModelFileError);
        const message = (caught as Error).message;
        kinds.add(message.includes("integrity check") ? "crc" : message.includes("unknown entry") ? "unknown entry" : "structure");
      }
    }
    expect([...kinds].sort()).toEqual(["crc", "structure", "unknown entry"]);
  });

  test("a metadata entry descent does not write is refused", () => {
    // Oracle: the format definition lists format, version, architecture, training (and checksum).
    const model = mlp([2, 2]);
    expectModelFileError(() => decodeModel(modelFile(JSON.stringify(model.spec()), storedFrom(model), { checksun: "crc32:00000000" }), "m.safetensors"),
      'm.safetensors: __metadata__ has an unknown entry "checksun" (descent writes only format, version, architecture, training) — the file was edited or damaged');
  });

  test("a model with Flatten, LeakyReLU, Dropout, bias-free Linear and Softmax round trips", () => {
    // Oracle: the original model's spec and tensor copies.
    const model = new Sequential(new Flatten(), new Linear(4, 3), new LeakyReLU(0.2), new Dropout(0.25), new Linear(3, 2, { bias: false }), new Softmax(-1));
    const before = snapshot(model);
    const { model: loaded, architecture } = decodeModel(encodeModel(model, { training: {} }), "m.safetensors");
    expect(architecture).toEqual(model.spec());
    expect(architecture).toEqual({
      type: "Sequential",
      layers: [
        { type: "Flatten" },
        { type: "Linear", inFeatures: 4, outFeatures: 3, bias: true },
        { type: "LeakyReLU", negativeSlope: 0.2 },
        { type: "Dropout", p: 0.25 },
        { type: "Linear", inFeatures: 3, outFeatures: 2, bias: false },
        { type: "Softmax", dim: -1 },
      ],
    });
    expect(Object.keys(loaded.stateDict())).toEqual(Object.keys(before));
    for (const [k, t] of Object.entries(loaded.stateDict())) expect(t.data, k).toEqual(before[k]!.data);
  });

  test("float64 parameters are stored as F64 and come back as float64", () => {
    // Oracle: the dtype rule (float64 → F64) and the original values.
    const double = new Sequential(new Linear(2, 2, { bias: false }));
    Object.assign(double.layers[0]!, { weight: new Parameter(Float64Array.of(0.1, 0.2, 0.3, 0.4), [2, 2]) });
    const { tensors } = decodeSafetensors(encodeModel(double, { training: {} }), "d");
    expect(tensors.get("layers.0.weight")!.dtype).toBe("F64");
    expect(Array.from(tensors.get("layers.0.weight")!.data)).toEqual([0.1, 0.2, 0.3, 0.4]);
    // The architecture rebuilds float32 parameters, so an F64 tensor is reported, not silently converted.
    expectModelFileError(() => decodeModel(encodeModel(double, { training: {} }), "d.safetensors"), 'tensor "layers.0.weight" is F64', "stores F32");
  });

  test("a tensor shape that does not fit the architecture is named with the layer", () => {
    // Oracle: the architecture says Linear(784→100), Linear(100→10); the tensors come from a 784-30-10 net.
    const arch = JSON.stringify(mlp([784, 100, 10]).spec());
    const bytes = modelFile(arch, storedFrom(mlp([784, 30, 10])));
    expectModelFileError(
      () => decodeModel(bytes, "model.safetensors"),
      'model.safetensors: tensor "layers.0.weight" has shape [30, 784], but the architecture (Linear 784→100) needs [100, 784]',
      'tensor "layers.2.weight" has shape [10, 30], but the architecture (Linear 100→10) needs [10, 100]',
      "descent train --out",
    );
  });

  test("a missing tensor and an extra tensor are each named", () => {
    // Oracle: mlp([4, 3, 2]) has exactly layers.{0,2}.{weight,bias}.
    const model = mlp([4, 3, 2]);
    const arch = JSON.stringify(model.spec());
    const all = storedFrom(model);
    expectModelFileError(() => decodeModel(modelFile(arch, all.filter((t) => t.name !== "layers.2.bias")), "m.safetensors"),
      'tensor "layers.2.bias" [2] needed by the architecture (Linear 3→2) is missing');
    const extra: StoredTensor = { name: "layers.5.weight", dtype: "F32", shape: [1], data: Float32Array.of(1) };
    expectModelFileError(() => decodeModel(modelFile(arch, [...all, extra]), "m.safetensors"), 'tensor "layers.5.weight" is not part of the architecture');
  });

  test("an unknown layer type is refused, listing the known ones", () => {
    // Oracle: nn/registry.ts has no "Conv9d".
    expectModelFileError(() => decodeModel(modelFile('{"type":"Sequential","layers":[{"type":"Conv9d"}]}', []), "m.safetensors"),
      'unknown layer type "Conv9d"', "Linear", "m.safetensors: model.layers.0");
  });

  test("corrupt architecture JSON is refused with its position", () => {
    // Oracle: the JSON grammar — the text ends inside an array.
    expectModelFileError(() => decodeModel(modelFile('{"type": "Sequential", "layers": [', []), "m.safetensors"),
      "m.safetensors: architecture: invalid JSON at line 1, column 35");
    expectModelFileError(() => decodeModel(modelFile('{"type":"Linear","inFeatures":2,"outFeatures":2,"inFeatures":3}', []), "m.safetensors"),
      'duplicate key "inFeatures"');
  });

  test("an absurd dimension is refused before anything is allocated", () => {
    // Oracle: a 1e9 × 1e9 weight could not be allocated (RangeError); a ModelFileError means the spec was checked first.
    expectModelFileError(() => decodeModel(modelFile('{"type":"Sequential","layers":[{"type":"Linear","inFeatures":1000000000,"outFeatures":1000000000}]}', []), "m.safetensors"),
      '"inFeatures" must be an integer');
  });

  test("plain safetensors without the format marker is identified as such", () => {
    // Oracle: the file has {"format": "pt"} and one tensor "weight" — what PyTorch's writer would produce.
    const weight: StoredTensor = { name: "weight", dtype: "F32", shape: [2], data: Float32Array.of(1, 2) };
    expectModelFileError(() => decodeModel(encodeSafetensors([weight], { format: "pt" }), "torch.safetensors"),
      "torch.safetensors: not a descent model file", '"format": "pt"', 'safetensors file with 1 tensor ("weight")');
    expectModelFileError(() => decodeModel(encodeSafetensors([weight]), "bare.safetensors"), "has no \"format\": \"descent-model\"");
  });

  test("a future version, a missing architecture and non-object training metadata are refused", () => {
    // Oracle: the format definition (version "1", architecture and training required, training an object).
    const arch = JSON.stringify(mlp([2, 2]).spec());
    const t = storedFrom(mlp([2, 2]));
    expectModelFileError(() => decodeModel(modelFile(arch, t, { version: "2" }), "m"), 'version "2" is not supported');
    expectModelFileError(() => decodeModel(encodeSafetensors(t, { format: "descent-model", version: "1", training: "{}" }), "m"), 'no "architecture"');
    expectModelFileError(() => decodeModel(modelFile(arch, t, { training: "[1]" }), "m"), "training metadata must be a JSON object");
  });

  test('"__proto__" in the header or the architecture pollutes nothing and supplies nothing', () => {
    // Oracle: Object.prototype stays empty; a __proto__ key never acts as a prototype.
    const model = mlp([2, 2]);
    const arch = JSON.stringify(model.spec());
    const sneaky: StoredTensor = { name: "__proto__", dtype: "F32", shape: [1], data: Float32Array.of(1) };
    expectModelFileError(() => decodeModel(modelFile(arch, [...storedFrom(model), sneaky]), "m"), 'tensor "__proto__" is not part of the architecture');

    const withProto = '{"type":"Sequential","__proto__":{"polluted":true},"layers":[{"type":"Linear","inFeatures":2,"outFeatures":2,"__proto__":{"bias":false}}]}';
    const { architecture } = decodeModel(modelFile(withProto, storedFrom(model)), "m");
    // bias stays true: the __proto__ member is not inherited
    expect(architecture).toEqual({ type: "Sequential", layers: [{ type: "Linear", inFeatures: 2, outFeatures: 2, bias: true }] });

    expectModelFileError(() => decodeModel(modelFile('{"__proto__":{"type":"Sequential","layers":[]}}', []), "m"), "expected a layer description");
    const { meta } = decodeModel(modelFile(arch, storedFrom(model), { training: '{"__proto__":{"polluted":true}}' }), "m");
    expect(Object.getPrototypeOf(meta.training)).toBe(Object.prototype);
    expect(Object.keys(Object.prototype)).toEqual([]);
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });
});

describe("model files on disk", () => {
  let dir = "";
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "descent-model-"));
    fsControl.failRename = false;
  });
  afterEach(async () => {
    fsControl.failRename = false;
    await rm(dir, { recursive: true, force: true });
  });

  test("writeFileAtomic replaces a file and leaves no temp file", async () => {
    // Oracle: the bytes written, read back with readFile; the directory listing.
    const path = join(dir, "out.bin");
    await writeFile(path, "old contents");
    await writeFileAtomic(path, Uint8Array.of(1, 2, 3));
    expect(new Uint8Array(await readFile(path))).toEqual(Uint8Array.of(1, 2, 3));
    expect(await readdir(dir)).toEqual(["out.bin"]);
  });

  test("saveModel then loadModel round trips", async () => {
    // Oracle: the original model's spec and tensor copies.
    const model = mlp([5, 4, 3], { rng: new Rng(11) });
    const before = snapshot(model);
    const path = join(dir, "model.safetensors");
    await saveModel(path, model, { training: TRAINING });
    const { model: loaded, meta } = await loadModel(path);
    expect(loaded.spec()).toEqual(model.spec());
    expect(meta.training).toEqual(TRAINING);
    for (const [k, t] of Object.entries(loaded.stateDict())) expect(t.data, k).toEqual(before[k]!.data);
  });

  test("a save that fails after writing the temp file leaves the old file byte-identical and no temp file", async () => {
    // Oracle: the old file's bytes, read before the failed save; the directory listing.
    const path = join(dir, "model.safetensors");
    await saveModel(path, mlp([3, 2], { rng: new Rng(1) }), { training: { run: 1 } });
    const old = await readFile(path);
    fsControl.failRename = true;
    await expect(saveModel(path, mlp([3, 2], { rng: new Rng(2) }), { training: { run: 2 } })).rejects.toThrow(ModelFileError);
    expect(await readFile(path)).toEqual(old);
    expect(await readdir(dir)).toEqual(["model.safetensors"]);
  });

  test("saving onto a directory or into a missing directory fails clearly and leaves nothing behind", async () => {
    // Oracle: the filesystem state before the call; the messages name the cause.
    const model = mlp([3, 2]);
    const sub = join(dir, "taken");
    await mkdir(sub);
    await writeFile(join(sub, "keep.txt"), "keep");
    await expect(saveModel(sub, model, { training: {} })).rejects.toThrow(/cannot save the model to .*taken: that path is a directory/);
    expect((await readdir(dir)).sort()).toEqual(["taken"]);
    expect(await readFile(join(sub, "keep.txt"), "utf8")).toBe("keep");

    const missing = join(dir, "no-such-dir", "model.safetensors");
    await expect(saveModel(missing, model, { training: {} })).rejects.toThrow(/no-such-dir does not exist — create it first/);
    expect((await readdir(dir)).sort()).toEqual(["taken"]);
  });

  test("loadModel on a missing path suggests training, on a directory says so", async () => {
    // Oracle: the messages the brief asks for.
    const missing = join(dir, "model.safetensors");
    await expect(loadModel(missing)).rejects.toThrow(ModelFileError);
    await expect(loadModel(missing)).rejects.toThrow(`no such file — train a model first with \`descent train --out ${missing}\``);
    await expect(loadModel(dir)).rejects.toThrow("this is a directory, not a model file");
  });

  test("loadModel of a truncated file names the file", async () => {
    // Oracle: a valid file cut in half cannot hold its tensors.
    const path = join(dir, "cut.safetensors");
    await saveModel(path, mlp([3, 2]), { training: {} });
    const bytes = await readFile(path);
    await writeFile(path, bytes.subarray(0, bytes.length - 4));
    await expect(loadModel(path)).rejects.toThrow(`${path}: tensor "layers.0.bias": data_offsets`);
  });
});
