/**
 * A small canvas line chart for the teaching views: a few series against a step or epoch axis,
 * linear or log y, axis labels in the page's language (the caller formats numbers and passes the
 * words), redrawn when its box resizes. Legends are HTML beside it (see `legend`), so they wrap and
 * translate like any text.
 */
import "./lines.css";

export interface Series {
  color: string;
  xs: readonly number[];
  ys: readonly number[];
  width?: number;
  dash?: number[];
}

export interface ChartSpec {
  series: Series[];
  /** The x axis runs from 0 to at least this (the run's length, so lines grow to the right). */
  xMax: number;
  xLabel: string;
  yLabel: string;
  logY?: boolean;
  /** Fixed y range (linear charts: e.g. accuracy 0–1); else fitted to the data. */
  yMin?: number;
  yMax?: number;
  /** Formats an axis number in the page's language. */
  format: (v: number) => string;
  /** Formats the y axis's numbers (default: format). */
  formatY?: (v: number) => string;
  /** Vertical markers (e.g. the epoch early stopping kept), with a short label. */
  marks?: { x: number; label: string; color: string }[];
}

const GRID = "#2c3038";
const MUTED = "#9aa0a6";

export class LineChart {
  private spec: ChartSpec | null = null;
  private readonly observer: ResizeObserver;

  constructor(readonly canvas: HTMLCanvasElement, private readonly height = 240) {
    this.observer = new ResizeObserver(() => this.render());
    this.observer.observe(canvas);
  }

  draw(spec: ChartSpec): void {
    this.spec = spec;
    this.render();
  }

  destroy(): void {
    this.observer.disconnect();
  }

  private render(): void {
    const spec = this.spec;
    const c = this.canvas;
    const cssW = Math.max(200, c.clientWidth || 480);
    const dpr = globalThis.devicePixelRatio || 1;
    c.style.height = `${this.height}px`;
    if (c.width !== Math.round(cssW * dpr) || c.height !== Math.round(this.height * dpr)) {
      c.width = Math.round(cssW * dpr);
      c.height = Math.round(this.height * dpr);
    }
    const g = c.getContext("2d");
    if (!g || !spec) return;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, cssW, this.height);
    const narrow = cssW < 360;
    const left = narrow ? 46 : 58, right = 10, top = 10, bottom = 38;
    const w = cssW - left - right, h = this.height - top - bottom;

    const log = Boolean(spec.logY);
    const ys = spec.series.flatMap((s) => s.ys.filter((y) => Number.isFinite(y) && (!log || y > 0)));
    let lo = spec.yMin ?? (ys.length ? Math.min(...ys) : log ? 1e-3 : 0);
    let hi = spec.yMax ?? (ys.length ? Math.max(...ys) : 1);
    if (log) {
      lo = 10 ** Math.floor(Math.log10(lo));
      hi = 10 ** Math.ceil(Math.log10(hi));
      if (hi <= lo) hi = lo * 10;
    } else if (hi <= lo) {
      hi = lo + 1;
    }
    const tf = (y: number) => (log ? Math.log10(y) : y);
    const [tlo, thi] = [tf(lo), tf(hi)];
    const xMax = Math.max(1, spec.xMax, ...spec.series.map((s) => s.xs[s.xs.length - 1] ?? 0));
    const X = (x: number) => left + (x / xMax) * w;
    const Y = (y: number) => top + h - ((tf(y) - tlo) / (thi - tlo)) * h;

