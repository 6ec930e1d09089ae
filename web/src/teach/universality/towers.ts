/**
 * The book's "many input variables": a tower. An x-bump and a y-bump of height h each add up to
 * 2h over their rectangle and h on its arms; an output neuron with bias −3h/2 keeps only the
 * rectangle. The heat map is analysis/universality.ts's tower(x, y, rect, { h }) on a 48 × 48 grid;
 * drag on the map to draw the rectangle, or type its edges.
 */
import { tower } from "../../../../src/analysis/universality.js";
import { formatNumber } from "../../i18n.js";

export interface Rect { x0: number; x1: number; y0: number; y1: number }
export const TOWER_GRID = 48;
export const DEFAULT_RECT: Rect = { x0: 0.3, x1: 0.6, y0: 0.4, y1: 0.8 };

/** tower() at the centres of a TOWER_GRID² grid over [0, 1]², row-major with y the slow axis. */
export function towerGrid(r: Rect, h: number): Float64Array {
  const n = TOWER_GRID;
  const z = new Float64Array(n * n);
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) z[j * n + i] = tower((i + 0.5) / n, (j + 0.5) / n, r, { h });
  return z;
}

export function parseRect(v: string): Rect | null {
  const p = v.split(":").map((s) => (s.trim() === "" ? NaN : Number(s)));
  if (p.length !== 4 || !p.every((x) => x >= 0 && x <= 1)) return null;
  const [x0, x1, y0, y1] = p as [number, number, number, number];
  return x0 < x1 && y0 < y1 ? { x0, x1, y0, y1 } : null;
}

/** Draws the grid (dark → accent) with its axes; returns the map's data point under a pointer. */
export class TowerMap {
  readonly canvas = document.createElement("canvas");
  private z: Float64Array | null = null;

  constructor() {
    this.canvas.className = "univ-tower";
    this.canvas.setAttribute("role", "img");
    new ResizeObserver(() => this.z && this.draw(this.z)).observe(this.canvas);
  }

  /** Data coordinates ([0, 1]²) of a client point, clamped. */
  at(clientX: number, clientY: number): [number, number] {
    const r = this.canvas.getBoundingClientRect();
    const pad = 26;
    const size = Math.min(r.width, r.height) - pad - 6;
    const u = (clientX - r.left - pad) / size;
    const v = 1 - (clientY - r.top - 6) / size;
    const c = (t: number) => Math.max(0, Math.min(1, t));
    return [c(u), c(v)];
  }

  draw(z: Float64Array): void {
    this.z = z;
    const c = this.canvas;
    const dpr = globalThis.devicePixelRatio || 1;
    const w = c.clientWidth;
    const hgt = c.clientHeight;
    if (!w || !hgt) return;
    c.width = Math.round(w * dpr);
    c.height = Math.round(hgt * dpr);
    const ctx = c.getContext("2d")!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, hgt);
    const pad = 26;
    const size = Math.min(w, hgt) - pad - 6;
    const n = TOWER_GRID;
    const cell = size / n;
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        const v = z[j * n + i]!;
        // 0 → the panel's dark, 1 → the accent blue.
        ctx.fillStyle = `rgb(${Math.round(13 + v * (79 - 13))}, ${Math.round(15 + v * (140 - 15))}, ${Math.round(18 + v * (255 - 18))})`;
        ctx.fillRect(pad + i * cell, 6 + (n - 1 - j) * cell, cell + 0.5, cell + 0.5);
      }
    }
    ctx.strokeStyle = "#5a6170";
    ctx.strokeRect(pad + 0.5, 6.5, size - 1, size - 1);
    ctx.fillStyle = "#9aa0a6";
    ctx.font = "11px system-ui, sans-serif";
    ctx.textAlign = "center";
    for (const t of [0, 0.5, 1]) ctx.fillText(formatNumber(t), pad + t * size, 6 + size + 13);
    ctx.textAlign = "right";
    for (const t of [0, 0.5, 1]) ctx.fillText(formatNumber(t), pad - 4, 6 + (1 - t) * size + 4);
  }
}
