/**
 * A function chart on [0, 1] in SVG: curves, and optionally the bumps as shaded rectangles with
 * handles — a bar at each bump's height (drag it up or down; ↑ ↓ from the keyboard) and, for the
 * selected bump, its two edges s₁ and s₂ (drag sideways; ← →). The SVG element stays; its
 * children are redrawn on every change, and the handle that had the focus gets it back.
 */
import { formatNumber } from "../../i18n.js";

export interface Curve {
  y: readonly number[];
  x: readonly number[];
  color: string;
  width?: number;
  dash?: string;
}

export interface BumpSpec {
  s1: number;
  s2: number;
  h: number;
}

export type HandleKind = "h" | "s1" | "s2";

export interface ChartOptions {
  yRange: [number, number];
  height: number;
  /** Tick values on the y axis. */
  yTicks: number[];
}

export interface HandleEvents {
  /** A handle moved to a new value (data units). */
  move(bump: number, kind: HandleKind, value: number): void;
  select(bump: number): void;
  /** The accessible name of a handle. */
  label(bump: number, kind: HandleKind): string;
}

const NS = "http://www.w3.org/2000/svg";
const PAD = { left: 36, right: 10, top: 10, bottom: 22 };

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

export class FunctionChart {
  readonly root: SVGSVGElement;
  private width = 360;
  private last: { curves: Curve[]; bumps: BumpSpec[] | null; selected: number } = { curves: [], bumps: null, selected: 0 };
  private drag: { bump: number; kind: HandleKind } | null = null;

  constructor(private readonly opts: ChartOptions, private readonly events: HandleEvents | null = null) {
    this.root = svg("svg", { class: "univ-chart", height: opts.height });
    new ResizeObserver(() => {
      const w = Math.round(this.root.getBoundingClientRect().width);
      if (w > 0 && w !== this.width) {
        this.width = w;
        this.redraw();
      }
    }).observe(this.root);
    if (events) this.listen(events);
  }

  private sx = (x: number) => PAD.left + x * (this.width - PAD.left - PAD.right);
  private sy = (y: number) => {
    const [lo, hi] = this.opts.yRange;
    return PAD.top + (1 - (y - lo) / (hi - lo)) * (this.opts.height - PAD.top - PAD.bottom);
  };
  private dataX = (px: number) => (px - PAD.left) / (this.width - PAD.left - PAD.right);
  private dataY = (py: number) => {
    const [lo, hi] = this.opts.yRange;
    return lo + (1 - (py - PAD.top) / (this.opts.height - PAD.top - PAD.bottom)) * (hi - lo);
  };

  setAriaLabel(text: string): void {
    this.root.setAttribute("aria-label", text);
  }

  draw(curves: Curve[], bumps: BumpSpec[] | null = null, selected = 0): void {
    this.last = { curves, bumps, selected };
    this.redraw();
  }

