/**
 * `descent analyze race`: gradient descent, SGD, momentum, Nesterov, RMSProp, Adam and AdamW from
 * one start on a classic surface or in a trained network's 2-D subspace, and gradient descent with
 * η too small, right and too large — trajectories over the contour plot, and the steps each took
 * to come within 1e-3 of the minimum.
 */
import { Command } from "commander";
import { UsageError } from "../../errors.js";
import { writeFileAtomic } from "../../node/atomic-write.js";
import { writePlot } from "../../node/plot-files.js";
import { analysisOutputs } from "../outputs.js";
import { choice, integerIn, numberIn } from "../parse.js";
import { range } from "../../experiment/settings.js";
import { COSTS, type CostName } from "../../train/config.js";
import { RACERS, RACER_HELP, SURFACES, SURFACE_NAMES, race, rateSweep, sampleSurface, type Surface, type Trajectory } from "../../analysis/race.js";
import { networkSurface } from "../../analysis/race-network.js";
import { figureSvg, type Panel } from "../../plot/svg.js";
import { quantileLevels } from "../../plot/contour.js";
import { loadAnalysisModel, loadData, splitExamples } from "../analysis-model.js";
import { printablePath, terminalJson } from "../../text.js";

type SurfaceName = (typeof SURFACE_NAMES)[number];

export function raceCommand(): Command {
  return new Command("race")
    .description("the optimizers from one start on a classic surface (or a trained network's 2-D subspace), and gradient descent with η too small, right and too large")
    .option("--surface <name>", `${SURFACE_NAMES.join(", ")}`, choice("--surface", SURFACE_NAMES), "ravine")
    .option("--model <file>", "with --surface network: the trained model (.safetensors)")
    .option("--steps <n>", "steps per optimizer (default: the surface's)", integerIn("--steps", range("[", 1, 100000, "]")))
    .option("--tolerance <t>", "f − f* that counts as reaching the minimum", numberIn("--tolerance", range("(", 0, 1e6, "]")), 1e-3)
    .option("--seed <n>", "seed of SGD's noise (and of the network's directions)", integerIn("--seed", range("[", 0, 2 ** 31 - 1, "]")), 0)
    .option("--lr <η>", "with --surface network: η of gd and sgd (momentum and Nesterov η/10, the adaptive methods span/20; the η sweep η/10, η, 10η)", numberIn("--lr", range("(", 0, 1e6, "]")), 0.1)
    .option("--span <s>", "with --surface network: the window [−s, s]² of (α, β)", numberIn("--span", range("(", 0, 100, "]")), 1)
    .option("--examples <n>", "with --surface network: examples of the test set the loss is averaged over", integerIn("--examples", range("[", 1, 60000, "]")), 500)
    .option("--grid <n>", "points per axis of the contour plot's background (default: 101, 21 for a network)", integerIn("--grid", range("[", 3, 301, "]")))
    .option("--cost <name>", `with --surface network: ${COSTS.join(", ")} (default: the model's)`, choice("--cost", COSTS))
    .option("--data <dir>", "a directory with the four MNIST IDX files (default: the bundled MNIST)")
    .option("--json", "print the trajectories as one JSON object")
    .option("--out <file.json>", "write the trajectories as JSON")
    .option("--plot <file.svg|png>", "draw the trajectories over the contour plot, f against steps, and the η sweep")
    .addHelpText("after", `\nOptimizers:\n${RACERS.map((r) => `  ${r.padEnd(9)} ${RACER_HELP[r]}`).join("\n")}
\nSurfaces:\n${Object.values(SURFACES).map((s) => `  ${s.name.padEnd(11)} ${s.formula}, from (${s.start.join(", ")})${s.minimum ? `, minimum at (${s.minimum.x}, ${s.minimum.y})` : ""}`).join("\n")}
  network     a trained model's loss on the slice of analyze landscape (same --seed)
\nExamples:\n  descent analyze race --surface rosenbrock --plot race.svg\n  descent analyze race --surface network --model quick.safetensors --steps 60 --plot race.png\n`)
    .action(async (opts: Record<string, unknown>) => {
      process.exitCode = await runRace(opts);
    });
}

