/**
 * The network pictures of the backprop view, as SVG: the 2-3-2 network with every neuron's and
 * edge's value, and the 784-16-16-10 network with its input as a 28×28 image and its 16/16/10
 * neurons as shaded cells. The numbers the current step combines are highlighted (class "hl"),
 * the rest dimmed.
 */
import type { DenseLayer } from "../../../../src/analysis/backprop.js";
import type { Worked } from "./engine.js";
import type { Step } from "./steps.js";

const NS = "http://www.w3.org/2000/svg";

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** What each neuron shows at a step, and which neurons and weight layers the step reads or writes. */
interface Scene {
  /** Per layer index 0…L (0 = input): the value shown in each neuron, or null. */
  value(l: number, j: number): number | null;
  /** The symbol written under a neuron's value ("a", "δ", "∂C/∂b"…), per layer index. */
  symbol(l: number): string;
  /** Neuron layers (0…L) the step highlights. */
  layers: Set<number>;
  /** Weight layers (1…L: the weights into layer l) the step highlights. */
  weights: Set<number>;
  /** Show ∂C/∂w on the edges instead of w. */
  gradients: boolean;
}

export function sceneOf(w: Worked, step: Step, L: number): Scene {
  const a = (l: number, j: number) => w.a[l]![j]!;
  const d = (l: number, j: number) => w.delta[l - 1]![j]!;
  switch (step.kind) {
    case "forward":
      return { value: (l, j) => (l <= step.layer ? a(l, j) : null), symbol: (l) => (l === 0 ? "x" : "a"), layers: new Set([step.layer - 1, step.layer]), weights: new Set([step.layer]), gradients: false };
    case "cost":
      return { value: (l, j) => a(l, j), symbol: (l) => (l === 0 ? "x" : "a"), layers: new Set([L]), weights: new Set(), gradients: false };
    case "bp1":
      return { value: (l, j) => (l === L ? d(l, j) : l === 0 ? a(l, j) : null), symbol: (l) => (l === 0 ? "x" : "δ"), layers: new Set([L]), weights: new Set(), gradients: false };
    case "bp2":
      return { value: (l, j) => (l >= step.layer ? d(l, j) : l === 0 ? a(l, j) : null), symbol: (l) => (l === 0 ? "x" : "δ"), layers: new Set([step.layer, step.layer + 1]), weights: new Set([step.layer + 1]), gradients: false };
    case "bp3":
      return { value: (l, j) => (l === 0 ? a(l, j) : w.gradB[l - 1]![j]!), symbol: (l) => (l === 0 ? "x" : "∂C/∂b"), layers: new Set(Array.from({ length: L }, (_, i) => i + 1)), weights: new Set(), gradients: false };
    case "bp4":
      return { value: (l, j) => (l === 0 ? a(l, j) : d(l, j)), symbol: (l) => (l === 0 ? "a" : "δ"), layers: new Set(Array.from({ length: L + 1 }, (_, i) => i)), weights: new Set(Array.from({ length: L }, (_, i) => i + 1)), gradients: true };
  }
}

/** Blue for positive, red for negative, the strength |v| / scale. */
function diverging(v: number, scale: number): string {
  const s = scale > 0 ? Math.min(1, Math.abs(v) / scale) : 0;
  return v >= 0 ? `rgba(79, 140, 255, ${0.15 + 0.85 * s})` : `rgba(255, 99, 88, ${0.15 + 0.85 * s})`;
}

