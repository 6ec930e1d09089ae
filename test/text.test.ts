/**
 * printable() and friends: text from files shown safely. Oracles: the escape for each character
 * written out by hand, the Unicode code charts for which characters are controls and format
 * characters, and JSON.parse for terminalJson (the same value comes back).
 */
import { describe, expect, test } from "vitest";
import { excerpt, printable, printablePath, quoted, terminalJson, terminalSafe } from "../src/text.js";
import { countNonFinite, describeNonFinite } from "../src/io/model-health.js";

/** True if `s` holds a character a terminal could act on or hide: C0, DEL, C1, bidi/invisible format, U+2028/9, lone surrogate. */
function hasRawControl(s: string): boolean {
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;
    if ((c >= 0x200b && c <= 0x200f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c === 0xfeff) return true;
    if (c === 0x2028 || c === 0x2029 || (c >= 0xd800 && c <= 0xdfff)) return true;
  }
  return false;
}

describe("printable", () => {
  test.each([
    ["ESC (C0)", "a\x1bb", "a\\x1bb"],
    ["NUL", "\x00", "\\x00"],
    ["BEL", "\x07", "\\x07"],
    ["newline, tab and carriage return are escaped too", "a\nb\tc\rd", "a\\nb\\tc\\rd"],
    ["DEL", "\x7f", "\\x7f"],
    ["C1 CSI (U+009B)", "\u009b2J", "\\x9b2J"],
    ["C1 first and last", "\u0080\u009f", "\\x80\\x9f"],
    ["zero-width space", "a\u200bb", "a\\u200bb"],
    ["left-to-right and right-to-left marks", "\u200e\u200f", "\\u200e\\u200f"],
    ["right-to-left override", "evil\u202etxt.exe", "evil\\u202etxt.exe"],
    ["bidi embeddings U+202A…U+202D", "\u202a\u202b\u202c\u202d", "\\u202a\\u202b\\u202c\\u202d"],
    ["bidi isolates U+2066…U+2069", "\u2066\u2067\u2068\u2069", "\\u2066\\u2067\\u2068\\u2069"],
    ["byte order mark", "\ufeffx", "\\ufeffx"],
    ["line and paragraph separators", "\u2028\u2029", "\\u2028\\u2029"],
    ["a tag character beyond the BMP", "\u{e0041}", "\\u{e0041}"],
    ["lone high surrogate", "a\ud800b", "a\\ud800b"],
    ["lone low surrogate at the end", "a\udc00", "a\\udc00"],
  ])("%s", (_, input, expected) => {
    expect(printable(input)).toBe(expected);
  });

  test("ordinary text, accents, CJK and a surrogate pair (emoji) are unchanged; quotes and backslashes too", () => {
    const s = 'layers.0.weight café 数字 😀 "q" \\ end';
    expect(printable(s)).toBe(s);
  });

  test('an ANSI title + clear-screen sequence "\\x1b]0;pwned\\x07\\x1b[2J" never reaches the output raw', () => {
    const attack = "\x1b]0;pwned\x07\x1b[2J";
    for (const out of [printable(attack), quoted(attack), excerpt({ k: attack }), printablePath(attack), terminalSafe(attack), terminalJson(attack)]) {
      expect(out).not.toContain("\x1b");
      expect(out).not.toContain("\x07");
      expect(hasRawControl(out)).toBe(false);
    }
    expect(printable(attack)).toBe("\\x1b]0;pwned\\x07\\x1b[2J");
  });

  test("cut to max characters with the count of the rest", () => {
    expect(printable("abcdefghij", 4)).toBe("abcd…(6 more characters)");
    expect(printable("abcde", 4)).toBe("abcd…(1 more character)");
    expect(printable("abcd", 4)).toBe("abcd");
    expect(printable("x".repeat(5000), 10)).toBe(`${"x".repeat(10)}…(4,990 more characters)`);
    expect(printable("abcdef", 3, "; see --json")).toBe("abc…(3 more characters; see --json)");
  });

  test("an escape is never split by the cut; the cap counts escaped output; pairs count once", () => {
    // "ab" (2) + "\x1b" (4) = 6 > 5: the escape is left out whole.
    expect(printable("ab\x1bcd", 5)).toBe("ab…(3 more characters)");
    expect(printable("😀😀😀", 2)).toBe("😀…(2 more characters)");
  });

  test("a 100 MB name becomes a short line, quickly", () => {
    const huge = "\x1b".repeat(100_000_000);
    const t0 = performance.now();
    const out = quoted(huge);
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(out.length).toBeLessThan(120);
    expect(out).toBe(`"${"\\x1b".repeat(20)}…(99,999,980 more characters)"`);
  });

  test("quoted escapes quotes and backslashes, so the quoted text is unambiguous", () => {
    expect(quoted('a"b\\c\n')).toBe('"a\\"b\\\\c\\n"');
  });

  test("excerpt shows any value as cut JSON", () => {
    expect(excerpt({ type: "Lin\u202eear" })).toBe('{"type":"Lin\\u202eear"}');
    expect(excerpt(undefined)).toBe("undefined");
    expect(excerpt("y".repeat(100), 10)).toBe('"yyyyyyyyy…(92 more characters)');
  });

  test("terminalSafe keeps line breaks, escapes every other control, caps the length", () => {
    expect(terminalSafe("line 1\nline\x1b[31m 2\t\u202e")).toBe("line 1\nline\\x1b[31m 2\\t\\u202e");
    expect(terminalSafe("z".repeat(20_000)).length).toBeLessThan(10_100);
  });

  test("terminalJson is JSON that parses to the same value, with DEL, C1, U+2028/9 and bidi escaped", () => {
    const value = { name: "a\x7fb\u0085c\u2028d\u2029e\u202ef\ufeff\x1b", tag: "\u{e0041}", n: [1, 2] };
    const text = terminalJson(value);
    expect(hasRawControl(text)).toBe(false);
    expect(text).toContain("\\u007f");
    expect(text).toContain("\\u2028");
    expect(text).toContain("\\udb40\\udc41");
    expect(JSON.parse(text)).toEqual(value);
  });
});

describe("countNonFinite", () => {
  test("counts NaN, +Infinity and -Infinity per tensor; finite tensors are left out", () => {
    const found = countNonFinite({
      ok: { data: new Float32Array([0, -1, 3.4e38, 1e-45]) },
      w: { data: new Float32Array([NaN, 1, NaN, Infinity, -Infinity, -Infinity]) },
      b: { data: new Float64Array([Number.MAX_VALUE, NaN]) },
    });
    expect(found).toEqual([
      { tensor: "w", nan: 2, posInf: 1, negInf: 2, size: 6 },
      { tensor: "b", nan: 1, posInf: 0, negInf: 0, size: 2 },
    ]);
  });

  test("the message names each tensor and count and says what to do", () => {
    expect(describeNonFinite("m.safetensors", [{ tensor: "layers.0.weight", nan: 12, posInf: 0, negInf: 0, size: 23_550 }])).toBe(
      'm.safetensors: 12 of 23,550 values of "layers.0.weight" are NaN — the model diverged during training or the file is damaged; retrain it (try a smaller --lr or --clip-norm)',
    );
    expect(describeNonFinite("m", [{ tensor: "b", nan: 1, posInf: 2, negInf: 0, size: 10 }])).toMatch(/^m: 3 of 10 values of "b" are not finite \(1 NaN, 2 \+Infinity\) — /);
  });
});
