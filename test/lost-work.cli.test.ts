/**
 * No lost work, with the real binary: Ctrl-C/SIGTERM end a run cleanly and say what they saved;
 * output paths are checked before training; two runs cannot write the same files; temp files of
 * interrupted writes do not stay behind.
 * Oracles: an uninterrupted run's weights (a resumed run must equal them bit for bit), the files on
 * disk, exit codes (130 = SIGINT, 143 = SIGTERM, as shells report them).
 */
import { describe, expect, test } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { decodeModel } from "../src/io/model-file.js";

const bin = fileURLToPath(new URL("../bin/descent.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "descent-lost-"));
const env = { ...process.env, NO_COLOR: "1" };
const descent = (...args: string[]) => {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: "utf8", env });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
// Epochs long enough (~0.5 s) to be interrupted in the middle of one.
const RUN = ["--layers", "784,64,10", "--activation", "relu", "--output", "softmax", "--cost", "log-likelihood", "--optimizer", "adam", "--lr", "0.002",
  "--dropout", "0.2", "--train-size", "8000", "--validation", "10000", "--batch-size", "10", "--seed", "7"];
const weights = (file: string) => Object.values(decodeModel(readFileSync(join(dir, file)), file).model.stateDict()).map((t) => Array.from(t.data));
const leftovers = () => readdirSync(dir).filter((f) => f.endsWith(".tmp") || f.endsWith(".lock"));

/** Starts a run and sends `signal` once its first epoch line has been printed. */
function interruptAfterFirstEpoch(args: string[], signal: NodeJS.Signals): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: dir, env });
    let out = "";
    let err = "";
    let sent = false;
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (!sent && /^epoch 1\//m.test(out)) {
        sent = true;
        child.kill(signal);
      }
    });
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("close", (code) => resolve({ code, out, err }));
  });
}

describe("Ctrl-C and SIGTERM end a run cleanly", () => {
  test("with --checkpoint: the last complete epoch is in the checkpoint, and resuming ends as the uninterrupted run", async () => {
    expect(descent("train", ...RUN, "--epochs", "3", "--quiet", "--out", "whole.safetensors").code).toBe(0);
    const r = await interruptAfterFirstEpoch(["train", ...RUN, "--epochs", "3", "--checkpoint", "run.ckpt", "--out", "run.safetensors"], "SIGINT");
    expect(r.code, r.err).toBe(130);
    const m = /interrupted: the checkpoint run\.ckpt holds epoch (\d) of 3 — continue with: descent train --resume run\.ckpt/.exec(r.err);
    expect(m, r.err).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(1);
    expect(r.err).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(existsSync(join(dir, "run.safetensors")), "no model file beside an unfinished run").toBe(false);
    expect(leftovers()).toEqual([]);
    const resumed = descent("train", "--resume", "run.ckpt", "--out", "run.safetensors");
    expect(resumed.code, resumed.err).toBe(0);
    expect(resumed.out).toContain(`resuming after epoch ${m![1]} of 3 from run.ckpt`);
    expect(weights("run.safetensors")).toEqual(weights("whole.safetensors"));
  }, 120_000);

  test("without --checkpoint: the model of the last complete epoch goes to --out, marked as interrupted", async () => {
    const r = await interruptAfterFirstEpoch(["train", ...RUN, "--epochs", "3", "--out", "partial.safetensors"], "SIGTERM");
    expect(r.code, r.err).toBe(143);
    const m = /interrupted: saved the model of epoch (\d) of 3 to partial\.safetensors — the run cannot be continued from it/.exec(r.err);
    expect(m, r.err).not.toBeNull();
    const { meta } = decodeModel(readFileSync(join(dir, "partial.safetensors")), "partial.safetensors");
    expect(meta.training.epochsTrained).toBe(Number(m![1]));
    expect(String(meta.training.interrupted)).toMatch(/stopped by a signal after epoch \d of 3/);
    expect(leftovers()).toEqual([]);
  }, 120_000);
});

describe("output files are checked before training", () => {
  const quick = ["--train-size", "100", "--epochs", "1", "--layers", "784,10,10"];
  const expectRefused = (r: ReturnType<typeof descent>, message: RegExp) => {
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.out, "nothing was trained").not.toMatch(/^epoch/m);
    expect(r.err).not.toMatch(/\n\s+at .+:\d+:\d+/);
  };

  test("a missing directory, a directory, and --out equal to --checkpoint are refused", () => {
    expectRefused(descent("train", ...quick, "--out", "no/such/dir/m.safetensors"), /--out no\/such\/dir\/m\.safetensors: the directory no\/such\/dir does not exist/);
    mkdirSync(join(dir, "adir.safetensors"));
    expectRefused(descent("train", ...quick, "--out", "adir.safetensors"), /--out adir\.safetensors is a directory/);
    expectRefused(descent("train", ...quick, "--out", "same.safetensors", "--checkpoint", "same.safetensors"),
      /--out same\.safetensors and --checkpoint same\.safetensors are the same file/);
    expectRefused(descent("train", ...quick, "--checkpoint", "no/such/c.ckpt"), /--checkpoint no\/such\/c\.ckpt: the directory no\/such does not exist/);
  });
});

describe("two runs cannot write the same files", () => {
  test("a live run's lock is refused with who holds it; a stale lock (its process gone) is taken over and removed", () => {
    const quick = ["--train-size", "100", "--epochs", "1", "--layers", "784,10,10", "--quiet"];
    const live = join(dir, "locked.safetensors.lock");
    // This test's own process is a live run on this host.
    writeFileSync(live, JSON.stringify({ pid: process.pid, host: hostname(), started: "2026-01-01T00:00:00Z", command: "train --out locked.safetensors" }));
    const r = descent("train", ...quick, "--out", "locked.safetensors");
    expect(r.code, r.err).toBe(1);
    expect(r.err).toMatch(new RegExp(`--out locked\\.safetensors is being written by another descent run \\(pid ${process.pid}, started 2026-01-01T00:00:00Z: train --out locked\\.safetensors\\) — wait for it to finish or choose another file`));
    expect(existsSync(join(dir, "locked.safetensors")), "nothing written").toBe(false);

    writeFileSync(join(dir, "stale.safetensors.lock"), JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), started: "x", command: "train" }));
    const ok = descent("train", ...quick, "--out", "stale.safetensors");
    expect(ok.code, ok.err).toBe(0);
    expect(existsSync(join(dir, "stale.safetensors"))).toBe(true);
    expect(existsSync(join(dir, "stale.safetensors.lock")), "the lock is released at the end").toBe(false);
  });

  test("the temp file of a write whose process was killed is removed by the next write", () => {
    const stale = join(dir, `.tmpd.safetensors.${2 ** 22 + 777}.0123456789ab.tmp`);
    writeFileSync(stale, "half a model");
    const r = descent("train", "--train-size", "100", "--epochs", "1", "--layers", "784,10,10", "--quiet", "--out", "tmpd.safetensors");
    expect(r.code, r.err).toBe(0);
    expect(existsSync(stale)).toBe(false);
  });
});
