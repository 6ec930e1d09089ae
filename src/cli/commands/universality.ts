/**
 * `descent universality` (Nielsen ch. 4): the hand-made network of N bumps for the book's goal
 * function, its average deviation against N, then one-hidden-layer networks trained by gradient
 * descent on the same function, their error against the hidden width; a table, JSON and a plot.
 */
import { Command } from "commander";
import pc from "picocolors";
import { UsageError } from "../../errors.js";
import { writeFileAtomic } from "../../node/atomic-write.js";
import { checkPlotWriter, isPlotPath, writePlot } from "../../node/plot-files.js";
import { checkOutputFiles, type OutputFile } from "../../node/output-paths.js";
import { integerIn, numberIn } from "../parse.js";
import { range } from "../../experiment/settings.js";
import { bookGoal, bumpDeviation, grid } from "../../analysis/universality.js";
import { fitWidth } from "../../analysis/universality-fit.js";
import { universalityFigure } from "../../analysis/universality-report.js";

/** "1,2,5" → [1, 2, 5], each an integer in [1, max]. */
function counts(flag: string, max: number) {
  return (value: string): number[] => {
    const parts = value.split(",").map((s) => s.trim());
    const out = parts.map((p) => Number(p));
    if (parts.some((p) => !/^\d+$/.test(p)) || out.some((n) => n < 1 || n > max)) {
      throw new UsageError(`${flag} expects integers from 1 to ${max} separated by commas, got "${value}" (e.g. ${flag} 1,5,20)`);
    }
    return out;
  };
}

export function universalityCommand(): Command {
  return new Command("universality")
    .description("Nielsen ch. 4: build f from N bumps of steep sigmoids, then train one-hidden-layer networks on it; error against size")
    .option("--bumps <list>", "numbers of bumps for the hand-made network (default 1,2,5,10,20,50)", counts("--bumps", 10_000))
    .option("--widths <list>", "hidden widths of the trained networks (default 2,5,10,30)", counts("--widths", 10_000))
    .option("--step-weight <w>", "weight of the step neurons (the book: 1000)", numberIn("--step-weight", range("(", 0, 1e6, "]")))
    .option("--epochs <n>", "epochs of each trained fit over 200 points (default 2000)", integerIn("--epochs", range("[", 1, 1e6, "]")))
    .option("--lr <eta>", "Adam's learning rate for the fits (default 0.01)", numberIn("--lr", range("(", 0, 10, "]")))
    .option("--seed <n>", "seed of the fits (default 1)", integerIn("--seed", range("[", 0, 2 ** 32, ")")))
    .option("--json", "print the results as one JSON object")
    .option("--out <file.json>", "write the results as JSON")
    .option("--plot <file.svg|png>", "draw the construction, the fits and the errors")
    .addHelpText("after", "\nExamples:\n  descent universality --plot universality.svg\n  descent universality --bumps 5 --widths 30 --epochs 500\n")
    .action(async (opts: Record<string, unknown>) => {
      process.exitCode = await runUniversality(opts);
    });
}

async function runUniversality(opts: Record<string, unknown>): Promise<number> {
  const bumps = (opts.bumps as number[] | undefined) ?? [1, 2, 5, 10, 20, 50];
  const widths = (opts.widths as number[] | undefined) ?? [2, 5, 10, 30];
  const w = (opts.stepWeight as number | undefined) ?? 1000;
  const json = Boolean(opts.json);
  const out = typeof opts.out === "string" ? opts.out : null;
  const plot = typeof opts.plot === "string" ? opts.plot : null;
  if (plot !== null && !isPlotPath(plot)) throw new UsageError(`--plot ${plot}: plots are written as .svg or .png (e.g. --plot universality.svg)`);
  const files: OutputFile[] = [];
  if (out) files.push({ path: out, flag: "--out", what: "results (JSON)" });
  if (plot) files.push({ path: plot, flag: "--plot", what: "plot" });
  checkOutputFiles(files);
  if (plot) await checkPlotWriter(plot);
  const say = (s: string) => !json && process.stdout.write(`${s}\n`);
  say(pc.bold("bumps by hand (step neurons w = " + w + "): average deviation of the weighted output from σ⁻¹∘f (the book's challenge: ≤ 0.40 with 5 bumps) and of the output from f"));
  const byHand = bumps.map((n) => bumpDeviation(bookGoal, n, w));
  for (const b of byHand) say(`  ${String(b.bumps).padStart(5)} bumps (${String(b.neurons).padStart(5)} neurons)  deviation ${b.deviation.toFixed(4)}  output ${b.outputDeviation.toFixed(4)}`);
  say(pc.bold("trained by gradient descent (sigmoid hidden layer, linear output, MSE, Adam): average deviation of the output from f"));
  const curveX = grid(400);
  const fitOpts = {
    ...(opts.epochs !== undefined ? { epochs: opts.epochs as number } : {}),
    ...(opts.lr !== undefined ? { lr: opts.lr as number } : {}),
    ...(opts.seed !== undefined ? { seed: opts.seed as number } : {}),
  };
  const fits = widths.map((width) => {
    const r = fitWidth(bookGoal, width, fitOpts, curveX);
    say(`  ${String(width).padStart(5)} hidden  deviation ${r.deviation.toFixed(4)}  RMSE ${r.rmse.toFixed(4)}  ${r.steps} steps in ${r.seconds.toFixed(2)} s (${Math.round(r.steps / r.seconds)} steps/s)`);
    return r;
  });
  const result = { bumps: byHand, fits: fits.map(({ curve: _curve, ...rest }) => rest) };
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
  if (out) await writeFileAtomic(out, new TextEncoder().encode(`${JSON.stringify({ ...result, curveX, curves: fits.map((f) => f.curve) }, null, 1)}\n`));
  if (plot) await writePlot(plot, universalityFigure(bookGoal, { bumps: byHand, fits, curveX }, { w }));
  return 0;
}
