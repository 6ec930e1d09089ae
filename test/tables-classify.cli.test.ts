/**
 * Classification on tables with the real binary: a target column of class names (or --task
 * classification on 0/1 labels) trains a softmax classifier. Oracles: handmade, separable point
 * clouds whose cluster each point was drawn from is known (so the right class of a new point is
 * known without the network), the training run's own test rows scored again by `eval`, the
 * majority class as the floor, a run continued from a checkpoint against the same run straight
 * through (identical weights), and the messages for what cannot work.
 */
import { describe, expect, test } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { decodeModel } from "../src/io/model-file.js";

const bin = fileURLToPath(new URL("../bin/descent.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "descent-classify-"));
const descent = (...args: string[]) => {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const jsonLines = (out: string) => out.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
const noStack = /\n\s+at .+:\d+:\d+/;

/** A seeded LCG (glibc's constants): the same points on every run, without the code under test. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

/** Points within ±1 of their cluster's centre (centres ≥ 6 apart: separable), the cluster's name last. */
function clusters(centres: Record<string, [number, number]>, n: number, seed: number): { csv: string; truth: string[]; features: string } {
  const r = lcg(seed);
  const names = Object.keys(centres);
  const rows: string[] = [];
  const truth: string[] = [];
  for (let i = 0; i < n; i++) {
    const k = names[i % names.length]!;
    const [cx, cy] = centres[k]!;
    rows.push(`${(cx + 2 * r() - 1).toFixed(3)},${(cy + 2 * r() - 1).toFixed(3)}`);
    truth.push(k);
  }
  return {
    csv: `x,y,label\n${rows.map((p, i) => `${p},${truth[i]}`).join("\n")}\n`,
    features: `x,y\n${rows.join("\n")}\n`,
    truth,
  };
}

const IRIS: Record<string, [number, number]> = { setosa: [-4, 0], versicolor: [4, 0], virginica: [0, 6] };
const BINARY: Record<string, [number, number]> = { "0": [-3, -3], "1": [3, 3] };
writeFileSync(join(dir, "pts.csv"), clusters(IRIS, 150, 12345).csv);
const fresh = clusters(IRIS, 30, 777); // new points from the same clusters: their cluster is the right answer
writeFileSync(join(dir, "new.csv"), fresh.features);
writeFileSync(join(dir, "bin.csv"), clusters(BINARY, 100, 99).csv);

describe("a target of class names", () => {
  test("trains a softmax classifier to ≥ 95 % test accuracy; eval scores the same test rows to the same accuracy; predict names the clusters; info lists the classes", () => {
    const r = descent("train", "--data", "pts.csv", "--target", "label", "--epochs", "30", "--json", "--out", "c.safetensors");
    expect(r.code, r.err).toBe(0);
    const lines = jsonLines(r.out);
    const result = lines.find((l) => l.type === "result") as { testAccuracy: number; testCorrect: number; testTotal: number };
    const baseline = (lines.find((l) => l.type === "baselines")!.test as { majority: { class: string; accuracy: number } }).majority;
    expect(result.testTotal).toBe(23); // 150 rows at 0.7/0.15/0.15: 104/23/23
    expect(result.testAccuracy).toBeGreaterThanOrEqual(0.95);
    expect(Object.keys(IRIS)).toContain(baseline.class);
    expect(baseline.accuracy).toBeLessThan(0.5); // three balanced classes: one of them is about a third

    const e = descent("eval", "c.safetensors", "--json");
    expect(e.code, e.err).toBe(0);
    const scored = JSON.parse(e.out) as { rows: number; accuracy: number; correct: number; classes: string[]; confusion: number[][] };
    expect(scored.rows).toBe(23);
    expect(scored.accuracy).toBe(result.testAccuracy);
    expect(scored.correct).toBe(result.testCorrect);
    expect(scored.classes).toEqual(["setosa", "versicolor", "virginica"]);
    expect(scored.confusion.flat().reduce((a, b) => a + b, 0)).toBe(23);

    const text = descent("eval", "c.safetensors");
    expect(text.out).toMatch(/classifying label · the test rows of its training split \(23 of 150, seed 1\)/);
    expect(text.out).toMatch(/confusion matrix \(rows: true class, columns: predicted\)/);
    expect(text.out).toMatch(/^ +setosa +\d+ +\d+ +\d+ +[\d.]+ %$/m);

    const p = descent("predict", "c.safetensors", "--csv", "new.csv");
    expect(p.code, p.err).toBe(0);
    expect(p.out).toBe(`label\n${fresh.truth.join("\n")}\n`);

    const pj = descent("predict", "c.safetensors", "--csv", "new.csv", "--json");
    const rows = jsonLines(pj.out) as { prediction: string; outputs: Record<string, number> }[];
    expect(rows.map((x) => x.prediction)).toEqual(fresh.truth);
    for (const x of rows) expect(Object.values(x.outputs).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5); // softmax probabilities

    const info = descent("info", "c.safetensors");
    expect(info.out).toMatch(/classifies label into 3 classes: setosa, versicolor, virginica/);
    expect(info.out).toMatch(/task +classification/);
  }, 60_000);

  test("the default network ends in fc<classes> + softmax with the log-likelihood cost", () => {
    const r = descent("train", "--data", "pts.csv", "--target", "label", "--epochs", "1", "--no-save");
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/network {2}fc64,relu,fc64,relu,fc3,softmax/);
    expect(r.out).toMatch(/training log-likelihood cost/);
    expect(r.out).toMatch(/classifying label \(3 classes: setosa, versicolor, virginica\)/);
    expect(r.out).toMatch(/baseline on the same test rows: the training rows' most common class/);
  });

  test("a checkpointed run continued by the same command ends with the weights of the run straight through", () => {
    const base = ["train", "--data", "pts.csv", "--target", "label", "--quiet"];
    expect(descent(...base, "--epochs", "6", "--out", "straight.safetensors").code).toBe(0);
    expect(descent(...base, "--epochs", "3", "--checkpoint", "run.ckpt", "--out", "half.safetensors").code).toBe(0);
    const again = descent(...base, "--epochs", "6", "--checkpoint", "run.ckpt", "--out", "continued.safetensors");
    expect(again.code, again.err).toBe(0);
    const tensors = (f: string) => Object.values(decodeModel(readFileSync(join(dir, f)), f).model.stateDict()).map((t) => Array.from(t.data));
    expect(tensors("continued.safetensors")).toEqual(tensors("straight.safetensors"));
    const resumed = descent("train", "--resume", "run.ckpt", "--data", "pts.csv", "--epochs", "8", "--quiet", "--out", "resumed.safetensors");
    expect(resumed.code, resumed.err).toBe(0);
    expect(descent("eval", "resumed.safetensors").out).toMatch(/accuracy \d/);
  }, 60_000);

  test("3-fold cross-validation reports each fold's accuracy beside the majority class", () => {
    const r = descent("train", "--data", "pts.csv", "--target", "label", "--epochs", "20", "--folds", "3", "--json");
    expect(r.code, r.err).toBe(0);
    const cv = jsonLines(r.out).find((l) => l.type === "cross-validation") as { network: { folds: unknown[]; accuracy: number }; majority: { accuracy: number } };
    expect(cv.network.folds).toHaveLength(3);
    expect(cv.network.accuracy).toBeGreaterThanOrEqual(0.95);
    expect(cv.majority.accuracy).toBeLessThan(0.5);
  }, 60_000);
});

describe("--task", () => {
  test("classification on a 0/1 numeric column trains a classifier (without it: a regression)", () => {
    const reg = descent("train", "--data", "bin.csv", "--target", "label", "--epochs", "2", "--json", "--no-save");
    expect(reg.code, reg.err).toBe(0);
    expect((jsonLines(reg.out).find((l) => l.type === "result")!.test as { mae: number }).mae).toBeGreaterThanOrEqual(0);

    const r = descent("train", "--data", "bin.csv", "--target", "label", "--task", "classification", "--epochs", "30", "--json", "--out", "b.safetensors");
    expect(r.code, r.err).toBe(0);
    expect((jsonLines(r.out).find((l) => l.type === "result") as { testAccuracy: number }).testAccuracy).toBeGreaterThanOrEqual(0.95);
    writeFileSync(join(dir, "bin-new.csv"), "x,y\n-3.2,-2.5\n2.9,3.4\n-2.1,-3.9\n");
    expect(descent("predict", "b.safetensors", "--csv", "bin-new.csv").out).toBe("label\n0\n1\n0\n");
    expect(descent("info", "b.safetensors").out).toMatch(/classifies label into 2 classes: 0, 1/);
  }, 60_000);

  test("regression on a column of class names is refused, saying what to do", () => {
    const r = descent("train", "--data", "pts.csv", "--target", "label", "--task", "regression", "--no-save");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/pts\.csv: target column "label" holds class names \("setosa"\), not numbers — a regression predicts numbers; drop the regression task to classify it \(drop --task regression\)/);
    expect(r.err).not.toMatch(noStack);
    const bad = descent("train", "--data", "pts.csv", "--target", "label", "--task", "ordinal", "--no-save");
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--task/);
  });

  test("a class target beside a numeric one is refused", () => {
    const r = descent("train", "--data", "pts.csv", "--target", "label,y", "--no-save");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/target column "label" holds classes but "y" holds numbers — a classifier predicts one class column/);
    expect(r.err).not.toMatch(noStack);
  });
});

test("eval on rows holding a class the model never saw is refused, naming the row and value", () => {
  expect(descent("train", "--data", "pts.csv", "--target", "label", "--epochs", "2", "--quiet", "--out", "u.safetensors").code).toBe(0);
  writeFileSync(join(dir, "odd.csv"), "x,y,label\n-4,0,setosa\n4,0,rose\n");
  const r = descent("eval", "u.safetensors", "odd.csv");
  expect(r.code).toBe(1);
  expect(r.err).toMatch(/odd\.csv: row 2 \(line 3\), target column "label": "rose" is not one of the 3 classes the model was trained on \("setosa", "versicolor", "virginica"\)/);
  expect(r.err).not.toMatch(noStack);
  // predict does not read the target column: the same rows get a class each.
  expect(descent("predict", "u.safetensors", "--csv", "odd.csv").out.split("\n")[0]).toBe("label");
});
