/**
 * A picture for any network: its layers as blocks in a row (wrapping on narrow screens), each named
 * (Conv 20@5×5, MaxPool 2×2, Linear 100, …) with the shape it outputs for one digit (20@24×24, 100);
 * a block's height grows with the log of its number of values. Activations are written on the
 * arrow between blocks. Drawn from the model's layer list (session.ts's layerBlocks()).
 */
import type { LayerBlock } from "../session.js";
import { formatNumber } from "../i18n.js";
import { t } from "../train-strings.js";

const BLOCK_W = 92;
const GAP = 26;
const ROW_H = 118;
const ACTIVATIONS = new Set(["ReLU", "Sigmoid", "Tanh", "LeakyReLU", "GELU", "Softmax", "Identity", "ELU", "SiLU", "Softplus"]);

/** "20@24×24" for channels × height × width, "100" for a vector. */
export function shapeText(out: number[]): string {
  if (out.length === 3) return `${out[0]}@${out[1]}×${out[2]}`;
  if (out.length === 2) return `${out[0]}×${out[1]}`;
  return out.map((n) => formatNumber(n)).join("×");
}

/** A layer's name in the page's words. */
export function blockName(b: LayerBlock): string {
  const s = b.spec as Record<string, unknown> & { type: string };
  switch (s.type) {
    case "Linear": return t("block.Linear", { n: Number(s["outFeatures"]) });
    case "Conv2d": return t("block.Conv2d", { c: Number(s["outChannels"]), k: Number(s["kernelSize"]) });
    case "MaxPool2d": return t("block.MaxPool2d", { k: Number(s["kernelSize"]) });
    case "AvgPool2d": return t("block.AvgPool2d", { k: Number(s["kernelSize"]) });
    case "Flatten": return t("block.Flatten");
    case "Dropout": return t("block.Dropout", { p: Number(s["p"] ?? 0) });
    default: return s.type.startsWith("BatchNorm") ? t("block.BatchNorm") : s.type;
  }
}

interface Drawn {
  name: string;
  shape: string;
  size: number;
  /** Activations applied after it, written on its outgoing arrow. */
  then: string[];
}

export function drawBlocks(canvas: HTMLCanvasElement, layers: LayerBlock[], input: number[]): void {
  const drawn: Drawn[] = [{ name: t("block.input"), shape: shapeText(input), size: input.reduce((a, b) => a * b, 1), then: [] }];
  for (const b of layers) {
    if (ACTIVATIONS.has(b.spec.type)) {
      drawn[drawn.length - 1]!.then.push(b.spec.type === "Softmax" ? "softmax" : b.spec.type);
      continue;
    }
    drawn.push({ name: blockName(b), shape: shapeText(b.out), size: b.out.reduce((a, c) => a * c, 1), then: [] });
  }
  const css = Math.max(240, canvas.clientWidth || canvas.parentElement?.clientWidth || 700);
  const perRow = Math.max(1, Math.floor((css - 8 + GAP) / (BLOCK_W + GAP)));
  const rows = Math.ceil(drawn.length / perRow);
  const height = rows * ROW_H;
  const dpr = globalThis.devicePixelRatio || 1;
  canvas.style.height = `${height}px`;
  canvas.width = Math.round(css * dpr);
  canvas.height = Math.round(height * dpr);
  const c = canvas.getContext("2d")!;
  c.setTransform(dpr, 0, 0, dpr, 0, 0);
  c.clearRect(0, 0, css, height);
  const maxLog = Math.log10(Math.max(...drawn.map((d) => d.size), 10));
  const text = getComputedStyle(canvas).getPropertyValue("--text").trim() || "#e6e6e6";
  const muted = getComputedStyle(canvas).getPropertyValue("--muted").trim() || "#9aa0a6";
  c.textAlign = "center";
  drawn.forEach((d, i) => {
    const row = Math.floor(i / perRow);
    const col = i % perRow;
    const x = 4 + col * (BLOCK_W + GAP);
    const mid = row * ROW_H + 46;
    const h = 14 + 50 * (Math.log10(Math.max(d.size, 1)) / maxLog);
    c.fillStyle = i === 0 ? "#2a2e36" : "#26406e";
    c.strokeStyle = "#4f8cff";
    c.lineWidth = 1;
    c.beginPath();
    c.roundRect(x, mid - h / 2, BLOCK_W, h, 4);
    c.fill();
    c.stroke();
    c.fillStyle = text;
    c.font = "600 11px system-ui, sans-serif";
    c.textBaseline = "bottom";
    c.fillText(d.name, x + BLOCK_W / 2, mid - h / 2 - 3, BLOCK_W + GAP - 4);
    c.font = "11px ui-monospace, monospace";
    c.textBaseline = "middle";
    c.fillText(d.shape, x + BLOCK_W / 2, mid, BLOCK_W - 4);
    if (i < drawn.length - 1) {
      const sameRow = col < perRow - 1;
      c.strokeStyle = muted;
      c.fillStyle = muted;
      c.beginPath();
      if (sameRow) {
        c.moveTo(x + BLOCK_W + 2, mid);
        c.lineTo(x + BLOCK_W + GAP - 4, mid);
        c.stroke();
        c.beginPath();
        c.moveTo(x + BLOCK_W + GAP - 2, mid);
        c.lineTo(x + BLOCK_W + GAP - 8, mid - 4);
        c.lineTo(x + BLOCK_W + GAP - 8, mid + 4);
        c.fill();
      }
      if (d.then.length) {
        c.font = "10px system-ui, sans-serif";
        c.textBaseline = "top";
        c.fillText(d.then.join("·"), x + BLOCK_W / 2, mid + 34, BLOCK_W + GAP);
      }
    } else if (d.then.length) {
      c.font = "10px system-ui, sans-serif";
      c.textBaseline = "top";
      c.fillText(d.then.join("·"), x + BLOCK_W / 2, mid + 34, BLOCK_W + GAP);
    }
  });
  canvas.dataset["blocks"] = String(drawn.length);
  canvas.dataset["names"] = drawn.map((d) => `${d.name} ${d.shape}`).join(" | ");
}
