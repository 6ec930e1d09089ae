/**
 * `descent explain backprop`: for one image, every quantity of backpropagation — zˡ, aˡ, δˡ,
 * ∂C/∂bˡ, ∂C/∂wˡ — computed with the four equations written out by hand (analysis/backprop.ts),
 * and how far they are from autograd and from finite differences.
 */
import { Command } from "commander";
import pc from "picocolors";
import { readImage } from "../../node/png.js";
import { mnistLike } from "../../data/preprocess.js";
import { choice, integerIn } from "../parse.js";
import { range } from "../../experiment/settings.js";
import { COSTS, type CostName } from "../../train/config.js";
import { backpropByHand, type DenseLayer, type HandBackprop, type HandCost } from "../../analysis/backprop.js";
import { checkBackprop, denseLayersOf } from "../../analysis/backprop-check.js";
import { loadAnalysisModel } from "../analysis-model.js";
import { printablePath, terminalJson, terminalSafe } from "../../text.js";
import { Rng } from "../../rng.js";

export function explainCommand(): Command {
  const cmd = new Command("explain").description("show how a network computes, step by step (Nielsen ch. 2: backpropagation by hand)");
  cmd.addCommand(new Command("backprop")
    .description("for one image: zˡ, aˡ, every δˡ, ∂C/∂bˡ and ∂C/∂wˡ from the four equations of backpropagation written out by hand, checked against autograd and finite differences")
    .argument("<model>", "a fully connected model saved by descent train (.safetensors)")
    .argument("<image>", "a PNG image of a digit (any size or colour; centred and scaled like MNIST)")
    .option("--label <digit>", "the true digit y (default: the network's own prediction)", integerIn("--label", range("[", 0, 9, "]")))
    .option("--cost <name>", `${COSTS.join(", ")} (default: the cost the model was trained with)`, choice("--cost", COSTS))
    .option("--invert <mode>", "auto, yes or no: make the digit light on dark like MNIST", choice("--invert", ["auto", "yes", "no"] as const), "auto")
    .option("--fd-entries <n>", "weights per layer checked by finite differences (all if the layer has fewer; a seeded sample and the largest otherwise)", integerIn("--fd-entries", range("[", 1, 1_000_000, "]")), 50)
    .option("--json", "print every number as one JSON object")
    .addHelpText("after", `\nThe four equations (Nielsen, "Neural Networks and Deep Learning", ch. 2):
  BP1  δᴸ = ∇ₐC ⊙ σ'(zᴸ)             BP3  ∂C/∂bˡⱼ = δˡⱼ
  BP2  δˡ = ((wˡ⁺¹)ᵀ δˡ⁺¹) ⊙ σ'(zˡ)   BP4  ∂C/∂wˡⱼₖ = aˡ⁻¹ₖ δˡⱼ
\nExample:\n  descent train --preset nielsen-ch1 --epochs 1 --out net.safetensors\n  descent explain backprop net.safetensors digit.png --label 7\n`)
    .action(async (modelPath: string, imagePath: string, opts: Record<string, unknown>) => {
      process.exitCode = await runBackprop(modelPath, imagePath, opts);
    }));
  return cmd;
}

/** ‖v‖, the range, and the k entries largest in magnitude (index, value). */
function summarize(v: Float64Array, k = 3) {
  let norm = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const x of v) {
    norm += x * x;
    min = Math.min(min, x);
    max = Math.max(max, x);
  }
  const largest = Array.from(v, (x, i) => [i, x] as [number, number]).sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]) || a[0] - b[0]).slice(0, k);
  return { norm: Math.sqrt(norm), min, max, largest };
}

const num = (x: number) => (x === 0 ? "0" : Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? x.toPrecision(4) : x.toExponential(2));

function vectorLine(name: string, v: Float64Array): string {
  if (v.length <= 10) return `  ${name.padEnd(9)} [${Array.from(v, num).join(", ")}]`;
  const s = summarize(v);
  return `  ${name.padEnd(9)} ‖·‖ ${num(s.norm)}, min ${num(s.min)}, max ${num(s.max)}; largest |·|: ${s.largest.map(([i, x]) => `[${i}] ${num(x)}`).join(", ")}`;
}

function matrixLine(name: string, m: Float64Array, layer: DenseLayer): string {
  const s = summarize(m);
  return `  ${name.padEnd(9)} ${layer.outFeatures}×${layer.inFeatures}: ‖·‖ ${num(s.norm)}; largest |·|: ${s.largest.map(([i, x]) => `[${Math.floor(i / layer.inFeatures)}, ${i % layer.inFeatures}] ${num(x)}`).join(", ")}`;
}

