/**
 * The files a training run will write, claimed before it starts: each checked (directory exists
 * and is writable, not a directory or device, no two roles on one file) and locked against a second
 * run writing the same files. Returns the function that releases the locks.
 */
import { checkOutputFiles, type OutputFile } from "../node/output-paths.js";
import { acquireLock } from "../node/lock.js";
import { memberPath } from "./ensemble-run.js";
import { checkPlotWriter, isPlotPath } from "../node/plot-files.js";
import { UsageError } from "../errors.js";

export function claimOutputs(o: { outPath: string | null; checkpointPath: string | null; resumePath: string | null; members: number; log?: string | null; plot?: string | null }): () => void {
  const files: OutputFile[] = [];
  const each = (base: string, flag: string, what: string) => {
    if (o.members <= 1) files.push({ path: base, flag, what });
    else for (let i = 1; i <= o.members; i++) files.push({ path: memberPath(base, i), flag, what: `${what} of member ${i}` });
  };
  if (o.outPath !== null) each(o.outPath, "--out", "model file");
  if (o.checkpointPath !== null) each(o.checkpointPath, o.resumePath === o.checkpointPath ? "--resume" : "--checkpoint", "checkpoint");
  if (o.log) files.push({ path: o.log, flag: "--log", what: "training log" });
  if (o.plot) files.push({ path: o.plot, flag: "--plot", what: "training curves" });
  checkOutputFiles(files);
  const releases: (() => void)[] = [];
  try {
    for (const f of files) releases.push(acquireLock(f.path, f.flag));
  } catch (e) {
    for (const r of releases) r();
    throw e;
  }
  return () => {
    for (const r of releases) r();
  };
}

/**
 * An analysis command's --out (JSON) and --plot (SVG or PNG) files, checked before any work: the
 * plot's extension, both paths writable, and for a PNG the renderer present. Returns the paths.
 */
export async function analysisOutputs(opts: Record<string, unknown>, what: string, plotExample: string): Promise<{ out: string | null; plot: string | null }> {
  const out = typeof opts.out === "string" ? opts.out : null;
  const plot = typeof opts.plot === "string" ? opts.plot : null;
  if (plot !== null && !isPlotPath(plot)) throw new UsageError(`--plot ${plot}: plots are written as .svg or .png (e.g. --plot ${plotExample})`);
  const files: OutputFile[] = [];
  if (out) files.push({ path: out, flag: "--out", what: `${what} (JSON)` });
  if (plot) files.push({ path: plot, flag: "--plot", what: "plot" });
  checkOutputFiles(files);
  if (plot) await checkPlotWriter(plot);
  return { out, plot };
}
