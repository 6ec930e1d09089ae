/**
 * Hyper-parameter search. Oracles: schedules and survivors worked out by hand from the definition
 * in src/analysis/search.ts; a synthetic objective whose ranking is known in closed form; the
 * settings table's own checks for the space's messages; the plot read back against the CSV; and,
 * spawned as a user would, `descent train` with the printed command giving the trial's number.
 */
import { describe, expect, test } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { halvingRungs, halvingSchedule, jobKey, runSearch, survivors, type Job, type JobResult } from "../src/analysis/search.js";
import { gridTrials, parseSpace, randomTrials, type Params } from "../src/analysis/search-space.js";
import { searchCsv, searchFigure, trainCommand } from "../src/analysis/search-report.js";
import { presetConfig } from "../src/train/presets.js";
import { Rng } from "../src/rng.js";
import { readSvg } from "./svg-read.js";

describe("successive halving", () => {
  test("rungs and trials per rung, worked by hand", () => {
    // r = 1, η = 3, R = 30: 1, 3, 9 (next 27 ≤ 30 but 81 > 30, so 27 is replaced by 30).
    expect(halvingRungs(1, 3, 30)).toEqual([1, 3, 9, 30]);
    expect(halvingSchedule(30, [1, 3, 9, 30], 3)).toEqual([{ epochs: 1, trials: 30 }, { epochs: 3, trials: 10 }, { epochs: 9, trials: 3 }, { epochs: 30, trials: 1 }]);
    expect(halvingRungs(1, 3, 27)).toEqual([1, 3, 9, 27]);
    // r = 2, η = 2, R = 10: 2, 4 (8 ≤ 10 but 16 > 10, so 8 becomes 10).
    expect(halvingRungs(2, 2, 10)).toEqual([2, 4, 10]);
    expect(halvingRungs(5, 3, 5)).toEqual([5]);
    expect(halvingSchedule(10, [2, 4, 10], 2).map((r) => r.trials)).toEqual([10, 5, 2]);
    expect(survivors(2, 3)).toBe(1); // never zero
  });

  // Validation accuracy = 0.5 + 0.01·epochs·quality[trial]: trials improve at different speeds.
  const quality = [3, 9, 1, 7, 5, 8, 2, 6, 4];
  const trials: Params[] = quality.map((_, i) => ({ lr: i + 1 }));
  const synthetic = async (job: Job): Promise<JobResult> => ({ validationAccuracy: 0.5 + 0.01 * job.epochs * quality[job.trial]!, seconds: 0 });

  test("each rung keeps the best ⌊n/η⌋ of the one before: 9 → 3 → 1 on a synthetic objective", async () => {
    const seen: string[] = [];
    const r = await runSearch({ trials, rungs: [1, 3, 9], eta: 3, run: async (j) => (seen.push(jobKey(j.trial, j.epochs)), synthetic(j)) });
    // Rung 1: all nine. The best three qualities are 9, 8, 7: trials 1, 5, 3. Then the best of them: trial 1.
    expect(r.rungs).toEqual([{ epochs: 1, trials: 9 }, { epochs: 3, trials: 3 }, { epochs: 9, trials: 1 }]);
    expect(seen.filter((k) => k.endsWith("@3")).sort()).toEqual(["1@3", "3@3", "5@3"]);
    expect(seen.filter((k) => k.endsWith("@9"))).toEqual(["1@9"]);
    // Ranking: the finalist, then rung 3's others by accuracy, then rung 1's by accuracy.
    expect(r.ranking).toEqual([1, 5, 3, 7, 4, 8, 0, 6, 2]);
    expect(r.ran).toBe(13);
  });

  test("results do not depend on the order jobs finish in (parallel runs), and a journal skips finished jobs", async () => {
    const rng = new Rng(5);
    const shuffled = (job: Job) => new Promise<JobResult>((done) => setTimeout(() => void synthetic(job).then(done), rng.int(20)));
    const journal = new Map<string, JobResult>();
    const first = await runSearch({ trials, rungs: [1, 3, 9], eta: 3, run: shuffled, record: (j, res) => void journal.set(jobKey(j.trial, j.epochs), res) });
    const plain = await runSearch({ trials, rungs: [1, 3, 9], eta: 3, run: synthetic });
    expect(first.ranking).toEqual(plain.ranking);
    expect(first.trials).toEqual(plain.trials);
    expect(journal.size).toBe(13);
    // An interrupted run's journal: only rung 1's first five jobs. The rerun runs the other eight.
    const partial = new Map([...journal].filter(([k]) => k.endsWith("@1") && Number(k.split("@")[0]) < 5));
    const resumed = await runSearch({ trials, rungs: [1, 3, 9], eta: 3, run: synthetic, done: partial });
    expect([resumed.ran, resumed.reused]).toEqual([8, 5]);
    expect(resumed.trials).toEqual(plain.trials);
    const again = await runSearch({ trials, rungs: [1, 3, 9], eta: 3, run: () => Promise.reject(new Error("must not run")), done: journal });
    expect([again.ran, again.reused]).toEqual([0, 13]);
    expect(again.ranking).toEqual(plain.ranking);
  });

  test("a diverged trial (NaN accuracy) ranks last", async () => {
    const r = await runSearch({ trials: trials.slice(0, 3), rungs: [1], eta: 3, run: async (j) => ({ validationAccuracy: j.trial === 1 ? NaN : 0.5 + j.trial * 0.1, seconds: 0 }) });
    expect(r.ranking).toEqual([2, 0, 1]);
  });
});

