/**
 * `descent import weights.safetensors (--from DIR | --arch SPEC) [--out model.safetensors]`: weights
 * saved by PyTorch — safetensors.torch.save_file(model.state_dict()), or model.py's save_safetensors,
 * as train_ddp.py does — into a descent model file that eval, info and predict read. The architecture
 * comes from an exported directory's pipeline.json (--from; its training record and table encoding
 * come along) or from an --arch line on MNIST images. Every tensor is checked first (io/pytorch/import.ts).
 */
import { Command } from "commander";
import { statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { ModelFileError, UsageError } from "../../errors.js";
import { importPytorch } from "../../io/pytorch/import.js";
import { PIPELINE_FORMAT } from "../../io/pytorch/export.js";
import { decodeSafetensors } from "../../io/safetensors.js";
import { parseJsonStrict } from "../../io/json-strict.js";
import { buildModule } from "../../nn/registry.js";
import { archTakesImages, buildArch } from "../../nn/arch.js";
import type { Module } from "../../nn/module.js";
import { readModelBytes, saveModel } from "../../node/model-files.js";
import { readFileBounded } from "../../node/read-file.js";
import { checkOutputFiles } from "../../node/output-paths.js";
import { VERSION } from "../../version.js";
import { printable, printablePath, terminalJson } from "../../text.js";

interface ImportOptions {
  from?: string;
  arch?: string;
  out?: string;
  json?: boolean;
}

/** Facts of the training record that the imported weights no longer match: eval measures them again. */
const STALE = ["testAccuracy", "validationAccuracy", "testMetrics", "validationMetrics", "secondsPerEpoch", "stopped", "interrupted"];

export function importCommand(): Command {
  return new Command("import")
    .description("read weights saved by PyTorch (safetensors, PyTorch's state_dict() names) into a descent model file")
    .argument("<weights>", "a .safetensors file saved by PyTorch (safetensors.torch.save_file, or train_ddp.py)")
    .option("--from <dir>", "the directory written by descent export --format pytorch (its pipeline.json gives the architecture, the data pipeline and the training record)")
    .option("--arch <spec>", "or the architecture as descent train's --arch (on MNIST images), e.g. fc100,sigmoid,fc10,sigmoid")
    .option("--out <file>", "the descent model file to write (default: the weights' path with -descent.safetensors)")
    .option("--json", "print JSON")
    .action(async (weightsPath: string, opts: ImportOptions) => {
      if ((opts.from === undefined) === (opts.arch === undefined)) {
        throw new UsageError("give the architecture with --from DIR (an exported directory) or --arch SPEC (descent's --arch syntax), one of the two");
      }
      const out = opts.out ?? weightsPath.replace(/(\.safetensors)?$/i, "-descent.safetensors");
      if (resolve(out) === resolve(weightsPath)) throw new UsageError(`--out ${printablePath(out)} is the weights file itself — give another path`);
      checkOutputFiles([{ path: out, flag: "--out", what: "model file" }]);

      const { model, record } = opts.from !== undefined ? await fromPipeline(opts.from) : fromArch(opts.arch!);
      const bytes = await readModelBytes(weightsPath);
      const imported = importPytorch(model, bytes, weightsPath);
      for (const note of imported.notes) process.stderr.write(`note: ${note}\n`);
      // train_ddp.py writes the last epoch it trained into the file's metadata.
      const epochs = Number(decodeSafetensors(bytes, weightsPath).metadata["descent.epochs"]);
      const training: Record<string, unknown> = Object.fromEntries(Object.entries(record).filter(([k]) => !STALE.includes(k)));
      if (Number.isInteger(epochs) && epochs > 0) training.epochsTrained = epochs;
      training.imported = { from: printable(basename(weightsPath)), by: `descent ${VERSION} import`, date: new Date().toISOString() };
      await saveModel(out, model, { training });
      if (opts.json) process.stdout.write(`${terminalJson({ weights: weightsPath, out, tensors: imported.tensors, notes: imported.notes })}\n`);
      else process.stdout.write(`wrote ${printablePath(out)}: ${imported.tensors} tensors from ${printablePath(weightsPath)} (try: descent eval ${printablePath(out)})\n`);
    });
}

/** The architecture and training record of an exported directory (or its pipeline.json). */
async function fromPipeline(from: string): Promise<{ model: Module; record: Record<string, unknown> }> {
  let path = from;
  try {
    if (statSync(from).isDirectory()) path = join(from, "pipeline.json");
  } catch {
    throw new UsageError(`--from ${printablePath(from)}: no such directory — give the directory written by descent export --format pytorch`);
  }
  const bytes = await readFileBounded(path, {
    error: ModelFileError,
    explain: (code) => (code === "ENOENT" ? "no such file — --from takes the directory written by descent export --format pytorch" : undefined),
  });
  const fail = (what: string): never => {
    throw new ModelFileError(`${printablePath(path)}: ${what} — export the model again with descent export --format pytorch`);
  };
  const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
  const pipeline = parseJsonStrict(text, printablePath(path));
  if (typeof pipeline !== "object" || pipeline === null || Array.isArray(pipeline)) return fail("expected a JSON object");
  const p = pipeline as Record<string, unknown>;
  if (p.format !== PIPELINE_FORMAT) fail(`not a descent PyTorch export (its "format" is not "${PIPELINE_FORMAT}")`);
  const model = buildModule(p.architecture, `${printablePath(path)}: architecture`);
  const record = p.trainingRecord;
  if (typeof record !== "object" || record === null || Array.isArray(record)) return fail(`"trainingRecord" must be a JSON object`);
  return { model, record: record as Record<string, unknown> };
}

function fromArch(arch: string): { model: Module; record: Record<string, unknown> } {
  const { model } = buildArch(arch, { input: archTakesImages(arch) ? [1, 28, 28] : [784] });
  return { model, record: { arch } };
}
