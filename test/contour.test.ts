/**
 * Contour lines by marching squares. Oracles: crossings worked by hand on small grids (linear
 * interpolation along each cut edge), the saddle cell's rule, and a drawn plot read back from its
 * SVG (pixels → numbers) against the same hand-worked points.
 */
import { describe, expect, test } from "vitest";
import { contourSegments, quantileLevels } from "../src/plot/contour.js";
import { figureSvg } from "../src/plot/svg.js";
import { readSvg } from "./svg-read.js";

/** Segments as sorted endpoint pairs, so the test does not depend on the order they are traced in. */
const canon = (segs: number[][]) =>
  segs.map(([a, b, c, d]) => ([[a!, b!], [c!, d!]].sort((p, q) => p[0]! - q[0]! || p[1]! - q[1]!).flat())).sort((p, q) => p[0]! - q[0]! || p[1]! - q[1]! || p[2]! - q[2]! || p[3]! - q[3]!);

function expectSegments(got: number[][], want: number[][], tol = 1e-12) {
  const [g, w] = [canon(got), canon(want)];
  expect(g.length).toBe(w.length);
  g.forEach((s, i) => s.forEach((v, k) => expect(Math.abs(v - w[i]![k]!), `segment ${i} coordinate ${k}: ${v} vs ${w[i]![k]}`).toBeLessThanOrEqual(tol)));
}

describe("contourSegments", () => {
  // f = 2x + 2y on the unit square: corners 0, 2, 4, 2.
  const square = { xs: [0, 1], ys: [0, 1], z: [0, 2, 2, 4] };

  test("one cell, worked by hand: level 1 cuts the bottom edge at x = ½ and the left edge at y = ½", () => {
    expectSegments(contourSegments(square, 1), [[0.5, 0, 0, 0.5]]);
  });

  test("level 3 cuts the right edge at y = ½ and the top edge at x = ½; level 0.5 at x = ¼ and y = ¼", () => {
    expectSegments(contourSegments(square, 3), [[1, 0.5, 0.5, 1]]);
    expectSegments(contourSegments(square, 0.5), [[0.25, 0, 0, 0.25]]);
  });

  test("a level outside the values draws nothing; a cell with NaN draws nothing", () => {
    expect(contourSegments(square, 5)).toEqual([]);
    expect(contourSegments(square, -1)).toEqual([]);
    expect(contourSegments({ xs: [0, 1], ys: [0, 1], z: [0, 2, NaN, 4] }, 1)).toEqual([]);
  });

  test("a 3×3 grid of |x| + |y| on [−1, 1]²: level ½ is the diamond through (±½, 0), (0, ±½); level 1.5 cuts the corners", () => {
    const xs = [-1, 0, 1];
    const z = xs.flatMap((y) => xs.map((x) => Math.abs(x) + Math.abs(y)));
    // Level 1.5: each cell's far corner (2) is above, its two side corners (1) below — cut halfway along both edges.
    expectSegments(contourSegments({ xs, ys: xs, z }, 1.5), [[1, 0.5, 0.5, 1], [-1, 0.5, -0.5, 1], [-1, -0.5, -0.5, -1], [1, -0.5, 0.5, -1]]);
    // Level ½: the diamond through (±½, 0), (0, ±½).
    expectSegments(contourSegments({ xs, ys: xs, z }, 0.5), [[0.5, 0, 0, 0.5], [-0.5, 0, 0, 0.5], [-0.5, 0, 0, -0.5], [0.5, 0, 0, -0.5]]);
  });

  test("a saddle cell (corners 1, 0, 1, 0) is split by its mean: mean ½ ≥ level 0.4 joins the high corners", () => {
    // Corners: bottom-left 1, bottom-right 0, top-right 1, top-left 0; level 0.4 crosses every edge at 0.6 or 0.4 of the way.
    const g = { xs: [0, 1], ys: [0, 1], z: [1, 0, 0, 1] }; // row y=0: (1, 0); row y=1: (0, 1)
    // Crossings: bottom (1→0) at x = 0.6; right (0→1) at y = 0.4; top (from (1,1)=1 to (0,1)=0) at x = 0.4; left (0→1 going down) at y = 0.6.
    // Centre above: the high corners (0,0) and (1,1) stay joined, the low ones are cut off alone.
    expectSegments(contourSegments(g, 0.4), [[0.6, 0, 1, 0.4], [0.4, 1, 0, 0.6]]);
    // Level 0.6: the centre (½) is below, so the high corners are cut off alone.
    expectSegments(contourSegments(g, 0.6), [[0.4, 0, 0, 0.4], [1, 0.6, 0.6, 1]]);
  });
});

describe("quantileLevels", () => {
  test("levels at equally spaced quantiles, strictly inside the range, duplicates dropped", () => {
    const z = Array.from({ length: 100 }, (_, i) => i); // 0 … 99
    expect(quantileLevels(z, 3)).toEqual([25, 50, 75]);
    expect(quantileLevels([1, 1, 1, 1], 3)).toEqual([]);
    expect(quantileLevels([NaN, 0, 1, 2, 3, Infinity], 1)).toEqual([2]);
  });
});

describe("a contour panel in the SVG", () => {
  test("reads back as the hand-worked crossings, with the trajectory drawn over it", () => {
    const svg = figureSvg([{ series: [{ name: "path", x: [0, 0.5, 1], y: [0, 0.25, 1] }], contours: { grid: { xs: [0, 1], ys: [0, 1], z: [0, 2, 2, 4] }, levels: [1, 3] } }]);
    const [p] = readSvg(svg);
    expect(p!.xDomain).toEqual([0, 1]);
    expect(p!.contours.map((c) => c.level)).toEqual([1, 3]);
    expectSegments(p!.contours[0]!.segments, [[0.5, 0, 0, 0.5]], 1e-4);
    expectSegments(p!.contours[1]!.segments, [[1, 0.5, 0.5, 1]], 1e-4);
    const [piece] = p!.series.get("path")!;
    expect(piece!.map((q) => [Number(q.x.toFixed(3)), Number(q.y.toFixed(3))])).toEqual([[0, 0], [0.5, 0.25], [1, 1]]);
  });
});
