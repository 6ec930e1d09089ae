/**
 * `descent train --checkpoint` / `--resume`, spawned as a user would. Oracle: the same run made in
 * one go — its saved weights must equal the resumed run's, byte for byte.
 */
import { describe, expect, test } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { decodeModel } from "../src/io/model-file.js";
import { decodeSafetensors, encodeSafetensors } from "../src/io/safetensors.js";

const bin = fileURLToPath(new URL("../bin/descent.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "descent-ckpt-"));
const descent = (...args: string[]) => {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const RUN = ["--layers", "784,32,10", "--activation", "relu", "--output", "softmax", "--cost", "log-likelihood", "--optimizer", "adam", "--lr", "0.002",
  "--dropout", "0.2", "--augment", "translate=1", "--train-size", "3000", "--validation", "10000", "--seed", "5", "--quiet"];
const weights = (file: string) => Object.values(decodeModel(readFileSync(join(dir, file)), file).model.stateDict()).map((t) => Array.from(t.data));

describe("checkpoint and resume from the CLI", () => {
  test("3 epochs in one go equal 1 epoch, a checkpoint, and a resume to 3", () => {
    expect(descent("train", ...RUN, "--epochs", "3", "--out", "whole.safetensors").code).toBe(0);
    expect(descent("train", ...RUN, "--epochs", "1", "--checkpoint", "run.ckpt", "--no-save").code).toBe(0);
    const r = descent("train", "--resume", "run.ckpt", "--epochs", "3", "--out", "resumed.safetensors");
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/resuming after epoch 1 of 3 from run\.ckpt/);
    expect(weights("resumed.safetensors")).toEqual(weights("whole.safetensors"));
  }, 120_000);

  test("the same command on an existing checkpoint continues it; other settings are refused and the file kept", () => {
    expect(descent("train", ...RUN, "--epochs", "1", "--checkpoint", "again.ckpt", "--no-save").code).toBe(0);
    const before = readFileSync(join(dir, "again.ckpt"));
    const other = descent("train", ...RUN, "--lr", "0.01", "--epochs", "1", "--checkpoint", "again.ckpt", "--no-save");
    expect(other.code).toBe(1);
    expect(other.err).toMatch(/again\.ckpt holds the checkpoint of a run with other settings — continue that run with --resume again\.ckpt, or choose another --checkpoint file/);
    expect(other.err).not.toMatch(/\n\s+at .+:\d+:\d+/);
    const shorter = descent("train", ...RUN, "--epochs", "1", "--checkpoint", "again.ckpt", "--no-save");
    expect(shorter.code, shorter.err).toBe(0);
    expect(readFileSync(join(dir, "again.ckpt")).equals(before), "the checkpoint is unchanged").toBe(true);
    // Extended with a larger --epochs, the same command carries on to the run made in one go.
    const r = descent("train", ...RUN.filter((a) => a !== "--quiet"), "--epochs", "3", "--checkpoint", "again.ckpt", "--out", "again.safetensors");
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/resuming after epoch 1 of 3 from again\.ckpt/);
    expect(weights("again.safetensors")).toEqual(weights("whole.safetensors"));
  }, 120_000);

  test("settings cannot change on resume, and the wrong file is refused, without a stack trace", () => {
    const lr = descent("train", "--resume", "run.ckpt", "--lr", "3");
    expect(lr.code).toBe(2);
    expect(lr.err).toMatch(/--resume continues a run with the settings saved in its checkpoint; drop --lr/);
    const model = descent("train", "--resume", "whole.safetensors");
    expect(model.code).toBe(1);
    expect(model.err).toMatch(/whole\.safetensors: this is a model file, not a checkpoint/);
    writeFileSync(join(dir, "junk.ckpt"), "not a checkpoint");
    const junk = descent("train", "--resume", "junk.ckpt");
    expect(junk.code).toBe(1);
    expect(junk.err).toMatch(/junk\.ckpt/);
    const missing = descent("train", "--resume", "nope.ckpt");
    expect(missing.err).toMatch(/nope\.ckpt: no such file/);
    const info = descent("info", "run.ckpt");
    expect(info.code).toBe(1);
    expect(info.err).toMatch(/run\.ckpt: this is a training checkpoint, not a model file — continue the run with `descent train --resume run\.ckpt`/);
    for (const r of [lr, model, junk, missing, info]) expect(r.err).not.toMatch(/\n\s+at .+:\d+:\d+/);
  }, 60_000);

  test("a damaged or edited checkpoint is refused with the field or the checksum, without a stack trace", () => {
    // Oracle: the checksum catches any changed byte; a field edited with a correct checksum is named.
    const bytes = readFileSync(join(dir, "run.ckpt"));
    const flipped = Uint8Array.from(bytes);
    flipped[flipped.length - 3]! ^= 0x10; // inside the last tensor's data: only the checksum can tell
    writeFileSync(join(dir, "flipped.ckpt"), flipped);
    const damaged = descent("train", "--resume", "flipped.ckpt");
    expect(damaged.code).toBe(1);
    expect(damaged.err).toMatch(/flipped\.ckpt: fails its integrity check \(crc32 stored [0-9a-f]{8}, computed [0-9a-f]{8}\): the file was damaged after it was written/);

    const { metadata, tensors } = decodeSafetensors(bytes, "run.ckpt");
    const fit = JSON.parse(metadata.fit!) as { history: Record<string, unknown>[] };
    fit.history[0]!.trainLoss = "abc";
    writeFileSync(join(dir, "edited.ckpt"), encodeSafetensors([...tensors.values()], { ...metadata, fit: JSON.stringify(fit) }, { checksum: true }));
    const edited = descent("train", "--resume", "edited.ckpt");
    expect(edited.code).toBe(1);
    expect(edited.err).toContain('edited.ckpt: fit.history[0].trainLoss must be a number (or null), found "abc" — the checkpoint is corrupt');
    for (const r of [damaged, edited]) expect(r.err).not.toMatch(/\n\s+at .+:\d+:\d+/);
  }, 60_000);
});
