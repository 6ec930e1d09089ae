/**
 * `descent analyze gradients`: each layer's speed of learning ‖∂C/∂bˡ‖ (and ‖∂C/∂Wˡ‖) at
 * initialisation and through training (Nielsen ch. 5), for a network and its fixes, as a table,
 * JSON and a plot.
 */
import { Command } from "commander";
import pc from "picocolors";
import { SETTINGS } from "../../experiment/settings.js";
import { PRESETS } from "../../train/presets.js";
import { UsageError } from "../../errors.js";
import { loadMnist } from "../../node/mnist.js";
import { writeFileAtomic } from "../../node/atomic-write.js";
import { checkPlotWriter, isPlotPath, writePlot } from "../../node/plot-files.js";
import { checkOutputFiles, type OutputFile } from "../../node/output-paths.js";
import { choice, integerIn, settingParser } from "../parse.js";
import { range } from "../../experiment/settings.js";
import { configFromFlags } from "./train.js";
import { VARIANTS, VARIANT_HELP, firstLastRatio, speedRun, variantConfig, type SpeedRun, type VariantName } from "../../analysis/gradient-experiment.js";
import { speedsFigure, speedsSummary } from "../../analysis/gradient-report.js";
import { landscapeCommand } from "./landscape.js";
import { raceCommand } from "./race.js";

function variantList(value: string): VariantName[] {
  const names = value.split(",").map((s) => s.trim());
  for (const n of names) {
    if (!(VARIANTS as readonly string[]).includes(n)) throw new UsageError(`--variants: unknown variant "${n}" (variants: ${VARIANTS.join(", ")})`);
  }
  return names as VariantName[];
}

function presetName(value: string): string {
  if (Object.hasOwn(PRESETS, value)) return value;
  throw new UsageError(`unknown preset "${value}" (presets: ${Object.keys(PRESETS).join(", ")})`);
}

export function analyzeCommand(): Command {
  const cmd = new Command("analyze").description("measure how a network learns: each layer's speed of learning (Nielsen ch. 5), the cost landscape, the optimizers' race");
  const grad = new Command("gradients")
    .description("each layer's ‖∂C/∂b‖ and ‖∂C/∂W‖ on the first training images, at initialisation and after every epoch")
    .option("--preset <name>", "the run to analyse (e.g. nielsen-ch5-3); any train flag below changes it", presetName)
    .option("--data <dir>", "a directory with the four MNIST IDX files (default: the bundled MNIST)")
    .option("--variants <list>", `runs to compare, same seed: ${VARIANTS.join(", ")} (default base)`, variantList)
    .option("--seeds <n>", "repeat every run with seeds seed … seed+n−1 and report means", integerIn("--seeds", range("[", 1, 100, "]")))
    .option("--probe <n>", "training images the gradient is averaged over (the book: 1000)", integerIn("--probe", range("[", 1, 60000, "]")))
    .option("--init-only", "measure at initialisation only (no training)")
    .option("--json", "print one JSON object per run")
    .option("--out <file.json>", "write every run's speeds as JSON")
    .option("--plot <file.svg|png>", "draw the speeds of learning against epochs (log scale), one panel per variant")
    .option("--of <what>", "what the plot draws: bias (‖∂C/∂b‖, the book's) or weight (‖∂C/∂W‖; use it for batchnorm, where biases have no effect)", choice("--of", ["bias", "weight"] as const));
  for (const s of SETTINGS) grad.option(s.flag, s.help, settingParser(s));
  grad.addHelpText("after", `\nVariants:\n${VARIANTS.map((v) => `  ${v.padEnd(10)} ${VARIANT_HELP[v]}`).join("\n")}
\nExamples:\n  descent analyze gradients --preset nielsen-ch5-4 --init-only --seeds 5
  descent analyze gradients --preset nielsen-ch5-gd --layers 784,30,30,30,10 --plot speeds.svg
  descent analyze gradients --preset nielsen-ch5-3 --epochs 5 --variants base,relu,he,batchnorm,residual --plot fixes.svg\n`);
  grad.action(async (opts: Record<string, unknown>) => {
    process.exitCode = await runGradients(opts);
  });
  cmd.addCommand(grad);
  cmd.addCommand(landscapeCommand());
  cmd.addCommand(raceCommand());
  return cmd;
}

