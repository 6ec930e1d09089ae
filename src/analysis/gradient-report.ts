/** Summaries and plots of speed-of-learning runs (analysis/gradient-experiment.ts). */
import { figureSvg, type Panel } from "../plot/svg.js";
import { firstLastRatio, type SpeedRun, type VariantName } from "./gradient-experiment.js";

export interface SpeedSummary {
  variant: VariantName;
  seeds: number;
  /** Mean ‖∂C/∂b‖ per layer at initialisation (output layer last). */
  initBias: number[];
  /** Mean over seeds of the first/last hidden layer ratio at initialisation. */
  initRatio?: number;
  /** Mean test accuracy after training. */
  testAccuracy?: number;
  validationAccuracy?: number;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Per variant: means over its seeds. */
export function speedsSummary(runs: readonly SpeedRun[]): SpeedSummary[] {
  const byVariant = new Map<VariantName, SpeedRun[]>();
  for (const r of runs) byVariant.set(r.variant, [...(byVariant.get(r.variant) ?? []), r]);
  return [...byVariant].map(([variant, rs]) => {
    const inits = rs.map((r) => r.speeds[0]!);
    const ratios = inits.map(firstLastRatio).filter((x): x is number => x !== undefined);
    const accs = rs.map((r) => r.testAccuracy).filter((x): x is number => x !== undefined);
    const vals = rs.map((r) => r.validationAccuracy).filter((x): x is number => x !== undefined);
    return {
      variant, seeds: rs.length,
      initBias: inits[0]!.bias.map((_, j) => mean(inits.map((s) => s.bias[j]!))),
      ...(ratios.length ? { initRatio: mean(ratios) } : {}),
      ...(accs.length ? { testAccuracy: mean(accs) } : {}),
      ...(vals.length ? { validationAccuracy: mean(vals) } : {}),
    };
  });
}

/**
 * One panel per variant (its first seed): ‖∂C/∂bˡ‖ (or ‖∂C/∂Wˡ‖) of every layer against epochs, log
 * scale, as the book draws it. Under batch norm a layer's bias has no effect (the mean is
 * subtracted), so its gradient is zero up to rounding: compare batch norm by the weights.
 */
export function speedsFigure(runs: readonly SpeedRun[], opts: { title?: string; of?: "bias" | "weight" } = {}): string {
  const of = opts.of ?? "bias";
  const seen = new Set<VariantName>();
  const panels: Panel[] = [];
  for (const r of runs) {
    if (seen.has(r.variant)) continue;
    seen.add(r.variant);
    const x = r.speeds.map((s) => s.epoch);
    const n = r.layers.length;
    panels.push({
      title: `${r.variant} (seed ${r.seed})`, xLabel: "epochs of training", yLabel: of === "bias" ? "‖∂C/∂b‖" : "‖∂C/∂W‖", logY: true,
      series: r.layers.map((_, j) => ({ name: j === n - 1 ? "output layer" : `hidden layer ${j + 1}`, x, y: r.speeds.map((s) => s[of][j]!), ...(j === n - 1 ? { dashed: true } : {}) })),
    });
  }
  return figureSvg(panels, { ...(opts.title ? { title: opts.title } : {}), panelHeight: 260 });
}
