import { Command } from "commander";
import { DescentError, UsageError } from "../../errors.js";
import { predictTableRows, tablePrepOf } from "../table-model.js";
import { writeFileAtomic } from "../../node/atomic-write.js";
import { checkOutputFiles } from "../../node/output-paths.js";
import { noted } from "../notes.js";
import pc from "picocolors";
import { loadModel } from "../../node/model-files.js";
import { readImage } from "../../node/png.js";
import { mnistLike } from "../../data/preprocess.js";
import { Tensor } from "../../tensor.js";
import { noGrad } from "../../autograd.js";
import { choice } from "../parse.js";
import { checkMnistModel } from "../describe.js";
import { isUserError } from "../../errors.js";
import { printablePath, terminalJson, terminalSafe } from "../../text.js";

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
    .description("classify PNG images of digits with a saved model, or predict a table's rows (--csv) with a model trained on a table")
    .argument("<model>", "a model file saved by descent train (.safetensors)")
    .argument("[images...]", "PNG files (any size or colour; centred and scaled like MNIST)")
    .option("--csv <file>", "table models: the rows to predict (a CSV file with the model's feature columns); prints one prediction per row (a classifier's: the class name; with --json also its output per class)")
    .option("--out <file>", "with --csv: write the predictions to this CSV file instead of printing them")
    .option("--invert <mode>", "auto, yes or no: make the digit light on dark like MNIST", choice("--invert", ["auto", "yes", "no"] as const), "auto")
    .option("--show", "print the 28×28 image the network sees")
    .option("--json", "print JSON")
    .action(async (modelPath: string, images: string[], opts: { invert: "auto" | "yes" | "no"; show?: boolean; json?: boolean; csv?: string; out?: string }) => {
      // A model problem stops at once; an image problem is reported and the next image is read.
      const { model, architecture, meta } = noted(await loadModel(modelPath));
      const prep = tablePrepOf(modelPath, meta.training);
      if (prep) {
        if (opts.csv === undefined) throw new UsageError(`${printablePath(modelPath)} was trained on a table: give the rows to predict with --csv FILE`);
        if (images.length) throw new UsageError(`${printablePath(modelPath)} predicts table rows (--csv), not images: drop ${printablePath(images[0]!)}`);
        // The output file is checked before any work (its directory exists and is writable, it is no directory).
        if (opts.out !== undefined) checkOutputFiles([{ path: opts.out, flag: "--out", what: "predictions" }]);
        const text = await predictTableRows(modelPath, model, prep, opts.csv, Boolean(opts.json));
        if (opts.out === undefined) process.stdout.write(text);
        else {
          const out = opts.out;
          await writeFileAtomic(out, new TextEncoder().encode(text)).catch((e: unknown) => {
            throw new DescentError(`cannot write the predictions to ${printablePath(out)}: ${(e as Error).message} (any existing file there is unchanged)`, { cause: e });
          });
          process.stderr.write(`wrote ${text.split("\n").length - (opts.json && prep.targets[0]?.classes ? 1 : 2)} predictions to ${printablePath(opts.out)}\n`);
        }
        return;
      }
      if (opts.csv !== undefined) throw new UsageError(`${printablePath(modelPath)} classifies MNIST images, not table rows: give PNG files instead of --csv`);
      if (images.length === 0) throw new UsageError("predict needs at least one PNG image (or, for a table model, --csv FILE)");
      const shape = checkMnistModel(modelPath, model, architecture, 784);
      model.eval();
      let failed = 0;
      for (const path of images) {
        let prepared: ReturnType<typeof mnistLike>;
        try {
          prepared = mnistLike(await readImage(path), { invert: opts.invert === "auto" ? "auto" : opts.invert === "yes" });
        } catch (e) {
          if (!isUserError(e)) throw e;
          failed++;
          reportFailure(path, e.message, opts.json);
          continue;
        }
        const out = noGrad(() => model.forward(new Tensor(prepared.pixels, [1, ...shape])));
        const scores = Array.from(out.data);
        const ranked = scores.map((v, d) => ({ digit: d, score: v })).sort((a, b) => b.score - a.score);
        const best = ranked[0]!;
        if (opts.json) {
          process.stdout.write(`${terminalJson({ image: path, prediction: best.digit, outputs: scores, inverted: prepared.inverted, warnings: prepared.warnings })}\n`);
          continue;
        }
        const shown = printablePath(path);
        for (const w of prepared.warnings) process.stderr.write(pc.yellow(`${shown}: ${terminalSafe(w)}\n`));
        process.stdout.write(`${shown}: ${pc.bold(String(best.digit))}  (output ${best.score.toFixed(3)}; next ${ranked[1]!.digit} at ${ranked[1]!.score.toFixed(3)})\n`);
        if (opts.show) process.stdout.write(`${asciiDigit(prepared.pixels)}\n`);
        const max = Math.max(...scores.map(Math.abs), 1e-9);
        scores.forEach((v, d) => {
          const bar = "█".repeat(Math.round((Math.max(v, 0) / max) * 30));
          process.stdout.write(`    ${d}  ${v.toFixed(3).padStart(7)}  ${d === best.digit ? pc.green(bar) : pc.dim(bar)}\n`);
        });
      }
      if (failed > 0) {
        if (!opts.json && images.length > 1) process.stderr.write(pc.red(`descent: ${failed} of ${images.length} images could not be read\n`));
        process.exitCode = 1;
      }
    });
}

/** One image that could not be read: its file and the reason, on stderr (or as a JSON line). */
function reportFailure(path: string, message: string, json?: boolean): void {
  if (json) {
    process.stdout.write(`${terminalJson({ image: path, error: message })}\n`);
    return;
  }
  const shown = printablePath(path);
  // The image readers' messages start with the file; say it once either way.
  const text = terminalSafe(message.startsWith(shown) || message.startsWith(path) ? message : `${shown}: ${message}`);
  process.stderr.write(pc.red(`descent: ${text}\n`));
}
