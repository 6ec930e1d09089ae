/** Small images: first-layer weights (diverging colours) and misclassified digits (grey). */
import { paintDigit } from "./draw.js";

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

export function showWeightImages(container: HTMLElement, hint: HTMLElement, images: { count: number; width: number; height: number; data: Float32Array } | null): void {
  hint.textContent = images && images.width !== 28
    ? `Each first-layer filter's ${images.width}×${images.height} weights (blue +, red −).`
    : "Each hidden neuron's 784 incoming weights drawn as a 28×28 image (blue +, red −).";
  if (!images) {
    tiles(container, 0, () => document.createElement("figure"));
    container.dataset["empty"] = "this model's first layer is not a fully connected layer on 784 pixels or a one-channel convolution";
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
    canvas.setAttribute("aria-label", `weights into hidden neuron ${i}`);
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
    canvas.setAttribute("aria-label", `test digit ${m.index}: a ${m.label} taken for a ${m.predicted}`);
    fig.querySelector("figcaption")!.textContent = `${m.label}→${m.predicted}`;
    fig.title = `test image #${m.index}: label ${m.label}, predicted ${m.predicted}`;
  });
}

export function showConfusion(table: HTMLTableElement, counts: number[]): void {
  const rows: string[] = ['<caption>rows: true digit · columns: predicted</caption><tr><th scope="col"></th>'];
  for (let p = 0; p < 10; p++) rows[0] += `<th scope="col">${p}</th>`;
  rows[0] += "</tr>";
  for (let a = 0; a < 10; a++) {
    const total = counts.slice(a * 10, a * 10 + 10).reduce((x, y) => x + y, 0) || 1;
    let row = `<tr><th scope="row">${a}</th>`;
    for (let p = 0; p < 10; p++) {
      const n = counts[a * 10 + p]!;
      const share = n / total;
      const bg = a === p ? `rgba(40,160,80,${(0.15 + 0.6 * share).toFixed(2)})` : `rgba(220,50,40,${Math.min(0.9, share * 8).toFixed(2)})`;
      row += `<td style="background:${bg}" title="${n} of ${total} ${a}s predicted as ${p}">${n}</td>`;
    }
    rows.push(row + "</tr>");
  }
  table.innerHTML = rows.join("");
  table.classList.remove("stale");
}