    g.font = `${narrow ? 10 : 11}px system-ui, sans-serif`;
    g.fillStyle = MUTED;
    g.strokeStyle = GRID;
    g.lineWidth = 1;
    // y grid and ticks
    g.textAlign = "right";
    g.textBaseline = "middle";
    const yTicks: number[] = [];
    if (log) {
      const decades = Math.round(thi - tlo);
      const every = Math.max(1, Math.ceil(decades / 6));
      for (let e = Math.round(tlo); e <= Math.round(thi); e += every) yTicks.push(10 ** e);
    } else {
      const step = niceStep((hi - lo) / 5);
      for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) yTicks.push(v);
    }
    for (const v of yTicks) {
      const y = Y(v);
      g.beginPath();
      g.moveTo(left, y);
      g.lineTo(left + w, y);
      g.stroke();
      g.fillText(log ? `10${superscript(Math.round(Math.log10(v)))}` : (spec.formatY ?? spec.format)(v), left - 4, y);
    }
    // x ticks
    g.textAlign = "center";
    g.textBaseline = "top";
    const xStep = niceStep(xMax / (narrow ? 4 : 6));
    for (let v = 0; v <= xMax + 1e-9; v += xStep) {
      const x = X(v);
      g.beginPath();
      g.moveTo(x, top + h);
      g.lineTo(x, top + h + 4);
      g.stroke();
      g.fillText(spec.format(v), x, top + h + 6);
    }
    g.strokeStyle = "#434a58";
    g.strokeRect(left, top, w, h);
    g.fillText(spec.xLabel, left + w / 2, top + h + 21);
    g.save();
    g.translate(11, top + h / 2);
    g.rotate(-Math.PI / 2);
    g.textBaseline = "middle";
    g.fillText(spec.yLabel, 0, 0);
    g.restore();

    for (const m of spec.marks ?? []) {
      const x = X(m.x);
      g.strokeStyle = m.color;
      g.setLineDash([4, 3]);
      g.beginPath();
      g.moveTo(x, top);
      g.lineTo(x, top + h);
      g.stroke();
      g.setLineDash([]);
      g.fillStyle = m.color;
      g.textAlign = x > left + w / 2 ? "right" : "left";
      g.textBaseline = "top";
      g.fillText(m.label, x + (x > left + w / 2 ? -4 : 4), top + 3);
    }

    g.save();
    g.beginPath();
    g.rect(left, top, w, h);
    g.clip();
    for (const s of spec.series) {
      g.strokeStyle = s.color;
      g.lineWidth = s.width ?? 1.6;
      g.setLineDash(s.dash ?? []);
      g.beginPath();
      let pen = false;
      for (let i = 0; i < s.xs.length; i++) {
        const y = s.ys[i]!;
        if (!Number.isFinite(y) || (log && y <= 0)) {
          pen = false;
          continue;
        }
        const px = X(s.xs[i]!), py = Y(Math.min(Math.max(y, lo), hi));
        if (pen) g.lineTo(px, py);
        else g.moveTo(px, py);
        pen = true;
      }
      g.stroke();
      if (s.xs.length === 1 && Number.isFinite(s.ys[0]!)) {
        g.fillStyle = s.color;
        g.beginPath();
        g.arc(X(s.xs[0]!), Y(Math.min(Math.max(s.ys[0]!, lo), hi)), 2.5, 0, 2 * Math.PI);
        g.fill();
      }
    }
    g.restore();
    g.setLineDash([]);
  }
}

/** 1, 2 or 5 times a power of ten, near `raw`. */
function niceStep(raw: number): number {
  if (!(raw > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

const SUP = "⁰¹²³⁴⁵⁶⁷⁸⁹";
const superscript = (n: number) => (n < 0 ? "⁻" : "") + String(Math.abs(n)).split("").map((d) => SUP[Number(d)]).join("");

/** An HTML legend: a coloured line and a label per entry. */
export function legend(el: HTMLElement, entries: { color: string; label: string; dash?: boolean }[]): void {
  el.innerHTML = "";
  for (const e of entries) {
    const li = document.createElement("li");
    const sw = document.createElement("span");
    sw.className = "swatch";
    sw.style.borderTopColor = e.color;
    if (e.dash) sw.style.borderTopStyle = "dashed";
    li.append(sw, document.createTextNode(e.label));
    el.append(li);
  }
}
