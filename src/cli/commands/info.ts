import { Command } from "commander";
import { stat } from "node:fs/promises";
import pc from "picocolors";
import { loadModel } from "../../node/model-files.js";
import { describeNetwork, flatLayers } from "../describe.js";

export function infoCommand(): Command {
  return new Command("info")
    .description("architecture, parameter count and training metadata of a saved model")
    .argument("<model>", "a model file saved by descent train (.safetensors)")
    .option("--json", "print JSON")
    .action(async (path: string, opts: { json?: boolean }) => {
      const { model, meta, architecture } = await loadModel(path);
      const size = (await stat(path)).size;
      const params = model.namedParameters().map(([name, p]) => ({ name, shape: [...p.shape], size: p.size }));
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ file: path, bytes: size, architecture, parameters: model.numParameters(), tensors: params, training: meta.training })}\n`);
        return;
      }
      const out: string[] = [];
      out.push(`${pc.bold(path)} · ${(size / 1024).toFixed(1)} KiB`);
      out.push(`network     ${describeNetwork(architecture)}`);
      out.push(`parameters  ${model.numParameters().toLocaleString("en-US")}`);
      out.push("", "layers");
      flatLayers(architecture).forEach((l, i) => {
        const opts = Object.entries(l).filter(([k]) => k !== "type").map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(" ");
        out.push(`  ${String(i).padStart(2)}  ${l.type.padEnd(10)} ${opts}`);
      });
      out.push("", "tensors");
      for (const p of params) out.push(`  ${p.name.padEnd(20)} [${p.shape.join(", ")}]  ${p.size.toLocaleString("en-US")}`);
      const t = meta.training;
      if (t && Object.keys(t).length > 0) {
        out.push("", "training");
        const text = (v: unknown) =>
          v === null || v === undefined ? "—" : typeof v === "number" && !Number.isInteger(v) ? String(Number(v.toPrecision(4))) : typeof v === "object" ? JSON.stringify(v) : String(v);
        const show = (k: string, v: unknown) => out.push(`  ${k.padEnd(20)} ${text(v)}`);
        for (const [k, v] of Object.entries(t)) if (k !== "config") show(k, k.endsWith("Accuracy") && typeof v === "number" ? `${(v * 100).toFixed(2)} %` : v);
        if (t.config && typeof t.config === "object") {
          out.push("", "configuration");
          for (const [k, v] of Object.entries(t.config as Record<string, unknown>)) show(k, v);
        }
      }
      process.stdout.write(`${out.join("\n")}\n`);
    });
}
