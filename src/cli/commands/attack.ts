/**
 * `descent attack model.safetensors` (Nielsen ch. 6; Goodfellow et al. 2015): the fast gradient
 * sign attack on the test set — accuracy against ε, a plot of it, and the perturbed digits as PNG.
 */
import { Command } from "commander";
import pc from "picocolors";
import { range } from "../../experiment/settings.js";
import { UsageError } from "../../errors.js";
import { printablePath } from "../../text.js";
import { loadMnist } from "../../node/mnist.js";
import { loadModel } from "../../node/model-files.js";
import { writeFileAtomic } from "../../node/atomic-write.js";
import { checkPlotWriter, isPlotPath, writePlot } from "../../node/plot-files.js";
import { checkOutputFiles, type OutputFile } from "../../node/output-paths.js";
import { writeExamples } from "../../node/attack-images.js";
import { integerIn, numberIn } from "../parse.js";
import { noted } from "../notes.js";
import { checkMnistModel } from "../describe.js";
import { validateConfig } from "../../train/config.js";
import { objectiveFor, squashingOutput, type Objective } from "../../train/objective.js";
import { Softmax } from "../../nn/layers/activations.js";
import { bceWithLogits, crossEntropy, quadraticCost } from "../../nn/losses.js";
import type { Module } from "../../nn/module.js";
import { attackSweep } from "../../analysis/attack.js";
import { figureSvg } from "../../plot/svg.js";

function epsilonList(value: string): number[] {
  const parts = value.split(",").map((s) => s.trim());
  const out = parts.map(Number);
  if (parts.some((p) => p === "") || out.some((e) => !Number.isFinite(e) || e < 0 || e > 1)) {
    throw new UsageError(`--epsilons expects numbers from 0 to 1 separated by commas, got "${value}" (e.g. --epsilons 0,0.05,0.1,0.2)`);
  }
  return out;
}

export function attackCommand(): Command {
  return new Command("attack")
    .description("adversarial examples (fast gradient sign, Goodfellow et al. 2015): test accuracy when every pixel moves by ±ε against the gradient of the cost")
    .argument("<model>", "a model file saved by descent train (dense or convolutional)")
    .option("--epsilon <e>", "the ε of the pictures and of the one-line result (default 0.1)", numberIn("--epsilon", range("[", 0, 1, "]")))
    .option("--epsilons <list>", "every ε to measure (default 0,0.05,0.1,0.2 and --epsilon)", epsilonList)
    .option("--images <dir>", "write adversarial examples as PNG (original | perturbation | adversarial), named with the predictions")
    .option("--count <n>", "how many examples --images writes (default 10)", integerIn("--count", range("[", 1, 10_000, "]")))
    .option("--limit <n>", "attack only the first n test images (default all 10,000)", integerIn("--limit", range("[", 1, 1e6, "]")))
    .option("--data <dir>", "a directory with the four MNIST IDX files (default: the bundled MNIST)")
    .option("--plot <file.svg|png>", "draw accuracy against ε")
    .option("--json", "print the results as one JSON object")
    .addHelpText("after", "\nExamples:\n  descent attack model.safetensors --epsilon 0.1\n  descent attack model.safetensors --epsilons 0,0.02,0.05,0.1,0.2 --images adversarial --plot attack.svg\n")
    .action(async (path: string, opts: Record<string, unknown>) => {
      process.exitCode = await runAttack(path, opts);
    });
}

/** The cost the model was trained on, from its file; for a file without one, the cost its output layer implies. */
function objectiveOf(model: Module, training: Record<string, unknown>): Objective {
  try {
    const c = validateConfig(training.config);
    return objectiveFor(c.cost, c.output);
  } catch {
    const last = squashingOutput(model);
    if (last instanceof Softmax) return { loss: (z, y) => crossEntropy(z, y as Int32Array), lossOnLogits: true };
    if (last) return { loss: (z, y) => bceWithLogits(z, y, "batchmean"), lossOnLogits: true };
    return { loss: quadraticCost, lossOnLogits: false };
  }
}

async function runAttack(path: string, opts: Record<string, unknown>): Promise<number> {
  const epsilon = (opts.epsilon as number | undefined) ?? 0.1;
  const epsilons = [...new Set([...((opts.epsilons as number[] | undefined) ?? [0, 0.05, 0.1, 0.2]), epsilon])].sort((a, b) => a - b);
  const json = Boolean(opts.json);
  const plot = typeof opts.plot === "string" ? opts.plot : null;
  const images = typeof opts.images === "string" ? opts.images : null;
  if (plot !== null && !isPlotPath(plot)) throw new UsageError(`--plot ${plot}: plots are written as .svg or .png (e.g. --plot attack.svg)`);
  const files: OutputFile[] = [];
  if (plot) files.push({ path: plot, flag: "--plot", what: "plot" });
  checkOutputFiles(files);
  if (plot) await checkPlotWriter(plot);
  const { model, architecture, meta } = noted(await loadModel(path));
  const data = await loadMnist(typeof opts.data === "string" ? { dir: opts.data } : {});
  const limit = Math.min((opts.limit as number | undefined) ?? data.test.length, data.test.length);
  const flat = data.test.slice(0, limit);
  const test = flat.withFeatureShape(checkMnistModel(path, model, architecture, flat.featureSize));
  const objective = objectiveOf(model, meta.training);
  const t0 = performance.now();
  const { points, examples } = attackSweep(model, test, objective, epsilons, { keep: images ? ((opts.count as number | undefined) ?? 10) : 0, showEpsilon: epsilon });
  const seconds = (performance.now() - t0) / 1000;
  const written = images ? await writeExamples(images, examples, epsilon) : [];
  const at = points.find((p) => p.epsilon === epsilon)!;
  const clean = points.find((p) => p.epsilon === 0);
  if (json) {
    process.stdout.write(`${JSON.stringify({ model: path, images: limit, epsilon, accuracy: at.accuracy, points, examples: written, seconds })}\n`);
  } else {
    process.stdout.write(`${printablePath(path)} · fast gradient sign on ${limit} test images · ${seconds.toFixed(1)} s\n`);
    for (const p of points) process.stdout.write(`  ε = ${String(p.epsilon).padEnd(5)} accuracy ${pc.bold(`${(p.accuracy * 100).toFixed(2)} %`)} (${p.correct}/${p.total})\n`);
    process.stdout.write(`at ε = ${epsilon}: ${(at.accuracy * 100).toFixed(2)} %${clean ? ` (clean ${(clean.accuracy * 100).toFixed(2)} %)` : ""}\n`);
    if (images) process.stdout.write(`${written.length} adversarial example${written.length === 1 ? "" : "s"} (right when clean, wrong at ε = ${epsilon}) written to ${printablePath(images)}\n`);
  }
  if (plot) {
    await writePlot(plot, figureSvg([{ title: "test accuracy (%) against ε", xLabel: "ε", yLabel: "accuracy (%)", yDomain: [0, 100], series: [{ name: "FGSM", x: points.map((p) => p.epsilon), y: points.map((p) => p.accuracy * 100) }] }],
      { title: `Fast gradient sign attack on ${path.split(/[\\/]/).pop() ?? path}` }));
  }
  return 0;
}
