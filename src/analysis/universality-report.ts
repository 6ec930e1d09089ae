/** The universality experiment's figure: the bump construction, the trained fits, and the errors against network size. */
import { figureSvg, type Panel } from "../plot/svg.js";
import { bumpNetwork, grid, logit, networkOutput, weightedOutput } from "./universality.js";
import type { WidthFit } from "./universality-fit.js";

export interface UniversalityResult {
  bumps: { bumps: number; neurons: number; deviation: number; outputDeviation: number }[];
  fits: WidthFit[];
  /** The x values of every fit's `curve`. */
  curveX: number[];
}

export function universalityFigure(f: (x: number) => number, r: UniversalityResult, opts: { show?: number[]; w?: number } = {}): string {
  const x = grid(400);
  const show = opts.show ?? r.bumps.map((b) => b.bumps).filter((n) => n === 5 || n === 20);
  const nets = show.map((n) => ({ n, net: bumpNetwork(f, n, { ...(opts.w ? { w: opts.w } : {}) }) }));
  const panels: Panel[] = [
    {
      title: "hidden layer's weighted output against σ⁻¹∘f (the book's challenge)", xLabel: "x", yLabel: "weighted output",
      series: [{ name: "σ⁻¹∘f", x, y: x.map((v) => logit(f(v))) }, ...nets.map(({ n, net }) => ({ name: `${n} bumps`, x, y: x.map((v) => weightedOutput(net, v)) }))],
    },
    {
      title: "network output against f", xLabel: "x", yLabel: "output",
      series: [
        { name: "f", x, y: x.map(f) },
        ...nets.map(({ n, net }) => ({ name: `${n} bumps`, x, y: x.map((v) => networkOutput(net, v)), dashed: true })),
        ...r.fits.map((fit) => ({ name: `trained, ${fit.width} hidden`, x: r.curveX, y: fit.curve })),
      ],
    },
    {
      title: "average deviation |output − f| against hidden neurons", xLabel: "hidden neurons", yLabel: "average deviation", logY: true,
      series: [
        { name: "bumps (by hand)", x: r.bumps.map((b) => b.neurons), y: r.bumps.map((b) => b.outputDeviation) },
        { name: "trained", x: r.fits.map((fit) => fit.width), y: r.fits.map((fit) => fit.deviation) },
      ],
    },
  ];
  return figureSvg(panels, { title: "Universality (Nielsen ch. 4): f(x) = 0.2 + 0.4x² + 0.3x·sin(15x) + 0.05·cos(50x)", panelHeight: 280, width: 760 });
}
