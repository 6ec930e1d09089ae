/**
 * A search's worker thread (`descent search --jobs k`): loads MNIST once, then trains the trials it
 * is sent, one at a time, and posts each result back. Trials are independent runs with their own
 * seed, so a trial's result is the same in any worker or in the main thread.
 */
import { parentPort, workerData } from "node:worker_threads";
import { loadMnist } from "../node/mnist.js";
import { isUserError } from "../errors.js";
import { runTrial } from "../analysis/search-trial.js";
import { setConvAlgorithm, type ConvAlgorithm } from "../ops/conv-winograd.js";
import { limitsFromEnv, setLimits } from "../limits.js";
import type { TrainConfig } from "../train/config.js";

const init = workerData as { dataDir: string | null; validation: number; conv: ConvAlgorithm };
setConvAlgorithm(init.conv);
setLimits(limitsFromEnv(process.env)); // a worker has its own module state; the environment is inherited
const data = loadMnist({ ...(init.dataDir ? { dir: init.dataDir } : {}), validation: init.validation });
parentPort!.on("message", (m: { id: number; config: TrainConfig }) => {
  data.then((d) => parentPort!.postMessage({ id: m.id, result: runTrial(m.config, d) }))
    .catch((e: unknown) => parentPort!.postMessage({ id: m.id, error: isUserError(e) ? e.message : (e as Error).stack ?? String(e), user: isUserError(e) }));
});
