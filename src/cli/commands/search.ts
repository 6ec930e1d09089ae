/**
 * `descent search`: random or grid search over training settings, optionally with successive
 * halving (src/analysis/search.ts), seeded, run in parallel worker threads (--jobs), resumable from
 * a journal (one JSON line per finished trial and rung); a table sorted by validation accuracy, the
 * best trial as a `descent train` command, a plot against each parameter and every trial as CSV.
 */
import { existsSync, readFileSync } from "node:fs";
import { Command } from "commander";
import pc from "picocolors";
import { SETTINGS, range } from "../../experiment/settings.js";
import { DEFAULT_CONFIG } from "../../train/defaults.js";
import { PRESETS, presetConfig } from "../../train/presets.js";
import { validateConfig, type TrainConfig } from "../../train/config.js";
import { DescentError, UsageError } from "../../errors.js";
import { printablePath } from "../../text.js";
import { Rng } from "../../rng.js";
import { loadMnist } from "../../node/mnist.js";
import { writeFileAtomic } from "../../node/atomic-write.js";
import { acquireLock } from "../../node/lock.js";
import { checkPlotWriter, isPlotPath, writePlot } from "../../node/plot-files.js";
import { checkOutputFiles, type OutputFile } from "../../node/output-paths.js";
import { choice, integerIn, settingParser } from "../parse.js";
import { configFromFlags } from "./train.js";
import { formatParams, gridTrials, parseSpace, randomTrials, type Dimension, type Params } from "../../analysis/search-space.js";
import { halvingRungs, halvingSchedule, jobKey, runSearch, type Job, type JobResult } from "../../analysis/search.js";
import { runTrial } from "../../analysis/search-trial.js";
import { searchCsv, searchFigure, trainCommand, trialRows } from "../../analysis/search-report.js";
import { TrialPool } from "../search-pool.js";

function presetName(value: string): string {
  if (Object.hasOwn(PRESETS, value)) return value;
  throw new UsageError(`unknown preset "${value}" (presets: ${Object.keys(PRESETS).join(", ")})`);
}

export function searchCommand(): Command {
  const cmd = new Command("search")
    .description("hyper-parameter search (Nielsen ch. 3): random or grid, with successive halving, resumable, in parallel")
    .requiredOption("--space <spec>", "parameters to search, by URL key: lr=log(0.01,10),l2=log(0.1,10),batch=10|20|50 (log(a,b), lin(a,b) or a|b|c)", (v: string) => v)
    .option("--preset <name>", "the run to tune (e.g. nielsen-ch3); any train flag below changes it", presetName)
    .option("--data <dir>", "a directory with the four MNIST IDX files (default: the bundled MNIST)")
    .option("--trials <n>", "trials (random: points drawn; grid: the most grid points) (default 30)", integerIn("--trials", range("[", 1, 10_000, "]")))
    .option("--method <how>", "random (default) or grid", choice("--method", ["random", "grid"] as const))
    .option("--halving", "successive halving: train all trials --min-epochs epochs, keep the best 1/η, train those η times longer, …, the last to --epochs")
    .option("--eta <n>", "halving's reduction factor η (default 3)", integerIn("--eta", range("[", 2, 100, "]")))
    .option("--min-epochs <n>", "halving's first rung, in epochs (default 1)", integerIn("--min-epochs", range("[", 1, 1e6, "]")))
    .option("--jobs <n>", "trials trained at once, one worker thread each (default 1; the results do not depend on it)", integerIn("--jobs", range("[", 1, 64, "]")))
    .option("--journal <file.jsonl>", "record every finished trial; rerunning the same search with it skips what is done")
    .option("--csv <file.csv>", "write every trial (and every rung it reached) as CSV")
    .option("--plot <file.svg|png>", "draw validation accuracy against each parameter")
    .option("--json", "print the result as one JSON object");
  for (const s of SETTINGS) cmd.option(s.flag, s.help, settingParser(s));
  cmd.addHelpText("after", `
Successive halving with n trials, η, r = --min-epochs and R = --epochs: rungs of r, rη, rη², … epochs
while rηᵏ⁺¹ ≤ R, then R; each rung trains the best max(1, ⌊n/η⌋) of the one before (by validation
accuracy), each trial from scratch with the run's seed (so it is exactly "descent train … --epochs e").
Example: 30 trials, η = 3, r = 1, R = 30 → 30 trials × 1 epoch, 10 × 3, 3 × 9, 1 × 30.

Examples:
  descent search --preset nielsen-ch3 --space 'lr=log(0.01,10),l2=log(0.1,10),batch=10|20|50' --trials 30 --halving --jobs 2 --journal search.jsonl
  descent search --preset nielsen-ch3 --space 'lr=log(0.05,5),l2=1|5' --method grid --trials 10 --epochs 5 --csv grid.csv --plot grid.svg
`);
  cmd.action(async (opts: Record<string, unknown>) => {
    process.exitCode = await runSearchCommand(opts);
  });
  return cmd;
}