describe("the space", () => {
  test("log, lin and listed values, by URL key or flag name, values checked and typed by the settings table", () => {
    const dims = parseSpace("lr=log(0.01,10), mom=lin(0,0.9),batch-size=10|20|50,opt=sgd|momentum,expand=true|false");
    expect(dims).toEqual([
      { key: "lr", name: "lr", kind: "log", low: 0.01, high: 10, integer: false },
      { key: "momentum", name: "mom", kind: "lin", low: 0, high: 0.9, integer: false },
      { key: "batchSize", name: "batch-size", kind: "choice", values: [10, 20, 50] },
      { key: "optimizer", name: "opt", kind: "choice", values: ["sgd", "momentum"] },
      { key: "expand", name: "expand", kind: "choice", values: [true, false] },
    ]);
  });

  test("random points: in range, 3 significant digits, log-uniform (about half below the geometric mean), same seed same points", () => {
    const dims = parseSpace("lr=log(0.01,10),batch=lin(1,100),l2=1|5");
    const a = randomTrials(dims, 400, new Rng(7).fork("search"));
    expect(randomTrials(dims, 400, new Rng(7).fork("search"))).toEqual(a);
    const lr = a.map((p) => p.lr as number);
    for (const x of lr) {
      expect(x).toBeGreaterThanOrEqual(0.01);
      expect(x).toBeLessThanOrEqual(10);
      expect(Number(x.toPrecision(3))).toBe(x);
    }
    const below = lr.filter((x) => x < Math.sqrt(0.01 * 10)).length;
    expect(below).toBeGreaterThan(160); // binomial(400, ½): 200 ± 40 is five standard deviations
    expect(below).toBeLessThan(240);
    expect(a.every((p) => Number.isInteger(p.batchSize) && [1, 5].includes(p.l2 as number))).toBe(true);
  });

  test("the grid: the largest k per range that fits --trials, log-spaced, last parameter fastest; refused when even k = 2 does not fit", () => {
    const dims = parseSpace("lr=log(0.01,1),batch=10|20");
    // k = 3 gives 3 × 2 = 6 ≤ 7; k = 4 would give 8.
    expect(gridTrials(dims, 7)).toEqual([
      { lr: 0.01, batchSize: 10 }, { lr: 0.01, batchSize: 20 }, { lr: 0.1, batchSize: 10 }, { lr: 0.1, batchSize: 20 }, { lr: 1, batchSize: 10 }, { lr: 1, batchSize: 20 },
    ]);
    expect(() => gridTrials(parseSpace("lr=log(0.01,1),l2=lin(0,5),batch=10|20"), 7)).toThrow(/--trials 7: the smallest grid of this space has 8 points/);
  });

  test("errors name the parameter, what was expected and what was found", () => {
    const bad: [string, RegExp][] = [
      ["lr=log(0.01)", /--space lr: expected log\(low,high\) with two numbers low < high, both > 0, got "log\(0\.01\)"/],
      ["lr=log(0,1)", /--space lr: expected log\(low,high\).*both > 0/],
      ["lr=lin(2,1)", /--space lr: expected lin\(low,high\) with two numbers low < high, got "lin\(2,1\)"/],
      ["lrr=log(0.1,1)", /unknown parameter "lrr" — did you mean lr\?/],
      ["lr", /"lr" is not name=values/],
      ["batch=10|x", /--space batch x: expected an integer in \[1, 1e6\], got "x"/],
      ["lr=log(0.1,1e9)", /--space lr=log\(0\.1,1e9\): expected a number in \(0, 10000\], got 1000000000/],
      ["act=log(1,2)", /log\(…\) draws numbers, but act is one of/],
      ["epochs=1|2", /"epochs" cannot be searched — the search sets the epochs itself/],
      ["lr=0.1,lr=0.2", /--space lr: given twice/],
      ["batch=10|10", /a value is listed twice/],
      ["lr=exp(1,2)", /--space lr: expected log\(low,high\), lin\(low,high\) or values a\|b\|c, got "exp\(1,2\)"/],
    ];
    for (const [text, message] of bad) expect(() => parseSpace(text), text).toThrow(message);
  });
});

