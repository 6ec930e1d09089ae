/**
 * `descent train --ensemble n` with --jobs (members in worker threads) and --checkpoint (members
 * continue after an interruption), spawned as a user would. Oracle: the same ensemble trained one
 * member after another in one go — every member's weights must be equal, byte for byte, and so
 * must the vote.
 */
import { describe, expect, test } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { decodeModel } from "../src/io/model-file.js";

const bin = fileURLToPath(new URL("../bin/descent.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "descent-ensemble-"));
const env = { ...process.env, NO_COLOR: "1" };
const descent = (...args: string[]) => {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: "utf8", env });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const weights = (file: string) => Object.values(decodeModel(readFileSync(join(dir, file)), file).model.stateDict()).map((t) => Array.from(t.data));
const RUN = ["--layers", "784,64,10", "--activation", "relu", "--output", "softmax", "--cost", "log-likelihood", "--optimizer", "adam", "--lr", "0.002",
  "--dropout", "0.2", "--train-size", "4000", "--epochs", "3", "--ensemble", "3", "--seed", "7"];
/** The same ensemble trained for 12 epochs: long enough to be stopped part-way. */
const RUN12 = RUN.map((a, i) => (RUN[i - 1] === "--epochs" ? "12" : a));
const noStack = /\n\s+at .+:\d+:\d+/;
/** The last completed epoch recorded in a checkpoint (its header's "fit" metadata). */
function checkpointEpoch(file: string): number {
  const bytes = readFileSync(file);
  const size = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + size).toString("utf8")) as { __metadata__: { fit: string } };
  return (JSON.parse(header.__metadata__.fit) as { epoch: number }).epoch;
}

