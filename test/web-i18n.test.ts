// The views' modules are typed against the DOM (they touch it only when mounted); the core's own
// build (tsconfig.build.json) still has no DOM, so src/ cannot lean on it.
/// <reference lib="dom" />
/**
 * The explorer's two languages: every string table (the shell's, the training page's, each
 * teaching view's) has the same keys in English and French, no empty text, and the same `{…}`
 * placeholders in both; and the language a page opens in follows `?lang=` then the browser.
 */
import { describe, expect, it } from "vitest";
import { TABLES, fill, initialLang } from "../web/src/i18n.js";
import { VIEWS } from "../web/src/teach/index.js";

// Importing the modules declares their tables (no DOM is touched at import time).
await import("../web/src/teach/index.js");

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("explorer strings", () => {
  it("every table has the same keys, non-empty, with the same placeholders in both languages", () => {
    expect(TABLES.length).toBeGreaterThanOrEqual(VIEWS.length);
    for (const { ns, en, fr } of TABLES) {
      expect(Object.keys(fr).sort(), ns).toEqual(Object.keys(en).sort());
      for (const k of Object.keys(en)) {
        expect(en[k]!.trim(), `${ns}.${k} (en)`).not.toBe("");
        expect(fr[k]!.trim(), `${ns}.${k} (fr)`).not.toBe("");
        expect(placeholders(fr[k]!), `${ns}.${k}`).toEqual(placeholders(en[k]!));
      }
    }
  });

  it("every teaching view has a title and a summary in both languages", async () => {
    const { setLang } = await import("../web/src/i18n.js");
    const ids = new Set<string>();
    for (const l of ["en", "fr"] as const) {
      setLang(l);
      for (const v of VIEWS) {
        expect(v.id).toMatch(/^[a-z][a-z0-9-]*$/);
        expect(v.title().length, v.id).toBeGreaterThan(0);
        expect(v.summary().length, v.id).toBeGreaterThan(0);
        ids.add(v.id);
      }
    }
    setLang("en");
    expect(ids.size).toBe(VIEWS.length);
  });

  it("opens in the URL's language, else the browser's", () => {
    expect(initialLang("?lang=fr", ["en-US"])).toBe("fr");
    expect(initialLang("?lang=de", ["fr-CA", "en"])).toBe("fr");
    expect(initialLang("", ["en-GB"])).toBe("en");
    expect(initialLang("", [])).toBe("en");
  });

  it("fills placeholders", () => {
    expect(fill("{n} nudges of {what}", { n: 13002, what: "weights" })).toBe("13,002 nudges of weights");
    expect(fill("{missing} stays", {})).toBe("{missing} stays");
  });
});
