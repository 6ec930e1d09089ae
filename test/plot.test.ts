/** The SVG plots contain the data they claim: paths read back (pixels → numbers) match the input. */
import { describe, expect, test } from "vitest";
import { figureSvg, niceTicks } from "../src/plot/svg.js";
import { readSvg } from "./svg-read.js";

/** Half a hundredth of a pixel, in data units, is the rounding the SVG allows. */
function expectPoints(got: { x: number; y: number }[], xs: number[], ys: number[], tolX: number, tolY: (y: number) => number) {
  expect(got.length).toBe(xs.length);
  got.forEach((p, i) => {
    expect(Math.abs(p.x - xs[i]!)).toBeLessThanOrEqual(tolX);
    expect(Math.abs(p.y - ys[i]!)).toBeLessThanOrEqual(tolY(ys[i]!));
  });
}

describe("figureSvg", () => {
  test("a line panel's path maps back to its numbers; the domain is the data's extent", () => {
    const x = [1, 2, 3, 4, 5];
    const y = [0.9, 0.5, 0.31, 0.2, 0.125];
    const svg = figureSvg([{ series: [{ name: "cost", x, y }], xLabel: "epoch" }]);
    const [p] = readSvg(svg);
    expect(p!.xDomain).toEqual([1, 5]);
    expect(p!.yDomain).toEqual([0.125, 0.9]);
    const [piece] = p!.series.get("cost")!;
    // 656 px for 4 units in x, 230 px for 0.775 in y: 0.005 px is < 1e-4 in data.
    expectPoints(piece!, x, y, 1e-4, () => 1e-4);
    expect(svg).toContain(">epoch<");
  });

  test("a log axis reads back within rounding; values ≤ 0 and NaN break the line into pieces", () => {
    const x = [0, 1, 2, 3, 4, 5];
    const y = [1e-3, 1e-2, NaN, 0.5, 0, 3];
    const [p] = readSvg(figureSvg([{ series: [{ name: "speed", x, y }], logY: true }]));
    expect(p!.logY).toBe(true);
    expect(p!.yDomain).toEqual([1e-3, 3]);
    const pieces = p!.series.get("speed")!;
    expect(pieces.length).toBe(3);
    // 0.005 px of 230 px spanning 3.5 decades: a relative error up to ln(10)·3.5·0.005/230 ≈ 1.8e-4.
    const rel = (v: number) => v * 2e-4;
    expectPoints(pieces[0]!, [0, 1], [1e-3, 1e-2], 1e-4, rel);
    expectPoints(pieces[1]!, [3], [0.5], 1e-4, rel);
    expectPoints(pieces[2]!, [5], [3], 1e-4, rel);
  });

  test("scatter points, several series and panels, and names with markup", () => {
    const svg = figureSvg([
      { series: [{ name: "a<b & \"c\"", x: [0, 1], y: [2, 4], points: true }, { name: "line", x: [0, 1], y: [3, 3] }] },
      { series: [{ name: "second", x: [10, 20, 30], y: [-1, 0, 1] }], yDomain: [-2, 2] },
    ]);
    expect(svg).not.toContain('a<b');
    const [a, b] = readSvg(svg);
    expectPoints(a!.series.get('a<b & "c"')![0]!, [0, 1], [2, 4], 1e-3, () => 1e-3);
    expectPoints(a!.series.get("line")![0]!, [0, 1], [3, 3], 1e-3, () => 1e-3);
    expect(b!.yDomain).toEqual([-2, 2]);
    expectPoints(b!.series.get("second")![0]!, [10, 20, 30], [-1, 0, 1], 1e-3, () => 1e-3);
  });

  test("nice ticks are 1, 2 or 5 × 10ᵏ apart and cover the range", () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0.93, 0.99)).toEqual([0.94, 0.96, 0.98]);
    expect(niceTicks(1, 30)).toEqual([10, 20, 30]);
    expect(niceTicks(-0.35, 0.35)).toEqual([-0.2, 0, 0.2]);
  });

  test("a log axis narrower than a decade still has ticks inside it; a lone point is marked", () => {
    const svg = figureSvg([{ series: [{ name: "one", x: [0], y: [1308] }, { name: "two", x: [0], y: [2567] }], logY: true }]);
    const ticks = [...svg.matchAll(/class="tick">([^<]+)</g)].map((m) => m[1]);
    expect(ticks).toContain("2000");
    expect((svg.match(/<circle /g) ?? []).length).toBe(2);
    const [p] = readSvg(svg);
    expect(Math.abs(p!.series.get("two")![0]![0]!.y / 2567 - 1)).toBeLessThan(1e-4);
  });
});