async function runBackprop(modelPath: string, imagePath: string, opts: Record<string, unknown>): Promise<number> {
  const am = await loadAnalysisModel(modelPath, opts.cost as CostName | undefined, "explain backprop");
  const net = denseLayersOf(am.model, printablePath(modelPath));
  const prepared = mnistLike(await readImage(imagePath), { invert: opts.invert === "auto" ? "auto" : opts.invert === "yes" });
  const x = prepared.pixels;
  const cost = am.cost as HandCost;
  // The prediction, from the hand forward pass (a throwaway label: only the output matters here).
  const first = backpropByHand(net, x, 0, cost);
  const out = first.a[first.a.length - 1]!;
  const prediction = out.indexOf(Math.max(...out));
  const given = opts.label as number | undefined;
  const label = given ?? prediction;
  const hand = label === 0 ? first : backpropByHand(net, x, label, cost);

  // Checks: autograd (descent's ops and cost, float64) and central finite differences.
  const check = checkBackprop(net, x, label, cost, hand, { fdEntries: opts.fdEntries as number, rng: new Rng(0).fork("explain-backprop") });
  const fd = check.finiteDifferences.map(({ h: _h, ...rest }) => rest);
  const autoDiff = check.autograd;
  const auto = { cost: check.autogradCost };

  if (opts.json) {
    process.stdout.write(`${terminalJson({
      model: modelPath, image: imagePath, cost, label, labelGiven: given !== undefined, prediction, inverted: prepared.inverted, warnings: prepared.warnings,
      C: hand.cost, outputError: hand.outputError, input: Array.from(hand.a[0]!),
      layers: net.map((layer, l) => ({
        layer: l + 1, inFeatures: layer.inFeatures, outFeatures: layer.outFeatures, activation: layer.activation,
        z: Array.from(hand.z[l]!), a: Array.from(hand.a[l + 1]!), delta: Array.from(hand.delta[l]!),
        gradB: Array.from(hand.gradB[l]!), gradW: Array.from(hand.gradW[l]!),
      })),
      checks: { autograd: { C: auto.cost, layers: autoDiff }, finiteDifferences: { h: 1e-6, layers: fd } },
    })}\n`);
    return 0;
  }
  for (const w of prepared.warnings) process.stderr.write(pc.yellow(`${printablePath(imagePath)}: ${terminalSafe(w)}\n`));
  const say = (s: string) => process.stdout.write(`${s}\n`);
  say(`${printablePath(modelPath)} · [${[net[0]!.inFeatures, ...net.map((l) => l.outFeatures)].join(", ")}] · ${cost} cost · ${printablePath(imagePath)}`);
  say(`label y = ${label}${given === undefined ? " (the network's prediction; give the true digit with --label)" : ""} · prediction ${prediction} · C = ${num(hand.cost)}`);
  printLayers(net, hand, say);
  say(pc.bold("checks") + " (max |hand − other| / largest |other|, worst layer):");
  const worst = (rows: { bias: number; weight: number }[]) => `∂C/∂b ${Math.max(...rows.map((r) => r.bias)).toExponential(1)}, ∂C/∂w ${Math.max(...rows.map((r) => r.weight)).toExponential(1)}`;
  say(`  autograd (descent's ops and cost, float64): ${worst(autoDiff)}; C ${Math.abs(auto.cost - hand.cost).toExponential(1)} apart`);
  say(`  finite differences (central, h = 1e-6, ${fd.reduce((s, r) => s + r.biasEntries + r.weightEntries, 0)} entries): ${worst(fd)}`);
  return 0;
}

function printLayers(net: DenseLayer[], hand: HandBackprop, say: (s: string) => void): void {
  const L = net.length;
  // Forward first (z, a), then the errors from the output back (δ, gradients), as the book orders them.
  say(pc.bold("forward") + "  zˡ = wˡaˡ⁻¹ + bˡ,  aˡ = σ(zˡ)");
  net.forEach((layer, l) => {
    say(` layer ${l + 1} (${layer.inFeatures} → ${layer.outFeatures}, ${layer.activation})`);
    say(vectorLine(`z${sup(l + 1)}`, hand.z[l]!));
    say(vectorLine(`a${sup(l + 1)}`, hand.a[l + 1]!));
  });
  say(pc.bold("backward") + `  BP1 ${hand.outputError}  ·  BP2 δˡ = ((wˡ⁺¹)ᵀδˡ⁺¹) ⊙ σ'(zˡ)  ·  BP3 ∂C/∂bˡ = δˡ  ·  BP4 ∂C/∂wˡⱼₖ = aˡ⁻¹ₖ δˡⱼ`);
  for (let l = L - 1; l >= 0; l--) {
    const layer = net[l]!;
    say(` layer ${l + 1}${l === L - 1 ? " (output, BP1)" : " (BP2)"}`);
    say(vectorLine(`δ${sup(l + 1)}`, hand.delta[l]!));
    say(vectorLine(`∂C/∂b${sup(l + 1)}`, hand.gradB[l]!));
    say(matrixLine(`∂C/∂w${sup(l + 1)}`, hand.gradW[l]!, layer));
  }
}

const SUP = "⁰¹²³⁴⁵⁶⁷⁸⁹";
const sup = (n: number) => String(n).split("").map((d) => SUP[Number(d)]).join("");