interface Header {
  type: "search";
  base: TrainConfig;
  trials: Params[];
  rungs: number[];
  eta: number;
}

/** The journal's finished jobs, after checking that its header describes this same search. */
function readJournal(path: string, header: Header): { text: string; done: Map<string, JobResult> } {
  const done = new Map<string, JobResult>();
  if (!existsSync(path)) return { text: "", done };
  const text = readFileSync(path, "utf8");
  if (text.trim() === "") return { text: "", done }; // an empty file: a new journal
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  const bad = (what: string) => new DescentError(`${printablePath(path)}: ${what} — give another --journal file, or delete this one to start the search again`);
  let first: unknown;
  try {
    first = JSON.parse(lines[0] ?? "null");
  } catch {
    throw bad("not a search journal (its first line is not JSON)");
  }
  if (!first || (first as { type?: unknown }).type !== "search") throw bad("not a search journal (no search header on its first line)");
  if (JSON.stringify(first) !== JSON.stringify(header)) throw bad("holds another search (other settings, space, trials, seed or rungs)");
  for (const [i, line] of lines.slice(1).entries()) {
    let r: { type?: unknown; trial?: unknown; epochs?: unknown; result?: JobResult };
    try {
      r = JSON.parse(line) as typeof r;
    } catch {
      throw bad(`line ${i + 2} is not JSON`);
    }
    if (r.type !== "result" || typeof r.trial !== "number" || typeof r.epochs !== "number" || !r.result || typeof r.result.seconds !== "number") throw bad(`line ${i + 2} is not a trial result`);
    done.set(jobKey(r.trial, r.epochs), { ...r.result, validationAccuracy: r.result.validationAccuracy ?? NaN });
  }
  return { text: lines.map((l) => `${l}\n`).join(""), done };
}

const pct = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? "—" : `${(x * 100).toFixed(2)} %`);

