/**
 * `descent train --ensemble n`: members with seeds seed…seed+n−1, saved as <out>-1.safetensors …,
 * then their vote. Two additions make a long ensemble practical on a small machine:
 *  - `--checkpoint BASE` keeps each member's checkpoint (BASE-1.ckpt …). Running the same command
 *    again reuses members already saved with these settings and resumes the checkpointed ones,
 *    so an interrupted ensemble continues where it stopped.
 *  - `--jobs k` trains k members at once, each in its own worker thread (one core each).
 * Members are independent, so the result is the same whichever way they were trained.
 */
import { existsSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { createInterface } from "node:readline";
import pc from "picocolors";
import { validateConfig, type TrainConfig } from "../train/config.js";
import type { Mnist } from "../data/mnist.js";
import type { Module } from "../nn/module.js";
import { evaluateEnsemble } from "../train/ensemble.js";
import { loadModel } from "../node/model-files.js";
import { loadCheckpoint } from "../node/checkpoint-files.js";
import { getConvAlgorithm, type ConvAlgorithm } from "../ops/conv-winograd.js";
import type { Checkpoint } from "../train/checkpoint.js";
import type { EpochLog } from "../train/callbacks.js";
import { DescentError, ModelFileError, UsageError } from "../errors.js";
import { formatEpoch } from "./progress.js";
import { inputShapeFor } from "./describe.js";
import { trainOne, type RunContext } from "./train-run.js";

export interface EnsembleOptions {
  /** Base path of the members' checkpoints (BASE-i.ckpt), or null for none. */
  checkpointBase: string | null;
  /** Members trained at once (1: one after another in this thread). */
  jobs: number;
  /** --data, passed on to the workers. */
  dataDir: string | null;
}

/** What a worker is asked to do (structured-cloned into it). */
export interface MemberJob {
  config: TrainConfig;
  outPath: string;
  checkpointPath: string | null;
  resume: boolean;
  dataDir: string | null;
  preset: string | null;
  dataLabel: string;
  /** The parent's convolution algorithm (a worker starts with its own modules, at "auto"). */
  conv: ConvAlgorithm;
}

/** "ens.ckpt" → "ens-2.ckpt"; "run" → "run-2"; "out.safetensors" → "out-2.safetensors". */
export function memberPath(base: string, i: number): string {
  const m = /^(.*?)(\.[^./\\]+)?$/.exec(base)!;
  return `${m[1]}-${i}${m[2] ?? ""}`;
}

/**
 * A config as canonical JSON (keys sorted at every level), to compare two runs' settings. A run
 * trained on its own (no `ensemble` setting) counts as a member: `--seed 3` alone makes member 3.
 */
export function canonical(c: TrainConfig): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sort)
    : v && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])]))
    : v;
  return JSON.stringify(sort(validateConfig({ ...c, ensemble: c.ensemble ?? 1 })));
}

type Plan = { kind: "saved"; model: Module; test: number | null } | { kind: "resume"; checkpoint: Checkpoint } | { kind: "fresh" };

/** With checkpoints: reuse a member already saved with the same settings, or resume its checkpoint. */
async function planMember(config: TrainConfig, outPath: string, checkpointPath: string | null): Promise<Plan> {
  if (checkpointPath === null) return { kind: "fresh" };
  // A saved config this version cannot validate is another run's, as far as this ensemble is concerned.
  const same = (saved: unknown) => {
    try {
      return canonical(saved as TrainConfig) === canonical(config);
    } catch {
      return false;
    }
  };
  const differs = (what: string) =>
    new ModelFileError(`${what} holds a run with other settings than this ensemble's member with seed ${config.seed} — move it away, or choose another --out/--checkpoint`);
  if (existsSync(outPath)) {
    const { model, meta } = await loadModel(outPath);
    const saved = meta.training.config as TrainConfig | undefined;
    if (!saved || typeof saved !== "object" || !same(saved)) throw differs(outPath);
    // A member saved by a run stopped with Ctrl-C (see train-run.ts) is unfinished: train it again.
    if (meta.training.interrupted === undefined) {
      const test = meta.training.testAccuracy;
      return { kind: "saved", model, test: typeof test === "number" ? test : null };
    }
  }
  if (existsSync(checkpointPath)) {
    const checkpoint = loadCheckpoint(checkpointPath);
    if (!same(checkpoint.config)) throw differs(checkpointPath);
    return { kind: "resume", checkpoint };
  }
  return { kind: "fresh" };
}

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;

