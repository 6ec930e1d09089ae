/**
 * View "backprop": Nielsen's four equations step by step on two real networks. Oracles: the
 * library in Node for the same network and example — the 2-3-2 network of the seed
 * (mlp + denseLayersOf), the shipped 784-16-16-10 model read from web/public with decodeModel,
 * the MNIST test image from the IDX files — through backpropByHand (every z, a, δ, ∂C/∂b, ∂C/∂w
 * and C: the same float64 loops in both places) and checkBackprop with the explain command's seed
 * (the "check numerically" table).
 * Tolerance: Chromium's V8 and Node's may round Math.exp differently in the last bit, so values are
 * compared to 1e-12 of each array's largest entry (float64 loops agree to ~1e-15). The check's
 * figures are differences of nearly equal numbers (finite differences: ~1e-10 to 1e-7, pure
 * rounding noise), so there the entries compared must be the same and the figures agree to 1e-9.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { PHONE, explorerHarness, repo } from "./explorer-harness.js";
import { backpropByHand, type DenseLayer, type HandCost } from "../src/analysis/backprop.js";
import { checkBackprop, denseLayersOf } from "../src/analysis/backprop-check.js";
import { mlp } from "../src/nn/mlp.js";
import { Rng } from "../src/rng.js";
import { decodeModel } from "../src/io/model-file.js";
import { loadMnist } from "../src/node/mnist.js";

const h = explorerHarness();

type Probe = {
  ready: boolean; net: string; cost: string; step: number; stepKind: string; steps: number; source: string; label: number; image: number;
  x: number[]; y: number[]; z: number[][]; a: number[][]; delta: number[][]; gradB: number[][]; gradW: number[][]; C: number; outputError: string;
  backSum: (number[] | null)[]; sigmaPrime: (number[] | null)[]; prediction: number; badParams: string[];
  check: ReturnType<typeof checkBackprop> | null; checks?: number;
};
const probe = (page: Page) => h.probe<Probe>(page, "backprop");
const ready = (page: Page, net: string) => page.waitForFunction((n) => {
  const p = (globalThis as unknown as { __views: { backprop?: Probe } }).__views.backprop;
  return p?.ready === true && p.net === n;
}, net, { timeout: 30_000 });

const tinyNet = (seed: number) => denseLayersOf(mlp([2, 3, 2], { activation: "sigmoid", output: "sigmoid", init: "normal", rng: new Rng(seed) }), "2-3-2");
const digitsNet = () => denseLayersOf(decodeModel(readFileSync(join(repo, "web", "public", "default-model.safetensors")), "default-model.safetensors").model, "default");
const list = (v: Float64Array[]) => v.map((a) => Array.from(a));

/** Arrays of arrays equal within 1e-12 of each array's largest |entry| (see the file's comment). */
function expectClose(page: number[][], node: number[][], what: string) {
  expect(page.map((v) => v.length), what).toEqual(node.map((v) => v.length));
  node.forEach((v, i) => {
    const scale = Math.max(1e-300, ...v.map(Math.abs));
    const worst = Math.max(0, ...v.map((n, j) => Math.abs(page[i]![j]! - n)));
    expect(worst / scale, `${what}[${i}]`).toBeLessThanOrEqual(1e-12);
  });
}

/** Every number the page shows equals the library's for the same network and example. */
function expectSameBackprop(p: Probe, net: DenseLayer[], x: ArrayLike<number>, target: number | ArrayLike<number>, cost: HandCost) {
  const hand = backpropByHand(net, x, target, cost);
  expect(p.x).toEqual(Array.from(x));
  expectClose(p.z, list(hand.z), "z");
  expectClose(p.a, list(hand.a), "a");
  expectClose(p.delta, list(hand.delta), "δ");
  expectClose(p.gradB, list(hand.gradB), "∂C/∂b");
  expectClose(p.gradW, list(hand.gradW), "∂C/∂w");
  expect(p.C).toBeCloseTo(hand.cost, 12);
  expect(p.outputError).toBe(hand.outputError);
  return hand;
}

