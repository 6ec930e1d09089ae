/**
 * View "race" in Chromium. Oracles: analysis/race.ts's runRacer run here in Node with the same
 * surface, start, η, steps and seed (the classic surfaces are float64 arithmetic, so the page's
 * end points must be equal bit for bit), and race-network.ts's networkSurface on the same model
 * and MNIST test images, loaded here the way `descent analyze race --surface network` loads them.
 */
import "../src/node/relaxed-simd.js";
import { describe, expect, it } from "vitest";
import { explorerHarness, PHONE } from "./explorer-harness.js";
import { RACERS, SURFACES, runRacer, type RacerName } from "../src/analysis/race.js";
import { networkSurface } from "../src/analysis/race-network.js";
import { loadAnalysisModel, loadData, splitExamples } from "../src/cli/analysis-model.js";
import { join } from "node:path";

const h = explorerHarness();

interface RaceProbe {
  ready: boolean; surface: string; steps: number; seed: number; start: [number, number]; k: number;
  examples: number | null; costNow: Record<string, number>;
  racers: { optimizer: RacerName; lr: number; reached: number | null; diverged: boolean; points: number; end: { x: number; y: number; f: number } }[];
}
const ready = (page: import("playwright-core").Page, timeout = 20_000) =>
  page.waitForFunction(() => (globalThis as unknown as { __views: { race?: { ready?: boolean } } }).__views.race?.ready === true, undefined, { timeout });