describe("ensembles with --jobs and --checkpoint", () => {
  test("three members on two workers equal the same members trained one after another", () => {
    const seq = descent("train", ...RUN, "--out", "seq.safetensors");
    expect(seq.code, seq.err).toBe(0);
    const par = descent("train", ...RUN, "--jobs", "2", "--out", "par.safetensors");
    expect(par.code, par.err).toBe(0);
    for (const i of [1, 2, 3]) expect(weights(`par-${i}.safetensors`), `member ${i}`).toEqual(weights(`seq-${i}.safetensors`));
    const vote = (out: string) => /ensemble of 3: members (.*)\n\s+vote (\S+ %)/.exec(out)?.slice(1);
    expect(vote(par.out)).toEqual(vote(seq.out));
    expect(vote(par.out)).toBeDefined();
    // Each member's epochs and result are reported, labelled with the member and its seed.
    for (const i of [1, 2, 3]) {
      expect(par.out).toMatch(new RegExp(`member ${i}/3 \\(seed ${6 + i}\\)\\s+epoch 3/3`));
      expect(par.out).toMatch(new RegExp(`member ${i}/3 \\(seed ${6 + i}\\): test accuracy [\\d.]+ % after 3 epochs .* saved par-${i}\\.safetensors`));
    }
  }, 120_000);

  test("--conv reaches the members' workers", () => {
    const conv = ["--arch", "conv8x5,relu,maxpool2,conv8x5,relu,maxpool2,fc10,softmax", "--cost", "log-likelihood", "--lr", "0.05",
      "--train-size", "300", "--epochs", "1", "--ensemble", "2", "--seed", "3"];
    const seq = descent("train", ...conv, "--conv", "im2col", "--out", "cseq.safetensors");
    expect(seq.code, seq.err).toBe(0);
    const par = descent("train", ...conv, "--conv", "im2col", "--jobs", "2", "--out", "cpar.safetensors");
    expect(par.code, par.err).toBe(0);
    const auto = descent("train", ...conv, "--out", "cauto.safetensors");
    expect(auto.code, auto.err).toBe(0);
    for (const i of [1, 2]) {
      expect(weights(`cpar-${i}.safetensors`), `member ${i}`).toEqual(weights(`cseq-${i}.safetensors`));
      // The second convolution (8 channels, 8×8 out) runs by Winograd under auto: other rounding.
      expect(weights(`cauto-${i}.safetensors`), `member ${i} under auto`).not.toEqual(weights(`cseq-${i}.safetensors`));
    }
  }, 120_000);

  test("--json tags every line with its member and ends with the ensemble", () => {
    const r = descent("train", ...RUN, "--epochs", "1", "--jobs", "2", "--json", "--out", "json.safetensors");
    expect(r.code, r.err).toBe(0);
    const lines = r.out.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.filter((l) => l.type === "epoch").map((l) => l.member).sort()).toEqual([1, 2, 3]);
    expect(lines.filter((l) => l.type === "result").map((l) => [l.member, l.seed]).sort()).toEqual([[1, 7], [2, 8], [3, 9]]);
    const last = lines[lines.length - 1]!;
    expect(last.type).toBe("ensemble");
    expect((last.members as number[]).length).toBe(3);
  }, 120_000);

  test("an interrupted ensemble continues from its checkpoints and ends as if never stopped", async () => {
    const args = ["train", ...RUN12, "--jobs", "2", "--checkpoint", "ck.ckpt", "--out", "ck.safetensors"];
    const child = spawn(process.execPath, [bin, ...args], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
    child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    // Members report each epoch as it ends (not all at once when they finish): stop the run
    // when a member's second epoch is reported, which is after its first checkpoint.
    let out = "";
    const member = await new Promise<string>((resolve) => child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /member (\d)\/3 \(seed \d+\)\s+epoch\s+2\/12/.exec(out);
      if (m) resolve(m[1]!);
    }));
    // Had the lines been held back until the member finished, its checkpoint would be at epoch 12.
    expect(checkpointEpoch(join(dir, `ck-${member}.ckpt`)), "the member's epochs when its second was reported").toBeLessThan(12);
    child.kill("SIGINT");
    // Ctrl-C: each running member stops after its mini-batch (its checkpoint holds its last complete epoch), and the run exits 130.
    expect(await exited).toBe(130);
    expect(out).toMatch(/ensemble interrupted: .* run the same command again to continue it/);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp") || f.endsWith(".lock")), "no temp files or locks left").toEqual([]);
    expect(existsSync(join(dir, "ck-3.safetensors")), "the run was stopped before it could finish").toBe(false);

    const again = descent(...args);
    expect(again.code, again.err).toBe(0);
    expect(again.out).toMatch(/resuming after epoch \d+ of 12 from ck-[12]\.ckpt/);
    const whole = descent("train", ...RUN12, "--out", "whole.safetensors", "--quiet");
    expect(whole.code, whole.err).toBe(0);
    for (const i of [1, 2, 3]) expect(weights(`ck-${i}.safetensors`), `member ${i}`).toEqual(weights(`whole-${i}.safetensors`));

    // Run once more: every member is reused, nothing is retrained.
    const third = descent(...args);
    expect(third.code, third.err).toBe(0);
    expect(third.out.match(/already trained with these settings — reusing ck-\d\.safetensors/g)?.length).toBe(3);
    expect(third.out).not.toMatch(/epoch 1\/12/);
  }, 240_000);

  test("other settings on the same files are refused, and the files are left as they were", () => {
    const before = statSync(join(dir, "ck-1.safetensors")).mtimeMs;
    const r = descent("train", ...RUN12, "--lr", "0.01", "--jobs", "2", "--checkpoint", "ck.ckpt", "--out", "ck.safetensors");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/ck-1\.safetensors holds a run with other settings than this ensemble's member with seed 7 — move it away, or choose another --out\/--checkpoint/);
    expect(r.err).not.toMatch(noStack);
    expect(statSync(join(dir, "ck-1.safetensors")).mtimeMs).toBe(before);
  }, 60_000);

  test("a member trained on its own with the same settings is reused", () => {
    const alone = descent("train", ...RUN.filter((a, i) => a !== "--ensemble" && RUN[i - 1] !== "--ensemble").map((a, i, all) => (all[i - 1] === "--seed" ? "8" : a)), "--out", "solo-2.safetensors", "--quiet");
    expect(alone.code, alone.err).toBe(0);
    const r = descent("train", ...RUN, "--checkpoint", "solo.ckpt", "--out", "solo.safetensors");
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/member 2\/3 \(seed 8\): already trained with these settings — reusing solo-2\.safetensors/);
    expect(weights("solo-1.safetensors")).toEqual(weights("seq-1.safetensors"));
  }, 60_000);

  test("--jobs needs an ensemble and saved members", () => {
    const single = descent("train", "--layers", "784,10", "--jobs", "2");
    expect(single.code).toBe(2);
    expect(single.err).toMatch(/--jobs 2 trains an ensemble's members side by side: add --ensemble n/);
    const unsaved = descent("train", ...RUN, "--jobs", "2", "--no-save");
    expect(unsaved.code).toBe(2);
    expect(unsaved.err).toMatch(/--jobs trains members in separate workers, which hand them back as files: drop --no-save/);
    for (const r of [single, unsaved]) expect(r.err).not.toMatch(noStack);
  });
});