async function runSearchCommand(opts: Record<string, unknown>): Promise<number> {
  const preset = typeof opts.preset === "string" ? opts.preset : null;
  const base = configFromFlags(opts);
  if (base.validation === 0) throw new UsageError("a search ranks trials by validation accuracy: keep a validation set (--validation > 0)");
  if (base.ensemble !== undefined && base.ensemble > 1) throw new UsageError("--ensemble: a search trial trains one network; drop --ensemble");
  const dims = parseSpace(String(opts.space));
  const trialsWanted = (opts.trials as number | undefined) ?? 30;
  const method = (opts.method as "random" | "grid" | undefined) ?? "random";
  const eta = (opts.eta as number | undefined) ?? 3;
  const minEpochs = (opts.minEpochs as number | undefined) ?? 1;
  const jobs = (opts.jobs as number | undefined) ?? 1;
  const json = Boolean(opts.json);
  if (opts.halving && minEpochs > base.epochs) throw new UsageError(`--min-epochs ${minEpochs}: the first rung cannot be longer than the finals (--epochs ${base.epochs})`);
  const rungs = opts.halving ? halvingRungs(minEpochs, eta, base.epochs) : [base.epochs];
  const trials = method === "grid" ? gridTrials(dims, trialsWanted) : randomTrials(dims, trialsWanted, new Rng(base.seed).fork("search"));
  // Every trial's config is checked now, not after an hour of training.
  const configOf = (p: Params, epochs: number): TrainConfig => validateConfig({ ...base, ...p, epochs });
  for (const [i, p] of trials.entries()) {
    try {
      configOf(p, base.epochs);
    } catch (e) {
      if (e instanceof UsageError) throw new UsageError(`trial ${i + 1} (${formatParams(dims, p)}): ${e.message}`);
      throw e;
    }
  }

  const journal = typeof opts.journal === "string" ? opts.journal : null;
  const csv = typeof opts.csv === "string" ? opts.csv : null;
  const plot = typeof opts.plot === "string" ? opts.plot : null;
  if (plot !== null && !isPlotPath(plot)) throw new UsageError(`--plot ${plot}: plots are written as .svg or .png (e.g. --plot search.svg)`);
  const files: OutputFile[] = [];
  if (journal) files.push({ path: journal, flag: "--journal", what: "search journal" });
  if (csv) files.push({ path: csv, flag: "--csv", what: "trials (CSV)" });
  if (plot) files.push({ path: plot, flag: "--plot", what: "plot" });
  checkOutputFiles(files);
  if (plot) await checkPlotWriter(plot);
  const release = journal ? acquireLock(journal, "--journal") : () => undefined;
  const say = (s: string) => !json && process.stdout.write(`${s}\n`);
  let pool: TrialPool | null = null;
  try {
    const header: Header = { type: "search", base: { ...base, epochs: 0 }, trials, rungs, eta };
    const { text: journalText, done } = journal ? readJournal(journal, header) : { text: "", done: new Map<string, JobResult>() };
    let written = journalText || `${JSON.stringify(header)}\n`;
    if (journal && !journalText) await writeFileAtomic(journal, new TextEncoder().encode(written));

    const plan = halvingSchedule(trials.length, rungs, eta);
    say(pc.bold(`${method} search: ${trials.length} trials of ${formatSpace(dims)} on ${preset ?? "the given settings"}, seed ${base.seed}`));
    say(`rungs: ${plan.map((r) => `${r.trials} × ${r.epochs} epoch${r.epochs === 1 ? "" : "s"}`).join(", ")} (${plan.reduce((t, r) => t + r.trials * r.epochs, 0)} epochs in all)` +
      `${jobs > 1 ? ` · ${jobs} at a time` : ""}${done.size ? ` · ${done.size} already in ${journal}` : ""}`);

    let data: Awaited<ReturnType<typeof loadMnist>> | null = null;
    if (jobs > 1) pool = new TrialPool(jobs, { dataDir: typeof opts.data === "string" ? opts.data : null, validation: base.validation });
    const run = async (job: Job): Promise<JobResult> => {
      const config = configOf(job.params, job.epochs);
      if (pool) return pool.run(config);
      data ??= await loadMnist({ ...(typeof opts.data === "string" ? { dir: opts.data } : {}), validation: base.validation });
      return runTrial(config, data);
    };
    const record = async (job: Job, result: JobResult) => {
      if (!journal) return;
      written += `${JSON.stringify({ type: "result", trial: job.trial, epochs: job.epochs, params: job.params, result })}\n`;
      await writeFileAtomic(journal, new TextEncoder().encode(written));
    };
    const result = await runSearch({
      trials, rungs, eta, run, done, record,
      onResult: (job, r, reused) => say(`  trial ${String(job.trial + 1).padStart(3)}  ${formatParams(dims, job.params).padEnd(36)} ${String(job.epochs).padStart(4)} ep  validation ${pct(r.validationAccuracy)}` +
        `${reused ? "  (journal)" : `  ${r.seconds.toFixed(1)} s`}${r.stopped ? `  stopped: ${r.stopped}` : ""}`),
    });
    const rows = trialRows(result);
    const best = rows[0]!;
    const bestConfig = configOf(best.params, best.epochs);
    const command = trainCommand(bestConfig, preset ? presetConfig(preset) : { ...DEFAULT_CONFIG }, preset);
    if (json) {
      process.stdout.write(`${JSON.stringify({ method, rungs: result.rungs, ran: result.ran, reused: result.reused, trials: rows, best: { ...best, command } })}\n`);
    } else {
      say(pc.bold("\nrank trial  parameters                            epochs  validation    test      seconds"));
      rows.forEach((r, i) => say(`${String(i + 1).padStart(4)} ${String(r.trial + 1).padStart(5)}  ${formatParams(dims, r.params).padEnd(36)} ${String(r.epochs).padStart(6)}  ${pct(r.validationAccuracy).padStart(9)}  ${pct(r.testAccuracy).padStart(9)}  ${r.seconds.toFixed(1).padStart(8)}`));
      say(`\nbest: validation ${pc.bold(pct(best.validationAccuracy))}, test ${pct(best.testAccuracy)} after ${best.epochs} epochs (trial ${best.trial + 1}); ${result.ran} runs now, ${result.reused} from the journal`);
      say(`run it again with:\n  ${command}`);
    }
    if (csv) await writeFileAtomic(csv, new TextEncoder().encode(searchCsv(dims, result)));
    if (plot) await writePlot(plot, searchFigure(dims, result, `${method} search${opts.halving ? ` with successive halving (η = ${eta})` : ""} — ${preset ?? "custom run"}, ${trials.length} trials`));
    return 0;
  } finally {
    await pool?.close();
    release();
  }
}

const formatSpace = (dims: readonly Dimension[]) =>
  dims.map((d) => (d.kind === "choice" ? `${d.name}=${d.values.map(String).join("|")}` : `${d.name}=${d.kind}(${d.low},${d.high})`)).join(", ");