export async function trainEnsemble(config: TrainConfig, data: Mnist, outPath: string | null, ctx: RunContext, opts: EnsembleOptions): Promise<number> {
  const { mode, say } = ctx;
  const n = config.ensemble ?? 1;
  if (opts.jobs > 1 && outPath === null) throw new UsageError("--jobs trains members in separate workers, which hand them back as files: drop --no-save");
  if (opts.checkpointBase !== null && outPath === null) throw new UsageError("--checkpoint on an ensemble reuses the members saved by an earlier run: drop --no-save");
  const members = Array.from({ length: n }, (_, i) => ({
    config: { ...config, seed: config.seed + i, ensemble: 1 },
    outPath: outPath ? memberPath(outPath, i + 1) : null,
    checkpointPath: opts.checkpointBase ? memberPath(opts.checkpointBase, i + 1) : null,
  }));
  const plans: Plan[] = [];
  for (const m of members) plans.push(m.outPath ? await planMember(m.config, m.outPath, m.checkpointPath) : { kind: "fresh" });

  const models: (Module | null)[] = members.map(() => null);
  let code = 0;
  const label = (i: number) => `member ${i + 1}/${n} (seed ${members[i]!.config.seed})`;
  plans.forEach((p, i) => {
    if (p.kind !== "saved") return;
    models[i] = p.model;
    if (mode === "json") process.stdout.write(`${JSON.stringify({ type: "member", member: i + 1, seed: members[i]!.config.seed, reused: members[i]!.outPath, testAccuracy: p.test })}\n`);
    else say(`${label(i)}: already trained with these settings — reusing ${members[i]!.outPath}${p.test === null ? "" : ` (test ${pct(p.test)})`}`);
  });
  const todo = plans.map((p, i) => i).filter((i) => plans[i]!.kind !== "saved");
  if (opts.jobs > 1) {
    for (const i of todo) {
      const p = plans[i]!;
      if (p.kind === "resume") say(`${label(i)}: resuming after epoch ${p.checkpoint.epoch} of ${members[i]!.config.epochs} from ${members[i]!.checkpointPath}`);
    }
  }

  const stopped = () => ctx.interrupt?.signal.aborted ?? false;
  if (opts.jobs <= 1) {
    for (const i of todo) {
      if (stopped()) break;
      const m = members[i]!;
      const plan = plans[i]!;
      say(pc.bold(`\nensemble ${label(i)}`));
      const resume = plan.kind === "resume" ? plan.checkpoint : null;
      const r = await trainOne(m.config, data, m.outPath, ctx, { resume, resumeFrom: m.checkpointPath ?? undefined, checkpointPath: m.checkpointPath });
      models[i] = r.model;
      code = Math.max(code, r.code);
    }
  } else if (todo.length) {
    say(`training ${todo.length} member${todo.length === 1 ? "" : "s"}, ${Math.min(opts.jobs, todo.length)} at a time (one worker thread each)` +
      (opts.checkpointBase ? ` · checkpoints ${members[todo[0]!]!.checkpointPath} …` : ""));
    code = await runWorkers(ctx.interrupt?.signal, todo.map((i) => ({
      index: i,
      job: {
        config: members[i]!.config, outPath: members[i]!.outPath!, checkpointPath: members[i]!.checkpointPath,
        resume: plans[i]!.kind === "resume", dataDir: opts.dataDir, preset: ctx.preset, dataLabel: ctx.dataLabel, conv: getConvAlgorithm(),
      },
    })), opts.jobs, (i, line) => {
      // Each worker prints JSON lines (trainOne in json mode): passed on, tagged with the member.
      if (mode === "json") {
        process.stdout.write(`${JSON.stringify({ member: i + 1, seed: members[i]!.config.seed, ...line })}\n`);
        return;
      }
      if (line.type === "epoch") say(`${label(i)}  ${formatEpoch(line as unknown as EpochLog, members[i]!.config.epochs)}`);
      else if (line.type === "result") {
        const best = line.bestValidation as { epoch: number; testAccuracy: number } | undefined;
        process.stdout.write(`${label(i)}: test accuracy ${pc.bold(pct(line.testAccuracy as number))} after ${line.epochs as number} epochs` +
          (best ? ` · at the best validation epoch (${best.epoch}): ${pct(best.testAccuracy)}` : "") + ` · saved ${members[i]!.outPath}\n`);
      } else if (line.type === "stopped") process.stderr.write(`${label(i)}: ${line.kind === "interrupted" ? "interrupted" : "stopped"}: ${String(line.message)}\n`);
    });
    if (!stopped()) for (const i of todo) models[i] = (await loadModel(members[i]!.outPath!)).model;
  }
  if (stopped()) {
    const done = models.map((m, i) => (m ? i + 1 : 0)).filter((i) => i > 0);
    const how = opts.checkpointBase ? "run the same command again to continue it (finished members are reused, the others resume from their checkpoints)" : "add --checkpoint FILE next time to be able to continue an interrupted ensemble";
    const line = `ensemble interrupted: ${done.length ? `member${done.length === 1 ? "" : "s"} ${done.join(", ")} finished` : "no member finished"} — ${how}`;
    if (mode === "json") process.stdout.write(`${JSON.stringify({ type: "stopped", kind: "interrupted", finished: done, message: line })}\n`);
    else process.stderr.write(`${pc.yellow(line)}\n`);
    return ctx.interrupt!.exitCode();
  }

  // The test set shaped as the members take it (images for convnets), as `descent eval` does.
  const shape = inputShapeFor(models[0]!.spec(), data.test.featureSize, members[0]!.outPath ?? "ensemble member 1");
  const e = evaluateEnsemble(models as Module[], data.test.withFeatureShape(shape));
  if (mode === "json") {
    process.stdout.write(`${JSON.stringify({ type: "ensemble", members: e.members, vote: e.vote.accuracy, average: e.average.accuracy })}\n`);
  } else {
    process.stdout.write(`\nensemble of ${n}: members ${e.members.map(pct).join(", ")}\n`);
    process.stdout.write(`  vote ${pc.bold(pct(e.vote.accuracy))} · average of outputs ${pc.bold(pct(e.average.accuracy))} on the test set\n`);
    if (outPath) say(`evaluate them together again with: npx descent eval ${members.map((m) => m.outPath).join(" ")}`);
  }
  return code;
}