/** The page's check against the library's: the same entries compared, the same figures to 1e-9 (rounding noise), all small. */
function expectSameCheck(page: ReturnType<typeof checkBackprop>, node: ReturnType<typeof checkBackprop>) {
  expect(page.finiteDifferences.map((f) => [f.biasEntries, f.weightEntries, f.h])).toEqual(node.finiteDifferences.map((f) => [f.biasEntries, f.weightEntries, f.h]));
  const figures = (c: ReturnType<typeof checkBackprop>) => [...c.finiteDifferences, ...c.autograd].flatMap((f) => [f.bias, f.weight]);
  const [a, b] = [figures(page), figures(node)];
  a.forEach((v, i) => {
    expect(Math.abs(v - b[i]!)).toBeLessThan(1e-9);
    expect(v).toBeLessThan(1e-5);
  });
  expect(page.autogradCost).toBeCloseTo(node.autogradCost, 12);
}

const nodeCheck = (net: DenseLayer[], x: ArrayLike<number>, target: number | ArrayLike<number>, cost: HandCost) =>
  checkBackprop(net, x, target, cost, backpropByHand(net, x, target, cost), { fdEntries: 50, rng: new Rng(0).fork("explain-backprop") });

async function clickCheck(page: Page) {
  const before = (await probe(page)).checks ?? 0;
  await page.click("#bp-check");
  await page.waitForFunction((n) => ((globalThis as unknown as { __views: { backprop: Probe } }).__views.backprop.checks ?? 0) > n, before);
}

