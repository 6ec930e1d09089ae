/** The descent view's two hand-drawn canvases: the landscape slice and the learning-rate curve. */
import { formatNumber } from "../../i18n.js";
import type { Analysis } from "./protocol.js";
import { t } from "./strings.js";

export const ZONE_COLORS: Record<string, string> = { "too-small": "#8a8f98", "about-right": "#3fb950", "too-large": "#d29922", divergent: "#f85149" };

/** Low cost dark blue, high cost pale yellow (a viridis-like ramp). */
const RAMP = [[13, 8, 135], [84, 2, 163], [139, 10, 165], [185, 50, 137], [219, 92, 104], [244, 136, 73], [254, 188, 43], [240, 249, 33]] as const;
function ramp(u: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, u)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(x));
  const f = x - i;
  const a = RAMP[i]!, b = RAMP[i + 1]!;
  return [a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]), a[2] + f * (b[2] - a[2])];
}

function sized(canvas: HTMLCanvasElement, height: number): { ctx: CanvasRenderingContext2D; w: number; h: number } {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(200, canvas.clientWidth || 320);
  canvas.width = Math.round(w * dpr);
  canvas.height = Math.round(height * dpr);
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext("2d")!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return { ctx, w, h: height };
}

const css = (name: string, fallback: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;

/** The heat map of the slice, the ball at its centre, the trail and the ring of the next step at η. */
export function drawLandscape(canvas: HTMLCanvasElement, a: Analysis, lr: number): void {
  const width = Math.max(200, canvas.clientWidth || 320);
  const { ctx, w, h } = sized(canvas, Math.min(420, width));
  const m = { l: 22, r: 8, t: 8, b: 24 };
  const pw = w - m.l - m.r, ph = h - m.t - m.b;
  const { xs, ys, cost, span } = a.landscape;
  const lo = Math.min(...cost), hi = Math.max(...cost);
  const img = document.createElement("canvas");
  img.width = xs.length;
  img.height = ys.length;
  const ic = img.getContext("2d")!;
  const data = ic.createImageData(xs.length, ys.length);
  for (let j = 0; j < ys.length; j++) {
    for (let i = 0; i < xs.length; i++) {
      const [r, g, b] = ramp(hi > lo ? (cost[j * xs.length + i]! - lo) / (hi - lo) : 0.5);
      const k = ((ys.length - 1 - j) * xs.length + i) * 4; // β grows upwards
      data.data[k] = r; data.data[k + 1] = g; data.data[k + 2] = b; data.data[k + 3] = 255;
    }
  }
  ic.putImageData(data, 0, 0);
  ctx.fillStyle = css("--bg", "#14161a");
  ctx.fillRect(0, 0, w, h);
  ctx.imageSmoothingEnabled = true;
  // Grid points are cell centres: stretch the image so that each sits at its (α, β).
  const cw = pw / (xs.length - 1), ch = ph / (ys.length - 1);
  ctx.save();
  ctx.beginPath();
  ctx.rect(m.l, m.t, pw, ph);
  ctx.clip();
  ctx.drawImage(img, m.l - cw / 2, m.t - ch / 2, pw + cw, ph + ch);
  ctx.restore();
  const X = (alpha: number) => m.l + ((alpha + span) / (2 * span)) * pw;
  const Y = (beta: number) => m.t + ph - ((beta + span) / (2 * span)) * ph;
  // Trail: the earlier weights' projections, oldest first, ending at the ball.
  ctx.strokeStyle = "rgba(255,255,255,0.85)";
  ctx.fillStyle = "rgba(255,255,255,0.85)";
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  a.trail.forEach((p, i) => (i ? ctx.lineTo(X(p.alpha), Y(p.beta)) : ctx.moveTo(X(p.alpha), Y(p.beta))));
  ctx.stroke();
  for (const p of a.trail.slice(0, -1)) {
    ctx.beginPath();
    ctx.arc(X(p.alpha), Y(p.beta), 2.5, 0, 2 * Math.PI);
    ctx.fill();
  }
  // The next step at the slider's η: −η∇C lies on the α axis.
  const next = lr * a.alphaPerEta;
  ctx.strokeStyle = ctx.fillStyle = "#3fb950";
  ctx.lineWidth = 2;
  ctx.beginPath();
  if (next <= span) {
    ctx.arc(X(next), Y(0), 6, 0, 2 * Math.PI);
    ctx.stroke();
  } else {
    // Beyond the slice: an arrow at its edge, pointing on.
    const x = X(span) - 2;
    ctx.moveTo(x, Y(0));
    ctx.lineTo(x - 12, Y(0) - 7);
    ctx.lineTo(x - 12, Y(0) + 7);
    ctx.closePath();
    ctx.fill();
  }
  // The ball.
  ctx.fillStyle = "#fff";
  ctx.strokeStyle = css("--accent", "#4f8cff");
  ctx.lineWidth = 3;
  ctx.beginPath();
  ctx.arc(X(0), Y(0), 7, 0, 2 * Math.PI);
  ctx.fill();
  ctx.stroke();
  // Axes.
  ctx.fillStyle = css("--muted", "#9aa0a6");
  ctx.font = "12px system-ui, sans-serif";
  ctx.textAlign = "center";
  ctx.fillText(`${t("axisDown")}  (±${formatNumber(span)})`, m.l + pw / 2, h - 6);
  ctx.save();
  ctx.translate(14, m.t + ph / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText(t("axisRandom"), 0, 0);
  ctx.restore();
}

/** The cost after one step η along −∇C, η on a log axis, with the zones and the chosen η. */
export function drawRateCurve(canvas: HTMLCanvasElement, a: Analysis, lr: number, current: number | null): void {
  const { ctx, w, h } = sized(canvas, 220);
  const m = { l: 46, r: 10, t: 10, b: 44 };
  const pw = w - m.l - m.r, ph = h - m.t - m.b;
  const c0 = a.evalCost;
  const all = [...a.curve, c0].filter(Number.isFinite);
  let lo = Math.min(...all), hi = Math.max(...all);
  if (hi - lo < 1e-9) { lo -= 0.01; hi += 0.01; }
  const pad = (hi - lo) * 0.06;
  lo -= pad; hi += pad;
  const lx = (eta: number) => m.l + ((Math.log10(eta) + 2) / 4) * pw;
  const Y = (c: number) => m.t + ph - ((c - lo) / (hi - lo)) * ph;
  ctx.fillStyle = css("--panel", "#1d2026");
  ctx.fillRect(0, 0, w, h);
  // Zone strip under the plot: each sample owns the stretch halfway to its neighbours.
  const etas = a.etas;
  etas.forEach((eta, i) => {
    const left = i ? Math.sqrt(eta * etas[i - 1]!) : eta;
    const right = i + 1 < etas.length ? Math.sqrt(eta * etas[i + 1]!) : eta;
    ctx.fillStyle = ZONE_COLORS[a.zones[i]!] ?? "#888";
    ctx.globalAlpha = 0.18;
    ctx.fillRect(lx(left), m.t, lx(right) - lx(left), ph);
    ctx.globalAlpha = 1;
    ctx.fillRect(lx(left), m.t + ph + 2, lx(right) - lx(left), 6);
  });
  const muted = css("--muted", "#9aa0a6");
  // C(w): no step at all.
  ctx.strokeStyle = muted;
  ctx.setLineDash([4, 4]);
  ctx.beginPath();
  ctx.moveTo(m.l, Y(c0));
  ctx.lineTo(m.l + pw, Y(c0));
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.strokeStyle = css("--text", "#e6e6e6");
  ctx.lineWidth = 2;
  ctx.beginPath();
  a.curve.forEach((c, i) => {
    const y = Math.max(m.t - 4, Math.min(m.t + ph + 4, Y(c)));
    if (i) ctx.lineTo(lx(etas[i]!), y);
    else ctx.moveTo(lx(etas[i]!), y);
  });
  ctx.stroke();
  // The chosen η.
  ctx.strokeStyle = css("--accent", "#4f8cff");
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.moveTo(lx(lr), m.t);
  ctx.lineTo(lx(lr), m.t + ph);
  ctx.stroke();
  if (current !== null && Number.isFinite(current)) {
    ctx.fillStyle = css("--accent", "#4f8cff");
    ctx.beginPath();
    ctx.arc(lx(lr), Y(current), 5, 0, 2 * Math.PI);
    ctx.fill();
  }
  ctx.fillStyle = muted;
  ctx.font = "11px system-ui, sans-serif";
  ctx.textAlign = "center";
  for (const e of [0.01, 0.1, 1, 10, 100]) ctx.fillText(formatNumber(e), lx(e), m.t + ph + 20);
  ctx.fillText(t("axisEta"), m.l + pw / 2, h - 6);
  ctx.textAlign = "right";
  for (const c of [lo + pad, hi - pad]) ctx.fillText(formatNumber(c, { maximumSignificantDigits: 3 }), m.l - 4, Y(c) + 4);
  ctx.textAlign = "left";
  ctx.fillText(t("costNow"), m.l + 4, Y(c0) - 4);
}
