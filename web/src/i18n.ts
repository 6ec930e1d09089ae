/**
 * The explorer's two languages. Every string a user reads comes from a table declared with
 * `defineStrings(namespace, english, french)`: the French table must have every English key (the
 * type checker refuses a missing one, and test/web-i18n.test.ts refuses an empty one or a
 * placeholder that differs). A view keeps its table in its own file, so adding a view touches no
 * shared list of strings. The language comes from `?lang=` in the URL, else the browser's
 * language (French if it starts with "fr"), and can be switched; listeners re-label their views.
 * Pure module: no DOM at import time, so Node tests can read the tables.
 */

export const LANGS = ["en", "fr"] as const;
export type Lang = (typeof LANGS)[number];
export const LANG_NAMES: Readonly<Record<Lang, string>> = { en: "English", fr: "Français" };

type Table = Readonly<Record<string, string>>;
export type Params = Readonly<Record<string, string | number>>;

/** Every table declared so far (the i18n test walks them). */
export const TABLES: { ns: string; en: Table; fr: Table }[] = [];
/** Keys asked for that no table has, as "ns.key" (the end-to-end tests expect none). */
export const MISSING = new Set<string>();

let current: Lang = "en";
const listeners = new Set<(lang: Lang) => void>();

export const lang = (): Lang => current;
export const isLang = (v: unknown): v is Lang => typeof v === "string" && (LANGS as readonly string[]).includes(v);

/** The language a page opens in: `?lang=` if valid, else the browser's first language. */
export function initialLang(search: string, browserLanguages: readonly string[]): Lang {
  const asked = new URLSearchParams(search).get("lang");
  if (isLang(asked)) return asked;
  const first = browserLanguages[0]?.toLowerCase() ?? "en";
  return first.startsWith("fr") ? "fr" : "en";
}

/** Switches the language and tells every listener (views re-label themselves). */
export function setLang(l: Lang): void {
  if (l === current) return;
  current = l;
  for (const f of listeners) f(l);
}

/** Calls `f` after every language switch; returns the function that stops it. */
export function onLangChange(f: (lang: Lang) => void): () => void {
  listeners.add(f);
  return () => listeners.delete(f);
}

/** Replaces each `{name}` by its parameter (numbers formatted for the language). */
export function fill(text: string, params?: Params): string {
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const v = params[name];
    return v === undefined ? whole : typeof v === "number" ? formatNumber(v) : v;
  });
}

/**
 * Declares a namespace's strings in both languages and returns its lookup: `t("key", {n: 3})`.
 * The French table must name exactly the English keys (checked by the type of `fr`).
 */
export function defineStrings<K extends string>(ns: string, en: Readonly<Record<K, string>>, fr: Readonly<Record<K, string>>): (key: K, params?: Params) => string {
  if (TABLES.some((t) => t.ns === ns)) throw new Error(`i18n: the namespace "${ns}" is declared twice`);
  TABLES.push({ ns, en, fr });
  return (key, params) => {
    const text = (current === "fr" ? fr : en)[key];
    if (text === undefined || text === "") {
      MISSING.add(`${ns}.${key}`);
      return fill(en[key] ?? key, params);
    }
    return fill(text, params);
  };
}

/** The locale the numbers are written in: 0,25 and 13 002 in French; 0.25 and 13,002 in English. */
export const locale = (): string => (current === "fr" ? "fr-FR" : "en-US");

/** A number for reading: integers with thousands separators, others with up to 4 significant digits. */
export function formatNumber(v: number, opts: Intl.NumberFormatOptions = {}): string {
  if (!Number.isFinite(v)) return v !== v ? "–" : v > 0 ? "∞" : "−∞";
  const o = Number.isInteger(v) && !Object.keys(opts).length ? {} : { maximumSignificantDigits: 4, ...opts };
  return v.toLocaleString(locale(), o);
}

/** A number with a fixed count of decimals, in the page's language. */
export const fixed = (v: number, digits: number): string =>
  Number.isFinite(v) ? v.toLocaleString(locale(), { minimumFractionDigits: digits, maximumFractionDigits: digits }) : "–";

/** A percentage with `digits` decimals ("97.5 %" / "97,5 %"). */
export const percent = (fraction: number, digits = 2): string => `${fixed(fraction * 100, digits)} %`;
