/**
 * `descent analyze landscape`: a trained network's loss on a 2-D slice through its weights along
 * two filter-normalised random directions (Li et al. 2018), as a contour plot, and the loss along
 * the line from its initial weights to its trained ones.
 */
import { Command } from "commander";
import { UsageError } from "../../errors.js";
import { writeFileAtomic } from "../../node/atomic-write.js";
import { writePlot } from "../../node/plot-files.js";
import { analysisOutputs } from "../outputs.js";
import { loadModel } from "../../node/model-files.js";
import { choice, integerIn, numberIn } from "../parse.js";
import { range } from "../../experiment/settings.js";
import { COSTS, type CostName } from "../../train/config.js";
import { interpolationLine, lossLandscape, rebuildInit, scoreModel, type Landscape, type LossLine } from "../../analysis/landscape.js";
import { figureSvg, type Panel } from "../../plot/svg.js";
import { quantileLevels } from "../../plot/contour.js";
import { loadAnalysisModel, loadData, splitExamples } from "../analysis-model.js";
import { printablePath, terminalJson } from "../../text.js";
import { sameShape } from "../../shape.js";

const SPLITS = ["test", "validation", "train"] as const;

export function landscapeCommand(): Command {
  return new Command("landscape")
    .description("the loss around a trained model on a 2-D slice along two filter-normalised random directions (Li et al. 2018), and along the line from its initial to its trained weights")
    .argument("<model>", "a model file saved by descent train (.safetensors)")
    .option("--grid <n>", "points per axis of the slice", integerIn("--grid", range("[", 3, 201, "]")), 51)
    .option("--span <s>", "α and β run over [−s, s], in units of each filter's norm", numberIn("--span", range("(", 0, 100, "]")), 1)
    .option("--examples <n>", "examples the loss is averaged over (the first n of the split)", integerIn("--examples", range("[", 1, 60000, "]")), 1000)
    .option("--split <name>", "test, validation or train", choice("--split", SPLITS), "test")
    .option("--seed <n>", "seed of the two random directions", integerIn("--seed", range("[", 0, 2 ** 31 - 1, "]")), 0)
    .option("--cost <name>", `the cost to measure: ${COSTS.join(", ")} (default: the one the model was trained with)`, choice("--cost", COSTS))
    .option("--from <init.safetensors>", "the initial weights θ₀ for the line θ₀ → θ* (default: rebuilt from the training record's seed and network)")
    .option("--line-points <n>", "points on the line θ₀ → θ*, t from −0.25 to 1.25 (0 to skip it)", integerIn("--line-points", range("[", 0, 1001, "]")), 31)
    .option("--data <dir>", "a directory with the four MNIST IDX files (default: the bundled MNIST)")
    .option("--json", "print the numbers as one JSON object")
    .option("--out <file.json>", "write the numbers as JSON")
    .option("--plot <file.svg|png>", "draw the slice as contour lines and the line θ₀ → θ*")
    .addHelpText("after", "\nExamples:\n  descent analyze landscape quick.safetensors --grid 21 --examples 500 --plot landscape.svg\n  descent analyze landscape m.safetensors --span 0.5 --from init.safetensors --out landscape.json\n")
    .action(async (path: string, opts: Record<string, unknown>) => {
      process.exitCode = await runLandscape(path, opts);
    });
}