/** The 2-3-2 network: every neuron with its value, every edge with its weight (or ∂C/∂w at BP4). */
export function tinyPicture(net: readonly DenseLayer[], w: Worked, step: Step, fmt: (v: number) => string, label: string): SVGSVGElement {
  const L = net.length;
  const sizes = [net[0]!.inFeatures, ...net.map((l) => l.outFeatures)];
  const W = 600;
  const H = 330;
  const xs = sizes.map((_, l) => 70 + (l * (W - 170)) / L);
  const ys = sizes.map((n) => Array.from({ length: n }, (_, j) => 40 + ((j + 0.5) * (H - 60)) / n));
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "bp-net", role: "img", "aria-label": label });
  const scene = sceneOf(w, step, L);
  const edges = svg("g", {});
  const labels = svg("g", {});
  for (let l = 1; l <= L; l++) {
    const layer = net[l - 1]!;
    const values = scene.gradients ? w.gradW[l - 1]! : layer.w;
    let scale = 0;
    for (const v of values) scale = Math.max(scale, Math.abs(v));
    const hl = scene.weights.has(l);
    for (let j = 0; j < layer.outFeatures; j++) {
      for (let k = 0; k < layer.inFeatures; k++) {
        const v = values[j * layer.inFeatures + k]!;
        const [x1, y1, x2, y2] = [xs[l - 1]!, ys[l - 1]![k]!, xs[l]!, ys[l]![j]!];
        edges.append(svg("line", { x1, y1, x2, y2, stroke: diverging(v, scale), "stroke-width": 1 + 3 * (scale ? Math.abs(v) / scale : 0), class: hl ? "hl" : "dim", "data-edge": `${l}.${j}.${k}` }));
        const t = 0.3;
        const lx = x1 + t * (x2 - x1);
        const ly = y1 + t * (y2 - y1);
        const text = fmt(v);
        const g = svg("g", { class: hl ? "bp-edge-label hl" : "bp-edge-label dim" });
        g.append(svg("rect", { x: lx - 25, y: ly - 8, width: 50, height: 15, rx: 3 }), svg("text", { x: lx, y: ly + 3.5, "text-anchor": "middle" }, text));
        labels.append(g);
      }
    }
  }
  root.append(edges, labels);
  for (let l = 0; l <= L; l++) {
    const hl = scene.layers.has(l);
    for (let j = 0; j < sizes[l]!; j++) {
      const v = scene.value(l, j);
      const g = svg("g", { class: hl ? "bp-neuron hl" : "bp-neuron dim", "data-neuron": `${l}.${j}` });
      g.append(svg("circle", { cx: xs[l]!, cy: ys[l]![j]!, r: 31 }));
      g.append(svg("text", { x: xs[l]!, y: ys[l]![j]! + 1, "text-anchor": "middle", class: "bp-value" }, v === null ? "?" : fmt(v)));
      g.append(svg("text", { x: xs[l]!, y: ys[l]![j]! + 14, "text-anchor": "middle", class: "bp-symbol" }, `${scene.symbol(l)}${sub(l)}${subJ(j)}`));
      root.append(g);
    }
  }
  // The target beside each output neuron, once the cost is reached.
  if (step.kind !== "forward") {
    for (let j = 0; j < sizes[L]!; j++) {
      root.append(svg("text", { x: xs[L]! + 36, y: ys[L]![j]! + 4, class: `bp-target${step.kind === "cost" || step.kind === "bp1" ? " hl" : ""}` }, `y${subJ(j)} = ${fmt(w.y[j]!)}`));
    }
  }
  return root;
}

const SUP = "⁰¹²³⁴⁵⁶⁷⁸⁹";
const SUB = "₀₁₂₃₄₅₆₇₈₉";
const sub = (l: number) => (l === 0 ? "" : String(l).split("").map((d) => SUP[Number(d)]).join(""));
const subJ = (j: number) => String(j + 1).split("").map((d) => SUB[Number(d)]).join("");

