import { Command } from "commander";
import { noted } from "../notes.js";
import { stat } from "node:fs/promises";
import pc from "picocolors";
import { loadModel } from "../../node/model-files.js";
import { describeNetwork, flatLayers } from "../describe.js";
import { countNonFinite, describeNonFinite } from "../../io/model-health.js";
import { printable, printablePath, terminalJson } from "../../text.js";
import { describeTable, tablePrepOf } from "../table-model.js";

/** Longest value shown in text mode; --json has them whole. */
const MAX_VALUE = 200;
const MAX_KEY = 40;

export function infoCommand(): Command {
  return new Command("info")
    .description("architecture, parameter count and training metadata of a saved model")
    .argument("<model>", "a model file saved by descent train (.safetensors)")
    .option("--json", "print JSON")
    .action(async (path: string, opts: { json?: boolean }) => {
      const { model, meta, architecture } = noted(await loadModel(path));
      const size = (await stat(path)).size;
      const params = model.namedParameters().map(([name, p]) => ({ name, shape: [...p.shape], size: p.size }));
      // Shown, not refused: info is how one looks at a broken model.
      const nonFinite = countNonFinite(model.stateDict());
      if (opts.json) {
        const json = { file: path, bytes: size, architecture, parameters: model.numParameters(), tensors: params, training: meta.training, nonFinite };
        process.stdout.write(`${terminalJson(json)}\n`);
        return;
      }
      // Everything below that came from the file (or argv) is shown through printable().
      const value = (s: string) => printable(s, MAX_VALUE, "; see --json");
      // One column for every name: a bidirectional LSTM's "layers.0.weight_hh_l1_reverse" is longer than the usual 20.
      const width = Math.max(20, ...params.map((p) => Math.min(printable(p.name, MAX_KEY).length, MAX_KEY)));
      const key = (s: string) => printable(s, MAX_KEY).padEnd(width);
      const out: string[] = [];
      out.push(`${pc.bold(printablePath(path))} · ${(size / 1024).toFixed(1)} KiB`);
      out.push(`network     ${value(describeNetwork(architecture))}`);
      out.push(`parameters  ${model.numParameters().toLocaleString("en-US")}`);
      out.push("", "layers");
      flatLayers(architecture).forEach((l, i) => {
        const opts = Object.entries(l).filter(([k]) => k !== "type").map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(" ");
        out.push(`  ${String(i).padStart(2)}  ${printable(l.type, MAX_KEY).padEnd(10)} ${value(opts)}`);
      });
      out.push("", "tensors");
      for (const p of params) out.push(`  ${key(p.name)} [${p.shape.join(", ")}]  ${p.size.toLocaleString("en-US")}`);
      const t = meta.training;
      if (t && Object.keys(t).length > 0) {
        out.push("", "training");
        const text = (v: unknown) =>
          v === null || v === undefined ? "—" : typeof v === "number" && !Number.isInteger(v) ? String(Number(v.toPrecision(4))) : typeof v === "object" ? JSON.stringify(v) : String(v);
        const show = (k: string, v: unknown) => out.push(`  ${key(k)} ${value(text(v))}`);
        for (const [k, v] of Object.entries(t)) if (k !== "config" && k !== "table") show(k, k.endsWith("Accuracy") && typeof v === "number" ? `${(v * 100).toFixed(2)} %` : v);
        const prep = tablePrepOf(path, t);
        if (prep) out.push(...describeTable(prep));
        if (t.config && typeof t.config === "object") {
          out.push("", "configuration");
          const config = t.config as Record<string, unknown>;
          // With an --arch line, the layer list, activations and dropout are the architecture's, not these fields.
          const replaced = typeof config.arch === "string" ? new Set(["layers", "activation", "output", "dropout"]) : new Set<string>();
          for (const [k, v] of Object.entries(config)) if (!replaced.has(k)) show(k, v);
        }
      }
      process.stdout.write(`${out.join("\n")}\n`);
      if (nonFinite.length > 0) process.stderr.write(pc.yellow(`descent: warning: ${describeNonFinite(printablePath(path), nonFinite)}\n`));
    });
}
