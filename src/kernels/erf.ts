/**
 * The error function and its complement in float64, for GELU (x·Φ(x), Φ(x) = ½·erfc(−x/√2)).
 * Two classical expansions (Abramowitz & Stegun 7.1.6 and 7.1.14), each where it converges fast:
 *  - |x| < 2: erf(x) = (2/√π)·e^(−x²)·Σₙ 2ⁿx^(2n+1)/(1·3·…·(2n+1)), a series of positive terms (no
 *    cancellation), summed until a term is below 1e-17 of the sum (≤ 31 terms);
 *  - x ≥ 2: erfc(x) = (e^(−x²)/√π) / (x + ½/(x + 1/(x + (3/2)/(x + 2/(x + …))))), the continued
 *    fraction evaluated by Lentz's method (≤ 70 steps).
 * Relative error below 2e-13 for erfc (where it is a normal number) and 1e-15 for erf (test/gelu.test.ts
 * compares with values from the C library); erfc(x) underflows to 0 past x ≈ 27, as it does there.
 */
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const SERIES_BELOW = 2;

function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 100; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (Math.abs(term) <= 1e-17 * Math.abs(sum)) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
}

/** erfc(x) for x ≥ 2 by the continued fraction (modified Lentz: the convergents' ratios C and D). */
function erfcFraction(x: number): number {
  if (x > 27) return 0; // e^(−x²) underflows
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 200; n++) {
    const a = n / 2; // every term is positive for x ≥ 2, so no convergent vanishes
    d = 1 / (x + a * d);
    c = x + a / c;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return (Math.exp(-x * x) * TWO_OVER_SQRT_PI) / (2 * f);
}

/** erf(x) = (2/√π)∫₀ˣ e^(−t²) dt. Odd; ±1 at ±∞; NaN stays NaN. */
export function erf(x: number): number {
  if (Math.abs(x) < SERIES_BELOW) return erfSeries(x);
  if (x !== x) return x;
  return x > 0 ? 1 - erfcFraction(x) : erfcFraction(-x) - 1;
}

/** erfc(x) = 1 − erf(x), accurate where it is tiny (large x). erfc(−x) = 2 − erfc(x). */
export function erfc(x: number): number {
  if (x !== x) return x;
  if (x >= SERIES_BELOW) return erfcFraction(x);
  if (x > -SERIES_BELOW) return 1 - erfSeries(x);
  return 2 - erfcFraction(-x);
}