/** The 784-16-16-10 network: the input as an image, each later layer as a column of shaded cells with values. */
export function digitsPicture(net: readonly DenseLayer[], w: Worked, step: Step, fmt: (v: number) => string, label: string): SVGSVGElement {
  const L = net.length;
  const sizes = net.map((l) => l.outFeatures);
  const cell = 16;
  const gap = 4;
  const tallest = Math.max(...sizes);
  const H = 40 + tallest * (cell + gap);
  const W = 680;
  const img = 140;
  const colX = sizes.map((_, i) => 230 + (i * (W - 320)) / Math.max(1, L - 1));
  const top = (n: number) => 30 + ((tallest - n) * (cell + gap)) / 2;
  const cy = (l: number, j: number) => top(sizes[l]!) + j * (cell + gap) + cell / 2;
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "bp-net", role: "img", "aria-label": label });
  const scene = sceneOf(w, step, L);

  // Input image.
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 28;
  const ctx = canvas.getContext("2d")!;
  const data = ctx.createImageData(28, 28);
  const x = w.a[0]!;
  for (let p = 0; p < 784; p++) {
    const v = Math.round(Math.max(0, Math.min(1, x[p]!)) * 255);
    data.data[4 * p] = data.data[4 * p + 1] = data.data[4 * p + 2] = v;
    data.data[4 * p + 3] = 255;
  }
  ctx.putImageData(data, 0, 0);
  const imgY = (H - img) / 2;
  const inputHl = scene.layers.has(0);
  root.append(svg("image", { href: canvas.toDataURL(), x: 10, y: imgY, width: img, height: img, class: inputHl ? "hl" : "dim", style: "image-rendering: pixelated" }));
  root.append(svg("rect", { x: 10, y: imgY, width: img, height: img, class: `bp-frame ${inputHl ? "hl" : "dim"}` }));
  root.append(svg("text", { x: 10 + img / 2, y: imgY + img + 16, "text-anchor": "middle", class: "bp-col" }, "x · 28×28"));

  // Edges: weights (or ∂C/∂w at BP4), the first layer's drawn from the image's edge.
  const edges = svg("g", {});
  net.forEach((layer, l) => {
    const values = scene.gradients ? w.gradW[l]! : layer.w;
    const hl = scene.weights.has(l + 1);
    if (l === 0) {
      for (let j = 0; j < layer.outFeatures; j++) {
        edges.append(svg("line", { x1: 10 + img, y1: imgY + img / 2, x2: colX[0]! - cell / 2, y2: cy(0, j), class: `bp-fan ${hl ? "hl" : "dim"}` }));
      }
      return;
    }
    let scale = 0;
    for (const v of values) scale = Math.max(scale, Math.abs(v));
    for (let j = 0; j < layer.outFeatures; j++) {
      for (let k = 0; k < layer.inFeatures; k++) {
        const v = values[j * layer.inFeatures + k]!;
        if (scale && Math.abs(v) < 0.15 * scale) continue; // only the stronger links: 256 faint lines are noise
        edges.append(svg("line", { x1: colX[l - 1]! + cell / 2 + 62, y1: cy(l - 1, k), x2: colX[l]! - cell / 2, y2: cy(l, j), stroke: diverging(v, scale), "stroke-width": 0.5 + 1.5 * (Math.abs(v) / scale), class: hl ? "hl" : "dim" }));
      }
    }
  });
  root.append(edges);

  for (let l = 0; l < L; l++) {
    const hl = scene.layers.has(l + 1);
    let scale = 0;
    for (let j = 0; j < sizes[l]!; j++) scale = Math.max(scale, Math.abs(scene.value(l + 1, j) ?? 0));
    const isA = scene.symbol(l + 1) === "a";
    root.append(svg("text", { x: colX[l]!, y: top(sizes[l]!) - 10, "text-anchor": "middle", class: "bp-col" }, `${scene.symbol(l + 1)}${sub(l + 1)} · ${sizes[l]}`));
    for (let j = 0; j < sizes[l]!; j++) {
      const v = scene.value(l + 1, j);
      const y = cy(l, j);
      const fill = v === null ? "#2a2e36" : isA ? `rgb(${Math.round(40 + 215 * Math.max(0, Math.min(1, v)))}, ${Math.round(40 + 215 * Math.max(0, Math.min(1, v)))}, ${Math.round(40 + 215 * Math.max(0, Math.min(1, v)))})` : diverging(v, scale);
      const g = svg("g", { class: hl ? "bp-cell hl" : "bp-cell dim", "data-neuron": `${l + 1}.${j}` });
      g.append(svg("rect", { x: colX[l]! - cell / 2, y: y - cell / 2, width: cell, height: cell, rx: 3, fill }));
      g.append(svg("text", { x: colX[l]! + cell / 2 + 4, y: y + 3.5, class: "bp-cell-value" }, v === null ? "?" : fmt(v)));
      if (l === L - 1) g.append(svg("text", { x: colX[l]! - cell / 2 - 4, y: y + 3.5, "text-anchor": "end", class: "bp-col" }, String(j)));
      root.append(g);
    }
  }
  return root;
}

/** ∂C/∂w (or w) of a layer as a heat map: one row per neuron j, or for 784 inputs one 28×28 tile per neuron. */
export function heatmap(values: Float64Array, rows: number, cols: number, label: string): HTMLCanvasElement {
  const tiles = cols === 784;
  const canvas = document.createElement("canvas");
  canvas.className = tiles ? "bp-heat bp-heat-tiles" : "bp-heat";
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", label);
  const perRow = 8;
  const tw = 28 + 2;
  canvas.width = tiles ? perRow * tw : cols;
  canvas.height = tiles ? Math.ceil(rows / perRow) * tw : rows;
  const ctx = canvas.getContext("2d")!;
  ctx.fillStyle = "#14161a";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  let scale = 0;
  for (const v of values) scale = Math.max(scale, Math.abs(v));
  const img = ctx.createImageData(canvas.width, canvas.height);
  img.data.fill(0);
  for (let i = 3; i < img.data.length; i += 4) img.data[i] = 0;
  for (let j = 0; j < rows; j++) {
    for (let k = 0; k < cols; k++) {
      const v = scale ? values[j * cols + k]! / scale : 0;
      const px = tiles ? (j % perRow) * tw + (k % 28) : k;
      const py = tiles ? Math.floor(j / perRow) * tw + Math.floor(k / 28) : j;
      const o = 4 * (py * canvas.width + px);
      const s = Math.min(1, Math.abs(v));
      img.data[o] = v < 0 ? 255 * s : 20;
      img.data[o + 1] = 20 + 80 * s;
      img.data[o + 2] = v > 0 ? 255 * s : 20;
      img.data[o + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
  return canvas;
}
