/**
 * `descent baselines` (Nielsen ch. 1): the perceptron and its learning rule on NAND, on a linearly
 * separable set and on XOR, then the MNIST baselines every network must beat — an untrained
 * network, the average-darkness classifier and softmax regression — on the test set.
 */
import { Command } from "commander";
import pc from "picocolors";
import { range } from "../../experiment/settings.js";
import { UsageError } from "../../errors.js";
import { PRESETS, presetConfig } from "../../train/presets.js";
import { loadMnist } from "../../node/mnist.js";
import { integerIn } from "../parse.js";
import { Rng } from "../../rng.js";
import { NAND, NAND_DATA, XOR_DATA, perceptron, separableSet, trainPerceptron } from "../../analysis/perceptron.js";
import { SOFTMAX_REGRESSION, darknessBaseline, softmaxRegressionBaseline, untrainedBaseline, type Baseline } from "../../analysis/mnist-baselines.js";

function presetName(value: string): string {
  if (Object.hasOwn(PRESETS, value)) return value;
  throw new UsageError(`unknown preset "${value}" (presets: ${Object.keys(PRESETS).join(", ")})`);
}

export function baselinesCommand(): Command {
  return new Command("baselines")
    .description("Nielsen ch. 1: perceptrons (NAND, a separable set, XOR) and the MNIST baselines: untrained network, average darkness, softmax regression")
    .option("--preset <name>", "the untrained network (default nielsen-ch1)", presetName)
    .option("--seed <n>", "seed of the untrained network, the separable set and softmax regression (default 1)", integerIn("--seed", range("[", 0, 2 ** 32, ")")))
    .option("--epochs <n>", "epochs of softmax regression (default 5)", integerIn("--epochs", range("[", 1, 1000, "]")))
    .option("--data <dir>", "a directory with the four MNIST IDX files (default: the bundled MNIST)")
    .option("--json", "print the results as one JSON object")
    .addHelpText("after", "\nExamples:\n  descent baselines\n  descent baselines --epochs 20 --json\n")
    .action(async (opts: Record<string, unknown>) => {
      process.exitCode = await runBaselines(opts);
    });
}

async function runBaselines(opts: Record<string, unknown>): Promise<number> {
  const seed = (opts.seed as number | undefined) ?? 1;
  const json = Boolean(opts.json);
  const say = (s: string) => !json && process.stdout.write(`${s}\n`);
  say(pc.bold("perceptrons (output 1 when w·x + b > 0; rule w ← w + η(y − ŷ)x, b ← b + η(y − ŷ), η = 1, from zero weights)"));
  const nandOut = NAND_DATA.map((p) => perceptron(NAND.w, NAND.b, p.x));
  say(`  NAND with the book's weights −2, −2, bias 3: outputs ${nandOut.join(" ")} for inputs 00 01 10 11 (NAND: ${NAND_DATA.map((p) => p.y).join(" ")})`);
  const nand = trainPerceptron(NAND_DATA, { maxEpochs: 100 });
  say(`  NAND learned: w = ${nand.w.join(", ")}, b = ${nand.b} after ${nand.epochs} epochs, ${nand.totalMistakes} mistakes`);
  const sep = separableSet(100, new Rng(seed).fork("separable"));
  const sepRun = trainPerceptron(sep.data, { maxEpochs: 10_000 });
  say(`  separable set (100 points of the unit square, margin ≥ 0.05 from x − y + 0.1 = 0): ${sepRun.converged ? "converged" : "did not converge"} after ${sepRun.epochs} epochs, ` +
    `${sepRun.totalMistakes} mistakes (Novikoff's bound (R/γ)² = ${sep.bound.toFixed(0)})`);
  const xor = trainPerceptron(XOR_DATA, { maxEpochs: 1000 });
  say(`  XOR: ${xor.converged ? "converged (unexpected)" : `never converges: still ${xor.mistakes.at(-1)} mistakes after ${xor.epochs} epochs`}` +
    (xor.cycle ? `; the weights repeat every ${xor.cycle.period} epoch${xor.cycle.period === 1 ? "" : "s"} from epoch ${xor.cycle.from}, so the rule loops forever (XOR is not linearly separable)` : ""));

  const config = { ...presetConfig(typeof opts.preset === "string" ? opts.preset : "nielsen-ch1"), seed };
  const data = await loadMnist({ ...(typeof opts.data === "string" ? { dir: opts.data } : {}), validation: 10000 });
  say(pc.bold(`\nMNIST baselines on the ${data.test.length} test images (trained on the first ${data.train.length} training images)`));
  const line = (b: Baseline) => say(`  ${pc.bold(`${(b.accuracy * 100).toFixed(2)} %`)} (${b.correct} / ${b.total})  ${b.name}  ${b.seconds.toFixed(1)} s`);
  const baselines: Baseline[] = [];
  for (const f of [
    () => untrainedBaseline(config, data),
    () => darknessBaseline(data),
    () => softmaxRegressionBaseline(data, { ...SOFTMAX_REGRESSION, seed, ...(opts.epochs !== undefined ? { epochs: opts.epochs as number } : {}) }),
  ]) {
    const b = f();
    baselines.push(b);
    line(b);
  }
  say("  (the book: average darkness 22.25 %; its first network, [784,30,10], reaches ~95 %)");
  if (json) {
    process.stdout.write(`${JSON.stringify({
      perceptrons: { nandBook: { w: NAND.w, b: NAND.b, outputs: nandOut }, nand, separable: { ...sepRun, bound: sep.bound, gamma: sep.gamma, radius: sep.radius }, xor },
      baselines,
    })}\n`);
  }
  return 0;
}
