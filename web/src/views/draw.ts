/**
 * The drawing pad: pointer events (mouse, touch and pen alike) paint a white stroke on black; every
 * change is turned into an MNIST-like 28×28 input by the same preprocessing as `descent predict`.
 */
import { mnistLike } from "../../../src/data/preprocess.js";

export class DrawPad {
  private readonly ctx: CanvasRenderingContext2D;
  private drawing = false;
  private last: { x: number; y: number } | null = null;
  private pending = false;

  constructor(private readonly canvas: HTMLCanvasElement, private readonly onChange: (pixels: Float32Array | null) => void) {
    this.ctx = canvas.getContext("2d", { willReadFrequently: true })!;
    this.clear();
    canvas.addEventListener("pointerdown", (e) => {
      try {
        canvas.setPointerCapture(e.pointerId); // keep the stroke when it leaves the pad
      } catch {
        // A pointer the browser no longer tracks (or a synthetic one): draw without capture.
      }
      this.drawing = true;
      this.last = this.point(e);
      this.stroke(this.last, this.last);
    });
    canvas.addEventListener("pointermove", (e) => {
      if (!this.drawing) return;
      // Coalesced events keep fast pen and touch strokes smooth.
      const events = e.getCoalescedEvents?.() ?? [e];
      for (const ev of events.length ? events : [e]) {
        const p = this.point(ev);
        this.stroke(this.last ?? p, p);
        this.last = p;
      }
    });
    const end = () => {
      this.drawing = false;
      this.last = null;
    };
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
  }

  clear(): void {
    this.ctx.fillStyle = "#000";
    this.ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    this.changed();
  }

  /** Draws a polyline in canvas pixels (tests and the keyboard-free demo use it). */
  drawPath(points: [number, number][]): void {
    for (let i = 0; i < points.length; i++) {
      const [x, y] = points[i]!;
      const [px, py] = points[Math.max(0, i - 1)]!;
      this.stroke({ x: px, y: py }, { x, y });
    }
  }

  private point(e: PointerEvent): { x: number; y: number } {
    const r = this.canvas.getBoundingClientRect();
    return { x: ((e.clientX - r.left) / r.width) * this.canvas.width, y: ((e.clientY - r.top) / r.height) * this.canvas.height };
  }

  private stroke(a: { x: number; y: number }, b: { x: number; y: number }): void {
    const c = this.ctx;
    c.strokeStyle = "#fff";
    c.lineWidth = this.canvas.width / 12;
    c.lineCap = "round";
    c.lineJoin = "round";
    c.beginPath();
    c.moveTo(a.x, a.y);
    c.lineTo(b.x, b.y);
    c.stroke();
    this.changed();
  }

  /** At most one preprocessing per animation frame, however many pointer events arrive. */
  private changed(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.onChange(this.pixels());
    });
  }

  /** The drawing as MNIST sees it, or null while the pad is empty. */
  pixels(): Float32Array | null {
    const { width, height } = this.canvas;
    const img = this.ctx.getImageData(0, 0, width, height);
    try {
      return mnistLike({ width, height, channels: 4, data: img.data }, { invert: false, name: "the drawing" }).pixels;
    } catch {
      return null; // blank pad
    }
  }
}

/** Paints 28×28 values in [0, 1] (white ink on black) into a small canvas. */
export function paintDigit(canvas: HTMLCanvasElement, pixels: ArrayLike<number>, scale = 1): void {
  const ctx = canvas.getContext("2d")!;
  const img = ctx.createImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const v = Math.round(Math.min(1, Math.max(0, pixels[i]! * scale)) * 255);
    img.data[i * 4] = img.data[i * 4 + 1] = img.data[i * 4 + 2] = v;
    img.data[i * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}
