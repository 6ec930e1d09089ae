/**
 * The training page in Chromium: the speed control (the weights at a step do not depend on it),
 * the step-0 evaluation as the curves' first point and the log step axis, a picture for every
 * network (layer blocks, a convnet's feature maps and filters), and French beside English.
 * Oracles: the library's Session in Node for the same link (weights at the same step, the initial
 * network's validation accuracy), the layer shapes W3 has by construction, fixed French labels.
 */
import "../src/node/relaxed-simd.js"; // Node 20: relaxed SIMD, to run the binary the page chose
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { explorerHarness, PHONE } from "./explorer-harness.js";
import { setKernelOptions } from "../src/kernels/index.js";
import { loadMnist } from "../src/node/mnist.js";
import { Session } from "../web/src/session.js";
import { parseSettings, toTrainConfig } from "../web/src/state.js";

const h = explorerHarness();

type Probe = {
  predictions: number; phase: string; steps: number; run: number; stepsPerSecond: number; evalStep: number | null; valAccuracy: number;
  curvesFirst: { step: number; valSecond: number | null } | null; logX: boolean; speed: string; blocks: string; maps: number;
  firstWeights: number[] | null; weightsStep: number | null; engine: string; task: string; regressionEvals: number;
};
type W = { __explorer: Probe };
const probe = (page: Page) => page.evaluate(() => (globalThis as unknown as W).__explorer);

async function ready(query = "", viewport?: { width: number; height: number }): Promise<Page> {
  const page = await h.open(query, viewport);
  await page.waitForFunction(() => { const p = (globalThis as unknown as W).__explorer; return p && p.predictions > 0 && p.phase === "idle"; }, undefined, { timeout: 30_000 });
  return page;
}

const mnist = await loadMnist();
const data = { train: mnist.train, validation: mnist.validation, test: mnist.test };

/** Node's fresh session for a link, with the page's kernels (plain or fma: fused products round differently). */
function nodeRun<T>(query: string, engine: string, f: (s: Session) => T): T {
  setKernelOptions({ fma: / fma on$/.test(engine) });
  try {
    const s = new Session(null, "node");
    s.setData(data);
    s.reset(toTrainConfig(parseSettings(query).settings));
    return f(s);
  } finally {
    setKernelOptions({ fma: false });
  }
}

async function stroke(page: Page, points: [number, number][]) {
  const box = (await page.locator("#pad").boundingBox())!;
  const at = ([x, y]: [number, number]) => [box.x + x * box.width, box.y + y * box.height] as const;
  await page.mouse.move(...at(points[0]!));
  await page.mouse.down();
  for (const p of points.slice(1)) await page.mouse.move(...at(p), { steps: 8 });
  await page.mouse.up();
}

