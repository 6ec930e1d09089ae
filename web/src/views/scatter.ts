/**
 * Predicted against true values of the test rows, with the y = x line a perfect model would lie
 * on: points above it are over-estimates, below it under-estimates. Axes in the target's units
 * ($1000s for the house prices), from 0 to the largest value, both the same so the diagonal is 45°.
 */
import { formatNumber } from "../i18n.js";
import { t } from "../train-strings.js";

export class Scatter {
  private predicted: Float32Array = new Float32Array(0);
  private actual: Float32Array = new Float32Array(0);
  private step = 0;
  private frame = 0;
  private current: () => number = () => 0;

  constructor(private readonly canvas: HTMLCanvasElement, private readonly caption: HTMLElement) {
    new ResizeObserver(() => this.schedule()).observe(canvas);
  }

  /** Points drawn (for tests). */
  get points(): number {
    return this.predicted.length;
  }

  /** The evaluation at `step`; `current` is the step training has reached (the caption says when the scatter lags it). */
  show(predicted: Float32Array, actual: Float32Array, step: number, current: () => number): void {
    this.predicted = predicted;
    this.actual = actual;
    this.step = step;
    this.current = current;
    this.schedule();
  }

  clear(text: string): void {
    this.predicted = new Float32Array(0);
    this.actual = new Float32Array(0);
    this.caption.textContent = text;
    this.schedule();
  }

  /** Redraws at the next animation frame (at most one per frame). */
  schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private draw(): void {
    const { canvas, predicted, actual } = this;
    const n = predicted.length;
    if (n > 0) {
      const now = this.current();
      const when = now > this.step ? t("asOfStep", { step: this.step, now }) : t("atStep", { step: this.step });
      this.caption.textContent = t("scatterRows", { n, when });
      this.caption.classList.toggle("lag", now > this.step);
    }
    this.canvas.dataset["points"] = String(n);
    this.canvas.dataset["step"] = String(this.step);
    const pad = { left: 44, right: 10, top: 10, bottom: 38 };
    const dpr = globalThis.devicePixelRatio || 1;
    const css = canvas.clientWidth || 360;
    // A square plot area, so y = x is the diagonal.
    const size = Math.max(40, css - pad.left - pad.right);
    const height = size + pad.top + pad.bottom;
    canvas.style.height = `${height}px`;
    canvas.width = Math.round(css * dpr);
    canvas.height = Math.round(height * dpr);
    const ctx = canvas.getContext("2d")!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, css, height);

    let lo = 0;
    let hi = 50;
    for (let i = 0; i < n; i++) {
      lo = Math.min(lo, predicted[i]!, actual[i]!);
      hi = Math.max(hi, predicted[i]!, actual[i]!);
    }
    const tick = niceTick(hi - lo);
    lo = Math.floor(lo / tick) * tick;
    hi = Math.ceil(hi / tick) * tick;
    const plot = size;
    const x = (v: number) => pad.left + ((v - lo) / (hi - lo)) * size;
    const y = (v: number) => pad.top + plot - ((v - lo) / (hi - lo)) * plot;

    const style = getComputedStyle(canvas);
    const muted = style.getPropertyValue("--muted").trim() || "#9aa0a6";
    ctx.font = "11px system-ui, sans-serif";
    ctx.lineWidth = 1;
    // Grid and tick labels.
    ctx.strokeStyle = "#2c3038";
    ctx.fillStyle = muted;
    for (let v = lo; v <= hi + 1e-9; v += tick) {
      ctx.beginPath();
      ctx.moveTo(x(v), pad.top);
      ctx.lineTo(x(v), pad.top + plot);
      ctx.moveTo(pad.left, y(v));
      ctx.lineTo(pad.left + size, y(v));
      ctx.stroke();
      ctx.textAlign = "center";
      ctx.textBaseline = "top";
      ctx.fillText(formatNumber(v), x(v), pad.top + plot + 4);
      ctx.textAlign = "right";
      ctx.textBaseline = "middle";
      ctx.fillText(formatNumber(v), pad.left - 5, y(v));
    }
    ctx.textAlign = "center";
    ctx.textBaseline = "bottom";
    ctx.fillText(t("truePrice"), pad.left + size / 2, height - 2);
    ctx.save();
    ctx.translate(11, pad.top + plot / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = "middle";
    ctx.fillText(t("predictedPrice"), 0, 0);
    ctx.restore();
    // y = x: where every point would be if the predictions were exact.
    ctx.strokeStyle = "#e07b00";
    ctx.setLineDash([5, 4]);
    ctx.beginPath();
    ctx.moveTo(x(lo), y(lo));
    ctx.lineTo(x(hi), y(hi));
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = "rgba(110, 160, 255, 0.75)";
    for (let i = 0; i < n; i++) {
      ctx.beginPath();
      ctx.arc(x(actual[i]!), y(predicted[i]!), 3, 0, 2 * Math.PI);
      ctx.fill();
    }
  }
}

/** A round step (1, 2 or 5 × 10^k) giving about five grid lines over `span`. */
function niceTick(span: number): number {
  const raw = span / 5;
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}
