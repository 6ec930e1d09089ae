/** Flag-value parsers: each throws a UsageError that names the flag and shows a valid example. */
import { UsageError } from "../errors.js";
import { didYouMean, parseSetting, checkSetting, type Range, type Setting } from "../experiment/settings.js";
import { checkParameters } from "../limits.js";
import { mlpParameters } from "../nn/mlp.js";

/** Any finite number (new flags: numberIn, with a range). */
export function number(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n)) throw new UsageError(`${flag} expects a number, got "${value}" (e.g. ${flag} 0.5)`);
    return n;
  };
}

/** An integer ≥ min (new flags: integerIn, with a range). */
export function integer(flag: string, min = 0) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < min) {
      throw new UsageError(`${flag} expects an integer ≥ ${min}, got "${value}"`);
    }
    return n;
  };
}

/** Layer sizes, each 1 to 2^20, whose network's parameter count is within limits().maxParameters. */
export function intList(flag: string) {
  return (value: string): number[] => {
    const parts = value.split(",").map((s) => s.trim());
    if (parts.length < 2 || parts.some((p) => !/^\d+$/.test(p) || Number(p) < 1)) {
      throw new UsageError(`${flag} expects comma-separated layer sizes like 784,30,10, got "${value.length > 80 ? `${value.slice(0, 80)}…` : value}"`);
    }
    const big = parts.find((p) => Number(p) > MAX_LAYER_SIZE);
    if (big !== undefined) throw new UsageError(`${flag} ${value}: a layer of ${big.length > 12 ? `${big.slice(0, 12)}…` : big} units, expected at most ${MAX_LAYER_SIZE}`);
    const sizes = parts.map(Number);
    checkParameters(mlpParameters(sizes), `${flag} ${value}`, (message) => new UsageError(message));
    return sizes;
  };
}

/** The largest layer validateConfig accepts (src/train/config.ts). */
const MAX_LAYER_SIZE = 1 << 20;

export function choice<T extends string>(flag: string, allowed: readonly T[]) {
  return (value: string): T => {
    if (!(allowed as readonly string[]).includes(value)) {
      throw new UsageError(`${flag} must be one of ${allowed.join(", ")}; got "${value}"${didYouMean(value, allowed)}`);
    }
    return value as T;
  };
}

/**
 * A number flag with a range, checked as the settings table checks its own:
 * "--port 70000: expected an integer in [0, 65535], got 70000".
 */
export function numberIn(flag: string, range: Range, kind: "number" | "integer" = "number") {
  return (value: string): number => parseSetting({ kind, range, flag, url: "", help: "" }, value, flag) as number;
}

export const integerIn = (flag: string, range: Range) => numberIn(flag, range, "integer");

/** The parser for a setting's flag (train's flags all come from the settings table). */
export function settingParser(s: Setting): (value: string) => unknown {
  const flag = s.flag.split(" ")[0]!;
  switch (s.kind) {
    case "boolean":
      return () => true;
    case "choice":
      return choice(flag, s.choices);
    case "list":
      // intList gives --layers its own message; the table adds its bounds.
      return (value) => {
        const v = intList(flag)(value);
        checkSetting(s, v, `${flag} ${value}`);
        return v;
      };
    default:
      return (value) => parseSetting(s, value, flag);
  }
}
