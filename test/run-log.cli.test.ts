/**
 * `descent train --log run.csv --plot curves.svg`, spawned as a user would. Oracle: the same run's
 * --json epoch lines (what the trainer reported), against the CSV's rows and the SVG's paths read back.
 */
import { describe, expect, test } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readSvg } from "./svg-read.js";

const bin = fileURLToPath(new URL("../bin/descent.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "descent-log-"));
const descent = (...args: string[]) => {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const RUN = ["--train-size", "1000", "--validation", "1000", "--epochs", "3", "--seed", "3", "--no-save"];

describe("train --log --plot", () => {
  test("the CSV has Keras's columns and one row per epoch equal to the JSON lines; the SVG draws the same numbers", () => {
    const r = descent("train", ...RUN, "--json", "--log", "run.csv", "--plot", "curves.svg");
    expect(r.code, r.err).toBe(0);
    const epochs = r.out.trim().split("\n").map((l) => JSON.parse(l) as Record<string, number> & { type: string }).filter((o) => o.type === "epoch");
    expect(epochs.length).toBe(3);
    const [header, ...rows] = readFileSync(join(dir, "run.csv"), "utf8").trim().split("\n");
    expect(header).toBe("epoch,loss,accuracy,val_loss,val_accuracy,test_loss,test_accuracy,lr,seconds");
    expect(rows.length).toBe(3);
    rows.forEach((row, i) => {
      const [epoch, loss, acc, valLoss, valAcc, testLoss, testAcc, lr] = row.split(",").map(Number);
      const e = epochs[i]!;
      expect([epoch, loss, acc, valLoss, valAcc, testLoss, testAcc, lr]).toEqual([e.epoch, e.trainLoss, e.trainAccuracy, e.valLoss, e.valAccuracy, e.testLoss, e.testAccuracy, e.lr]);
    });
    const [cost, acc] = readSvg(readFileSync(join(dir, "curves.svg"), "utf8"));
    const close = (got: { x: number; y: number }[], want: number[], tol: number) => {
      expect(got.map((p) => Math.round(p.x))).toEqual([1, 2, 3]);
      got.forEach((p, i) => expect(Math.abs(p.y - want[i]!)).toBeLessThan(tol));
    };
    close(cost!.series.get("validation")![0]!, epochs.map((e) => e.valLoss!), 1e-3);
    close(cost!.series.get("training")![0]!, epochs.map((e) => e.trainLoss!), 1e-3);
    close(acc!.series.get("test")![0]!, epochs.map((e) => e.testAccuracy! * 100), 0.05);
  }, 120_000);

  test("a bad plot name, or --log with an ensemble, or one file for both, is refused before training and writes nothing", () => {
    const bad = descent("train", ...RUN, "--plot", "curves.pdf");
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--plot curves\.pdf: the curves are drawn as \.svg or \.png/);
    const ens = descent("train", ...RUN, "--ensemble", "2", "--log", "ens.csv");
    expect(ens.code).toBe(2);
    expect(ens.err).toMatch(/--log records one run; an ensemble trains 2/);
    expect(existsSync(join(dir, "ens.csv"))).toBe(false);
    const same = descent("train", ...RUN, "--log", "x.svg", "--plot", "x.svg");
    expect(same.code).toBe(2);
    expect(same.err).toMatch(/--log x\.svg and --plot x\.svg are the same file/);
  });

  test("--plot curves.png: a PNG (with @resvg/resvg-wasm installed), or else a message before any training", () => {
    const r = descent("train", ...RUN, "--json", "--plot", "curves.png");
    if (r.code === 0) {
      expect(readFileSync(join(dir, "curves.png")).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    } else {
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/writing a PNG plot needs the @resvg\/resvg-wasm package, which is not installed: install it \(npm install @resvg\/resvg-wasm\), or write the plot as \.svg/);
      expect(r.out).not.toMatch(/"type":"epoch"/);
      expect(existsSync(join(dir, "curves.png"))).toBe(false);
    }
  }, 120_000);
});
