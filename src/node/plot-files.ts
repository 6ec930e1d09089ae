/**
 * Writes a plot (src/plot/svg.ts) as SVG, or as PNG rasterised by @resvg/resvg-wasm: resvg in
 * WebAssembly, so it installs from the registry alone (no native binary, no build, no download),
 * runs the same on every platform and in a browser, and renders byte-identical pictures everywhere.
 *
 * Fonts: the wasm build never reads system fonts, so text is drawn only with a font file passed in:
 * DejaVu Sans from the dejavu-fonts-ttf package (a dependency: the same letters on every machine,
 * fresh or not); a system copy of a common sans-serif font if that package is missing.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { extname } from "node:path";
import { writeFileAtomic } from "./atomic-write.js";
import { DescentError } from "../errors.js";

/** What the PNG renderer needs from @resvg/resvg-wasm (typed here so it stays an optional dependency). */
interface ResvgModule {
  initWasm(module: Uint8Array): Promise<void>;
  Resvg: new (svg: string, opts: { font?: { fontBuffers: Uint8Array[]; defaultFontFamily?: string }; fitTo?: { mode: "zoom"; value: number } }) => {
    render(): { asPng(): Uint8Array };
  };
}

const RENDERER = "@resvg/resvg-wasm";

/** The bundled font, when its package is installed. */
function packagedFont(): string[] {
  try {
    return [createRequire(import.meta.url).resolve("dejavu-fonts-ttf/ttf/DejaVuSans.ttf")];
  } catch {
    return [];
  }
}

/** Font files tried in order for PNG text: the package's, then Debian, Fedora, Arch, macOS paths. */
export const FONT_CANDIDATES = [
  ...packagedFont(),
  "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
  "/usr/share/fonts/dejavu/DejaVuSans.ttf",
  "/usr/share/fonts/TTF/DejaVuSans.ttf",
  "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
  "/usr/share/fonts/liberation-sans/LiberationSans-Regular.ttf",
  "/Library/Fonts/Arial.ttf",
  "/System/Library/Fonts/Supplemental/Arial.ttf",
];

let loaded: Promise<ResvgModule> | null = null;

async function renderer(): Promise<ResvgModule> {
  loaded ??= (async () => {
    let mod: ResvgModule;
    try {
      const name = RENDERER; // a variable: the package is optional, so TypeScript must not resolve it
      mod = (await import(name)) as ResvgModule;
    } catch {
      throw new DescentError(`writing a PNG plot needs the ${RENDERER} package, which is not installed: install it (npm install ${RENDERER}), or write the plot as .svg`);
    }
    const wasm = createRequire(import.meta.url).resolve(`${RENDERER}/index_bg.wasm`);
    await mod.initWasm(readFileSync(wasm));
    return mod;
  })();
  try {
    return await loaded;
  } catch (e) {
    loaded = null;
    throw e;
  }
}

/** The font file a PNG's text is drawn with, or null (then the PNG has no text). */
export function pngFont(candidates = FONT_CANDIDATES): string | null {
  return candidates.find((p) => existsSync(p)) ?? null;
}

/** SVG text → PNG bytes (2× zoom by default, for sharp lines). */
export async function svgToPng(svg: string, opts: { zoom?: number; font?: string | null } = {}): Promise<Uint8Array> {
  const { Resvg } = await renderer();
  const font = opts.font === undefined ? pngFont() : opts.font;
  const fontBuffers = font ? [new Uint8Array(readFileSync(font))] : [];
  // The SVG names its families (DejaVu Sans, Liberation Sans, Arial); resvg picks the loaded one.
  return new Resvg(svg, { font: { fontBuffers }, fitTo: { mode: "zoom", value: opts.zoom ?? 2 } }).render().asPng();
}

/** Writes `svg` to `path` atomically: as SVG text, or as PNG when the path ends in .png. */
export async function writePlot(path: string, svg: string): Promise<void> {
  const bytes = extname(path).toLowerCase() === ".png" ? await svgToPng(svg) : new TextEncoder().encode(svg);
  await writeFileAtomic(path, bytes);
}

/** Before a long run: a .png plot path needs the renderer, so its absence is said now, not after training. */
export async function checkPlotWriter(path: string): Promise<void> {
  if (extname(path).toLowerCase() === ".png") await renderer();
}

/** Whether a plot path is one writePlot accepts (.svg or .png). */
export const isPlotPath = (path: string): boolean => /\.(svg|png)$/i.test(path);