async function runLandscape(path: string, opts: Record<string, unknown>): Promise<number> {
  const { out, plot } = await analysisOutputs(opts, "landscape", "landscape.svg");
  const json = Boolean(opts.json);
  const say = (s: string) => !json && process.stdout.write(`${s}\n`);
  const am = await loadAnalysisModel(path, opts.cost as CostName | undefined, "analyze landscape");
  const data = await loadData(typeof opts.data === "string" ? opts.data : undefined);
  const split = opts.split as (typeof SPLITS)[number];
  const examples = splitExamples(data, split, opts.examples as number, am.shape);
  const grid = opts.grid as number;
  const span = opts.span as number;
  const seed = opts.seed as number;

  // θ₀: a file, or the training record's run rebuilt.
  const linePoints = opts.linePoints as number;
  let init: Float32Array[] | null = null;
  let initFrom = "";
  if (linePoints > 0) {
    if (typeof opts.from === "string") {
      const from = await loadModel(opts.from);
      const mine = am.model.namedParameters();
      const theirs = from.model.namedParameters();
      const fits = mine.length === theirs.length && mine.every(([n, p], k) => theirs[k]![0] === n && sameShape(theirs[k]![1].shape, p.shape));
      if (!fits) throw new UsageError(`--from ${printablePath(opts.from)}: its network is not the same as ${printablePath(path)}'s (the line θ₀ → θ* needs the same parameters)`);
      init = theirs.map(([, p]) => Float32Array.from(p.data));
      initFrom = opts.from;
    } else if (am.config) {
      // Expansion and augmentation draw nothing before the weights: leave them out (no 250,000-image copy).
      const { augment: _augment, ...rest } = am.config;
      const c = { ...rest, expand: false };
      init = rebuildInit(am.model, c, { train: data.train.slice(0, Math.min(1000, data.train.length)), test: data.test });
      initFrom = `the training record (seed ${am.config.seed})`;
    }
    if (!init) say(`no line θ₀ → θ*: ${printablePath(path)} has no training record to rebuild θ₀ from — pass --from init.safetensors`);
  }

  const center = scoreModel(am.model, examples, am.objective);
  say(`${printablePath(path)} · ${am.cost} cost on the first ${examples.length} ${split} images · loss ${center.loss.toPrecision(5)}, accuracy ${(center.accuracy * 100).toFixed(2)} %`);
  say(`slice: ${grid}×${grid} points, α, β in [−${span}, ${span}], directions seed ${seed}`);
  const t0 = performance.now();
  const tty = !json && process.stderr.isTTY;
  const land = lossLandscape(am.model, examples, am.objective, { grid, span, seed, ...(tty ? { onRow: (d: number, n: number) => process.stderr.write(`\r  row ${d}/${n}`) } : {}) });
  if (tty) process.stderr.write("\r\x1b[K");
  const seconds = (performance.now() - t0) / 1000;
  const line = init ? interpolationLine(am.model, init, examples, am.objective, linePoints) : null;

  const summary = landscapeSummary(land, line);
  if (json || out) {
    const doc = {
      model: path, cost: am.cost, split, examples: examples.length, seed, span, grid,
      center, ...summary,
      slice: { alpha: land.xs, beta: land.ys, loss: Array.from(land.loss), accuracy: Array.from(land.accuracy) },
      line: line ? { from: initFrom, t: line.ts, loss: line.loss, accuracy: line.accuracy } : null,
      seconds,
    };
    if (json) process.stdout.write(`${terminalJson(doc)}\n`);
    if (out) await writeFileAtomic(out, new TextEncoder().encode(`${JSON.stringify(doc)}\n`));
  }
  say(`loss at the centre ${summary.centre.toPrecision(5)}; at the corners (α, β) = (−s, −s) ${summary.corners[0]!.toPrecision(5)}, (s, −s) ${summary.corners[1]!.toPrecision(5)}, (−s, s) ${summary.corners[2]!.toPrecision(5)}, (s, s) ${summary.corners[3]!.toPrecision(5)}`);
  say(`lowest on the slice ${summary.lowest.loss.toPrecision(5)} at (${summary.lowest.alpha.toFixed(3)}, ${summary.lowest.beta.toFixed(3)}); highest ${summary.highest.toPrecision(5)} · ${seconds.toFixed(1)} s`);
  if (line && summary.line) {
    say(`line θ₀ → θ* (θ₀ from ${initFrom}): loss ${summary.line.atInit.toPrecision(5)} at θ₀, ${summary.line.atTrained.toPrecision(5)} at θ*, ` +
      (summary.line.bump > 0 ? `a bump of ${summary.line.bump.toPrecision(3)} on the way` : "going down all the way (no barrier)"));
  }
  if (plot) await writePlot(plot, landscapeFigure(land, line, `${printablePath(path)} — ${am.cost} on ${examples.length} ${split} images`));
  return 0;
}

/** The numbers worth printing: the centre, the corners, the lowest and highest points, the line's ends and barrier. */
export function landscapeSummary(land: Landscape, line: LossLine | null) {
  const n = land.xs.length;
  const at = (i: number, j: number) => land.loss[j * n + i]!;
  let lo = 0;
  let hi = -Infinity;
  land.loss.forEach((v, k) => {
    if (v < land.loss[lo]!) lo = k;
    if (v > hi) hi = v;
  });
  const mid = (n - 1) / 2;
  const lineSummary = line ? (() => {
    const i0 = line.ts.findIndex((t) => Math.abs(t) < 1e-9);
    const i1 = line.ts.findIndex((t) => Math.abs(t - 1) < 1e-9);
    const atInit = line.loss[i0] ?? NaN;
    const atTrained = line.loss[i1] ?? NaN;
    // A barrier: the largest rise on the way from θ₀ to θ* (0 when the loss only goes down).
    let bump = 0;
    let low = Infinity;
    for (let k = Math.max(0, i0); k <= i1; k++) {
      low = Math.min(low, line.loss[k]!);
      bump = Math.max(bump, line.loss[k]! - low);
    }
    return { atInit, atTrained, bump };
  })() : null;
  return {
    centre: Number.isInteger(mid) ? at(mid, mid) : NaN,
    corners: [at(0, 0), at(n - 1, 0), at(0, n - 1), at(n - 1, n - 1)],
    lowest: { loss: land.loss[lo]!, alpha: land.xs[lo % n]!, beta: land.ys[Math.floor(lo / n)]! },
    highest: hi,
    line: lineSummary,
  };
}

/** The contour plot of the slice (the trained weights marked at the centre) and the line θ₀ → θ*. */
export function landscapeFigure(land: Landscape, line: LossLine | null, title: string): string {
  const panels: Panel[] = [{
    title: "loss on the slice θ* + αδ + βη (filter-normalised δ, η)", xLabel: "α", yLabel: "β",
    contours: { grid: { xs: land.xs, ys: land.ys, z: land.loss }, levels: quantileLevels(land.loss, 14) },
    series: [{ name: "θ* (trained)", x: [0], y: [0], points: true }],
  }];
  if (line) {
    panels.push({
      title: "loss on the line θ₀ + t(θ* − θ₀)", xLabel: "t (0: initial weights, 1: trained)", yLabel: "loss", logY: true,
      series: [{ name: "loss", x: line.ts, y: line.loss }, { name: "θ₀, θ*", x: [0, 1], y: [line.loss[line.ts.findIndex((t) => Math.abs(t) < 1e-9)] ?? NaN, line.loss[line.ts.findIndex((t) => Math.abs(t - 1) < 1e-9)] ?? NaN], points: true }],
    });
  }
  return figureSvg(panels, { title, panelHeight: 420 });
}
