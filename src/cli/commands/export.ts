/**
 * `descent export model.safetensors --format onnx [--out model.onnx] [--check]`: the model as an
 * ONNX file for ONNX Runtime, Triton's ONNX backend or any other ONNX runtime; with --check, that
 * file run by ONNX Runtime on the model's test set beside descent.
 */
import { Command } from "commander";
import { openSync, readSync, closeSync, statSync } from "node:fs";
import { basename, resolve } from "node:path";
import pc from "picocolors";
import { DescentError, UsageError } from "../../errors.js";
import { loadModel } from "../../node/model-files.js";
import { writeFileAtomic, errorCode } from "../../node/atomic-write.js";
import { checkOutputFiles } from "../../node/output-paths.js";
import { loadOnnxRuntime, ONNXRUNTIME_INSTALL, type OnnxRuntime } from "../../node/onnx-runtime.js";
import { exportOnnx, tableInputDoc, ONNX_OPSET, type OnnxExportOptions } from "../../io/onnx/export.js";
import { featureNames, targetClasses, type TablePrep } from "../../data/table-prep.js";
import { formatCount } from "../../limits.js";
import { printable, printablePath, terminalJson } from "../../text.js";
import { choice } from "../parse.js";
import { noted } from "../notes.js";
import { checkMnistModel, MNIST_CLASSES } from "../describe.js";
import { tablePrepOf } from "../table-model.js";
import { runPytorchExport } from "../pytorch-export.js";
import { compareWithOnnxRuntime, mnistCheckData, sequenceCheckData, tableCheckData, type CheckReport } from "../onnx-check.js";

const FORMATS = ["onnx", "pytorch"] as const;

interface ExportOptions {
  format: (typeof FORMATS)[number];
  out?: string;
  check?: boolean;
  data?: string;
  json?: boolean;
}

export function exportCommand(): Command {
  return new Command("export")
    .description("write a model in another format: ONNX (for ONNX Runtime, Triton…; --check runs the file in ONNX Runtime on the test set and compares it with descent), or a PyTorch directory (model.py, weights under PyTorch's names, pipeline.json, train_ddp.py to continue training under torch.distributed)")
    .argument("<model>", "a model file saved by descent train (.safetensors); with --format pytorch also a checkpoint (--checkpoint FILE), whose optimizer state comes along")
    .requiredOption("--format <name>", `the format to write: ${FORMATS.join(", ")}`, choice("--format", FORMATS))
    .option("--out <path>", "where to write it (default: the model's path with .onnx instead of .safetensors; for pytorch a directory, the model's path with -pytorch)")
    .option("--check", `run the exported file in ONNX Runtime (onnxruntime-node, installed separately: ${ONNXRUNTIME_INSTALL}) on the model's test set — MNIST's test images, or a table model's test rows — and compare its outputs with descent's`)
    .option("--data <dir>", "directory with the MNIST IDX files (default: the bundled copy): read by --check, and by a pytorch export of a checkpoint (train_ddp.py reads them from there too)")
    .option("--json", "print JSON")
    .action(async (modelPath: string, opts: ExportOptions) => {
      if (opts.format === "pytorch") {
        if (opts.check) throw new UsageError("--check runs ONNX Runtime: it goes with --format onnx (tools/check_pytorch.py checks the PyTorch export)");
        return runPytorchExport(modelPath, { ...(opts.out !== undefined ? { out: opts.out } : {}), ...(opts.data !== undefined ? { data: opts.data } : {}), ...(opts.json ? { json: true } : {}) });
      }
      const out = opts.out ?? defaultOut(modelPath);
      checkOutPath(modelPath, out);
      // ONNX Runtime is looked for before anything is written: a missing one is said at once.
      const ort = opts.check ? requireOnnxRuntime() : null;

      const { model, architecture, meta } = noted(await loadModel(modelPath));
      const prep = tablePrepOf(modelPath, meta.training);
      const sequences = prep ? null : await sequenceCheckData(modelPath, meta.training);
      const exampleShape = prep ? [featureNames(prep).length] : sequences ? sequences.exampleShape : checkMnistModel(modelPath, model, architecture, 784);
      const exported = exportOnnx(model, prep ? tableOptions(modelPath, prep) : sequences ? sequenceOptions(modelPath, exampleShape) : mnistOptions(modelPath, exampleShape));
      await writeFileAtomic(out, exported.bytes).catch((e: unknown) => {
        throw new DescentError(`cannot write ${printablePath(out)}: ${errorCode(e) || (e as Error).message} (any existing file there is unchanged)`, { cause: e });
      });
      const summary = {
        model: modelPath, out, format: "onnx", opset: ONNX_OPSET, bytes: exported.bytes.length, nodes: exported.nodes, operators: exported.operators,
        input: { name: exported.input.name, shape: exported.input.dims }, output: { name: exported.output.name, shape: exported.output.dims },
      };
      if (!opts.json) {
        const shape = (dims: readonly (number | string)[]) => `[${dims.join(", ")}]`;
        process.stdout.write(`wrote ${printablePath(out)} (ONNX, opset ${ONNX_OPSET}, ${formatCount(exported.bytes.length)} bytes): ` +
          `input "${exported.input.name}" ${shape(exported.input.dims)} → output "${exported.output.name}" ${shape(exported.output.dims)}, ` +
          `${exported.nodes} nodes (${exported.operators.join(", ")})\n`);
        if (prep) process.stdout.write(`  input "${exported.input.name}": ${printable(tableInputDoc(prep), 2000)}\n`);
      }
      if (!ort) {
        if (opts.json) process.stdout.write(`${terminalJson(summary)}\n`);
        return;
      }

      const data = prep ? await tableCheckData(modelPath, meta.training, prep) : sequences ?? await mnistCheckData(exampleShape, opts.data);
      const session = await ort.session(exported.bytes).catch((e: unknown) => {
        throw new DescentError(`ONNX Runtime ${ort.version} refused the exported file ${printablePath(out)}: ${(e as Error).message} — this is a bug in descent's exporter; please report it with the model`, { cause: e });
      });
      let report: CheckReport;
      try {
        report = await compareWithOnnxRuntime(model, session, exported.input.name, data);
      } finally {
        await session.release();
      }
      if (opts.json) process.stdout.write(`${terminalJson({ ...summary, check: { onnxRuntime: ort.version, on: data.label, ...report } })}\n`);
      else process.stdout.write(describeCheck(ort, data.label, report));
      const differs = !(report.maxAbsDiff <= Math.max(1e-3, 1e-4 * report.maxAbsOutput)) || (report.sameClass !== undefined && report.sameClass !== report.examples);
      if (differs) {
        throw new DescentError(`--check: ONNX Runtime's outputs differ from descent's on ${data.label} by more than float32 rounding explains` +
          `${report.firstDifferent !== undefined && report.firstDifferent >= 0 ? ` (first different class: example ${report.firstDifferent})` : ""} — this is a bug in descent's exporter; please report it with the model`);
      }
    });
}

