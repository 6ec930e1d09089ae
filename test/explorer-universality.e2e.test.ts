/**
 * View "universality" in Chromium. Oracles: analysis/universality.ts in Node — the bumps the page
 * holds summed by sumNetworks and scored by averageDeviation against σ⁻¹∘f and f, bumpNetwork's
 * heights for "fit by hand" — and universality-fit.ts's startFit stepped here for the same seed
 * and width (float32 training; tolerance stated where it is used).
 */
import "../src/node/relaxed-simd.js";
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { explorerHarness, PHONE } from "./explorer-harness.js";
import { averageDeviation, bookGoal, bump, bumpNetwork, logit, networkOutput, sumNetworks, tower, weightedOutput } from "../src/analysis/universality.js";
import { startFit } from "../src/analysis/universality-fit.js";

const h = explorerHarness();

interface UnivProbe {
  ready: boolean; goal: string; n: number; bumps: { s1: number; s2: number; h: number }[]; byHand: boolean;
  deviation: number; outputDeviation: number; seed: number; width: number;
  fit: { steps: number; totalSteps: number; deviation: number; running: boolean } | null;
  tower: { rect: { x0: number; x1: number; y0: number; y1: number }; h: number; grid: number[]; values: { inside: number; arm: number; outside: number } };
}
const ready = (page: Page) => page.waitForFunction(() => (globalThis as unknown as { __views: { universality?: { ready?: boolean } } }).__views.universality?.ready === true, undefined, { timeout: 20_000 });
const probe = (page: Page) => h.probe<UnivProbe>(page, "universality");

/** The library's two deviations for a set of bumps (Math.exp and Math.log may differ in the last bit between V8 versions: 12 digits). */
function nodeDeviations(bumps: UnivProbe["bumps"], f = bookGoal) {
  const net = sumNetworks(bumps.map((b) => bump(b.s1, b.s2, b.h)));
  return { weighted: averageDeviation((x) => weightedOutput(net, x), (x) => logit(f(x))), output: averageDeviation((x) => networkOutput(net, x), f) };
}

