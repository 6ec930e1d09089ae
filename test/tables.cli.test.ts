/**
 * Regression on tables with the real binary: the bundled house prices and handmade CSV files.
 * Oracles: least squares (the baseline a network must beat), the training run's own test rows
 * scored again by `eval` from the saved scaling, hand-computed standardisation, exit codes and
 * messages the README documents, and determinism (one seed, identical bytes).
 */
import { describe, expect, test } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { decodeModel } from "../src/io/model-file.js";
import { Tensor } from "../src/tensor.js";
import { noGrad } from "../src/autograd.js";

const bin = fileURLToPath(new URL("../bin/descent.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "descent-tables-"));
const descent = (...args: string[]) => {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const jsonLines = (out: string) => out.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
const noStack = /\n\s+at .+:\d+:\d+/;

describe("the house-prices preset", () => {
  test("beats least squares on the same test rows; eval scores those rows again from the saved scaling; reruns are bit-identical", () => {
    const r = descent("train", "--preset", "house-prices", "--epochs", "120", "--json", "--out", "hp.safetensors");
    expect(r.code, r.err).toBe(0);
    const lines = jsonLines(r.out);
    const result = lines.find((l) => l.type === "result")!.test as { mae: number; r2: number; total: number };
    const baselines = lines.find((l) => l.type === "baselines")!.test as { mean: { r2: number }; leastSquares: { mae: number; r2: number } };
    expect(result.total).toBe(76); // 506 rows at 0.85/0/0.15: 430/0/76
    expect(result.r2).toBeGreaterThan(baselines.leastSquares.r2);
    expect(result.mae).toBeLessThan(baselines.leastSquares.mae);
    expect(result.r2).toBeGreaterThan(0.7);
    expect(baselines.mean.r2).toBeLessThan(0.01); // the training mean explains nothing of the test rows

    const e = descent("eval", "hp.safetensors", "--json");
    expect(e.code, e.err).toBe(0);
    const scored = JSON.parse(e.out) as { rows: number; metrics: { mae: number; r2: number } };
    expect(scored.rows).toBe(76);
    expect(scored.metrics.mae).toBeCloseTo(result.mae, 10);
    expect(scored.metrics.r2).toBeCloseTo(result.r2, 10);

    expect(descent("train", "--preset", "house-prices", "--epochs", "120", "--quiet", "--out", "again.safetensors").code).toBe(0);
    const tensors = (f: string) => Object.values(decodeModel(readFileSync(join(dir, f)), f).model.stateDict()).map((t) => Array.from(t.data));
    expect(tensors("again.safetensors")).toEqual(tensors("hp.safetensors"));

    const info = descent("info", "hp.safetensors");
    expect(info.out).toMatch(/table \(fitted on 430 training rows\)/);
    expect(info.out).toMatch(/predicts {3}cmedv \(training mean/);
    expect(info.out).not.toMatch(/^ {4}b /m); // the race-derived column is dropped by default
  }, 60_000);

  test("5-fold cross-validation reports every fold and the mean, beside least squares", () => {
    const r = descent("train", "--preset", "house-prices", "--epochs", "100", "--folds", "5", "--json");
    expect(r.code, r.err).toBe(0);
    const cv = jsonLines(r.out).find((l) => l.type === "cross-validation") as { network: { folds: unknown[]; mae: number; r2: number }; leastSquares: { r2: number } };
    expect(cv.network.folds).toHaveLength(5);
    expect(cv.network.r2).toBeGreaterThan(cv.leastSquares.r2);
    expect(cv.network.mae).toBeLessThan(3);
  }, 60_000);
});

describe("a CSV file of your own", () => {
  // y = 2·a − b + 3 on a categorical column's effect: "x" adds 1, "y" adds 0 — a linear target a network learns.
  const rows = Array.from({ length: 120 }, (_, i) => {
    const a = ((i * 37) % 101) / 10;
    const b = ((i * 53) % 89) / 10;
    const c = i % 3 === 0 ? "x" : "y";
    return { a, b, c, y: 2 * a - b + 3 + (c === "x" ? 1 : 0) };
  });
  const csv = `a,b,"c",y\r\n${rows.map((r) => `${r.a},${r.b},${r.c},${r.y}`).join("\r\n")}\r\n`;

  test("trains, predicts --csv with the saved scaling (checked by hand), and refuses missing cells unless --impute mean", () => {
    writeFileSync(join(dir, "lin.csv"), `\uFEFF${csv}`);
    const t = descent("train", "--data", "lin.csv", "--target", "y", "--arch", "fc16,relu,fc1", "--epochs", "150", "--lr", "0.01", "--quiet", "--out", "lin.safetensors");
    expect(t.code, t.err).toBe(0);
    expect(t.out).toMatch(/test MAE \S+ RMSE \S+ R² 0\.9\d\d/);

    // The model file's record, applied by hand: standardise a and b, one-hot c, then the network.
    const { model, meta } = decodeModel(readFileSync(join(dir, "lin.safetensors")), "lin.safetensors");
    const prep = meta.training.table as { mean: number[]; std: number[]; features: { name: string; kind: string; categories?: string[] }[] };
    expect(prep.features.map((f) => f.name)).toEqual(["a", "b", "c"]);
    expect(prep.features[2]!.categories).toEqual(["x", "y"]);
    writeFileSync(join(dir, "new.csv"), "a,b,c\n1.5,2,x\n7,0.5,y\n");
    const p = descent("predict", "lin.safetensors", "--csv", "new.csv");
    expect(p.code, p.err).toBe(0);
    const got = p.out.trim().split("\n");
    expect(got[0]).toBe("y");
    const raw = [[1.5, 2, 1, 0], [7, 0.5, 0, 1]];
    const x = raw.flatMap((r) => r.map((v, i) => (v - prep.mean[i]!) / prep.std[i]!));
    model.eval();
    const expected = noGrad(() => model.forward(new Tensor(Float32Array.from(x), [2, 4])).data);
    expect(Number(got[1])).toBeCloseTo(expected[0]!, 4);
    expect(Number(got[2])).toBeCloseTo(expected[1]!, 4);
    // --out is checked before predicting, and the file written holds the same lines.
    const bad = descent("predict", "lin.safetensors", "--csv", "new.csv", "--out", "no/such/dir/p.csv");
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--out no\/such\/dir\/p\.csv: the directory no\/such\/dir does not exist/);
    expect(bad.err).not.toMatch(noStack);
    expect(descent("predict", "lin.safetensors", "--csv", "new.csv", "--out", "p.csv").code).toBe(0);
    expect(readFileSync(join(dir, "p.csv"), "utf8")).toBe(p.out);

    writeFileSync(join(dir, "holes.csv"), csv.replace(/\r\n5\.3,/, "\r\n,"));
    const refused = descent("train", "--data", "holes.csv", "--target", "y", "--epochs", "1", "--no-save");
    expect(refused.code).not.toBe(0);
    expect(refused.err).toMatch(/holes\.csv: row \d+ \(line \d+\), column "a" is empty — fill it in or drop the row, or impute the training mean \(--impute mean\)/);
    expect(refused.err).not.toMatch(noStack);
    const imputed = descent("train", "--data", "holes.csv", "--target", "y", "--epochs", "1", "--no-save", "--impute", "mean", "--quiet");
    expect(imputed.code, imputed.err).toBe(0);
  }, 60_000);

  test("usage errors name the file, the column and what to do", () => {
    writeFileSync(join(dir, "t.csv"), csv);
    const noTarget = descent("train", "--data", "t.csv");
    expect(noTarget.code).toBe(2);
    expect(noTarget.err).toMatch(/--data t\.csv is a table: name the column to predict with --target COLUMN/);
    const wrong = descent("train", "--data", "t.csv", "--target", "price", "--epochs", "1", "--no-save");
    expect(wrong.code).not.toBe(0);
    expect(wrong.err).toMatch(/price/);
    expect(wrong.err).toMatch(/a, b, c, y|"a", "b", "c", "y"/);
    expect(wrong.err).not.toMatch(noStack);
    // --layers replaces the house-price network's --arch, and must take the table's 4 encoded features.
    const layers = descent("train", "--data", "t.csv", "--target", "y", "--layers", "784,5,1", "--epochs", "1", "--no-save");
    expect(layers.code).toBe(2);
    expect(layers.err).toMatch(/the first layer takes 784 inputs, but the data has 4 features per example \(use --layers 4,…\)/);
    const noTest = descent("train", "--data", "t.csv", "--target", "y", "--split", "1,0,0", "--epochs", "1", "--no-save");
    expect(noTest.code).toBe(2);
    expect(noTest.err).toMatch(/--split 1,0,0: a run is scored on its test rows/);
    writeFileSync(join(dir, "ragged.csv"), "a,b,y\n1,2,3\n4,5\n");
    const ragged = descent("train", "--data", "ragged.csv", "--target", "y", "--epochs", "1", "--no-save");
    expect(ragged.code).toBe(1);
    expect(ragged.err).toMatch(/ragged\.csv: row 2 \(line 3\) has 2 fields, the header has 3/);
    const ce = descent("train", "--data", "t.csv", "--target", "y", "--cost", "cross-entropy", "--epochs", "1", "--no-save");
    expect(ce.code).toBe(2);
    expect(ce.err).toMatch(/the cross-entropy cost scores class labels, but this data has numeric targets \(a regression\): use --cost mse/);
  }, 60_000);
});
