/**
 * One ensemble member in its own worker thread (`descent train --ensemble n --jobs k`): loads
 * MNIST, trains with trainOne in JSON mode (its lines posted to the parent as they come: the
 * worker's stdout would hold them until training ends), saves the member, and reports how it ended.
 */
import { parentPort, workerData } from "node:worker_threads";
import { loadMnist } from "../node/mnist.js";
import { loadCheckpoint } from "../node/checkpoint-files.js";
import { isUserError } from "../errors.js";
import { trainOne } from "./train-run.js";
import type { MemberJob } from "./ensemble-run.js";
import { setConvAlgorithm } from "../ops/conv-winograd.js";
import { limitsFromEnv, setLimits } from "../limits.js";

const job = workerData as MemberJob;
setConvAlgorithm(job.conv);
// The parent's Ctrl-C arrives as a message; training pauses for the event loop often enough to read it.
const interrupt = new AbortController();
parentPort!.on("message", (m: { type?: string }) => {
  if (m.type === "interrupt") interrupt.abort();
});
parentPort!.unref();
try {
  setLimits(limitsFromEnv(process.env)); // a worker has its own module state; the environment is inherited
  const data = await loadMnist({ ...(job.dataDir ? { dir: job.dataDir } : {}), validation: job.config.validation });
  const resume = job.resume && job.checkpointPath ? loadCheckpoint(job.checkpointPath) : null;
  const write = (text: string) => parentPort!.postMessage({ type: "out", text });
  const ctx = {
    mode: "json" as const, quiet: false, say: () => {}, preset: job.preset, dataLabel: job.dataLabel, write,
    interrupt: { signal: interrupt.signal, exitCode: () => 130 },
  };
  const r = await trainOne(job.config, data, job.outPath, ctx, { resume, resumeFrom: job.checkpointPath ?? undefined, checkpointPath: job.checkpointPath });
  parentPort!.postMessage({ type: "done", code: r.code });
} catch (e) {
  parentPort!.postMessage({ type: "error", message: isUserError(e) ? e.message : (e as Error).stack ?? String(e), user: isUserError(e) });
}
