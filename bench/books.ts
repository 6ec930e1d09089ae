/**
 * `npm run bench:books`: runs the book presets from the CLI on the full data, exactly as a user
 * would (`descent train --preset NAME`), and checks each against the number its source reports.
 *   npm run bench:books -- nielsen-ch1 quick      (only these)
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { table } from "./harness.js";

/** Acceptance thresholds: test accuracy after the preset's epochs (after 1 epoch for backprop-tutorial's first check). */
const TARGETS: Record<string, { min: number; afterEpoch?: number; note: string }[]> = {
  "nielsen-ch1": [{ min: 0.945, note: "book ~95 % after 30 epochs" }],
  "nielsen-ch3": [{ min: 0.978, note: "book ~98 % after 30 epochs" }],
  "backprop-tutorial": [{ min: 0.92, afterEpoch: 1, note: "tutorial 92.8 % after 1 epoch" }, { min: 0.95, afterEpoch: 3, note: "> 95 % after 3" }],
  "3b1b": [{ min: 0.94, note: "~95 % (Nielsen's code on 784-16-16-10)" }],
  quick: [{ min: 0.97, note: "npm start default: ≥ 97 % (issue), ~98 % in ~10 s" }],
};

const bin = fileURLToPath(new URL("../bin/descent.js", import.meta.url));
const wanted = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const presets = wanted.length ? wanted : Object.keys(TARGETS);
const rows: Record<string, string | number>[] = [];
const raw: unknown[] = [];

for (const preset of presets) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, "train", "--preset", preset, "--json", "--no-save"], { encoding: "utf8", maxBuffer: 1 << 26 });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) {
    rows.push({ preset, check: "run failed", result: `exit ${r.status}`, pass: "FAIL" });
    process.stderr.write(r.stderr);
    continue;
  }
  const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, number | string>);
  const epochs = lines.filter((l) => l.type === "epoch");
  const result = lines.find((l) => l.type === "result")!;
  raw.push({ preset, epochs, result, wallSeconds: wall });
  for (const t of TARGETS[preset] ?? [{ min: 0, note: "" }]) {
    const acc = t.afterEpoch ? Number(epochs[t.afterEpoch - 1]?.testAccuracy) : Number(result.testAccuracy);
    rows.push({
      preset, check: t.note, "test acc %": acc * 100, "target %": t.min * 100,
      epochs: t.afterEpoch ?? epochs.length, "s/epoch": Number(result.secondsPerEpoch), "wall s": wall,
      pass: acc >= t.min ? "pass" : "FAIL",
    });
  }
  console.log(table(rows.slice(-1)));
}
console.log(`\n${table(rows)}`);
mkdirSync("bench/results", { recursive: true });
const file = `bench/results/books-${new Date().toISOString().replace(/[:.]/g, "-")}.json`;
writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), rows, runs: raw }, null, 2)}\n`);
console.log(`written ${file}`);
process.exitCode = rows.every((r) => r.pass === "pass") ? 0 : 1;