describe("view race", () => {
  it("runs the library's optimizers: every end point equals runRacer's in Node, bit for bit (Adam's and AdamW's to an ulp or so)", async () => {
    const page = await h.open("?view=race&surface=rosenbrock&steps=700&seed=3&start=-1.2,1.6&lr=adam:0.02,gd:0.0015");
    await ready(page);
    const p = await h.probe<RaceProbe>(page, "race");
    expect(p.surface).toBe("rosenbrock");
    expect(p.racers.map((r) => r.optimizer)).toEqual([...RACERS]);
    const s = { ...SURFACES.rosenbrock, start: [-1.2, 1.6] as [number, number] };
    for (const r of p.racers) {
      const lr = r.optimizer === "adam" ? 0.02 : r.optimizer === "gd" ? 0.0015 : SURFACES.rosenbrock.lr[r.optimizer];
      const node = runRacer(s, r.optimizer, lr, { steps: 700, seed: 3 });
      expect(r.lr).toBe(lr);
      if (r.optimizer === "adam" || r.optimizer === "adamw") {
        // Adam's bias corrections call Math.pow(β, t), whose last bit ECMAScript leaves to the engine
        // (Chromium's V8 and Node 20's differ by an ulp at some t): equal to a few ulps, not bit for bit.
        expect(Math.abs(r.end.x - node.x.at(-1)!)).toBeLessThan(1e-12);
        expect(Math.abs(r.end.y - node.y.at(-1)!)).toBeLessThan(1e-12);
      } else expect(r.end).toEqual({ x: node.x.at(-1), y: node.y.at(-1), f: node.f.at(-1) });
      expect(r.reached).toBe(node.reached);
      expect(r.diverged).toBe(node.diverged);
      expect(r.points).toBe(node.x.length);
    }
    // The legend shows the costs at step 0 (the start's), then after one step.
    expect(Object.values(p.costNow).every((v) => v === s.f(-1.2, 1.6))).toBe(true);
    await page.click("#race-step");
    const p1 = await h.probe<RaceProbe>(page, "race");
    expect(p1.k).toBe(1);
    expect(p1.costNow["gd"]).toBe(runRacer(s, "gd", 0.0015, { steps: 1 }).f[1]);
    expect(await page.textContent("#race-legend")).toContain("Adam");
    // Play runs the animation to the end.
    await page.click("#race-play");
    await page.waitForFunction(() => (globalThis as unknown as { __views: { race: { k: number } } }).__views.race.k >= 700, undefined, { timeout: 15_000 });
    await h.shot(page, "race-desktop");
    await page.close();
  });

  it("its main controls respond: the surface, a racer's η, a click on the map moves the start; all in the URL", async () => {
    const page = await h.open("?view=race");
    await ready(page);
    await page.selectOption("#race-surface", "saddle");
    await ready(page);
    let p = await h.probe<RaceProbe>(page, "race");
    expect(p.surface).toBe("saddle");
    expect(p.start).toEqual(SURFACES.saddle.start);
    expect(page.url()).toContain("surface=saddle");
    await page.uncheck("#race-on-sgd");
    await page.fill("#race-lr-momentum", "0.02");
    await page.press("#race-lr-momentum", "Enter");
    await page.dispatchEvent("#race-lr-momentum", "change");
    await ready(page);
    p = await h.probe<RaceProbe>(page, "race");
    expect(p.racers.map((r) => r.optimizer)).not.toContain("sgd");
    const m = p.racers.find((r) => r.optimizer === "momentum")!;
    expect(m.lr).toBe(0.02);
    expect(m.end.x).toBe(runRacer(SURFACES.saddle, "momentum", 0.02, { steps: SURFACES.saddle.steps }).x.at(-1));
    // Click the map a quarter of the way in from its top-left corner.
    const box = (await page.locator("#race-map").boundingBox())!;
    await page.mouse.click(box.x + box.width * 0.5, box.y + box.height * 0.3);
    await ready(page);
    p = await h.probe<RaceProbe>(page, "race");
    expect(p.start).not.toEqual(SURFACES.saddle.start);
    const url = new URL(page.url());
    expect(url.searchParams.get("start")).toBe(`${p.start[0]},${p.start[1]}`);
    expect(url.searchParams.get("racers")).toBe("gd,momentum,nesterov,rmsprop,adam,adamw");
    expect(url.searchParams.get("lr")).toBe("momentum:0.02");
    const adam = p.racers.find((r) => r.optimizer === "adam")!;
    expect(adam.end.y).toBe(runRacer({ ...SURFACES.saddle, start: p.start }, "adam", SURFACES.saddle.lr.adam, { steps: SURFACES.saddle.steps }).y.at(-1));
    // A bad value typed is marked, said in words, and changes nothing.
    await page.fill("#race-steps", "-4");
    await page.dispatchEvent("#race-steps", "change");
    expect(await page.getAttribute("#race-steps", "aria-invalid")).toBe("true");
    expect(await page.textContent(".race-notes")).toContain("Not a valid value: Steps");
    await page.close();
  });

  it("the network surface: the explorer's network on 200 MNIST test images, as networkSurface computes it in Node", async () => {
    const page = await h.open("?view=race&surface=network&steps=6&racers=gd,momentum,adam&seed=2");
    await ready(page, 60_000);
    const p = await h.probe<RaceProbe>(page, "race");
    expect(p.examples).toBe(200);
    const am = await loadAnalysisModel(join(__dirname, "..", "web", "public", "default-model.safetensors"), undefined, "test");
    const examples = splitExamples(await loadData(undefined), "test", 200, am.shape);
    const net = networkSurface(am.model, examples, am.objective, { span: 1, seed: 2, steps: 6, lr: 0.1 });
    try {
      for (const r of p.racers) {
        const node = runRacer(net.surface, r.optimizer, net.surface.lr[r.optimizer], { steps: 6, seed: 2 });
        expect(r.lr).toBe(net.surface.lr[r.optimizer]);
        // float32 sums over 200 images: the page's wasm kernels may fuse multiply-adds (Chromium's
        // relaxed SIMD) where Node's test binary does not, so the last bits of each gradient differ.
        expect(Math.abs(r.end.x - node.x.at(-1)!)).toBeLessThan(1e-5);
        expect(Math.abs(r.end.y - node.y.at(-1)!)).toBeLessThan(1e-5);
        expect(Math.abs(r.end.f - node.f.at(-1)!) / node.f.at(-1)!).toBeLessThan(1e-5);
      }
    } finally {
      net.restore();
    }
    await page.click("#race-play");
    await page.waitForFunction(() => (globalThis as unknown as { __views: { race: { k: number } } }).__views.race.k >= 6, undefined, { timeout: 15_000 });
    await h.shot(page, "race-network");
    await page.close();
  }, 90_000);

  it("speaks French and English with no missing string, re-labels on the language switch, fits a phone; an invalid address value is said", async () => {
    const page = await h.open("?view=race&lang=fr&steps=abc");
    await ready(page);
    expect(await page.textContent(".race-notes")).toContain("Ignoré dans l’adresse : steps = « abc »");
    expect(await page.textContent("#race-play")).toBe("Lecture");
    await h.expectNoMissingStrings(page);
    await h.shot(page, "race-desktop-fr");
    await page.selectOption("#lang", "en");
    await page.waitForFunction(() => document.querySelector("#race-play")?.textContent === "Play");
    expect(await page.textContent(".race-controls h3")).toBe("Race settings");
    expect(await page.getAttribute("#race-map", "aria-label")).toContain("Contour map");
    await h.expectNoMissingStrings(page);
    await page.close();
    const phone = await h.open("?view=race&surface=beale", PHONE);
    await ready(phone);
    await phone.click("#race-play");
    await phone.waitForTimeout(1500);
    expect(await h.overflow(phone)).toBe(0);
    await h.shot(phone, "race-phone");
    await phone.close();
    expect(h.errors).toEqual([]);
  });
});