describe("view backprop", () => {
  it("the 2-3-2 network: every z, a, δ and gradient is the library's; Next walks the equations; the cost changes BP1; the check is the library's", async () => {
    const page = await h.open("?view=backprop&lang=en");
    await ready(page, "tiny");
    let p = await probe(page);
    expect(p.steps).toBe(7);
    expectSameBackprop(p, tinyNet(1), [0.05, 0.1], [0.01, 0.99], "quadratic");
    // BP2's pieces: (w²)ᵀδ² and σ'(z¹), whose product is δ¹.
    p.delta[0]!.forEach((d, k) => expect(d).toBeCloseTo(p.backSum[0]![k]! * p.sigmaPrime[0]![k]!, 15));

    // The main control, from the keyboard: Next to BP1, then BP2; the current equation follows.
    await page.focus("#bp-next");
    for (let i = 0; i < 3; i++) await page.keyboard.press("Enter");
    expect((await probe(page)).stepKind).toBe("bp1");
    expect(await page.locator(".bp-eq.current").getAttribute("data-eq")).toBe("bp1");
    expect(await page.locator("#bp-picture [data-neuron='2.0'].hl").count()).toBe(1); // the output neurons are highlighted
    await page.keyboard.press("Enter");
    expect((await probe(page)).stepKind).toBe("bp2");
    expect(await page.locator(".bp-eq.current").getAttribute("data-eq")).toBe("bp2");
    expect(page.url()).toMatch(/step=5/);
    await h.shot(page, "backprop-desktop");

    // Cross-entropy on a sigmoid output: BP1 becomes δᴸ = aᴸ − y.
    await page.selectOption("#bp-cost", "cross-entropy");
    await page.waitForFunction(() => (globalThis as unknown as { __views: { backprop: Probe } }).__views.backprop.cost === "cross-entropy");
    p = await probe(page);
    expect(p.outputError).toBe("δᴸ = aᴸ − y");
    expectSameBackprop(p, tinyNet(1), [0.05, 0.1], [0.01, 0.99], "cross-entropy");

    // An input of one's own, then the numerical check: all 17 parameters, the library's numbers.
    await page.fill("#bp-x1", "0.5");
    await page.waitForFunction(() => (globalThis as unknown as { __views: { backprop: Probe } }).__views.backprop.x[0] === 0.5);
    p = await probe(page);
    expectSameBackprop(p, tinyNet(1), [0.5, 0.1], [0.01, 0.99], "cross-entropy");
    await clickCheck(page);
    p = await probe(page);
    expectSameCheck(p.check!, nodeCheck(tinyNet(1), [0.5, 0.1], [0.01, 0.99], "cross-entropy"));
    expect(p.check!.finiteDifferences.reduce((s, f) => s + f.biasEntries + f.weightEntries, 0)).toBe(17);
    expect(await page.locator("#bp-check-result").textContent()).toMatch(/Every one of the 17 parameters/);
    expect(h.errors).toEqual([]);
    await page.close();
  });

  it("the 784-16-16-10 network on a test image and on a drawing: the library's numbers, and its check", async () => {
    const mnist = await loadMnist();
    const page = await h.open("?view=backprop&lang=en&net=digits&image=3&step=9");
    await ready(page, "digits");
    let p = await probe(page);
    const x = mnist.test.features.subarray(3 * 784, 4 * 784);
    const label = mnist.test.labels[3]!;
    expect(p.label).toBe(label);
    expect(p.stepKind).toBe("bp4");
    const net = digitsNet();
    expectSameBackprop(p, net, x, label, "quadratic");
    await clickCheck(page);
    p = await probe(page);
    expectSameCheck(p.check!, nodeCheck(net, x, label, "quadratic"));
    await h.shot(page, "backprop-digits-desktop");

    // A drawing: the page's 28×28 input (drawing → mnistLike) through the same library backprop.
    await page.locator("#bp-pad").scrollIntoViewIfNeeded(); // the check's click scrolled down to its button
    const box = (await page.locator("#bp-pad").boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.52, box.y + box.height * 0.5, { steps: 5 });
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.8, { steps: 5 });
    await page.mouse.up();
    await page.waitForFunction(() => (globalThis as unknown as { __views: { backprop: Probe } }).__views.backprop.source === "drawing");
    await page.selectOption("#bp-label", "1");
    await page.waitForFunction(() => (globalThis as unknown as { __views: { backprop: Probe } }).__views.backprop.label === 1);
    p = await probe(page);
    expect(p.x.some((v) => v > 0.5)).toBe(true);
    expectSameBackprop(p, net, p.x, 1, "quadratic");
    expect(h.errors).toEqual([]);
    await page.close();

    const phone = await h.open("?view=backprop&lang=en&net=digits&image=0&step=6", PHONE);
    await ready(phone, "digits");
    expect(await h.overflow(phone)).toBeLessThanOrEqual(0);
    await h.shot(phone, "backprop-phone");
    await phone.close();
    const tinyPhone = await h.open("?view=backprop&lang=en&step=5", PHONE);
    await ready(tinyPhone, "tiny");
    expect(await h.overflow(tinyPhone)).toBeLessThanOrEqual(0);
    await h.shot(tinyPhone, "backprop-tiny-phone");
    await tinyPhone.close();
  }, 60_000);

  it("speaks French and English with no missing string, re-labels on the language select, and notes a bad address", async () => {
    const page = await h.open("?view=backprop&lang=fr&step=99&cost=cross-entropy&x=0.3,abc");
    await ready(page, "tiny");
    const p = await probe(page);
    expect(p.badParams).toEqual(["x", "step"]);
    expect(p.cost).toBe("cross-entropy");
    expect(p.step).toBe(0);
    expect(await page.locator("#bp-notes").textContent()).toMatch(/L’adresse demandait x = « 0.3,abc »/);
    await page.click("#bp-next");
    await page.click("#bp-next");
    await page.click("#bp-next");
    await page.click("#bp-check");
    await page.waitForFunction(() => (globalThis as unknown as { __views: { backprop: Probe } }).__views.backprop.check !== null);
    expect(await page.locator("#bp-next").textContent()).toMatch(/Suivant/);
    await h.expectNoMissingStrings(page);
    await h.shot(page, "backprop-desktop-fr");
    await page.selectOption("#lang", "en");
    await expect.poll(() => page.locator("#bp-next").textContent()).toMatch(/Next/);
    expect(await page.locator("#teach .view-head h2").textContent()).toBe("Backpropagation, step by step");
    expect((await probe(page)).step).toBe(3); // re-labelled, not re-mounted
    await h.expectNoMissingStrings(page);
    expect(h.errors).toEqual([]);
    await page.close();
  });
});
