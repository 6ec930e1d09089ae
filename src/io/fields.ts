/**
 * Checks for plain data read from a file (parsed JSON, or state built from it): each returns the
 * value with its type proven, or throws a FieldError naming the field's path, what it must be and
 * what was found — "fit.history[3].trainLoss must be a number, found "abc"". The caller that
 * knows the file prefixes its name and says what to do.
 */
import { ModelFileError } from "../errors.js";

export class FieldError extends ModelFileError {
  override name = "FieldError";
}

/** A value as the user would see it in the file, cut to 80 characters. */
export function shown(v: unknown): string {
  let s: string;
  try {
    s = v === undefined ? "nothing" : typeof v === "number" ? String(v) : (JSON.stringify(v) ?? String(v));
  } catch {
    s = String(v);
  }
  return s.length > 80 ? `${s.slice(0, 79)}…` : s;
}

export function mustBe(path: string, what: string, v: unknown): never {
  throw new FieldError(`${path} must be ${what}, found ${shown(v)}`);
}

/** A plain object with exactly the `required` keys, plus any of `optional` (no others). */
export function record(path: string, v: unknown, required: readonly string[], optional: readonly string[] = []): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v) || ArrayBuffer.isView(v)) mustBe(path, `an object {${required.join(", ")}}`, v);
  const r = v as Record<string, unknown>;
  for (const k of Object.keys(r)) {
    if (!required.includes(k) && !optional.includes(k)) {
      const known = [...required, ...optional];
      throw new FieldError(`${path} has an unknown field ${shown(k)} (expected ${known.length ? known.join(", ") : "none"})`);
    }
  }
  for (const k of required) if (!Object.hasOwn(r, k)) throw new FieldError(`${path}.${k} is missing`);
  return r;
}

export function array(path: string, v: unknown, what = "an array"): unknown[] {
  if (!Array.isArray(v)) mustBe(path, what, v);
  return v as unknown[];
}

/** A finite number for which `ok` holds; `what` says which ("a number in [0, 1)"). */
export function number(path: string, v: unknown, what = "a number", ok: (x: number) => boolean = () => true): number {
  if (typeof v !== "number" || !Number.isFinite(v) || !ok(v)) mustBe(path, what, v);
  return v as number;
}

/** An integer in [min, max]. */
export function integer(path: string, v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const what = max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer in [${min}, ${max}]`;
  return number(path, v, what, (x) => Number.isSafeInteger(x) && x >= min && x <= max);
}

export function boolean(path: string, v: unknown): boolean {
  if (typeof v !== "boolean") mustBe(path, "true or false", v);
  return v as boolean;
}

export function string(path: string, v: unknown, maxLength = 1000): string {
  if (typeof v !== "string" || v.length > maxLength) mustBe(path, `a string of at most ${maxLength} characters`, v);
  return v as string;
}