/** model.safetensors → model.onnx; any other name gets .onnx appended. */
const defaultOut = (modelPath: string) => (/\.safetensors$/i.test(modelPath) ? modelPath.replace(/\.safetensors$/i, ".onnx") : `${modelPath}.onnx`);

/** The ONNX file must not replace a model: not the input itself, not a .safetensors path, not an existing safetensors file. */
function checkOutPath(modelPath: string, out: string): void {
  if (resolve(out) === resolve(modelPath) || sameFile(out, modelPath)) {
    throw new UsageError(`--out ${printablePath(out)} is the model file itself: the ONNX file would replace the model — give another path, e.g. ${printablePath(defaultOut(modelPath))}`);
  }
  if (/\.safetensors$/i.test(out)) throw new UsageError(`--out ${printablePath(out)}: an ONNX file is not a .safetensors file — name it ${printablePath(out.replace(/\.safetensors$/i, ".onnx"))}`);
  if (looksLikeSafetensors(out)) throw new UsageError(`--out ${printablePath(out)} holds a safetensors file (a model?): descent export does not overwrite it — choose another path`);
  checkOutputFiles([{ path: out, flag: "--out", what: "ONNX file" }]);
}

function sameFile(a: string, b: string): boolean {
  try {
    const [sa, sb] = [statSync(a), statSync(b)];
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}

/** A safetensors file starts with its header's length (8 bytes, little-endian) and the header's "{". */
function looksLikeSafetensors(path: string): boolean {
  let fd: number;
  try {
    if (!statSync(path).isFile()) return false;
    fd = openSync(path, "r");
  } catch {
    return false;
  }
  try {
    const head = new Uint8Array(9);
    return readSync(fd, head, 0, 9, 0) === 9 && head[8] === 0x7b && head[6] === 0 && head[7] === 0;
  } finally {
    closeSync(fd);
  }
}

function requireOnnxRuntime(): OnnxRuntime {
  const ort = loadOnnxRuntime();
  if (ort) return ort;
  const shared = process.env.DESCENT_ONNXRUNTIME_DIR;
  if (shared) {
    throw new DescentError(`--check: DESCENT_ONNXRUNTIME_DIR is ${printablePath(shared)}, but onnxruntime-node is not installed there — ` +
      `install it there with: cd ${printablePath(shared)} && ${ONNXRUNTIME_INSTALL}, or unset the variable`);
  }
  throw new DescentError(
    "--check runs the exported file in ONNX Runtime, which is not installed (its CPU library is 294 MB, so descent does not install it). " +
      `Install it in the current directory with: ${ONNXRUNTIME_INSTALL} (or in a descent checkout: node tools/ensure-onnxruntime.mjs; or set DESCENT_ONNXRUNTIME_DIR to a directory where it is installed), then run the command again; ` +
      "without --check the ONNX file is written all the same",
  );
}

function mnistOptions(modelPath: string, shape: readonly number[]): OnnxExportOptions {
  const dims = shape.length === 1 ? "[N, 784]" : "[N, 1, 28, 28]";
  return {
    inputShape: shape,
    input: { name: "pixels", doc: `float32 ${dims}: 28×28 grey levels in [0, 1] (byte / 255), row by row, a light digit on a dark background as in MNIST — what descent predict feeds the network` },
    output: { name: "output", doc: `float32 [N, ${MNIST_CLASSES}]: the network's output for each digit 0–9 (probabilities when it ends in softmax); the predicted digit is the largest` },
    metadata: { "descent.task": "mnist", "descent.classes": JSON.stringify(Array.from({ length: MNIST_CLASSES }, (_, d) => String(d))), "descent.source": printable(basename(modelPath)) },
    doc: `Exported by descent from ${printable(basename(modelPath))}: an MNIST digit classifier.`,
  };
}

/** A model of the adding problem ([N, T, 2]) or a character model ([N, T] token ids, as float32). */
function sequenceOptions(modelPath: string, shape: readonly number[]): OnnxExportOptions {
  const tokens = shape.length === 1;
  return {
    inputShape: shape,
    input: tokens
      ? { name: "tokens", doc: `float32 [N, ${shape[0]}]: character ids (integers, the vocabulary stored in the model file's training record)` }
      : { name: "sequence", doc: `float32 [N, ${shape.join(", ")}]: ${shape[0]} steps of ${shape[1]} values` },
    output: { name: "output", doc: tokens ? "float32 [N, steps, vocabulary]: the next character's probabilities at every step" : "float32 [N, outputs]: the network's output" },
    metadata: { "descent.task": tokens ? "language-model" : "sequence", "descent.source": printable(basename(modelPath)) },
    doc: `Exported by descent from ${printable(basename(modelPath))}: a sequence model.`,
  };
}

function tableOptions(modelPath: string, prep: TablePrep): OnnxExportOptions {
  const classes = targetClasses(prep);
  const targets = prep.targets.map((t) => t.name);
  const metadata: Record<string, string> = {
    "descent.task": classes ? "classification" : "regression",
    "descent.features": JSON.stringify(featureNames(prep)),
    "descent.targets": JSON.stringify(targets),
    "descent.source": printable(basename(modelPath)),
  };
  if (classes) metadata["descent.classes"] = JSON.stringify(classes);
  return {
    inputShape: [featureNames(prep).length],
    tablePrep: prep,
    input: { name: "features", doc: tableInputDoc(prep) },
    output: {
      name: "output",
      doc: classes
        ? `float32 [N, ${classes.length}]: the network's output per class of ${targets[0]!}, in the order of the metadata "descent.classes" (probabilities when it ends in softmax); the predicted class is the largest`
        : `float32 [N, ${targets.length}]: the predicted ${targets.join(", ")}, in the table's units`,
    },
    metadata,
    doc: `Exported by descent from ${printable(basename(modelPath))}: a model of a table (${classes ? "classification" : "regression"}).`,
  };
}

function describeCheck(ort: OnnxRuntime, on: string, r: CheckReport): string {
  const lines = [`checked with ONNX Runtime ${ort.version} on ${on}:`];
  lines.push(`  max |descent − ONNX Runtime| ${r.maxAbsDiff.toExponential(2)} (outputs up to ${r.maxAbsOutput.toPrecision(3)})`);
  if (r.sameClass !== undefined) {
    lines.push(r.sameClass === r.examples
      ? `  predicted classes ${pc.green("identical")} on all ${formatCount(r.examples)}`
      : `  predicted classes ${pc.red("different")} on ${formatCount(r.examples - r.sameClass)} of ${formatCount(r.examples)} (the first: example ${r.firstDifferent ?? "?"})`);
  }
  if (r.accuracy) lines.push(`  accuracy: descent ${(r.accuracy.descent * 100).toFixed(2)} %, ONNX Runtime ${(r.accuracy.onnxRuntime * 100).toFixed(2)} %`);
  return `${lines.join("\n")}\n`;
}
