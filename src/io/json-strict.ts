/**
 * A strict JSON parser for text read from files (RFC 8259 grammar). Unlike `JSON.parse` it rejects
 * duplicate object keys (JSON.parse silently keeps the last one, so two readers could disagree on
 * what a file says), caps nesting depth and rejects numbers that overflow to ±Infinity. Objects are
 * plain, but every member is defined (never assigned), so a "__proto__" key is an ordinary own
 * property: it cannot replace the object's prototype or reach Object.prototype.
 */
import { ModelFileError } from "../errors.js";
import { printablePath, quoted } from "../text.js";

/** Deepest nesting of arrays and objects accepted. */
export const MAX_JSON_DEPTH = 64;

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const PLAIN_RUN = /[^"\\\u0000-\u001f]*/y;
const ESCAPES: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

/** Parses `text`; every error is a ModelFileError naming `name` and the line and column. */
export function parseJsonStrict(text: string, name: string): unknown {
  return new Parser(text, name).document();
}

class Parser {
  private pos = 0;

  constructor(private readonly text: string, private readonly name: string) {}

  document(): unknown {
    this.skipSpace();
    const value = this.value(0);
    this.skipSpace();
    if (this.pos < this.text.length) this.fail("unexpected text after the JSON value");
    return value;
  }

  private value(depth: number): unknown {
    const c = this.text[this.pos];
    if (c === "{") return this.object(depth + 1);
    if (c === "[") return this.array(depth + 1);
    if (c === '"') return this.string();
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return this.number();
    for (const [word, v] of [["true", true], ["false", false], ["null", null]] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return v;
      }
    }
    return this.fail("expected a value (object, array, string, number, true, false or null)");
  }

  private object(depth: number): Record<string, unknown> {
    this.checkDepth(depth);
    const out: Record<string, unknown> = {};
    const seen = new Set<string>();
    this.pos++; // "{"
    this.skipSpace();
    if (this.eat("}")) return out;
    for (;;) {
      if (this.text[this.pos] !== '"') this.fail('expected a string key in double quotes');
      const keyAt = this.pos;
      const key = this.string();
      if (seen.has(key)) this.fail(`duplicate key ${quoted(key)} (each key may appear once)`, keyAt);
      seen.add(key);
      this.skipSpace();
      if (!this.eat(":")) this.fail(`expected ":" after key ${quoted(key)}`);
      this.skipSpace();
      Object.defineProperty(out, key, { value: this.value(depth), enumerable: true, writable: true, configurable: true });
      this.skipSpace();
      if (this.eat("}")) return out;
      if (!this.eat(",")) this.fail('expected "," or "}" after an object member');
      this.skipSpace();
    }
  }

  private array(depth: number): unknown[] {
    this.checkDepth(depth);
    const out: unknown[] = [];
    this.pos++; // "["
    this.skipSpace();
    if (this.eat("]")) return out;
    for (;;) {
      out.push(this.value(depth));
      this.skipSpace();
      if (this.eat("]")) return out;
      if (!this.eat(",")) this.fail('expected "," or "]" after an array element');
      this.skipSpace();
    }
  }

  private string(): string {
    const start = this.pos;
    this.pos++; // opening quote
    let out = "";
    for (;;) {
      PLAIN_RUN.lastIndex = this.pos;
      PLAIN_RUN.exec(this.text);
      out += this.text.slice(this.pos, PLAIN_RUN.lastIndex);
      this.pos = PLAIN_RUN.lastIndex;
      const c = this.text[this.pos];
      if (c === '"') {
        this.pos++;
        return out;
      }
      if (c === undefined) this.fail("unterminated string", start);
      if (c !== "\\") this.fail("control character inside a string (escape it, e.g. \\n)");
      const e = this.text[this.pos + 1];
      if (e === "u") {
        const hex = this.text.slice(this.pos + 2, this.pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail("\\u must be followed by four hex digits");
        out += String.fromCharCode(parseInt(hex, 16));
        this.pos += 6;
      } else if (e !== undefined && Object.hasOwn(ESCAPES, e)) {
        out += ESCAPES[e]!;
        this.pos += 2;
      } else {
        this.fail(`invalid escape "\\${e ?? ""}"`);
      }
    }
  }

  private number(): number {
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.text);
    if (!m) return this.fail("invalid number");
    const v = Number(m[0]);
    if (!Number.isFinite(v)) this.fail(`number ${m[0]} is out of range`);
    this.pos += m[0].length;
    return v;
  }

  private checkDepth(depth: number): void {
    if (depth > MAX_JSON_DEPTH) this.fail(`nesting deeper than ${MAX_JSON_DEPTH} levels`);
  }

  private eat(c: string): boolean {
    if (this.text[this.pos] !== c) return false;
    this.pos++;
    return true;
  }

  private skipSpace(): void {
    for (;;) {
      const c = this.text[this.pos];
      if (c !== " " && c !== "\t" && c !== "\n" && c !== "\r") return;
      this.pos++;
    }
  }

  private fail(what: string, at = this.pos): never {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < at; i++) {
      if (this.text.charCodeAt(i) === 10) {
        line++;
        lineStart = i + 1;
      }
    }
    const found = at < this.text.length ? `found ${quoted(this.text.slice(at, at + 12))}` : "found the end of the text";
    throw new ModelFileError(`${printablePath(this.name)}: invalid JSON at line ${line}, column ${at - lineStart + 1} (offset ${at}): ${what}, ${found}`);
  }
}
