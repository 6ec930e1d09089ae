/** `jobs` worker threads (search-worker.ts) that train trials; each trial goes to the first idle worker. */
import { Worker } from "node:worker_threads";
import { DescentError } from "../errors.js";
import { getConvAlgorithm } from "../ops/conv-winograd.js";
import type { TrainConfig } from "../train/config.js";
import type { JobResult } from "../analysis/search.js";

type Reply = { id: number; result?: JobResult; error?: string; user?: boolean };

export class TrialPool {
  private readonly idle: Worker[] = [];
  private readonly all: Worker[] = [];
  private readonly waiting: { config: TrainConfig; resolve: (r: JobResult) => void; reject: (e: Error) => void }[] = [];
  private readonly pending = new Map<number, { worker: Worker; resolve: (r: JobResult) => void; reject: (e: Error) => void }>();
  private next = 0;

  constructor(jobs: number, init: { dataDir: string | null; validation: number }) {
    const script = new URL(import.meta.url.endsWith(".ts") ? "./search-worker.ts" : "./search-worker.js", import.meta.url);
    for (let i = 0; i < jobs; i++) {
      const w = new Worker(script, { workerData: { ...init, conv: getConvAlgorithm() } });
      w.on("message", (m: Reply) => this.reply(w, m));
      const fail = (e: Error) => {
        for (const [id, p] of this.pending) if (p.worker === w) (this.pending.delete(id), p.reject(e));
      };
      w.on("error", fail);
      w.on("exit", (code) => code !== 0 && fail(new Error(`a search worker exited with code ${code}`)));
      this.all.push(w);
      this.idle.push(w);
    }
  }

  run(config: TrainConfig): Promise<JobResult> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ config, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.idle.length && this.waiting.length) {
      const w = this.idle.shift()!;
      const job = this.waiting.shift()!;
      const id = this.next++;
      this.pending.set(id, { worker: w, resolve: job.resolve, reject: job.reject });
      w.postMessage({ id, config: job.config });
    }
  }

  private reply(w: Worker, m: Reply): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    this.idle.push(w);
    if (m.result) p.resolve(m.result);
    else p.reject(m.user ? new DescentError(m.error ?? "a trial failed") : new Error(m.error));
    this.dispatch();
  }

  async close(): Promise<void> {
    await Promise.all(this.all.map((w) => w.terminate()));
  }
}