describe("view universality", () => {
  it("the deviations it shows for a set of bumps are the library's; fit by hand sets bumpNetwork's heights", async () => {
    const page = await h.open("?view=universality&b=0:0.3:-1.2,0.3:0.55:0.4,0.55:1:-0.5");
    await ready(page);
    let p = await probe(page);
    expect(p.bumps).toEqual([{ s1: 0, s2: 0.3, h: -1.2 }, { s1: 0.3, s2: 0.55, h: 0.4 }, { s1: 0.55, s2: 1, h: -0.5 }]);
    let d = nodeDeviations(p.bumps);
    expect(p.deviation).toBeCloseTo(d.weighted, 12);
    expect(p.outputDeviation).toBeCloseTo(d.output, 12);
    // Dragging the second bump's bar up (the main control) changes its height and the deviations.
    const bar = page.locator('[data-handle="1:h"] .univ-bar');
    const box = (await bar.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, box.y - 40, { steps: 4 });
    await page.mouse.up();
    p = await probe(page);
    expect(p.bumps[1]!.h).toBeGreaterThan(0.4);
    d = nodeDeviations(p.bumps);
    expect(p.deviation).toBeCloseTo(d.weighted, 12);
    expect(new URL(page.url()).searchParams.get("b")).toContain(`0.3:0.55:${p.bumps[1]!.h}`);
    // From the keyboard: the first bump's height, then (selected) its right edge.
    await page.focus('[data-handle="0:h"]');
    await page.keyboard.press("ArrowUp");
    await page.keyboard.press("ArrowUp");
    p = await probe(page);
    expect(p.bumps[0]!.h).toBeCloseTo(-1.0, 10);
    await page.focus('[data-handle="0:s2"]');
    await page.keyboard.press("ArrowLeft");
    p = await probe(page);
    expect(p.bumps[0]!.s2).toBeCloseTo(0.29, 10);
    expect(p.outputDeviation).toBeCloseTo(nodeDeviations(p.bumps).output, 12);
    // N = 5, fit by hand: the book's challenge is met.
    await page.fill("#univ-n", "5");
    await page.dispatchEvent("#univ-n", "change");
    await page.click("#univ-hand");
    p = await probe(page);
    const net = bumpNetwork(bookGoal, 5);
    [0, 2, 4, 6, 8].forEach((i, j) => expect(p.bumps[j]!.h).toBeCloseTo(net.v[i]!, 12)); // σ⁻¹ is Math.log: the engine's last bit
    expect(p.deviation).toBeCloseTo(nodeDeviations(p.bumps).weighted, 12);
    expect(p.deviation).toBeLessThanOrEqual(0.4);
    expect(new URL(page.url()).searchParams.get("b")).toBe("hand");
    await h.shot(page, "universality-desktop-hand");
    await page.close();
  });

  it("towers: the heat map is tower() on a 48 × 48 grid; dragging on it draws the rectangle", async () => {
    const page = await h.open("?view=universality&tower=0.1:0.5:0.2:0.7&th=20");
    await ready(page);
    let p = await probe(page);
    const r = { x0: 0.1, x1: 0.5, y0: 0.2, y1: 0.7 };
    expect(p.tower.rect).toEqual(r);
    expect(p.tower.grid.length).toBe(48 * 48);
    p.tower.grid.forEach((v, k) => expect(v).toBeCloseTo(tower(((k % 48) + 0.5) / 48, (Math.floor(k / 48) + 0.5) / 48, r, { h: 20 }), 12));
    expect(p.tower.values.inside).toBeGreaterThan(0.99);
    expect(p.tower.values.arm).toBeLessThan(0.01);
    expect(p.tower.values.outside).toBeLessThan(0.01);
    await page.locator(".univ-tower").scrollIntoViewIfNeeded();
    const box = (await page.locator(".univ-tower").boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.3);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.85, box.y + box.height * 0.6, { steps: 3 });
    await page.mouse.up();
    p = await probe(page);
    expect(p.tower.rect.x0).toBeGreaterThan(0.5);
    expect(p.tower.rect.y1).toBeGreaterThan(p.tower.rect.y0);
    const { x0, x1, y0, y1 } = p.tower.rect;
    expect(new URL(page.url()).searchParams.get("tower")).toBe(`${x0}:${x1}:${y0}:${y1}`);
    expect(p.tower.grid[20 * 48 + 30]).toBeCloseTo(tower(30.5 / 48, 20.5 / 48, p.tower.rect, { h: 20 }), 12);
    await page.close();
  });

  it("gradient descent: the fit's deviation after k steps is startFit's in Node for the same seed", async () => {
    const page = await h.open("?view=universality&n=5&seed=4&b=hand");
    await ready(page);
    for (let i = 1; i <= 3; i++) {
      await page.click("#univ-step");
      await page.waitForFunction((k) => (globalThis as unknown as { __views: { universality: UnivProbe } }).__views.universality.fit?.steps === k, i * 100, { timeout: 20_000 });
    }
    const p = await probe(page);
    expect(p.width).toBe(10);
    const node = startFit(bookGoal, 10, { seed: 4, lr: 0.01 });
    const before = node.deviation();
    for (let i = 0; i < 300; i++) node.step();
    expect(p.fit!.totalSteps).toBe(node.totalSteps);
    // float32 training: Chromium's wasm kernels may fuse multiply-adds (relaxed SIMD) where Node's
    // test binary does not, so 300 Adam steps can part in the low bits: 1e-4 of the deviation.
    expect(Math.abs(p.fit!.deviation - node.deviation()) / node.deviation()).toBeLessThan(1e-4);
    expect(p.fit!.deviation).toBeLessThan(before);
    // Train runs on, animated; Pause stops it.
    await page.click("#univ-train");
    await page.waitForFunction(() => ((globalThis as unknown as { __views: { universality: UnivProbe } }).__views.universality.fit?.steps ?? 0) > 2000, undefined, { timeout: 30_000 });
    await page.click("#univ-train");
    await page.waitForFunction(() => (globalThis as unknown as { __views: { universality: UnivProbe } }).__views.universality.fit?.running === false);
    const after = await probe(page);
    expect(after.fit!.deviation).toBeLessThan(p.fit!.deviation);
    expect(await page.textContent("#univ-fit-status")).toContain(`Step ${after.fit!.steps.toLocaleString("en-US")}`);
    await h.shot(page, "universality-desktop");
    await page.close();
  });

  it("speaks French and English with no missing string, re-labels on the switch, fits a phone; an invalid address value is said", async () => {
    const page = await h.open("?view=universality&lang=fr&n=500&b=hand");
    await ready(page);
    expect(await page.textContent(".univ-notes")).toContain("Ignoré dans l’adresse : n = « 500 »");
    expect(await page.textContent("#univ-train")).toBe("Entraîner");
    await page.click("#univ-step");
    await page.waitForFunction(() => (globalThis as unknown as { __views: { universality: UnivProbe } }).__views.universality.fit?.steps === 100, undefined, { timeout: 20_000 });
    await h.expectNoMissingStrings(page);
    await h.shot(page, "universality-desktop-fr");
    await page.selectOption("#lang", "en");
    await page.waitForFunction(() => document.querySelector("#univ-train")?.textContent === "Train");
    expect(await page.textContent(".univ-controls h3")).toBe("Build it by hand");
    expect(await page.textContent("#univ-fit-status")).toContain("Step 100 of 20,000");
    await h.expectNoMissingStrings(page);
    await page.close();
    const phone = await h.open("?view=universality&b=hand&n=12", PHONE);
    await ready(phone);
    expect(await h.overflow(phone)).toBe(0);
    await h.shot(phone, "universality-phone");
    await phone.close();
    expect(h.errors).toEqual([]);
  });
});
