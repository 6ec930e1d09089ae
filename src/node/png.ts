/**
 * Node adapter: reads a PNG file into a RawImage for src/data/preprocess.ts (`descent predict`).
 * Decoding is pngjs's; this file adds the errors a user can act on.
 */
import { readFile } from "node:fs/promises";
import { PNG } from "pngjs";
import { DescentError } from "../errors.js";
import type { RawImage } from "../data/preprocess.js";
import { printable, printablePath } from "../text.js";

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const;

/**
 * Reads and decodes a PNG. Every PNG kind pngjs reads — grey, grey+alpha, RGB, RGBA, palette (with
 * tRNS transparency), 1/2/4/8/16-bit, interlaced — comes back as 8-bit RGBA (`channels: 4`):
 * pngjs expands grey and palettes to RGBA and rescales 16-bit samples to 8 bits (round(v·255/65535)).
 * Throws DescentError for a missing or unreadable file, a non-PNG (naming the format it looks like),
 * and a corrupt or truncated PNG.
 */
export async function readImage(path: string): Promise<RawImage> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new DescentError(readFailure(path, e));
  }
  checkSignature(path, bytes);
  let png: { width: number; height: number; data: Buffer };
  try {
    png = PNG.sync.read(bytes);
  } catch (e) {
    // pngjs's messages are terse ("Ran out of data"); a missing IEND is the common, clear case.
    if (bytes.lastIndexOf("IEND") < 0) {
      throw new DescentError(
        `${printablePath(path)}: truncated PNG — the file stops after ${bytes.length} bytes, before the IEND chunk that ends ` +
          `every PNG (an interrupted download or copy?); get or save the image again`,
      );
    }
    const why = e instanceof Error ? e.message : String(e);
    throw new DescentError(`${printablePath(path)}: corrupt PNG (the decoder says: ${printable(why, 200)}) — re-export or re-save the image as PNG`);
  }
  const { width, height, data } = png;
  if (data.length !== width * height * 4) {
    throw new DescentError(
      `${printablePath(path)}: decoded ${data.length} bytes for a ${width}×${height} image, expected ${width * height * 4} (RGBA) — ` +
        `the PNG is probably corrupt; re-save it`,
    );
  }
  return { width, height, channels: 4, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

function readFailure(path: string, e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  if (code === "ENOENT") return `${printablePath(path)}: no such file — check the path`;
  if (code === "EISDIR") return `${printablePath(path)}: is a folder, expected a PNG file`;
  if (code === "EACCES" || code === "EPERM") return `${printablePath(path)}: permission denied — check the file's permissions`;
  return `${printablePath(path)}: cannot read the file (${printable(e instanceof Error ? e.message : String(e), 400)})`;
}

/** Throws unless `bytes` start with the PNG signature, saying what the file looks like instead. */
function checkSignature(path: string, bytes: Uint8Array): void {
  const n = Math.min(bytes.length, PNG_SIGNATURE.length);
  let matches = true;
  for (let i = 0; i < n; i++) if (bytes[i] !== PNG_SIGNATURE[i]) matches = false;
  if (matches && bytes.length > PNG_SIGNATURE.length) return;
  if (bytes.length === 0) throw new DescentError(`${printablePath(path)}: the file is empty, expected a PNG image`);
  if (matches) throw new DescentError(`${printablePath(path)}: truncated PNG (only ${bytes.length} bytes) — re-save the image as PNG`);
  const kind = sniff(bytes);
  const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, "0")).join(" ");
  throw new DescentError(
    `${printablePath(path)}: not a PNG file (${kind ? `looks like ${kind}` : `starts ${head}`}) — only PNG is supported; ` +
      `convert it first, e.g. \`magick ${quote(path)} digit.png\` or "Save as PNG" in an image editor`,
  );
}

/** A human name for common non-PNG formats, from their magic bytes. */
function sniff(b: Uint8Array): string | null {
  const ascii = (start: number, end: number) => String.fromCharCode(...b.subarray(start, end));
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "a JPEG";
  if (ascii(0, 4) === "GIF8") return "a GIF";
  if (ascii(0, 2) === "BM") return "a BMP";
  if (ascii(0, 4) === "RIFF" && ascii(8, 12) === "WEBP") return "a WebP";
  if (ascii(0, 4) === "II*\0" || ascii(0, 4) === "MM\0*") return "a TIFF";
  if (ascii(4, 8) === "ftyp") return /^(heic|heix|mif1|msf1|avif)/.test(ascii(8, 12)) ? "a HEIC/AVIF photo" : "an MP4/ISO media file";
  if (ascii(0, 4) === "%PDF") return "a PDF";
  if (b[0] === 0x1f && b[1] === 0x8b) return "gzip-compressed data";
  const text = ascii(0, Math.min(b.length, 256)).trimStart();
  if (/^(<\?xml|<svg)/i.test(text)) return "an SVG/XML text file";
  if (isText(b.subarray(0, 512))) return "a text file";
  return null;
}

function isText(b: Uint8Array): boolean {
  for (const c of b) if (c < 0x09 || (c > 0x0d && c < 0x20 && c !== 0x1b)) return false;
  return b.length > 0;
}

const quote = (s: string) => (/^[\w./-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`);
