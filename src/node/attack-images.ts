/**
 * Writes adversarial examples as PNG pictures (pngjs): for each, three panels side by side — the
 * original digit, the perturbation (grey = 0, white = +ε, black = −ε) and the adversarial digit —
 * each pixel drawn as a `zoom`×`zoom` square, named with the predictions:
 * 00042-label-7-clean-7-attacked-3.png.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { PNG } from "pngjs";
import { writeFileAtomic } from "./atomic-write.js";
import type { AttackExample } from "../analysis/attack.js";

/** The three panels as grey levels 0–255 (white digit on black, as MNIST stores it), width × height. */
export function examplePixels(e: AttackExample, epsilon: number, side = 28, zoom = 4, gap = 4): { width: number; height: number; grey: Uint8Array } {
  const panel = side * zoom;
  const width = 3 * panel + 2 * gap;
  const height = panel;
  const grey = new Uint8Array(width * height).fill(128);
  const panels = [
    (i: number) => e.original[i]!,
    (i: number) => (epsilon > 0 ? 0.5 + (e.adversarial[i]! - e.original[i]!) / (2 * epsilon) : 0.5),
    (i: number) => e.adversarial[i]!,
  ];
  panels.forEach((value, p) => {
    for (let r = 0; r < height; r++) {
      for (let c = 0; c < panel; c++) {
        const v = value(Math.floor(r / zoom) * side + Math.floor(c / zoom));
        grey[r * width + p * (panel + gap) + c] = Math.round(255 * Math.min(1, Math.max(0, v)));
      }
    }
  });
  return { width, height, grey };
}

export async function writeExamples(dir: string, examples: readonly AttackExample[], epsilon: number): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const paths: string[] = [];
  for (const e of examples) {
    const { width, height, grey } = examplePixels(e, epsilon);
    const png = new PNG({ width, height, colorType: 0, inputColorType: 0, bitDepth: 8, inputHasAlpha: false });
    png.data = Buffer.from(grey);
    const path = join(dir, `${String(e.index).padStart(5, "0")}-label-${e.label}-clean-${e.clean}-attacked-${e.attacked}.png`);
    await writeFileAtomic(path, new Uint8Array(PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false })));
    paths.push(path);
  }
  return paths;
}
