import { Command } from "commander";
import { noted } from "../notes.js";
import pc from "picocolors";
import { loadMnist } from "../../node/mnist.js";
import { loadModel } from "../../node/model-files.js";
import { evaluate } from "../../train/evaluate.js";
import { choice } from "../parse.js";
import { checkMnistModel, describeNetwork } from "../describe.js";
import type { ConfusionMatrix } from "../../train/metrics.js";
import { evaluateEnsemble } from "../../train/ensemble.js";
import type { TensorDataset } from "../../data/dataset.js";
import { UsageError } from "../../errors.js";
import { printablePath, terminalJson } from "../../text.js";
import { evalTableModel, tablePrepOf } from "../table-model.js";

export function evalCommand(): Command {
  return new Command("eval")
    .description("accuracy and confusion matrix of a saved model on MNIST (several models: each, and their vote); for a model trained on a table, its scores on a CSV file's rows (default: the test rows of its training split)")
    .argument("<models...>", "model files saved by descent train (.safetensors), and for a table model optionally the CSV file to score")
    .option("--data <dir>", "directory with the MNIST IDX files (default: the bundled copy)")
    .option("--split <name>", "test, validation or train", choice("--split", ["test", "validation", "train"] as const), "test")
    .option("--json", "print JSON")
    .action(async (args: string[], opts: { data?: string; split: "test" | "validation" | "train"; json?: boolean }) => {
      const csvs = args.filter((a) => /\.csv$/i.test(a));
      const paths = args.filter((a) => !/\.csv$/i.test(a));
      if (paths.length === 0) throw new UsageError("eval needs a model file (.safetensors)");
      if (csvs.length > 1) throw new UsageError(`eval scores one table at a time; got ${csvs.length} CSV files`);
      const first = noted(await loadModel(paths[0]!));
      const prep = tablePrepOf(paths[0]!, first.meta.training);
      if (prep) {
        if (paths.length > 1) throw new UsageError("eval takes one table model at a time");
        return evalTableModel(paths[0]!, first.model, first.meta.training, prep, csvs[0] ?? null, Boolean(opts.json));
      }
      if (csvs.length) throw new UsageError(`${printablePath(paths[0]!)} was trained on MNIST, not on a table: drop ${printablePath(csvs[0]!)}`);
      const data = await loadMnist(opts.data ? { dir: opts.data } : {});
      if (paths.length > 1) return evalEnsemble(paths, data[opts.split], opts);
      const path = paths[0]!;
      const { model, architecture } = first;
      const flat = data[opts.split];
      const split = flat.withFeatureShape(checkMnistModel(path, model, architecture, flat.featureSize));
      const r = evaluate(model, split);
      if (opts.json) {
        process.stdout.write(`${terminalJson({ model: path, split: opts.split, accuracy: r.accuracy, correct: r.correct, total: r.total, confusion: r.confusion.toRows() })}\n`);
        return;
      }
      process.stdout.write(`${printablePath(path)} · ${describeNetwork(architecture)} · ${opts.split} set (${r.total.toLocaleString("en-US")} images)\n`);
      process.stdout.write(`accuracy ${pc.bold(`${(r.accuracy * 100).toFixed(2)} %`)} (${r.correct}/${r.total})\n\n`);
      process.stdout.write(formatConfusion(r.confusion));
    });
}

/** Several models on one split: each alone, then their majority vote and averaged outputs. */
async function evalEnsemble(paths: string[], flat: TensorDataset, opts: { split: string; json?: boolean }): Promise<void> {
  const loaded = await Promise.all(paths.map(async (p) => noted(await loadModel(p))));
  const shapes = loaded.map((m, i) => checkMnistModel(paths[i]!, m.model, m.architecture, flat.featureSize).join("×"));
  if (new Set(shapes).size > 1) {
    throw new UsageError(`these models take different inputs (${[...new Set(shapes)].join(" vs ")}); an ensemble needs the same input`);
  }
  const split = flat.withFeatureShape(shapes[0]!.split("×").map(Number));
  const e = evaluateEnsemble(loaded.map((m) => m.model), split);
  if (opts.json) {
    process.stdout.write(`${terminalJson({ models: paths, split: opts.split, members: e.members, vote: e.vote.accuracy, average: e.average.accuracy })}\n`);
    return;
  }
  const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
  paths.forEach((p, i) => process.stdout.write(`${printablePath(p)}: ${pct(e.members[i]!)}\n`));
  process.stdout.write(`ensemble of ${paths.length} on the ${opts.split} set: vote ${pc.bold(pct(e.vote.accuracy))} · average of outputs ${pc.bold(pct(e.average.accuracy))}\n\n`);
  process.stdout.write(formatConfusion(e.vote.confusion));
}

/**
 * The confusion matrix as a table, with per-class accuracy and the most common mistakes. `names`:
 * the classes' names (a table classifier's, already printable), default the digits 0–9.
 */
export function formatConfusion(cm: ConfusionMatrix, names?: string[]): string {
  const rows = cm.toRows();
  const name = (i: number) => names?.[i] ?? String(i);
  const w = Math.max(4, String(Math.max(...cm.counts)).length + 1, ...(names ?? []).map((n) => n.length + 1));
  const side = Math.max(2, ...(names ?? []).map((n) => n.length));
  const lines = [`confusion matrix (rows: true ${names ? "class" : "digit"}, columns: predicted)`];
  lines.push(`  ${" ".repeat(side)}  ${rows.map((_, j) => name(j).padStart(w)).join("")}   recall`);
  rows.forEach((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    const cells = row.map((v, j) => {
      const s = String(v).padStart(w);
      return i === j ? pc.green(s) : v > 0 ? pc.yellow(s) : pc.dim(s);
    });
    lines.push(`  ${name(i).padStart(side)}  ${cells.join("")}   ${total ? ((row[i]! / total) * 100).toFixed(1) : "-"} %`);
  });
  const mistakes: [number, number, number][] = [];
  rows.forEach((row, i) => row.forEach((v, j) => i !== j && v > 0 && mistakes.push([v, i, j])));
  mistakes.sort((a, b) => b[0] - a[0]);
  if (mistakes.length) lines.push("", `most common mistakes: ${mistakes.slice(0, 5).map(([v, i, j]) => `${name(i)}→${name(j)} (${v})`).join(", ")}`);
  return `${lines.join("\n")}\n`;
}
