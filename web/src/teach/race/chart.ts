/**
 * The race's picture on a canvas: the surface's bands and contour lines (marching squares over
 * the sampled grid, quantile levels, as the CLI's plot), each racer's path up to the step shown
 * with a dot where it is, the start (white ring) and the minimum (cross). Plain drawing: the view
 * hands it numbers and labels.
 */
import { contourSegments, quantileLevels, type Grid } from "../../../../src/plot/contour.js";
import { formatNumber } from "../../i18n.js";

export interface Path {
  color: string;
  x: readonly number[];
  y: readonly number[];
}

export interface Frame {
  grid: Grid;
  window: { x: [number, number]; y: [number, number] };
  paths: Path[];
  /** Points of each path drawn: 0..k. */
  k: number;
  start: [number, number];
  minimum: { x: number; y: number } | null;
  axes: [string, string];
}

const PAD = { left: 54, right: 10, top: 10, bottom: 34 };
/** Bands from low (dark blue) to high (warm), dim enough for the dark theme. */
const RAMP = ["#0d2240", "#12305a", "#173f6e", "#1c4f7c", "#235e84", "#2c6d86", "#3a7b84", "#4c887c", "#619470", "#799e62", "#93a656", "#ada94f", "#c6a84c", "#dca24e", "#e99653"];

export class RaceChart {
  private bands: { key: Grid | null; image: HTMLCanvasElement | null; levels: number[] } = { key: null, image: null, levels: [] };
  private frame: Frame | null = null;

  constructor(readonly canvas: HTMLCanvasElement) {
    new ResizeObserver(() => this.frame && this.draw(this.frame)).observe(canvas);
  }

  /** Canvas pixel ↔ data coordinates for the current size. */
  private geometry(f: Frame) {
    const w = this.canvas.clientWidth;
    const h = this.canvas.clientHeight;
    const [x0, x1] = f.window.x;
    const [y0, y1] = f.window.y;
    const pw = w - PAD.left - PAD.right;
    const ph = h - PAD.top - PAD.bottom;
    return {
      w, h, pw, ph,
      px: (x: number) => PAD.left + ((x - x0) / (x1 - x0)) * pw,
      py: (y: number) => PAD.top + (1 - (y - y0) / (y1 - y0)) * ph,
      dataAt: (cx: number, cy: number): [number, number] | null => {
        const u = (cx - PAD.left) / pw;
        const v = 1 - (cy - PAD.top) / ph;
        if (u < 0 || u > 1 || v < 0 || v > 1) return null;
        return [x0 + u * (x1 - x0), y0 + v * (y1 - y0)];
      },
    };
  }

  /** The data point under a click (client coordinates), or null outside the plot. */
  pointAt(clientX: number, clientY: number): [number, number] | null {
    if (!this.frame) return null;
    const r = this.canvas.getBoundingClientRect();
    return this.geometry(this.frame).dataAt(clientX - r.left, clientY - r.top);
  }

