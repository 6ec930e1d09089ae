/**
 * Text that came from a file (or from argv) is data, never terminal commands. Every message or
 * listing that shows such text goes through one of these: control characters (C0, DEL, C1), line
 * and paragraph separators, invisible and bidi format characters (U+200B–U+200F, U+202A–U+202E,
 * U+2066–U+2069, U+FEFF, …: Unicode category Cf) and lone surrogates become visible escapes
 * ("\x1b", "\u202e"), and the text is cut so a 100 MB tensor name cannot flood the terminal.
 */

/** Characters never shown raw: Cc (C0, DEL, C1), Cf (format, incl. bidi), Zl/Zp (U+2028/9), Cs (lone surrogates). */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;
const SHORT: Record<string, string> = { "\n": "\\n", "\t": "\\t", "\r": "\\r" };

/** "\x1b", "\u202e", "\u{e0001}": a code point as a visible escape. */
function escapeCodePoint(cp: number): string {
  const hex = cp.toString(16);
  return cp <= 0xff ? `\\x${hex.padStart(2, "0")}` : cp <= 0xffff ? `\\u${hex.padStart(4, "0")}` : `\\u{${hex}}`;
}

interface EscapeOptions {
  /** Longest output (not counting the "…(N more …)" note); Infinity for no cap. */
  max: number;
  /** Also escape `"` and `\` (for text shown between quotes). */
  quote?: boolean;
  /** Leave "\n" as a line break (whole messages, not quoted values). */
  keepNewlines?: boolean;
  /** Appended inside the cut note: "…(12 more characters; see --json)". */
  hint?: string;
}

function escapeText(s: string, o: EscapeOptions): string {
  let out = "";
  let i = 0;
  while (i < s.length) {
    const cp = s.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    let piece = ch;
    if (ch === "\n" && o.keepNewlines) piece = ch;
    else if (SHORT[ch] !== undefined) piece = SHORT[ch];
    else if (UNSAFE.test(ch)) piece = escapeCodePoint(cp);
    else if (o.quote && (ch === '"' || ch === "\\")) piece = `\\${ch}`;
    if (out.length + piece.length > o.max) break;
    out += piece;
    i += ch.length;
  }
  if (i >= s.length) return out;
  const rest = countCodePoints(s, i);
  return `${out}…(${rest.toLocaleString("en-US")} more character${rest === 1 ? "" : "s"}${o.hint ?? ""})`;
}

/** Code points in s[from…] (a surrogate pair counts once). */
function countCodePoints(s: string, from: number): number {
  let n = 0;
  for (let i = from; i < s.length; i++, n++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
  }
  return n;
}

/**
 * `s` safe to print: control, format and bidi characters escaped (even \n and \t), at most `max`
 * characters, then "…(N more characters)" (`hint` is added inside the parentheses).
 */
export function printable(s: string, max = 80, hint = ""): string {
  return escapeText(s, { max, hint });
}

/** `s` between double quotes, like JSON: printable() plus `"` and `\` escaped. */
export function quoted(s: string, max = 80): string {
  return `"${escapeText(s, { max, quote: true })}"`;
}

/** A file path in a message: printable, with room for long real paths. */
export function printablePath(path: string): string {
  return printable(path, 300);
}

/** Any value from a file, shown as (cut) JSON: "found {"type":"Lin…(12 more characters)". */
export function excerpt(value: unknown, max = 80): string {
  return printable(JSON.stringify(value) ?? String(value), max);
}

/**
 * A whole message for the terminal (the CLI's last line of defence): line breaks stay, every other
 * control or format character is escaped, and it is cut at `max` characters.
 */
export function terminalSafe(message: string, max = 10_000): string {
  return escapeText(message, { max, keepNewlines: true });
}

/**
 * JSON.stringify for output that may reach a terminal: JSON.stringify leaves DEL, C1 controls,
 * U+2028/U+2029 and format/bidi characters raw; here they become \uXXXX escapes (still valid JSON,
 * the same value once parsed).
 */
export function terminalJson(value: unknown): string {
  return (JSON.stringify(value) ?? "null").replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, (ch) =>
    Array.from({ length: ch.length }, (_, i) => `\\u${ch.charCodeAt(i).toString(16).padStart(4, "0")}`).join(""),
  );
}
