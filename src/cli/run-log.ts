/**
 * `descent train --log run.csv --plot curves.svg`: the CSV is rewritten atomically after every
 * epoch (so it always holds every finished epoch, also of a resumed run, and never a torn row);
 * the curves are drawn once at the end, also after Ctrl-C or a stop on a non-finite cost.
 */
import type { Callback, EpochLog } from "../train/callbacks.js";
import { writeFileAtomicSync } from "../node/atomic-write.js";
import { writePlot } from "../node/plot-files.js";
import { curvesSvg, runCsv } from "../experiment/run-log.js";

export interface RunLogPaths {
  log: string | null;
  plot: string | null;
}

/** The callback that keeps the CSV up to date (a resumed run starts from its checkpoint's history). */
export function csvLogCallback(path: string, task: "classification" | "regression"): Callback {
  let history: EpochLog[] = [];
  return {
    restoreFitState(state) {
      history = [...state.history];
    },
    onEpochEnd(log) {
      history.push(log);
      writeFileAtomicSync(path, new TextEncoder().encode(runCsv(history, task)));
    },
  };
}

/** The curves of a finished (or stopped) run. */
export async function writeCurves(path: string, history: readonly EpochLog[], title: string): Promise<void> {
  await writePlot(path, curvesSvg(history, { title }));
}