  /** The grid's bands as a small image (one pixel per grid point), redrawn only for a new grid. */
  private bandImage(g: Grid): { image: HTMLCanvasElement; levels: number[] } {
    if (this.bands.key === g && this.bands.image) return { image: this.bands.image, levels: this.bands.levels };
    const levels = quantileLevels(g.z, RAMP.length - 1);
    const nx = g.xs.length;
    const ny = g.ys.length;
    const img = document.createElement("canvas");
    img.width = nx;
    img.height = ny;
    const ctx = img.getContext("2d")!;
    const data = ctx.createImageData(nx, ny);
    const rgb = RAMP.map((c) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)));
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const z = g.z[j * nx + i]!;
        let band = 0;
        while (band < levels.length && z >= levels[band]!) band++;
        const c = Number.isFinite(z) ? rgb[band]! : [60, 20, 20];
        const o = ((ny - 1 - j) * nx + i) * 4; // y grows upwards
        data.data.set([c[0]!, c[1]!, c[2]!, 255], o);
      }
    }
    ctx.putImageData(data, 0, 0);
    this.bands = { key: g, image: img, levels };
    return { image: img, levels };
  }

  draw(f: Frame): void {
    this.frame = f;
    const dpr = globalThis.devicePixelRatio || 1;
    const c = this.canvas;
    const g = this.geometry(f);
    if (g.w <= 0 || g.h <= 0) return;
    if (c.width !== Math.round(g.w * dpr) || c.height !== Math.round(g.h * dpr)) {
      c.width = Math.round(g.w * dpr);
      c.height = Math.round(g.h * dpr);
    }
    const ctx = c.getContext("2d")!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, g.w, g.h);
    const { image, levels } = this.bandImage(f.grid);
    // The grid's points are cell centres of the image: stretch it so they land on their data positions.
    const gx = f.grid.xs;
    const gy = f.grid.ys;
    const hx = (gx[1]! - gx[0]!) / 2;
    const hy = (gy[1]! - gy[0]!) / 2;
    ctx.save();
    ctx.beginPath();
    ctx.rect(PAD.left, PAD.top, g.pw, g.ph);
    ctx.clip();
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(image, g.px(gx[0]! - hx), g.py(gy[gy.length - 1]! + hy), g.px(gx[gx.length - 1]! + hx) - g.px(gx[0]! - hx), g.py(gy[0]! - hy) - g.py(gy[gy.length - 1]! + hy));
    ctx.strokeStyle = "rgba(255,255,255,0.22)";
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (const level of levels) {
      for (const [a, b, p, q] of contourSegments(f.grid, level)) {
        ctx.moveTo(g.px(a), g.py(b));
        ctx.lineTo(g.px(p), g.py(q));
      }
    }
    ctx.stroke();
    if (f.minimum) {
      const [mx, my] = [g.px(f.minimum.x), g.py(f.minimum.y)];
      ctx.strokeStyle = "#fff";
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.moveTo(mx - 6, my - 6); ctx.lineTo(mx + 6, my + 6); ctx.moveTo(mx - 6, my + 6); ctx.lineTo(mx + 6, my - 6);
      ctx.stroke();
    }
    for (const p of f.paths) {
      const n = Math.min(f.k, p.x.length - 1);
      ctx.strokeStyle = p.color;
      ctx.lineWidth = 2;
      ctx.beginPath();
      for (let i = 0; i <= n; i++) {
        const X = Math.max(-1e4, Math.min(1e4, g.px(p.x[i]!)));
        const Y = Math.max(-1e4, Math.min(1e4, g.py(p.y[i]!)));
        if (i === 0) ctx.moveTo(X, Y);
        else ctx.lineTo(X, Y);
      }
      ctx.stroke();
      ctx.fillStyle = p.color;
      ctx.beginPath();
      ctx.arc(g.px(p.x[n]!), g.py(p.y[n]!), 4.5, 0, 2 * Math.PI);
      ctx.fill();
      ctx.strokeStyle = "#000";
      ctx.lineWidth = 1;
      ctx.stroke();
    }
    ctx.strokeStyle = "#fff";
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.arc(g.px(f.start[0]), g.py(f.start[1]), 6, 0, 2 * Math.PI);
    ctx.stroke();
    ctx.restore();
    // Axes: a frame, five ticks per axis, the names.
    ctx.strokeStyle = "#5a6170";
    ctx.lineWidth = 1;
    ctx.strokeRect(PAD.left + 0.5, PAD.top + 0.5, g.pw - 1, g.ph - 1);
    ctx.fillStyle = "#9aa0a6";
    ctx.font = "11px system-ui, sans-serif";
    const ticks = ([a, b]: [number, number]) => Array.from({ length: 5 }, (_, i) => a + ((b - a) * i) / 4);
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (const x of ticks(f.window.x)) ctx.fillText(formatNumber(+x.toPrecision(3)), g.px(x), PAD.top + g.ph + 4);
    ctx.fillText(f.axes[0], PAD.left + g.pw / 2, PAD.top + g.ph + 18);
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (const y of ticks(f.window.y)) ctx.fillText(formatNumber(+y.toPrecision(3)), PAD.left - 4, g.py(y));
    ctx.save();
    ctx.translate(9, PAD.top + g.ph / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = "center";
    ctx.fillText(f.axes[1], 0, 0);
    ctx.restore();
  }
}