  private redraw(): void {
    const focused = (document.activeElement as Element | null)?.getAttribute?.("data-handle") ?? null;
    const { curves, bumps, selected } = this.last;
    const r = this.root;
    r.setAttribute("viewBox", `0 0 ${this.width} ${this.opts.height}`);
    r.replaceChildren();
    const [lo, hi] = this.opts.yRange;
    // Axes and grid.
    r.append(svg("rect", { x: PAD.left, y: PAD.top, width: this.width - PAD.left - PAD.right, height: this.opts.height - PAD.top - PAD.bottom, class: "univ-frame" }));
    for (const y of this.opts.yTicks) {
      r.append(svg("line", { x1: PAD.left, x2: this.width - PAD.right, y1: this.sy(y), y2: this.sy(y), class: y === 0 ? "univ-zero" : "univ-grid" }));
      const t = svg("text", { x: PAD.left - 4, y: this.sy(y) + 4, class: "univ-tick", "text-anchor": "end" });
      t.textContent = formatNumber(y);
      r.append(t);
    }
    for (const x of [0, 0.25, 0.5, 0.75, 1]) {
      const t = svg("text", { x: this.sx(x), y: this.opts.height - 6, class: "univ-tick", "text-anchor": "middle" });
      t.textContent = formatNumber(x);
      r.append(t);
    }
    const clampY = (y: number) => Math.max(lo - 0.05 * (hi - lo), Math.min(hi + 0.05 * (hi - lo), y));
    if (bumps) {
      bumps.forEach((b, j) => {
        const y0 = this.sy(0);
        const y1 = this.sy(clampY(b.h));
        r.append(svg("rect", { x: this.sx(b.s1), width: Math.max(0, this.sx(b.s2) - this.sx(b.s1)), y: Math.min(y0, y1), height: Math.abs(y1 - y0), class: j === selected ? "univ-bump univ-selected" : "univ-bump" }));
      });
    }
    for (const c of curves) {
      const d = c.x.map((x, i) => `${i ? "L" : "M"}${this.sx(x).toFixed(1)},${this.sy(clampY(c.y[i]!)).toFixed(1)}`).join("");
      r.append(svg("path", { d, fill: "none", stroke: c.color, "stroke-width": c.width ?? 2, ...(c.dash ? { "stroke-dasharray": c.dash } : {}) }));
    }
    if (bumps && this.events) {
      bumps.forEach((b, j) => {
        const bar = this.handle(j, "h", b.h, [lo, hi]);
        const y = this.sy(clampY(b.h));
        bar.append(svg("line", { x1: this.sx(b.s1), x2: this.sx(b.s2), y1: y, y2: y, class: "univ-grip" }));
        bar.append(svg("line", { x1: this.sx(b.s1), x2: this.sx(b.s2), y1: y, y2: y, class: "univ-bar" }));
        r.append(bar);
      });
      const b = bumps[selected];
      if (b) {
        for (const kind of ["s1", "s2"] as const) {
          const x = this.sx(b[kind]);
          const g = this.handle(selected, kind, b[kind], [0, 1]);
          g.append(svg("line", { x1: x, x2: x, y1: this.sy(0), y2: this.sy(clampY(b.h)), class: "univ-edge" }));
          g.append(svg("circle", { cx: x, cy: this.sy(clampY(b.h)), r: 11, class: "univ-grip" }));
          g.append(svg("circle", { cx: x, cy: this.sy(clampY(b.h)), r: 6, class: "univ-knob" }));
          r.append(g);
        }
      }
    }
    if (focused) (r.querySelector(`[data-handle="${focused}"]`) as SVGElement | null)?.focus();
  }

  private handle(bump: number, kind: HandleKind, value: number, range: [number, number]): SVGGElement {
    const g = svg("g", { tabindex: 0, role: "slider", class: `univ-handle univ-${kind}`, "data-handle": `${bump}:${kind}`, "aria-valuemin": range[0], "aria-valuemax": range[1], "aria-valuenow": +value.toFixed(3) });
    g.setAttribute("aria-label", this.events!.label(bump, kind));
    g.setAttribute("aria-valuetext", formatNumber(+value.toFixed(3)));
    return g;
  }

  private listen(events: HandleEvents): void {
    const r = this.root;
    const target = (e: Event) => {
      const el = (e.target as Element).closest("[data-handle]");
      if (!el) return null;
      const [b, kind] = el.getAttribute("data-handle")!.split(":");
      return { bump: Number(b), kind: kind as HandleKind };
    };
    const local = (e: PointerEvent) => {
      const rect = r.getBoundingClientRect();
      return { x: this.dataX(e.clientX - rect.left), y: this.dataY(e.clientY - rect.top) };
    };
    r.addEventListener("pointerdown", (e) => {
      const t = target(e);
      if (!t) return;
      e.preventDefault();
      this.drag = t;
      events.select(t.bump);
      r.setPointerCapture(e.pointerId);
    });
    r.addEventListener("pointermove", (e) => {
      if (!this.drag) return;
      const p = local(e);
      events.move(this.drag.bump, this.drag.kind, this.drag.kind === "h" ? p.y : p.x);
    });
    const end = () => (this.drag = null);
    r.addEventListener("pointerup", end);
    r.addEventListener("pointercancel", end);
    r.addEventListener("keydown", (e) => {
      const t = target(e);
      if (!t) return;
      const b = this.last.bumps?.[t.bump];
      if (!b) return;
      const big = e.shiftKey ? 5 : 1;
      const delta = t.kind === "h"
        ? ({ ArrowUp: 0.1, ArrowDown: -0.1 } as Record<string, number>)[e.key]
        : ({ ArrowRight: 0.01, ArrowLeft: -0.01 } as Record<string, number>)[e.key];
      if (delta === undefined) return;
      e.preventDefault();
      events.select(t.bump);
      events.move(t.bump, t.kind, b[t.kind] + big * delta);
    });
  }
}
