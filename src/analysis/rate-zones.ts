/**
 * Reading a learning-rate curve (the cost after one step of gradient descent, for each η): which
 * steps are too small, about right, too large or divergent. Plain arithmetic, no tensors, so the
 * explorer's page can use it without loading the library (analysis/descent.ts computes the curve).
 */

export type RateZone = "too-small" | "about-right" | "too-large" | "divergent";

export interface RateZones {
  zones: RateZone[];
  /** Index of the η with the lowest cost after one step (the largest decrease). */
  best: number;
}

/**
 * Reads a learning-rate curve: the decrease of one step is C(θ) − C(θ − η∇C). Divergent where the
 * step raises the cost (cost > c0); else about right where the decrease is at least `share` (½) of
 * the best decrease; else too small below the best η and too large above it.
 */
export function rateZones(costs: readonly number[], c0: number, share = 0.5): RateZones {
  let best = 0;
  costs.forEach((c, i) => {
    if (c < costs[best]!) best = i;
  });
  return { zones: costs.map((c, i) => zoneOf(c, c0, costs[best]!, i < best ? -1 : i > best ? 1 : 0, share)), best };
}

/**
 * The zone of one step whose cost is `c`, on a curve starting at c0 whose lowest cost is `lowest`;
 * `side` says whether its η is below (−1), at (0) or above (1) the best η.
 */
export function zoneOf(c: number, c0: number, lowest: number, side: -1 | 0 | 1, share = 0.5): RateZone {
  if (!(c <= c0)) return "divergent"; // NaN too
  const top = c0 - lowest;
  if (top > 0 && c0 - c >= share * top) return "about-right";
  return side < 0 ? "too-small" : "too-large";
}
