/**
 * The network as 3Blue1Brown draws it: the 28×28 input, then a column of neurons per layer,
 * shaded by activation for the current digit; edges coloured by weight sign (blue +, red −) and
 * opacity by size. 784×16 input edges would be a grey fog, so each first-layer neuron shows its
 * strongest few. A nudge (one weight's gradient) can be highlighted: its edge, and its pixel.
 */
import type { DenseWeights } from "../protocol.js";
import type { Nudge } from "../session.js";
import { t } from "../train-strings.js";

const INPUT_EDGES_PER_NEURON = 8;

export class NetworkView {
  private readonly ctx: CanvasRenderingContext2D;
  private net: DenseWeights | null = null;
  private values: Float32Array[] | null = null;
  private highlight: Nudge | null = null;
  private pending = false;

  constructor(private readonly canvas: HTMLCanvasElement, private readonly hint: HTMLElement) {
    this.ctx = canvas.getContext("2d")!;
  }

  setNetwork(net: DenseWeights | null): void {
    this.net = net;
    this.canvas.hidden = !net;
    this.hint.hidden = !net;
    this.relabel();
    this.draw();
  }

  relabel(): void {
    this.hint.textContent = t("networkHint");
  }

  setValues(values: Float32Array[] | null): void {
    this.values = values;
    this.draw();
  }

  setHighlight(n: Nudge | null): void {
    this.highlight = n;
    this.draw();
  }

  private layout() {
    const net = this.net!;
    const { width, height } = this.canvas;
    const cell = Math.floor((height - 40) / 28);
    const inputTop = (height - cell * 28) / 2;
    const columns = net.sizes.length - 1;
    const x0 = 20 + cell * 28 + 70;
    const x1 = width - 40;
    const xs = Array.from({ length: columns }, (_, i) => (columns === 1 ? x1 : x0 + ((x1 - x0) * i) / (columns - 1)));
    const ys = net.sizes.slice(1).map((n) => Array.from({ length: n }, (_, j) => 20 + ((height - 40) * (j + 0.5)) / n));
    const radius = Math.max(2, Math.min(11, ((height - 40) / Math.max(...net.sizes.slice(1))) * 0.38));
    const pixel = (p: number) => ({ x: 20 + (p % 28) * cell + cell / 2, y: inputTop + Math.floor(p / 28) * cell + cell / 2 });
    return { cell, inputTop, xs, ys, radius, pixel };
  }

  /** Draws on the next animation frame (activations and weights can arrive many times a frame). */
  private draw(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.paint();
    });
  }

  private paint(): void {
    const net = this.net;
    const c = this.ctx;
    c.clearRect(0, 0, this.canvas.width, this.canvas.height);
    if (!net) return;
    const L = this.layout();
    const values = this.values;

    // Input pixels.
    const input = values?.[0];
    for (let p = 0; p < 784; p++) {
      const v = input ? input[p]! : 0;
      const g = Math.round(v * 255);
      c.fillStyle = `rgb(${g},${g},${g})`;
      c.fillRect(20 + (p % 28) * L.cell, L.inputTop + Math.floor(p / 28) * L.cell, L.cell - 0.5, L.cell - 0.5);
    }

    // Edges, faint first so strong ones sit on top.
    c.lineWidth = 1;
    net.weights.forEach((w, layer) => {
      const rows = net.sizes[layer + 1]!;
      const cols = net.sizes[layer]!;
      let max = 1e-12;
      for (let i = 0; i < w.length; i++) max = Math.max(max, Math.abs(w[i]!));
      for (let j = 0; j < rows; j++) {
        const to = { x: L.xs[layer]!, y: L.ys[layer]![j]! };
        const sources = layer === 0 ? strongest(w, j, cols, INPUT_EDGES_PER_NEURON) : range(cols);
        for (const i of sources) {
          const v = w[j * cols + i]! / max;
          const from = layer === 0 ? L.pixel(i) : { x: L.xs[layer - 1]!, y: L.ys[layer - 1]![i]! };
          c.strokeStyle = v > 0 ? `rgba(40,90,220,${(Math.abs(v) * 0.8).toFixed(3)})` : `rgba(220,50,40,${(Math.abs(v) * 0.8).toFixed(3)})`;
          c.beginPath();
          c.moveTo(from.x, from.y);
          c.lineTo(to.x, to.y);
          c.stroke();
        }
      }
    });

    // Neurons.
    net.sizes.slice(1).forEach((n, layer) => {
      const a = values?.[layer + 1];
      let scale = 1;
      if (a) for (let j = 0; j < n; j++) scale = Math.max(scale, a[j]!);
      for (let j = 0; j < n; j++) {
        const v = a ? Math.max(0, a[j]! / scale) : 0;
        const g = Math.round(v * 255);
        c.fillStyle = `rgb(${g},${g},${g})`;
        c.strokeStyle = "#888";
        c.beginPath();
        c.arc(L.xs[layer]!, L.ys[layer]![j]!, L.radius, 0, 2 * Math.PI);
        c.fill();
        c.stroke();
      }
    });
    const last = net.sizes.length - 2;
    c.fillStyle = "#ccc";
    c.font = "12px system-ui, sans-serif";
    c.textBaseline = "middle";
    if (net.sizes[last + 1]! <= 10) L.ys[last]!.forEach((y, d) => c.fillText(String(d), L.xs[last]! + L.radius + 5, y));

    // The highlighted nudge.
    const h = this.highlight;
    if (h && h.layer < net.weights.length) {
      const to = { x: L.xs[h.layer]!, y: L.ys[h.layer]![h.to]! };
      c.strokeStyle = "#ffd400";
      c.lineWidth = 3;
      if (h.from >= 0) {
        const from = h.layer === 0 ? L.pixel(h.from) : { x: L.xs[h.layer - 1]!, y: L.ys[h.layer - 1]![h.from]! };
        c.beginPath();
        c.moveTo(from.x, from.y);
        c.lineTo(to.x, to.y);
        c.stroke();
        if (h.layer === 0) c.strokeRect(from.x - L.cell / 2 - 1, from.y - L.cell / 2 - 1, L.cell + 2, L.cell + 2);
      }
      c.beginPath();
      c.arc(to.x, to.y, L.radius + 3, 0, 2 * Math.PI);
      c.stroke();
    }
  }
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** Columns of row j with the largest |w|. */
function strongest(w: Float32Array, j: number, cols: number, k: number): number[] {
  const idx = range(cols);
  idx.sort((a, b) => Math.abs(w[j * cols + b]!) - Math.abs(w[j * cols + a]!));
  return idx.slice(0, k);
}

/** Where a nudge's weight sits, in words: "pixel (row 12, col 14) → hidden 1 neuron 3". */
export function describeNudge(n: Nudge, sizes: number[] | null): string {
  const layerName = (l: number) => (sizes && l === sizes.length - 2 ? t("layerOutput") : t("layerHidden", { n: l + 1 }));
  const into = t("nudgeNeuron", { layer: layerName(n.layer), n: n.to });
  if (n.from < 0) return t("nudgeBias", { into });
  const from = n.layer === 0 && sizes?.[0] === 784
    ? t("nudgePixel", { row: Math.floor(n.from / 28), col: n.from % 28 })
    : t("nudgeNeuron", { layer: t("layerHidden", { n: n.layer }), n: n.from });
  return t("nudgeEdge", { from, into });
}
