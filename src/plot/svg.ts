/**
 * Line and scatter plots as SVG text: no DOM, no fonts, no dependencies, so the same function
 * draws a figure in Node, in a worker or in a test. A figure is panels stacked vertically, each
 * with its own axes (training curves put the cost above the accuracy).
 *
 * The data stays readable from the picture: every plot area carries its domain and pixel box
 * (`data-x-domain`, `data-y-domain`, `data-box`, `data-log-y`), so a reader (or a test) maps a
 * path's coordinates back to the numbers they draw.
 */

import { contourSegments, type Grid } from "./contour.js";

export interface Series {
  name: string;
  x: readonly number[];
  y: readonly number[];
  /** Points only (a scatter), no line. */
  points?: boolean;
  dashed?: boolean;
}

export interface Panel {
  series: Series[];
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** A logarithmic y axis (values ≤ 0 are left out: a gap in the line). */
  logY?: boolean;
  /** Fixed y limits instead of the data's own. */
  yDomain?: [number, number];
  /**
   * Contour lines of a sampled surface, drawn under the series (see plot/contour.ts); the panel's
   * domain is then the grid's, and series that leave it (a diverging trajectory) are clipped.
   */
  contours?: { grid: Grid; levels: readonly number[] };
}

export interface FigureOptions {
  width?: number;
  /** Height of each panel (default 300). */
  panelHeight?: number;
  title?: string;
}

/** Ten distinguishable colours (Tableau 10). */
export const PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];

const MARGIN = { left: 64, right: 150, top: 28, bottom: 42 };

/** The pixel box of a panel's plot area: left, right, top, bottom. */
export type Box = [number, number, number, number];

/** Numbers in SVG attributes: two decimals are a hundredth of a pixel. */
const px = (v: number) => String(Math.round(v * 100) / 100);

/** Text escaped for XML (series names may come from files). */
export function xmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** "Nice" tick values covering [lo, hi] (1, 2 or 5 times a power of ten apart; Heckbert 1990). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(12)));
  return out;
}

/** 0.001 → "0.001", 12345 → "1.2e4", 0.5 → "0.5". */
export function tickLabel(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(0).replace("+", "");
  return String(Number(v.toPrecision(4)));
}

interface Scale {
  domain: [number, number];
  log: boolean;
  /** Value → pixel (NaN when the value cannot be drawn, e.g. ≤ 0 on a log axis). */
  map(v: number): number;
  ticks: number[];
}

function extent(values: Iterable<number>, log: boolean): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v) || (log && v <= 0)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === Infinity) return log ? [1, 10] : [0, 1];
  if (lo === hi) return log ? [lo / 2, hi * 2] : [lo - (Math.abs(lo) || 1) / 2, hi + (Math.abs(hi) || 1) / 2];
  return [lo, hi];
}

function scale(domain: [number, number], from: number, to: number, log: boolean): Scale {
  if (log) {
    const [a, b] = [Math.log10(domain[0]), Math.log10(domain[1])];
    let ticks: number[] = [];
    for (let e = Math.ceil(a - 1e-9); e <= b + 1e-9; e++) ticks.push(10 ** e);
    // Less than a decade or two: 1-2-5 steps, or else linear ticks, so the axis still has numbers.
    if (ticks.length < 2) {
      ticks = [];
      for (let e = Math.floor(a); e <= Math.ceil(b); e++) for (const m of [1, 2, 5]) ticks.push(Number((m * 10 ** e).toPrecision(6)));
      ticks = ticks.filter((t) => t >= domain[0] * (1 - 1e-9) && t <= domain[1] * (1 + 1e-9));
      if (ticks.length < 2) ticks = niceTicks(domain[0], domain[1], 4).filter((t) => t > 0);
    }
    return { domain, log, ticks, map: (v) => (v > 0 ? from + ((Math.log10(v) - a) / (b - a)) * (to - from) : NaN) };
  }
  const [a, b] = domain;
  return { domain, log, ticks: niceTicks(a, b), map: (v) => from + ((v - a) / (b - a)) * (to - from) };
}

/** "M x y L x y …", starting a new piece after every value that cannot be drawn. */
function pathData(s: Series, sx: Scale, sy: Scale): string {
  let d = "";
  let pen = false;
  for (let i = 0; i < s.x.length; i++) {
    const X = sx.map(s.x[i]!);
    const Y = sy.map(s.y[i] ?? NaN);
    if (!Number.isFinite(X) || !Number.isFinite(Y)) {
      pen = false;
      continue;
    }
    d += `${pen ? "L" : d ? " M" : "M"}${px(X)} ${px(Y)}`;
    pen = true;
  }
  return d;
}

