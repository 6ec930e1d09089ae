/** Flag-value parsers: each throws a UsageError that names the flag and shows a valid example. */
import { UsageError } from "../errors.js";

export function number(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n)) throw new UsageError(`${flag} expects a number, got "${value}" (e.g. ${flag} 0.5)`);
    return n;
  };
}

export function integer(flag: string, min = 0) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < min) {
      throw new UsageError(`${flag} expects an integer ≥ ${min}, got "${value}"`);
    }
    return n;
  };
}

export function intList(flag: string) {
  return (value: string): number[] => {
    const parts = value.split(",").map((s) => s.trim());
    if (parts.length < 2 || parts.some((p) => !/^\d+$/.test(p) || Number(p) < 1)) {
      throw new UsageError(`${flag} expects comma-separated layer sizes like 784,30,10, got "${value}"`);
    }
    return parts.map(Number);
  };
}

export function choice<T extends string>(flag: string, allowed: readonly T[]) {
  return (value: string): T => {
    if (!(allowed as readonly string[]).includes(value)) {
      throw new UsageError(`${flag} must be one of ${allowed.join(", ")}; got "${value}"`);
    }
    return value as T;
  };
}
