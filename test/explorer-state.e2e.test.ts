/**
 * The training page's one consistent state, in Chromium: each drift issue 17 lists is a case.
 * Oracles: the library's own Session in Node for the same settings and seed (weights after the same
 * steps, compared exactly, with the kernels the page chose), and what the page must say (a stamp,
 * a warning, the form's values, the URL).
 */
import "../src/node/relaxed-simd.js"; // Node 20: relaxed SIMD, to run the binary the page chose
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { explorerHarness } from "./explorer-harness.js";
import { setKernelOptions } from "../src/kernels/index.js";
import { loadMnist } from "../src/node/mnist.js";
import { encodeModel } from "../src/io/model-file.js";
import { mlp } from "../src/nn/mlp.js";
import { Rng } from "../src/rng.js";
import { Session } from "../web/src/session.js";
import { parseSettings, settingsFromPreset, toTrainConfig } from "../web/src/state.js";

const h = explorerHarness();

type Probe = {
  predictions: number; phase: string; steps: number; run: number; evals: number; evalStep: number | null; evaluating: number | null;
  valAccuracy: number; stamps: Record<string, number | null>; warning: { code: string; run: number | null; text: string } | null;
  trainPoints: { step: number; loss: number }[]; curvePoints: number; curvesFirst: { step: number; valSecond: number | null } | null;
  firstWeights: number[] | null; weightsStep: number | null; origin: string; trainable: boolean; engine: string; errors: string[];
};
type W = { __explorer: Probe };
const probe = (page: Page) => page.evaluate(() => (globalThis as unknown as { __explorer: Probe }).__explorer);
/** Waits until `f(arg)` holds in the page (a function, not a string: the page's CSP forbids eval). */
const until = (page: Page, f: (arg: number) => unknown, arg = 0, timeout = 30_000) => page.waitForFunction(f, arg, { timeout });

/** The training page, loaded and idle (the default model answered, MNIST parsed). */
async function ready(query = "", viewport?: { width: number; height: number }): Promise<Page> {
  const page = await h.open(query, viewport);
  await until(page, () => { const p = (globalThis as unknown as W).__explorer; return p && (p && p.predictions > 0 && p.phase === "idle"); });
  return page;
}

const mnist = await loadMnist();
const data = { train: mnist.train, validation: mnist.validation, test: mnist.test };

/** Node's session for a page's kernels (plain or fma: fused products round differently). */
function withKernels<T>(engine: string, f: () => T): T {
  setKernelOptions({ fma: / fma on$/.test(engine) });
  try {
    return f();
  } finally {
    setKernelOptions({ fma: false });
  }
}