describe("the outputs", () => {
  const dims = parseSpace("lr=log(0.1,10),batch=10|20");
  const trials: Params[] = [{ lr: 0.1, batchSize: 10 }, { lr: 1, batchSize: 20 }, { lr: 10, batchSize: 10 }];
  const acc = [0.9, 0.95, 0.5];

  test("the CSV holds every rung of every trial; the plot draws each trial at log10 of its rate", async () => {
    const r = await runSearch({ trials, rungs: [1, 3], eta: 3, run: async (j) => ({ validationAccuracy: acc[j.trial]! + j.epochs / 100, testAccuracy: 0.8, seconds: 1 }) });
    const csv = searchCsv(dims, r).trim().split("\n").map((l) => l.split(","));
    expect(csv[0]).toEqual(["trial", "lr", "batch", "epochs", "validation_accuracy", "test_accuracy", "seconds", "stopped"]);
    expect(csv.slice(1).map((row) => row.slice(0, 5))).toEqual([
      ["1", "0.1", "10", "1", "0.91"], ["2", "1", "20", "1", "0.96"], ["2", "1", "20", "3", "0.98"], ["3", "10", "10", "1", "0.51"],
    ]);
    const [lrPanel] = readSvg(searchFigure(dims, r, "test"));
    const one = lrPanel!.series.get("1 epoch")!.flat().sort((a, b) => a.x - b.x);
    expect(one.map((p) => p.x)).toEqual([-1, 1].map((x) => expect.closeTo(x, 2)));
    expect(one.map((p) => p.y)).toEqual([91, 51].map((y) => expect.closeTo(y, 1)));
    expect(lrPanel!.series.get("3 epochs")!.flat()).toEqual([{ x: expect.closeTo(0, 2), y: expect.closeTo(98, 1) }]);
  });

  test("the train command names the preset and every setting that differs from it", () => {
    const base = presetConfig("nielsen-ch3");
    expect(trainCommand({ ...base, lr: 0.25, batchSize: 20, epochs: 60, expand: true, layers: [784, 30, 10] }, base, "nielsen-ch3"))
      .toBe("descent train --preset nielsen-ch3 --layers 784,30,10 --lr 0.25 --batch-size 20 --epochs 60 --expand");
  });
});

describe("descent search (spawned)", () => {
  const bin = fileURLToPath(new URL("../bin/descent.js", import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), "descent-search-"));
  const descent = (...args: string[]) => {
    const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  const small = ["search", "--preset", "nielsen-ch3", "--space", "lr=log(0.05,5),l2=1|5", "--trials", "4", "--halving", "--eta", "2", "--epochs", "2", "--train-size", "500", "--validation", "1000", "--json"];
  type Out = { ran: number; reused: number; trials: { trial: number; epochs: number; validationAccuracy: number; testAccuracy: number }[]; best: { command: string; validationAccuracy: number; testAccuracy: number } };

  test("--jobs 2 gives the --jobs 1 result; the journal makes a rerun skip everything; the best command reproduces the trial", () => {
    const one = descent(...small, "--journal", "j.jsonl");
    expect(one.code, one.err).toBe(0);
    const a = JSON.parse(one.out) as Out;
    expect([a.ran, a.reused]).toEqual([6, 0]); // 4 trials × 1 epoch, then 2 × 2 epochs
    expect(readFileSync(join(dir, "j.jsonl"), "utf8").trim().split("\n")).toHaveLength(7);
    const two = JSON.parse(descent(...small, "--jobs", "2").out) as Out;
    expect(two.trials).toEqual(a.trials.map((t) => ({ ...t, seconds: expect.any(Number) })));
    const again = JSON.parse(descent(...small, "--journal", "j.jsonl").out) as Out;
    expect([again.ran, again.reused]).toEqual([0, 6]);
    expect(again.trials).toEqual(a.trials);
    // The printed command, run by `descent train`, gives the best trial's numbers.
    const words = a.best.command.split(" ").slice(1);
    expect(words).toContain("--train-size");
    const train = descent(...words, "--validation", "1000", "--no-save", "--json");
    const result = JSON.parse(train.out.trim().split("\n").at(-1)!) as { testAccuracy: number; bestValidation: { valAccuracy: number } };
    expect(result.testAccuracy).toBe(a.best.testAccuracy);
  }, 120_000);

  test("a journal of another search is refused, naming the file; a bad space exits 2", () => {
    writeFileSync(join(dir, "other.jsonl"), `${JSON.stringify({ type: "search", base: {}, trials: [], rungs: [1], eta: 3 })}\n`);
    const r = descent(...small, "--journal", "other.jsonl");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/other\.jsonl: holds another search .* give another --journal file, or delete this one/);
    const bad = descent("search", "--space", "lr=log(1)");
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--space lr: expected log\(low,high\)/);
  });
});
