/** Shared test helpers: the one tolerance rule, and fixture loading. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { Tensor } from "../src/tensor.js";
import { gradcheck } from "../src/gradcheck.js";
import type { Rng } from "../src/rng.js";

export interface Tolerance {
  atol?: number;
  rtol?: number;
  /** Length of the reductions behind each value: tolerances widen by √K. */
  reduction?: number;
}

/** float32 default: |a − b| ≤ atol + rtol·|ref|, with atol 1e-5 and rtol 1.3e-6, widened by √K. */
export function expectClose(actual: ArrayLike<number> | Tensor, expected: ArrayLike<number> | Tensor, tol: Tolerance = {}, what = "value"): void {
  const a = actual instanceof Tensor ? actual.data : actual;
  const e = expected instanceof Tensor ? expected.data : expected;
  expect(a.length, `${what}: length`).toBe(e.length);
  const widen = Math.sqrt(Math.max(1, tol.reduction ?? 1));
  const atol = (tol.atol ?? 1e-5) * widen;
  const rtol = (tol.rtol ?? 1.3e-6) * widen;
  for (let i = 0; i < e.length; i++) {
    const x = a[i]!;
    const y = e[i]!;
    if (Number.isNaN(y)) {
      expect(Number.isNaN(x), `${what}[${i}]: expected NaN, got ${x}`).toBe(true);
      continue;
    }
    if (!Number.isFinite(y)) {
      expect(x, `${what}[${i}]`).toBe(y);
      continue;
    }
    const ok = Math.abs(x - y) <= atol + rtol * Math.abs(y);
    if (!ok) expect.fail(`${what}[${i}]: got ${x}, expected ${y} (|diff| ${Math.abs(x - y)} > ${atol + rtol * Math.abs(y)})`);
  }
}

const fixtureDir = fileURLToPath(new URL("./fixtures/", import.meta.url));

/** Reads test/fixtures/<name>.json (written by tools/make_fixtures.py). */
export function fixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(`${fixtureDir}${name}.json`, "utf8")) as T;
}

/** A JSON fixture tensor {shape, data} as a descent Tensor. */
export function fromFixture(t: { shape: number[]; data: number[] }, dtype: "float32" | "float64" = "float32"): Tensor {
  const data = dtype === "float64" ? Float64Array.from(t.data) : Float32Array.from(t.data);
  return new Tensor(data, t.shape);
}

/** Asserts that fn throws an instance of `cls` whose message contains every one of `parts`. */
export function expectThrows(cls: abstract new (...args: never[]) => Error, fn: () => unknown, ...parts: string[]): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, "should throw").toBeInstanceOf(cls);
  for (const p of parts) expect((caught as Error).message).toContain(p);
}

/** float64 values spaced 0.05 apart in shuffled order: no ties (every max/pooling window has one winner). */
export function distinctValues(shape: number[], rng: Rng): Tensor {
  const t = Tensor.zeros(shape, { dtype: "float64" });
  const perm = rng.permutation(t.size);
  for (let i = 0; i < t.size; i++) t.data[i] = -1 + 0.05 * perm[i]!;
  return t;
}

/** n random class labels in [0, classes). */
export const randomLabels = (n: number, classes: number, rng: Rng) => Int32Array.from({ length: n }, () => rng.int(classes));

/** gradcheck must pass (it throws with the worst element otherwise). */
export const expectGradcheck = (fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]) => expect(gradcheck(fn, inputs)).toBe(true);
