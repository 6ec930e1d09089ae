/**
 * Hyper-parameter search (Nielsen ch. 3's strategy: broad and cheap first, then longer runs for the
 * promising settings) with successive halving (Jamieson & Talwalkar 2016; the inner loop of Li et
 * al.'s Hyperband 2018), defined here precisely:
 *
 *   n trials, a reduction factor η ≥ 2, the first rung's epochs r and the finals' epochs R ≥ r.
 *   Rung k trains for e_k = r·η^k epochs for k < K, and the last rung for e_K = R epochs, where K is
 *   the smallest k ≥ 0 with r·η^(k+1) > R (so no rung is shorter than the one before, and a rung
 *   between R/η and R is replaced by R itself).
 *   Rung 0 trains all n trials; rung k+1 trains the best max(1, ⌊n_k/η⌋) of rung k's n_k trials,
 *   ranked by validation accuracy after e_k epochs (ties: the earlier trial).
 *   Example (n = 30, η = 3, r = 1, R = 30): rungs of 1, 3, 9, 30 epochs for 30, 10, 3, 1 trials.
 *
 * A trial at rung k is trained from scratch for e_k epochs with the run's seed: it is the same run as
 * `descent train … --epochs e_k`, so every number in the table can be reproduced by one command, and
 * results do not depend on how many trials ran at once. Without halving there is one rung of R epochs.
 * Every finished (trial, epochs) is handed to `record` (the journal) and looked up in `done` first,
 * so a rerun with the same journal skips it and ends with the same result.
 */
import type { Params } from "./search-space.js";

export interface JobResult {
  validationAccuracy: number;
  testAccuracy?: number;
  seconds: number;
  /** Why training stopped early (a non-finite cost), if it did. */
  stopped?: string;
}

export interface Job {
  trial: number;
  params: Params;
  epochs: number;
}

/** A (trial, epochs) pair as a journal key. */
export const jobKey = (trial: number, epochs: number) => `${trial}@${epochs}`;

/** The epochs of every rung (see the file's comment). */
export function halvingRungs(minEpochs: number, eta: number, epochs: number): number[] {
  if (!(Number.isInteger(minEpochs) && minEpochs >= 1 && minEpochs <= epochs)) throw new RangeError(`halvingRungs: need 1 ≤ minEpochs ≤ epochs, got ${minEpochs}, ${epochs}`);
  if (!(Number.isInteger(eta) && eta >= 2)) throw new RangeError(`halvingRungs: η must be an integer ≥ 2, got ${eta}`);
  const rungs: number[] = [];
  let e = minEpochs;
  while (e * eta <= epochs) {
    rungs.push(e);
    e *= eta;
  }
  rungs.push(epochs);
  return rungs;
}

/** Trials that go on to the next rung out of `n`. */
export const survivors = (n: number, eta: number) => Math.max(1, Math.floor(n / eta));

/** How many trials each rung trains: [{ epochs, trials }, …]. */
export function halvingSchedule(n: number, rungs: readonly number[], eta: number): { epochs: number; trials: number }[] {
  let m = n;
  return rungs.map((epochs, k) => {
    if (k > 0) m = survivors(m, eta);
    return { epochs, trials: m };
  });
}

export interface TrialSummary {
  trial: number;
  params: Params;
  /** Validation accuracy after each rung the trial reached: epochs → result. */
  rungs: { epochs: number; result: JobResult }[];
}

export interface SearchResult {
  trials: TrialSummary[];
  /** Trial indices sorted best first: furthest rung reached, then validation accuracy there, then index. */
  ranking: number[];
  rungs: { epochs: number; trials: number }[];
  /** Jobs run now and jobs taken from the journal. */
  ran: number;
  reused: number;
}

export interface SearchOptions {
  trials: readonly Params[];
  rungs: readonly number[];
  eta: number;
  run: (job: Job) => Promise<JobResult>;
  done?: ReadonlyMap<string, JobResult>;
  record?: (job: Job, result: JobResult) => Promise<void> | void;
  onResult?: (job: Job, result: JobResult, reused: boolean) => void;
}

/** NaN (a diverged run) ranks last. */
const score = (r: JobResult) => (Number.isFinite(r.validationAccuracy) ? r.validationAccuracy : -Infinity);

export async function runSearch(o: SearchOptions): Promise<SearchResult> {
  const summaries: TrialSummary[] = o.trials.map((params, trial) => ({ trial, params, rungs: [] }));
  let alive = summaries.map((s) => s.trial);
  let ran = 0;
  let reused = 0;
  const schedule: { epochs: number; trials: number }[] = [];
  // One journal write at a time, in the order results arrive.
  let writing: Promise<void> = Promise.resolve();
  for (const [k, epochs] of o.rungs.entries()) {
    if (k > 0) {
      const ranked = [...alive].sort((a, b) => score(last(summaries[b]!)) - score(last(summaries[a]!)) || a - b);
      alive = ranked.slice(0, survivors(alive.length, o.eta)).sort((a, b) => a - b);
    }
    schedule.push({ epochs, trials: alive.length });
    await Promise.all(alive.map(async (trial) => {
      const job: Job = { trial, params: summaries[trial]!.params, epochs };
      const saved = o.done?.get(jobKey(trial, epochs));
      let result: JobResult;
      if (saved) {
        result = saved;
        reused++;
      } else {
        result = await o.run(job);
        ran++;
        if (o.record) {
          const record = o.record;
          writing = writing.then(() => record(job, result));
          await writing;
        }
      }
      summaries[trial]!.rungs.push({ epochs, result });
      o.onResult?.(job, result, saved !== undefined);
    }));
    for (const s of summaries) s.rungs.sort((a, b) => a.epochs - b.epochs);
  }
  return { trials: summaries, ranking: rank(summaries), rungs: schedule, ran, reused };
}

function last(s: TrialSummary): JobResult {
  return s.rungs[s.rungs.length - 1]!.result;
}

function rank(summaries: readonly TrialSummary[]): number[] {
  const reach = (s: TrialSummary) => s.rungs[s.rungs.length - 1]?.epochs ?? 0;
  return [...summaries]
    .sort((a, b) => reach(b) - reach(a) || (a.rungs.length && b.rungs.length ? score(last(b)) - score(last(a)) : 0) || a.trial - b.trial)
    .map((s) => s.trial);
}
