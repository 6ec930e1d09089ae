/** Small images: first-layer weights (diverging colours) and misclassified digits (grey). */
import { paintDigit } from "./draw.js";
import { t } from "../train-strings.js";
import type { Images } from "../protocol.js";

/** Paints values as a diverging map: blue positive, red negative, white zero, scaled by the largest |v|. */
export function paintWeights(canvas: HTMLCanvasElement, values: Float32Array, width: number, height: number): void {
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext("2d")!;
  const img = ctx.createImageData(width, height);
  let max = 1e-12;
  for (let i = 0; i < values.length; i++) max = Math.max(max, Math.abs(values[i]!));
  for (let i = 0; i < width * height; i++) {
    const v = values[i]! / max;
    const fade = Math.round(255 * (1 - Math.abs(v)));
    img.data[i * 4] = v > 0 ? fade : 255;
    img.data[i * 4 + 1] = fade;
    img.data[i * 4 + 2] = v > 0 ? 255 : fade;
    img.data[i * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

/** Keeps `count` canvases in a container, creating or removing as needed. */
function tiles(container: HTMLElement, count: number, make: () => HTMLElement): HTMLElement[] {
  while (container.children.length > count) container.lastElementChild!.remove();
  while (container.children.length < count) container.append(make());
  return Array.from(container.children) as HTMLElement[];
}

export function showWeightImages(container: HTMLElement, hint: HTMLElement, images: Images | null, aria: (i: number) => string = (i) => t("weightAria", { i })): void {
  hint.textContent = images && images.width !== 28 ? t("weightsHintConv", { w: images.width, h: images.height }) : t("weightsHintDense");
  if (!images) {
    tiles(container, 0, () => document.createElement("figure"));
    container.dataset["empty"] = t("weightsEmpty");
    return;
  }
  delete container.dataset["empty"];
  const size = images.width * images.height;
  tiles(container, images.count, () => {
    const fig = document.createElement("figure");
    fig.append(document.createElement("canvas"), document.createElement("figcaption"));
    return fig;
  }).forEach((fig, i) => {
    const canvas = fig.querySelector("canvas")!;
    paintWeights(canvas, images.data.subarray(i * size, (i + 1) * size), images.width, images.height);
    canvas.setAttribute("aria-label", aria(i));
    fig.querySelector("figcaption")!.textContent = String(i);
  });
}

/** Marks the test-set views as out of date until the next evaluation arrives. */
export function markStale(...elements: HTMLElement[]): void {
  for (const el of elements) el.classList.add("stale");
}

export function showMistakes(container: HTMLElement, mistakes: { index: number; label: number; predicted: number }[], pixels: Uint8Array): void {
  tiles(container, mistakes.length, () => {
    const fig = document.createElement("figure");
    const c = document.createElement("canvas");
    c.width = c.height = 28;
    fig.append(c, document.createElement("figcaption"));
    return fig;
  }).forEach((fig, i) => {
    container.classList.remove("stale");
    const m = mistakes[i]!;
    const canvas = fig.querySelector("canvas")!;
    const digit = new Float32Array(784);
    for (let p = 0; p < 784; p++) digit[p] = pixels[i * 784 + p]! / 255;
    paintDigit(canvas, digit);
    const p = { index: String(m.index), label: String(m.label), predicted: String(m.predicted) };
    canvas.setAttribute("aria-label", t("mistakeAria", p));
    fig.querySelector("figcaption")!.textContent = `${m.label}→${m.predicted}`;
    fig.title = t("mistakeTitle", p);
  });
}

export function showConfusion(table: HTMLTableElement, counts: number[]): void {
  const rows: string[] = [`<caption>${t("confusionCaption")}</caption><tr><th scope="col"></th>`];
  for (let p = 0; p < 10; p++) rows[0] += `<th scope="col">${p}</th>`;
  rows[0] += "</tr>";
  for (let a = 0; a < 10; a++) {
    const total = counts.slice(a * 10, a * 10 + 10).reduce((x, y) => x + y, 0) || 1;
    let row = `<tr><th scope="row">${a}</th>`;
    for (let p = 0; p < 10; p++) {
      const n = counts[a * 10 + p]!;
      const share = n / total;
      const bg = a === p ? `rgba(40,160,80,${(0.15 + 0.6 * share).toFixed(2)})` : `rgba(220,50,40,${Math.min(0.9, share * 8).toFixed(2)})`;
      row += `<td style="background:${bg}" title="${t("confusionCell", { n, total, a: String(a), p: String(p) })}">${n}</td>`;
    }
    rows.push(row + "</tr>");
  }
  table.innerHTML = rows.join("");
  table.classList.remove("stale");
}

/** Feature maps (grey, each scaled to its own largest value: bright where the filter responds). */
export function showMaps(container: HTMLElement, maps: Images | null, aria: (i: number) => string): void {
  if (!maps) {
    tiles(container, 0, () => document.createElement("figure"));
    return;
  }
  const size = maps.width * maps.height;
  tiles(container, maps.count, () => {
    const fig = document.createElement("figure");
    fig.append(document.createElement("canvas"), document.createElement("figcaption"));
    return fig;
  }).forEach((fig, i) => {
    const canvas = fig.querySelector("canvas")!;
    const part = maps.data.subarray(i * size, (i + 1) * size);
    let max = 1e-12;
    for (const v of part) max = Math.max(max, Math.abs(v));
    canvas.width = maps.width;
    canvas.height = maps.height;
    const ctx = canvas.getContext("2d")!;
    const img = ctx.createImageData(maps.width, maps.height);
    for (let p = 0; p < size; p++) {
      const g = Math.round(255 * Math.max(0, part[p]! / max));
      img.data[p * 4] = img.data[p * 4 + 1] = img.data[p * 4 + 2] = g;
      img.data[p * 4 + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
    canvas.setAttribute("aria-label", aria(i));
    fig.querySelector("figcaption")!.textContent = String(i);
  });
}