describe("the training page", () => {
  it("speed: one step at a time, then as fast as possible; the weights at a step are Node's whatever the speed", async () => {
    const query = "?preset=3b1b&seed=7&speed=1";
    const page = await ready(query);
    expect(await page.locator("#speed").inputValue()).toBe("1");
    await page.click("#play");
    await page.waitForTimeout(2500);
    const slow = (await probe(page)).steps;
    expect(slow).toBeGreaterThanOrEqual(2);
    expect(slow).toBeLessThanOrEqual(4);
    await page.selectOption("#speed", "100");
    expect(page.url()).toMatch(/speed=100/);
    await page.waitForTimeout(1500);
    const mid = (await probe(page)).steps;
    expect(mid - slow).toBeGreaterThan(40);
    expect(mid - slow).toBeLessThanOrEqual(170);
    await page.selectOption("#speed", "max");
    expect(page.url()).not.toMatch(/speed=/);
    await page.waitForFunction(() => (globalThis as unknown as W).__explorer.steps > 600, undefined, { timeout: 30_000 });
    await page.click("#play");
    await page.waitForFunction(() => { const p = (globalThis as unknown as W).__explorer; return p.phase === "idle" && p.weightsStep === p.steps; });
    const p = await probe(page);
    const expected = nodeRun(query, p.engine, (s) => {
      s.train(p.steps);
      return Array.from(s.model!.parameters()[0]!.data);
    });
    expect(p.firstWeights).toEqual(expected);
    await page.close();
  }, 60_000);

  it("the charts start with the initial network's evaluation (step 0), and switch to a log step axis past 100 steps", async () => {
    const query = "?preset=3b1b&seed=3";
    const page = await ready(query);
    // The default model's step-0 evaluation: the charts are not empty boxes.
    await page.waitForFunction(() => (globalThis as unknown as W).__explorer.curvesFirst?.step === 0);
    expect(await page.locator("#curves-empty").isVisible()).toBe(false);
    // Reset starts a new run: wait for its own step-0 evaluation, not the shipped model's (which
    // also sits at step 0 until the worker's answer to the reset arrives).
    const before = (await probe(page)).run;
    await page.click("#reset");
    await page.waitForFunction((old) => { const p = (globalThis as unknown as W).__explorer; return p.run !== old && p.phase === "idle" && p.evalStep === 0 && p.curvesFirst?.step === 0; }, before);
    let p = await probe(page);
    const initial = nodeRun(query, p.engine, (s) => s.evaluate().valAccuracy);
    expect(p.curvesFirst!.valSecond).toBe(initial);
    expect(p.logX).toBe(false);
    await page.click("#play");
    await page.waitForFunction(() => (globalThis as unknown as W).__explorer.steps > 300, undefined, { timeout: 30_000 });
    await page.click("#play");
    p = await probe(page);
    expect(p.logX).toBe(true);
    expect(await page.locator("#log-x").isChecked()).toBe(true);
    expect(p.curvesFirst!.step).toBe(0); // still the first point
    await page.click("#log-x");
    await page.waitForFunction(() => !(globalThis as unknown as W).__explorer.logX);
    expect(await page.locator("#cost-chart").getAttribute("data-log")).toBe("false");
    await page.close();
  });

  it("a picture for every network: W3's layers as blocks with their shapes, its feature maps for a drawn digit and its filters; a wide net too", async () => {
    const page = await ready("?preset=w3");
    await page.click("#step"); // a run of W3 (the model shown at first is the default 784-16-16-10)
    await page.waitForFunction(() => (globalThis as unknown as W).__explorer.steps === 1);
    const p = await probe(page);
    // W3 by construction: 28 − 5 + 1 = 24, pooled 12; 12 − 5 + 1 = 8, pooled 4; 40·4·4 = 640.
    expect(p.blocks).toBe("input 1@28×28 | Conv 20@5×5 20@24×24 | MaxPool 2×2 20@12×12 | Conv 40@5×5 40@8×8 | MaxPool 2×2 40@4×4 | Flatten 640 | Linear 100 100 | Linear 10 10");
    expect(await page.locator("#network").isVisible()).toBe(false);
    expect(await page.locator("#filters canvas").count()).toBe(20);
    await stroke(page, [[0.5, 0.15], [0.5, 0.85]]);
    await page.waitForFunction(() => (globalThis as unknown as W).__explorer.maps === 20);
    expect(await page.locator("#maps canvas").count()).toBe(20);
    expect(await page.locator("#maps canvas").first().getAttribute("width")).toBe("24");
    await h.shot(page, "explorer-w3-desktop");
    await page.close();

    const wide = await ready("?preset=quick");
    await wide.click("#step");
    await wide.waitForFunction(() => (globalThis as unknown as W).__explorer.blocks.includes("Linear 256"));
    expect((await probe(wide)).blocks).toBe("input 784 | Linear 256 256 | Linear 10 10");
    expect(await wide.locator("#blocks").isVisible()).toBe(true);
    await wide.close();
  }, 60_000);

  it("speaks French and English: every string in both, fixed French labels, and the language select re-labels without losing the run", async () => {
    const page = await ready("?lang=fr");
    await h.expectNoMissingStrings(page);
    expect(await page.locator("#play").textContent()).toBe("Lecture");
    expect(await page.locator("label[for=set-lr]").textContent()).toBe("Taux d’apprentissage η");
    expect(await page.locator("label[for=set-cost]").textContent()).toBe("Fonction de coût");
    expect(await page.locator("#draw-h").textContent()).toBe("Dessinez un chiffre");
    expect(await page.locator("#curves-h").textContent()).toBe("Coût et précision");
    expect(await page.locator("#model-line").textContent()).toMatch(/^réseau 784-16-16-10, 13\s002 paramètres — le modèle par défaut$/u);
    expect(await page.locator("#stats").textContent()).toMatch(/précision en validation\d+,\d\d %/);
    const body = (await page.locator("#train-main").innerText());
    for (const english of ["Learning rate", "Step one mini-batch", "Confusion matrix", "Draw a digit", "validation accuracy", "Copy link"]) expect(body).not.toContain(english);
    await page.click("#step");
    await page.waitForFunction(() => (globalThis as unknown as W).__explorer.steps === 1);
    await page.fill("#set-lr", "abc");
    await page.locator("#set-lr").dispatchEvent("change");
    expect(await page.locator("#set-lr-error").textContent()).toBe("« abc » n’est pas valide ici : attendu un nombre dans (0, 10000]");
    await h.shot(page, "explorer-desktop-fr");
    const before = await probe(page);

    await page.selectOption("#lang", "en");
    await expect.poll(() => page.locator("#play").textContent()).toBe("Play");
    expect(await page.locator("label[for=set-lr]").textContent()).toBe("Learning rate η");
    expect(await page.locator("#set-lr-error").textContent()).toBe("“abc” is not valid here: expected a number in (0, 10000]");
    const after = await probe(page);
    expect([after.run, after.steps]).toEqual([before.run, before.steps]);
    await h.expectNoMissingStrings(page);
    await page.close();
  });

  it("French at phone width, and the house prices in French", async () => {
    const page = await ready("?lang=fr", PHONE);
    expect(await h.overflow(page)).toBeLessThanOrEqual(0);
    await h.shot(page, "explorer-phone-fr");
    await page.close();
    const houses = await h.open("?task=houses&lang=fr");
    await houses.waitForFunction(() => { const p = (globalThis as unknown as W).__explorer; return p.task === "houses" && p.phase === "idle" && p.regressionEvals > 0; });
    expect(await houses.locator("#curves-h").textContent()).toBe("Coût et erreur absolue moyenne");
    expect(await houses.locator("#scores-net").textContent()).toBe("réseau (pas 0)");
    expect(await houses.locator("#table-line").textContent()).toMatch(/^Prix des maisons de Boston \(corrigés\) : 12 variables → cmedv/);
    await h.expectNoMissingStrings(houses);
    await h.shot(houses, "explorer-houses-desktop-fr");
    await houses.close();
  });

  it("raised no page errors", () => {
    expect(h.errors).toEqual([]);
  });
});
