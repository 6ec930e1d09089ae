/**
 * Node adapter: reads a PNG file into a RawImage for src/data/preprocess.ts (`descent predict`).
 * Decoding is pngjs's; this file adds the errors a user can act on.
 */
import { PNG } from "pngjs";
import { crc32, inflateSync } from "node:zlib";
import { DescentError } from "../errors.js";
import type { RawImage } from "../data/preprocess.js";
import { printable, printablePath } from "../text.js";
import { formatBytes, formatCount, limitHint, limits } from "../limits.js";
import { readFileBounded } from "./read-file.js";

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const;

/**
 * Reads and decodes a PNG. Every PNG kind pngjs reads — grey, grey+alpha, RGB, RGBA, palette (with
 * tRNS transparency), 1/2/4/8/16-bit, interlaced — comes back as 8-bit RGBA (`channels: 4`):
 * pngjs expands grey and palettes to RGBA and rescales 16-bit samples to 8 bits (round(v·255/65535)).
 * Throws DescentError for a missing or unreadable file, a non-PNG (naming the format it looks like),
 * a corrupt or truncated PNG, and one over the limits (maxImageBytes, maxImagePixels) — the header
 * is checked before pngjs allocates anything.
 */
export async function readImage(path: string): Promise<RawImage> {
  const read = await readFileBounded(path, { cap: "maxImageBytes", explain: readFailure });
  const bytes = Buffer.from(read.buffer, read.byteOffset, read.length);
  checkSignature(path, bytes);
  checkHeader(path, bytes);
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

function readFailure(code: string): string | undefined {
  if (code === "ENOENT") return "no such file — check the path";
  if (code === "EISDIR") return "is a folder, expected a PNG file";
  if (code === "EACCES" || code === "EPERM") return "permission denied — check the file's permissions";
  return undefined;
}

/**
 * Checks what the IHDR chunk (always first, RFC 2083 §4.1.1) declares before anything is decoded:
 * width and height ≥ 1, at most maxImagePixels pixels, and compressed image data (IDAT) that could
 * inflate to that many scanlines at all (deflate packs at most 1032 bytes into one). For interlaced
 * images, whose data pngjs inflates without a cap, the inflated size is checked here with a cap.
 * A file whose chunks do not reach IEND, or whose IHDR fails its CRC, is left to pngjs, which
 * rejects it before inflating.
 */
function checkHeader(path: string, bytes: Buffer): void {
  const corrupt = (what: string) => new DescentError(`${printablePath(path)}: corrupt PNG — ${what}; re-export or re-save the image as PNG`);
  if (bytes.length < 33) return; // too short to hold a header: the truncation message below says so
  if (bytes.readUInt32BE(8) !== 13 || bytes.toString("latin1", 12, 16) !== "IHDR") {
    throw corrupt("it does not start with a 13-byte IHDR chunk (the image header)");
  }
  // A damaged header says nothing reliable; pngjs rejects its CRC before decoding anything.
  if (crc32(bytes.subarray(12, 29)) !== bytes.readUInt32BE(29)) return;
  const [width, height, depth, colorType, interlace] = [bytes.readUInt32BE(16), bytes.readUInt32BE(20), bytes[24]!, bytes[25]!, bytes[28]!];
  if (width < 1 || height < 1) throw corrupt(`its header declares ${width}×${height} pixels; both must be at least 1`);
  if (width * height > limits().maxImagePixels) {
    throw new DescentError(
      `${printablePath(path)}: the PNG declares ${width}×${height} = ${formatCount(width * height)} pixels, more than descent decodes — ` +
        `scale the image down (a digit needs no more than a few hundred pixels a side); ${limitHint("maxImagePixels")}`,
    );
  }
  const channels = CHANNELS[colorType];
  const idat = idatChunks(bytes);
  if (channels === undefined || !idat) return; // pngjs names the bad colour type or the truncation
  const rowBytes = Math.ceil((width * channels * depth) / 8);
  const compressed = idat.reduce((n, c) => n + c.length, 0);
  const needed = height * (rowBytes + 1);
  if (compressed * 1032 + 64 < needed) {
    throw corrupt(
      `its header declares ${width}×${height} pixels (${formatBytes(needed)} of scanlines), but its ${formatBytes(compressed)} of ` +
        `compressed image data cannot inflate to more than ${formatBytes(compressed * 1032 + 64)}`,
    );
  }
  if (interlace === 1) {
    // Adam7's 7 passes add at most one filter byte and one partly used byte per row of each pass.
    const most = height * (rowBytes + 14);
    try {
      inflateSync(Buffer.concat(idat), { maxOutputLength: most });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") {
        throw corrupt(`its image data inflates past the ${formatBytes(most)} that ${width}×${height} interlaced pixels can fill (a zlib bomb?)`);
      }
      // Anything else (bad zlib data): pngjs reports it in its own words.
    }
  }
}

/** Samples per pixel for each PNG colour type (grey, RGB, palette, grey+alpha, RGBA). */
const CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** The IDAT chunks' data, or null when the chunk sequence does not reach IEND inside the file. */
function idatChunks(bytes: Buffer): Buffer[] | null {
  const out: Buffer[] = [];
  for (let at = 8; at + 12 <= bytes.length; ) {
    const length = bytes.readUInt32BE(at);
    const type = bytes.toString("latin1", at + 4, at + 8);
    if (at + 12 + length > bytes.length) return null;
    if (type === "IEND") return out;
    if (type === "IDAT") out.push(bytes.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  return null;
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