async function runGradients(opts: Record<string, unknown>): Promise<number> {
  const base = configFromFlags(opts);
  const variants = (opts.variants as VariantName[] | undefined) ?? ["base"];
  const seeds = (opts.seeds as number | undefined) ?? 1;
  const probe = (opts.probe as number | undefined) ?? 1000;
  const json = Boolean(opts.json);
  const out = typeof opts.out === "string" ? opts.out : null;
  const plot = typeof opts.plot === "string" ? opts.plot : null;
  if (plot !== null && !isPlotPath(plot)) throw new UsageError(`--plot ${plot}: plots are written as .svg or .png (e.g. --plot speeds.svg)`);
  const files: OutputFile[] = [];
  if (out) files.push({ path: out, flag: "--out", what: "speeds (JSON)" });
  if (plot) files.push({ path: plot, flag: "--plot", what: "plot" });
  checkOutputFiles(files);
  if (plot) await checkPlotWriter(plot);
  const configs = variants.map((v) => ({ v, c: variantConfig(base, v) }));
  const data = await loadMnist({ ...(typeof opts.data === "string" ? { dir: opts.data } : {}), validation: base.validation });
  const say = (s: string) => !json && process.stdout.write(`${s}\n`);
  say(pc.bold(`speed of learning ‖∂C/∂b‖ per layer, gradient of the cost averaged over the first ${probe} training images`));
  const runs: SpeedRun[] = [];
  for (const { v, c } of configs) {
    for (let s = 0; s < seeds; s++) {
      const config = { ...c, seed: c.seed + s };
      const t0 = performance.now();
      const run = speedRun(config, v, data, { probe, initOnly: Boolean(opts.initOnly) });
      const seconds = (performance.now() - t0) / 1000;
      runs.push(run);
      if (json) process.stdout.write(`${JSON.stringify({ type: "run", ...run, seconds })}\n`);
      else say(runLine(run, seconds));
    }
  }
  const summary = speedsSummary(runs);
  if (json) process.stdout.write(`${JSON.stringify({ type: "summary", summary })}\n`);
  else for (const s of summary) say(pc.bold(`${s.variant.padEnd(10)} mean of ${s.seeds} seed${s.seeds === 1 ? "" : "s"}: at init ${fmtList(s.initBias)}` +
    (s.initRatio !== undefined ? ` · first/last hidden ${s.initRatio.toPrecision(3)}` : "") + (s.testAccuracy !== undefined ? ` · test ${(s.testAccuracy * 100).toFixed(2)} %` : "") +
    (s.validationAccuracy !== undefined ? ` · validation ${(s.validationAccuracy * 100).toFixed(2)} %` : "")));
  if (out) await writeFileAtomic(out, new TextEncoder().encode(`${JSON.stringify({ probe, base, runs, summary }, null, 1)}\n`));
  if (plot) await writePlot(plot, speedsFigure(runs, { title: `speed of learning ${opts.of === "weight" ? "‖∂C/∂W‖" : "‖∂C/∂b‖"} — ${typeof opts.preset === "string" ? `${opts.preset}, ` : ""}[${base.layers.join(",")}]`, ...(opts.of === "weight" ? { of: "weight" as const } : {}) }));
  return 0;
}

const fmtList = (xs: readonly number[]) => xs.map((x) => x.toPrecision(3)).join(", ");

function runLine(r: SpeedRun, seconds: number): string {
  const first = r.speeds[0]!;
  const last = r.speeds[r.speeds.length - 1]!;
  const ratio = firstLastRatio(first);
  return `${r.variant.padEnd(10)} seed ${r.seed}  init ${fmtList(first.bias)}` + (ratio !== undefined ? ` (first/last hidden ${ratio.toPrecision(3)})` : "") +
    (r.speeds.length > 1 ? `  epoch ${last.epoch} ${fmtList(last.bias)}` : "") +
    (r.testAccuracy !== undefined ? `  test ${(r.testAccuracy * 100).toFixed(2)} %` : "") +
    (r.validationAccuracy !== undefined ? `  validation ${(r.validationAccuracy * 100).toFixed(2)} %` : "") + (r.stopped ? `  stopped: ${r.stopped}` : "") + `  ${seconds.toFixed(1)} s`;
}