/** Runs the jobs, `parallel` at a time, each in a worker; `onLine` gets every JSON line a worker prints. */
async function runWorkers(
  signal: AbortSignal | undefined, jobs: { index: number; job: MemberJob }[], parallel: number, onLine: (index: number, line: Record<string, unknown>) => void,
): Promise<number> {
  const script = new URL(import.meta.url.endsWith(".ts") ? "./ensemble-worker.ts" : "./ensemble-worker.js", import.meta.url);
  const queue = [...jobs];
  let code = 0;
  let failure: Error | null = null;
  const running = new Set<Worker>();
  // Ctrl-C: each running member stops after its current mini-batch and saves (see train-run.ts); no new one starts.
  signal?.addEventListener("abort", () => {
    for (const w of running) w.postMessage({ type: "interrupt" });
  });
  // The first failure stops every member still training (their checkpoints stay as they were).
  const fail = (err: Error) => {
    if (failure) return;
    failure = err;
    for (const w of running) void w.terminate();
  };
  const runOne = (index: number, job: MemberJob) =>
    new Promise<void>((resolve) => {
      const w = new Worker(script, { workerData: job, stdout: true, stderr: true });
      running.add(w);
      let stderr = "";
      w.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      // Done when the worker has exited and all it printed has been read.
      let exited = false;
      let drained = false;
      const finish = () => exited && drained && resolve();
      const line = (text: string) => {
        let parsed: Record<string, unknown> | null = null;
        try {
          parsed = JSON.parse(text) as Record<string, unknown>;
        } catch {
          process.stdout.write(`${text}\n`);
        }
        if (parsed) onLine(index, parsed);
      };
      // trainOne's lines arrive as "out" messages; anything else the worker prints, on its stdout.
      const lines = createInterface({ input: w.stdout });
      lines.on("line", line);
      let pending = "";
      lines.on("close", () => {
        drained = true;
        finish();
      });
      w.on("message", (m: { type: string; code?: number; message?: string; user?: boolean; text?: string }) => {
        if (m.type === "out") {
          const parts = (pending + m.text!).split("\n");
          pending = parts.pop()!;
          for (const p of parts) line(p);
        }
        if (m.type === "done") code = Math.max(code, m.code ?? 0);
        if (m.type === "error") fail(m.user ? new DescentError(m.message!) : new Error(m.message));
      });
      w.on("error", fail);
      w.on("exit", (exit) => {
        running.delete(w);
        if (exit !== 0) fail(new Error(`ensemble member ${index + 1}: its worker exited with code ${exit}${stderr ? `:\n${stderr}` : ""}`));
        exited = true;
        finish();
      });
    });
  const lanes = Array.from({ length: Math.min(parallel, jobs.length) }, async () => {
    for (let next = queue.shift(); next && !failure && !signal?.aborted; next = queue.shift()) await runOne(next.index, next.job);
  });
  await Promise.all(lanes);
  if (failure) throw failure;
  return code;
}
