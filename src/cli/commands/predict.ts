import { Command } from "commander";
import pc from "picocolors";
import { loadModel } from "../../node/model-files.js";
import { readImage } from "../../node/png.js";
import { mnistLike } from "../../data/preprocess.js";
import { Tensor } from "../../tensor.js";
import { noGrad } from "../../autograd.js";
import { choice } from "../parse.js";
import { inputShapeFor } from "../describe.js";

/** 28×28 pixels as text, for a quick look at what the network saw. */
function asciiDigit(pixels: Float32Array): string {
  const shades = " .:-=+*#%@";
  const lines: string[] = [];
  for (let r = 0; r < 28; r += 2) {
    let line = "";
    for (let c = 0; c < 28; c++) {
      const v = Math.max(pixels[r * 28 + c]!, pixels[(r + 1) * 28 + c]!);
      line += shades[Math.min(shades.length - 1, Math.floor(v * shades.length))];
    }
    lines.push(`    ${line}`);
  }
  return lines.join("\n");
}

export function predictCommand(): Command {
  return new Command("predict")
    .description("classify PNG images of digits with a saved model")
    .argument("<model>", "a model file saved by descent train (.safetensors)")
    .argument("<images...>", "PNG files (any size or colour; centred and scaled like MNIST)")
    .option("--invert <mode>", "auto, yes or no: make the digit light on dark like MNIST", choice("--invert", ["auto", "yes", "no"] as const), "auto")
    .option("--show", "print the 28×28 image the network sees")
    .option("--json", "print JSON")
    .action(async (modelPath: string, images: string[], opts: { invert: "auto" | "yes" | "no"; show?: boolean; json?: boolean }) => {
      const { model, architecture } = await loadModel(modelPath);
      const shape = inputShapeFor(architecture, 784, modelPath);
      model.eval();
      for (const path of images) {
        const img = await readImage(path);
        const prepared = mnistLike(img, { invert: opts.invert === "auto" ? "auto" : opts.invert === "yes" });
        const out = noGrad(() => model.forward(new Tensor(prepared.pixels, [1, ...shape])));
        const scores = Array.from(out.data);
        const ranked = scores.map((v, d) => ({ digit: d, score: v })).sort((a, b) => b.score - a.score);
        const best = ranked[0]!;
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ image: path, prediction: best.digit, outputs: scores, inverted: prepared.inverted, warnings: prepared.warnings })}\n`);
          continue;
        }
        for (const w of prepared.warnings) process.stderr.write(pc.yellow(`${path}: ${w}\n`));
        process.stdout.write(`${path}: ${pc.bold(String(best.digit))}  (output ${best.score.toFixed(3)}; next ${ranked[1]!.digit} at ${ranked[1]!.score.toFixed(3)})\n`);
        if (opts.show) process.stdout.write(`${asciiDigit(prepared.pixels)}\n`);
        const max = Math.max(...scores.map(Math.abs), 1e-9);
        scores.forEach((v, d) => {
          const bar = "█".repeat(Math.round((Math.max(v, 0) / max) * 30));
          process.stdout.write(`    ${d}  ${v.toFixed(3).padStart(7)}  ${d === best.digit ? pc.green(bar) : pc.dim(bar)}\n`);
        });
      }
    });
}
