/**
 * `descent export --format pytorch` and `descent import` with the real binary. Oracles: the model
 * file's own tensors (an exported directory imported back holds the same values), the checkpoint's
 * own optimizer buffers and shuffle stream (src/rng.ts drawing the same epochs), `descent eval`'s
 * accuracy of the original model, and the messages and exit codes for what must be refused.
 */
import { describe, expect, test } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { decodeSafetensors, encodeSafetensors } from "../src/io/safetensors.js";
import { Rng } from "../src/rng.js";

const bin = fileURLToPath(new URL("../bin/descent.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "descent-pytorch-cli-"));
const descent = (args: string[]) => {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const tensorsOf = (path: string) => decodeSafetensors(new Uint8Array(readFileSync(join(dir, path))), path, { otherDtypes: true }).tensors;
const noStack = /\n\s+at .+:\d+:\d+/;

// Two epochs of momentum SGD on 300 images: a model file and a checkpoint with momentum buffers.
const train = descent(["train", "--layers", "784,20,10", "--optimizer", "momentum", "--lr", "0.1", "--epochs", "2", "--train-size", "300",
  "--checkpoint", "run.ckpt", "--out", "run.safetensors"]);

describe("export --format pytorch", () => {
  test("a model file: the directory's weights are the model's, under PyTorch's names", () => {
    expect(train.code, train.err).toBe(0);
    const r = descent(["export", "run.safetensors", "--format", "pytorch"]);
    expect(r.code, r.err).toBe(0);
    for (const f of ["model.py", "model.safetensors", "pipeline.json", "train_ddp.py"]) expect(existsSync(join(dir, "run-pytorch", f)), f).toBe(true);
    expect(existsSync(join(dir, "run-pytorch", "optimizer.safetensors"))).toBe(false);
    const ours = tensorsOf("run.safetensors");
    const theirs = tensorsOf("run-pytorch/model.safetensors");
    expect([...theirs.keys()].sort()).toEqual([...ours.keys()].sort()); // a top Sequential keeps "layers.i."
    for (const [k, t] of ours) expect(Array.from(theirs.get(k)!.data), k).toEqual(Array.from(t.data));
    const pipeline = JSON.parse(readFileSync(join(dir, "run-pytorch", "pipeline.json"), "utf8"));
    expect(pipeline.data.trainExamples).toBe(300);
    expect(pipeline.epochsDone).toBe(2);
    // The shuffle stream after two epochs, as descent left it (train_ddp.py draws the third from here).
    const rng = new Rng(1).fork("shuffle");
    rng.permutation(300);
    rng.permutation(300);
    expect(pipeline.data.shuffle).toEqual(rng.state());
    expect(pipeline.optimizer.class).toBe("SGD");
    expect(pipeline.optimizer.param_groups.map((g: { params: string[] }) => g.params)).toEqual([["layers.0.weight", "layers.2.weight"], ["layers.0.bias", "layers.2.bias"]]);
  });

  test("a checkpoint: the momentum buffers in torch.optim's layout", () => {
    const r = descent(["export", "run.ckpt", "--format", "pytorch", "--out", "ckpt-pytorch", "--json"]);
    expect(r.code, r.err).toBe(0);
    const ckpt = tensorsOf("run.ckpt");
    const opt = tensorsOf("ckpt-pytorch/optimizer.safetensors");
    const pipeline = JSON.parse(readFileSync(join(dir, "ckpt-pytorch", "pipeline.json"), "utf8"));
    // descent's group 0 (weights) are torch.optim's indices 0, 1; group 1 (biases) 2, 3.
    expect(Array.from(opt.get("state.0.momentum_buffer")!.data)).toEqual(Array.from(ckpt.get("optimizer.0.0.momentum")!.data));
    expect(opt.get("state.0.momentum_buffer")!.shape).toEqual([20, 784]);
    expect(Array.from(opt.get("state.3.momentum_buffer")!.data)).toEqual(Array.from(ckpt.get("optimizer.1.1.momentum")!.data));
    expect(pipeline.optimizer.step).toEqual({ 0: 60, 1: 60, 2: 60, 3: 60 }); // 2 epochs × 30 batches of 10
    expect(pipeline.optimizer.param_groups[0].momentum).toBe(0.9);
  });

  test("--check is ONNX Runtime's and is refused with pytorch; --out must not be a file", () => {
    const r = descent(["export", "run.safetensors", "--format", "pytorch", "--check"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("--format onnx");
    const f = descent(["export", "run.safetensors", "--format", "pytorch", "--out", "run.safetensors"]);
    expect(f.code).toBe(2);
    expect(f.err).not.toMatch(noStack);
  });
});

describe("import", () => {
  test("the exported weights imported back: the same tensors, and eval's accuracy", () => {
    const r = descent(["import", "run-pytorch/model.safetensors", "--from", "run-pytorch", "--out", "back.safetensors"]);
    expect(r.code, r.err).toBe(0);
    const a = tensorsOf("run.safetensors");
    const b = tensorsOf("back.safetensors");
    for (const [k, t] of a) expect(Array.from(b.get(k)!.data), k).toEqual(Array.from(t.data));
    const accuracy = (f: string) => /accuracy ([\d.]+) %/.exec(descent(["eval", f]).out)?.[1];
    expect(accuracy("back.safetensors")).toBe(accuracy("run.safetensors"));
    expect(descent(["info", "back.safetensors"]).out).toContain("imported");
  });

  test("--arch instead of --from", () => {
    const r = descent(["import", "run-pytorch/model.safetensors", "--arch", "fc20,sigmoid,fc10,sigmoid", "--out", "arch.safetensors"]);
    expect(r.code, r.err).toBe(0);
  });

  test("weights that do not fit are refused, the tensor named, nothing written", () => {
    const t = [...tensorsOf("run-pytorch/model.safetensors").values()];
    writeFileSync(join(dir, "bad.safetensors"), encodeSafetensors(t.map((x) => (x.name === "layers.2.weight" ? { ...x, name: "fc2.weight" } : x))));
    const r = descent(["import", "bad.safetensors", "--from", "run-pytorch", "--out", "bad-descent.safetensors"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`"layers.2.weight" [10, 20] is missing`);
    expect(r.err).toContain(`"fc2.weight" is not part of the architecture`);
    expect(r.err).not.toMatch(noStack);
    expect(existsSync(join(dir, "bad-descent.safetensors"))).toBe(false);
    const none = descent(["import", "bad.safetensors"]);
    expect(none.code).toBe(2);
    expect(none.err).toContain("--from DIR");
  });
});