describe("the training page's state", () => {
  it("(a) w3: a convnet's evaluation says which step it describes; after a pause it describes the paused step, not the untrained net", async () => {
    const page = await ready("?preset=w3");
    await page.click("#play");
    // The step-0 evaluation runs beside training, a few batches at a time: the stats say so.
    await until(page, () => { const p = (globalThis as unknown as W).__explorer; return p && (p.phase === "running" && p.steps > 20 && p.evaluating === 0); }, 0, 30_000);
    expect(await page.locator("#stats").textContent()).toMatch(/evaluating step 0…/);
    // Meanwhile the confusion matrix and mistakes, faded, are the shipped network's: their headings say so.
    expect(await page.locator("#confusion-stamp").textContent()).toBe("the previous network's, until this one is evaluated");
    expect(await page.locator("#mistakes-stamp").textContent()).toBe("the previous network's, until this one is evaluated");
    await page.click("#play");
    await until(page, () => { const p = (globalThis as unknown as W).__explorer; return p && (p.phase === "idle" && p.evalStep !== null && p.evalStep === p.steps && p.evalStep > 0); }, 0, 40_000);
    const p = await probe(page);
    expect(p.stamps["confusion"]).toBe(p.steps);
    expect(await page.locator("#confusion-stamp").textContent()).toBe(`step ${p.steps.toLocaleString("en-US")}`);
    expect(await page.locator("#confusion-stamp").getAttribute("class")).not.toMatch(/lag/);
    // The trained convnet, not the untrained one: no single predicted column holds the test set.
    const counts = await page.$$eval("#confusion tr", (rows) => rows.slice(1).map((r) => Array.from(r.querySelectorAll("td")).map((td) => Number(td.textContent))));
    const columns = Array.from({ length: 10 }, (_, c) => counts.reduce((s, r) => s + r[c]!, 0));
    expect(Math.max(...columns)).toBeLessThan(5000);
    expect(p.valAccuracy).toBeGreaterThan(0.5);
    await h.shot(page, "explorer-state-w3");
    await page.close();
  }, 90_000);

  it("(a) a lagging panel says 'as of step N (training is at M)'", async () => {
    const page = await ready();
    await page.click("#play");
    await page.waitForFunction(() => /as of step [\d,]+ \(training is at [\d,]+\)/.test(document.querySelector("#confusion-stamp")?.textContent ?? ""), undefined, { timeout: 30_000 });
    expect(await page.locator("#confusion-stamp").getAttribute("class")).toMatch(/lag/);
    await page.click("#play");
    await until(page, () => { const p = (globalThis as unknown as W).__explorer; return p && (p.phase === "idle" && p.evalStep === p.steps); });
    expect(await page.locator("#confusion-stamp").textContent()).toMatch(/^step [\d,]+$/);
    await page.close();
  });

  it("(b) a warning belongs to its run: gone after Reset and after loading a model; no 'evaluating…' after the stop", async () => {
    const page = await ready("?preset=3b1b&lr=10000&out=identity&cost=mse");
    await page.click("#play");
    await until(page, () => { const p = (globalThis as unknown as W).__explorer; return p && (p.warning !== null && p.phase === "idle"); });
    let p = await probe(page);
    expect(p.warning!.code).toBe("diverged");
    expect(p.warning!.run).toBe(p.run);
    expect(await page.locator("#warnings").textContent()).toMatch(/^the cost became (NaN|-?Infinity) at step \d+ \(learning rate 10,000\); the model went back to the weights from before training/);
    expect(await page.locator("#status").textContent()).toBe("stopped");
    await page.waitForTimeout(500);
    expect((await probe(page)).evaluating).toBeNull();
    expect(await page.locator("#stats").textContent()).not.toMatch(/evaluating/);

    await page.click("#reset");
    await until(page, () => { const p = (globalThis as unknown as W).__explorer; return p && (p.warning === null); });
    expect(await page.locator("#warnings").textContent()).toBe("");

    // Again, then a model file replaces the run: its warning goes with it.
    await page.click("#play");
    await until(page, () => { const p = (globalThis as unknown as W).__explorer; return p && (p.warning !== null && p.warning.code === "diverged"); });
    const model = mlp([784, 20, 10], { activation: "relu", output: "softmax", init: "he-normal", rng: new Rng(3) });
    await page.setInputFiles("#model-file", { name: "mine.safetensors", mimeType: "application/octet-stream", buffer: Buffer.from(encodeModel(model, { training: {} })) });
    await until(page, () => { const p = (globalThis as unknown as W).__explorer; return p && (p.origin === "file"); });
    p = await probe(page);
    expect(p.warning).toBeNull();
    expect(await page.locator("#warnings").textContent()).toBe("");
    await page.close();
  });

  it("(c, d) loading a CLI model sets the form to its settings and starts a new history; Play continues it; Reset starts over", async () => {
    // A model as `descent train --out` writes it: weights, and the settings it was trained with.
    const settings = { ...settingsFromPreset("nielsen-ch1"), preset: "custom", seed: 5, lr: 0.5 };
    const config = toTrainConfig(settings);
    const trained = new Session(null, "node");
    trained.setData(data);
    trained.reset(config);
    trained.train(40);
    const bytes = Buffer.from(encodeModel(trained.model!, { training: { config, testAccuracy: 0.8123, epochsTrained: 1 } }));

    const page = await ready("?preset=w3");
    for (let i = 1; i <= 3; i++) {
      await page.click("#step");
      await until(page, (n) => { const p = (globalThis as unknown as W).__explorer; return p.steps === n; }, i);
    }
    await page.setInputFiles("#model-file", { name: "cli.safetensors", mimeType: "application/octet-stream", buffer: bytes });
    await until(page, () => { const p = (globalThis as unknown as W).__explorer; return p && (p.origin === "file" && p.evalStep === 0); });
    let p = await probe(page);
    // The form and the link say what the file records; the history starts at its step 0.
    expect(await page.locator("#set-net").inputValue()).toBe("784,30,10");
    expect(await page.locator("#set-lr").inputValue()).toBe("0.5");
    expect(await page.locator("#set-seed").inputValue()).toBe("5");
    expect(page.url()).toMatch(/preset=custom/);
    expect(parseSettings(new URL(page.url()).search).settings).toEqual(settings);
    expect(p.steps).toBe(0);
    expect(p.trainPoints).toEqual([]);
    expect(p.curvesFirst?.step).toBe(0);
    expect(p.curvePoints).toBe(1);
    expect(await page.locator("#model-line").textContent()).toMatch(/^784-30-10 network, 23,860 parameters — cli\.safetensors \(test accuracy 81\.23 %\)$/);
    expect(await page.locator("#play-note").textContent()).toBe("Play continues training this model; Reset starts over from the settings.");
    expect(p.trainable).toBe(true);

    // Step: the loaded weights trained one more step (a fresh optimizer) — exactly Node's.
    await page.click("#step");
    await until(page, () => { const p = (globalThis as unknown as W).__explorer; return p && (p.steps === 1 && p.weightsStep === 1); });
    p = await probe(page);
    expect(p.origin).toBe("continued");
    const expected = withKernels(p.engine, () => {
      const s = Session.fromModelFile(bytes, "cli.safetensors");
      s.setData(data);
      s.continueWith(toTrainConfig(settings));
      s.train(1);
      return Array.from(s.model!.parameters()[0]!.data);
    });
    expect(p.firstWeights).toEqual(expected);

    // Reset: a fresh network from the form's settings (seed 5), step 0.
    await page.click("#reset");
    await until(page, () => { const p = (globalThis as unknown as W).__explorer; return p && (p.origin === "run" && p.steps === 0 && p.weightsStep === 0); });
    p = await probe(page);
    const fresh = new Session(null, "node");
    fresh.setData(data);
    fresh.reset(toTrainConfig(settings));
    expect(p.firstWeights).toEqual(Array.from(fresh.model!.parameters()[0]!.data));
    await page.close();
  }, 60_000);

  it("(e) an invalid learning rate is marked where it is typed, in the page's words, and the run keeps the last valid one", async () => {
    const page = await ready();
    const url = page.url();
    for (const [typed, quoted] of [["abc", "“abc”"], ["-1", "“-1”"]] as const) {
      await page.fill("#set-lr", typed);
      await page.locator("#set-lr").dispatchEvent("change");
      expect(await page.locator("#set-lr").getAttribute("aria-invalid")).toBe("true");
      expect(await page.locator("#set-lr-error").textContent()).toBe(`${quoted} is not valid here: expected a number in (0, 10000]`);
      expect(await page.locator("#set-lr-error").textContent()).not.toMatch(/--lr/);
      expect(await page.locator("#set-lr").inputValue()).toBe(typed); // not silently reverted
      expect(page.url()).toBe(url);
    }
    await page.fill("#set-lr", "0,5"); // a French decimal comma is read too
    await page.locator("#set-lr").dispatchEvent("change");
    expect(await page.locator("#set-lr").getAttribute("aria-invalid")).toBeNull();
    expect(await page.locator("#set-lr-error").isVisible()).toBe(false);
    expect(page.url()).toMatch(/lr=0\.5/);
    await page.close();
  });

  it("raised no page errors", () => {
    expect(h.errors).toEqual([]);
  });
});