async function runRace(opts: Record<string, unknown>): Promise<number> {
  const name = opts.surface as SurfaceName;
  if (name === "network" && typeof opts.model !== "string") throw new UsageError("--surface network races on a trained model's loss: give it with --model FILE.safetensors");
  if (name !== "network" && typeof opts.model === "string") throw new UsageError(`--model is for --surface network; the ${name} surface is a formula`);
  const { out, plot } = await analysisOutputs(opts, "trajectories", "race.svg");
  const json = Boolean(opts.json);
  const say = (s: string) => !json && process.stdout.write(`${s}\n`);
  const seed = opts.seed as number;
  const tolerance = opts.tolerance as number;

  let surface: Surface;
  let restore = () => {};
  let title: string;
  if (name === "network") {
    const am = await loadAnalysisModel(opts.model as string, opts.cost as CostName | undefined, "analyze race");
    const data = await loadData(typeof opts.data === "string" ? opts.data : undefined);
    const examples = splitExamples(data, "test", opts.examples as number, am.shape);
    const net = networkSurface(am.model, examples, am.objective, { span: opts.span as number, seed, steps: (opts.steps as number | undefined) ?? 60, lr: opts.lr as number });
    surface = net.surface;
    restore = net.restore;
    title = `${printablePath(opts.model as string)}: ${am.cost} on ${examples.length} test images, slice seed ${seed}`;
  } else {
    surface = SURFACES[name];
    title = `${surface.name}: f = ${surface.formula}`;
  }
  let racers: Trajectory[];
  let sweep: Trajectory[];
  let background: ReturnType<typeof sampleSurface>;
  try {
    const steps = (opts.steps as number | undefined) ?? surface.steps;
    racers = race(surface, { steps, seed, tolerance });
    sweep = rateSweep(surface, { steps, tolerance });
    background = sampleSurface(surface, (opts.grid as number | undefined) ?? (name === "network" ? 21 : 101));
  } finally {
    restore();
  }
  const fStar = surface.minimum?.f;
  const row = (t: Trajectory) => ({
    optimizer: t.optimizer, lr: t.lr, reached: t.reached, diverged: t.diverged, steps: t.x.length - 1,
    end: { x: t.x.at(-1)!, y: t.y.at(-1)!, f: t.f.at(-1)! },
  });
  if (json || out) {
    const doc = {
      surface: surface.name, formula: surface.formula, start: surface.start, minimum: surface.minimum, tolerance, seed,
      racers: racers.map((t) => ({ ...row(t), x: t.x, y: t.y, f: t.f })),
      sweep: sweep.map((t) => ({ ...row(t), x: t.x, y: t.y, f: t.f })),
    };
    if (json) process.stdout.write(`${terminalJson(doc)}\n`);
    if (out) await writeFileAtomic(out, new TextEncoder().encode(`${JSON.stringify(doc)}\n`));
  }
  say(title);
  say(`from (${surface.start.map((v) => +v.toPrecision(4)).join(", ")})${surface.minimum ? `; minimum f = ${surface.minimum.f} at (${surface.minimum.x}, ${surface.minimum.y}); steps to f − f* ≤ ${tolerance}` : ""}`);
  const line = (t: Trajectory) => `  ${t.optimizer.padEnd(9)} η ${String(t.lr).padEnd(7)} ` +
    (fStar !== undefined ? `${t.reached !== null ? `reached in ${String(t.reached).padStart(5)} steps` : "not reached      "}  ` : "") +
    (t.diverged ? `diverged after ${t.x.length - 1} steps` : `after ${t.x.length - 1} steps at (${t.x.at(-1)!.toPrecision(5)}, ${t.y.at(-1)!.toPrecision(5)}), f = ${t.f.at(-1)!.toPrecision(5)}`);
  for (const t of racers) say(line(t));
  say(`${sweep[0]!.optimizer} with η too small, right, too large:`);
  for (const t of sweep) say(line(t));
  if (plot) await writePlot(plot, raceFigure(surface, racers, sweep, background, title));
  return 0;
}

/** Trajectories over the contours; f (or f − f*) against steps; the η sweep over the contours. */
export function raceFigure(s: Surface, racers: Trajectory[], sweep: Trajectory[], grid: { xs: number[]; ys: number[]; z: Float64Array }, title: string): string {
  const contours = { grid, levels: quantileLevels(grid.z, 14) };
  const start = { name: "start", x: [s.start[0]], y: [s.start[1]], points: true };
  const min = s.minimum ? [{ name: "minimum", x: [s.minimum.x], y: [s.minimum.y], points: true }] : [];
  const fStar = s.minimum?.f;
  const [xl, yl] = s.name === "network" ? ["α", "β"] : ["x", "y"];
  const panels: Panel[] = [
    { title: "trajectories", xLabel: xl, yLabel: yl, contours, series: [...racers.map((t) => ({ name: t.optimizer, x: t.x, y: t.y })), start, ...min] },
    {
      title: fStar !== undefined ? "f − f* against steps" : "f against steps", xLabel: "step", yLabel: fStar !== undefined ? "f − f*" : "f", logY: fStar !== undefined || s.name === "network",
      series: racers.map((t) => ({ name: t.optimizer, x: t.f.map((_, k) => k), y: fStar !== undefined ? t.f.map((v) => v - fStar) : t.f })),
    },
    { title: `${sweep[0]?.optimizer ?? "gd"}: η too small, right, too large`, xLabel: xl, yLabel: yl, contours, series: [...sweep.map((t) => ({ name: `η = ${t.lr}${t.diverged ? " (diverged)" : ""}`, x: t.x, y: t.y })), start, ...min] },
  ];
  return figureSvg(panels, { title, panelHeight: 380 });
}