function panelSvg(p: Panel, top: number, width: number, height: number): string {
  const box: Box = [MARGIN.left, width - MARGIN.right, top + MARGIN.top, top + height - MARGIN.bottom];
  const [left, right, y0, y1] = box;
  const grid = p.contours?.grid;
  const xs = grid ? extent(grid.xs, false) : extent(p.series.flatMap((s) => s.x), false);
  const ys = p.yDomain ?? (grid ? extent(grid.ys, false) : extent(p.series.flatMap((s) => s.y.filter((v) => Number.isFinite(v))), p.logY ?? false));
  const sx = scale(xs, left, right, false);
  const sy = scale(ys, y1, y0, p.logY ?? false);
  const out: string[] = [];
  out.push(`<g class="panel" data-x-domain="${xs.join(" ")}" data-y-domain="${ys.join(" ")}" data-box="${box.map(px).join(" ")}" data-log-y="${p.logY ? 1 : 0}">`);
  if (p.title) out.push(`<text x="${px((left + right) / 2)}" y="${px(top + 18)}" text-anchor="middle" font-weight="bold">${xmlEscape(p.title)}</text>`);
  // Grid and ticks.
  for (const t of sx.ticks) {
    const X = px(sx.map(t));
    out.push(`<line x1="${X}" x2="${X}" y1="${px(y0)}" y2="${px(y1)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${X}" y="${px(y1 + 16)}" text-anchor="middle" class="tick">${tickLabel(t)}</text>`);
  }
  for (const t of sy.ticks) {
    const Y = px(sy.map(t));
    out.push(`<line x1="${px(left)}" x2="${px(right)}" y1="${Y}" y2="${Y}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${px(left - 6)}" y="${Y}" text-anchor="end" dominant-baseline="middle" class="tick">${tickLabel(t)}</text>`);
  }
  out.push(`<rect x="${px(left)}" y="${px(y0)}" width="${px(right - left)}" height="${px(y1 - y0)}" fill="none" stroke="#444"/>`);
  if (p.xLabel) out.push(`<text x="${px((left + right) / 2)}" y="${px(y1 + 34)}" text-anchor="middle">${xmlEscape(p.xLabel)}</text>`);
  if (p.yLabel) out.push(`<text transform="translate(${px(16)} ${px((y0 + y1) / 2)}) rotate(-90)" text-anchor="middle">${xmlEscape(p.yLabel)}</text>`);
  // Data, clipped to the plot area (fixed y limits may cut a curve).
  const clip = `clip${Math.round(top)}`;
  out.push(`<clipPath id="${clip}"><rect x="${px(left)}" y="${px(y0)}" width="${px(right - left)}" height="${px(y1 - y0)}"/></clipPath>`);
  if (p.contours) {
    const { levels } = p.contours;
    levels.forEach((level, k) => {
      // Light for low values, dark for high ones: the valley floor stays quiet under the trajectories.
      const shade = Math.round(200 - (120 * k) / Math.max(1, levels.length - 1));
      const d = contourSegments(p.contours!.grid, level).map(([a, b, c, e]) => `M${px(sx.map(a))} ${px(sy.map(b))}L${px(sx.map(c))} ${px(sy.map(e))}`).join("");
      out.push(`<path class="contour" data-level="${level}" d="${d}" fill="none" stroke="rgb(${shade},${shade},${Math.min(255, shade + 40)})" stroke-width="0.8" clip-path="url(#${clip})"/>`);
    });
  }
  p.series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length]!;
    const name = xmlEscape(s.name);
    if (s.points) {
      const dots = s.x.map((x, j) => [sx.map(x), sy.map(s.y[j] ?? NaN)] as const).filter(([X, Y]) => Number.isFinite(X) && Number.isFinite(Y));
      out.push(`<g class="series" data-name="${name}" fill="${color}" clip-path="url(#${clip})">${dots.map(([X, Y]) => `<circle cx="${px(X)}" cy="${px(Y)}" r="2.5"/>`).join("")}</g>`);
    } else {
      const d = pathData(s, sx, sy);
      out.push(`<path class="series" data-name="${name}" d="${d}" fill="none" stroke="${color}" stroke-width="1.6"${s.dashed ? ' stroke-dasharray="5 3"' : ""} clip-path="url(#${clip})"/>`);
      // A piece of one point draws nothing as a line: mark it.
      const lone = d.split("M").filter((piece) => piece.trim() && !piece.includes("L"));
      if (lone.length) out.push(`<g class="marks" fill="${color}">${lone.map((piece) => { const [X, Y] = piece.trim().split(" "); return `<circle cx="${X}" cy="${Y}" r="3"/>`; }).join("")}</g>`);
    }
    // Legend.
    const ly = y0 + 8 + i * 16;
    out.push(`<line x1="${px(right + 10)}" x2="${px(right + 28)}" y1="${px(ly)}" y2="${px(ly)}" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ""}/>`);
    out.push(`<text x="${px(right + 32)}" y="${px(ly)}" dominant-baseline="middle" class="legend">${name}</text>`);
  });
  out.push("</g>");
  return out.join("\n");
}

/** A figure of panels stacked vertically, as one SVG document. */
export function figureSvg(panels: Panel[], opts: FigureOptions = {}): string {
  const width = opts.width ?? 720;
  const ph = opts.panelHeight ?? 300;
  const head = opts.title ? 28 : 0;
  const height = head + ph * panels.length;
  const body = panels.map((p, i) => panelSvg(p, head + i * ph, width, ph)).join("\n");
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Liberation Sans, Arial, sans-serif" font-size="12">`,
    `<style>.tick{font-size:10px;fill:#555}.legend{font-size:11px}</style>`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    opts.title ? `<text x="${width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">${xmlEscape(opts.title)}</text>` : "",
    body,
    "</svg>",
    "",
  ].filter((l) => l !== "").join("\n") + "\n";
}
