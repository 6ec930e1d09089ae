/**
 * View "descent" (gradient descent the 3Blue1Brown way) in Chromium, served by `descent explore`.
 * Oracles: the library in Node — the same 3b1b network built from the same seed, trained on the
 * same mini-batches at the same η (buildExperiment, its DataLoader, Trainer.step), scored by
 * evaluate, its learning-rate curve by src/analysis/descent.ts — and Σ(y − a)² recomputed here from
 * the probe's a and y. The page's worker may run the fma binary (fused products round differently):
 * Node switches to the binary the page reports, so parameters compare bit for bit.
 */
import "../src/node/relaxed-simd.js"; // Node 20: relaxed SIMD, to run the binary the page chose
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { explorerHarness, PHONE } from "./explorer-harness.js";
import { setKernelOptions } from "../src/kernels/index.js";
import { loadMnist } from "../src/node/mnist.js";
import { buildExperiment, DEFAULT_CONFIG } from "../src/train/config.js";
import { PRESETS } from "../src/train/presets.js";
import { objectiveFor } from "../src/train/objective.js";
import { scoreModel } from "../src/analysis/landscape.js";
import { learningRateCurve, meanGradient } from "../src/analysis/descent.js";
import type { Batch } from "../src/data/dataset.js";

const h = explorerHarness();

type Probe = {
  phase: string; step: number; analysisStep: number; seed: number; lr: number; fma: boolean; params: number; error: string | null;
  evalCost: number; evalAccuracy: number; gradNorm: number;
  digit: { a: number[]; y: number[]; sq: number[]; cost: number; label: number; step: number };
  landscape: { xs: number[]; ys: number[]; cost: number[]; span: number; ballCost: number; trail: { step: number; alpha: number; beta: number }[] };
  etaCurve: { etas: number[]; costs: number[]; c0: number; best: number; zones: string[] };
  zone: string | null; currentCost: number | null;
  nudges: { step: number; source: string; lr: number; total: number; grad: number[]; weights: number[] };
  nudgeRows: number; nudgeMatches: number; nudgeOrder: number[]; nudgeSort: { key: string; desc: boolean };
};
const probe = (page: Page) => h.probe<Probe>(page, "descent");

async function ready(page: Page, step = 0): Promise<Probe> {
  await page.waitForFunction((s) => {
    const p = (globalThis as unknown as { __views: Record<string, Probe> }).__views["descent"];
    return p && p.phase !== "loading" && p.phase !== "running" && p.analysisStep === s && p.nudges?.step === s && p.digit?.step === s && p.zone;
  }, step, { timeout: 45_000 });
  return probe(page);
}

async function stepBy(page: Page, button: 1 | 10 | 100, to: number): Promise<Probe> {
  await page.click(`#descent-step-${button}`);
  return ready(page, to);
}

/** The library in Node: the view's network (3b1b preset, seed), its batches in order, evaluated on the first 1,000 test images. */
async function nodeLab(seed: number) {
  const mnist = await loadMnist();
  const config = { ...DEFAULT_CONFIG, ...PRESETS["3b1b"]!.config, seed };
  const ex = buildExperiment(config, mnist, { fuseUpdates: false });
  const evalSet = mnist.test.slice(0, 1000);
  const objective = objectiveFor(config.cost, config.output);
  let batches = ex.loader[Symbol.iterator]();
  const params = () => ex.model.parameters();
  return {
    ex, mnist, evalSet, objective,
    step(lr: number) {
      let next = batches.next();
      if (next.done) {
        batches = ex.loader[Symbol.iterator]();
        next = batches.next();
      }
      ex.trainer.opts.optimizer.lr = lr;
      ex.trainer.step(next.value as Batch);
    },
    weights: () => params().flatMap((p) => Array.from(p.data)),
    grad: () => params().flatMap((p) => Array.from(p.grad!.data)),
    /** The explainer's average Σ(y − a)²: twice descent's ½Σ cost. */
    evalCost: () => 2 * scoreModel(ex.model, evalSet, objective).loss,
  };
}

async function setLr(page: Page, lr: number) {
  await page.$eval("#descent-lr", (e, v) => {
    const input = e as unknown as { value: string; dispatchEvent(ev: unknown): void };
    input.value = String(Math.log10(v));
    input.dispatchEvent(new (globalThis as unknown as { Event: new (t: string) => unknown }).Event("input"));
  }, lr);
}

describe("view descent", () => {
  it("renders from seed 1; Step, ×10, ×100 move the ball and lower the average cost; the parameters, costs, gradient and η curve equal the library's in Node", async () => {
    const page = await h.open("?view=descent&lang=en");
    const p0 = await ready(page);
    expect(p0.params).toBe(13002);
    expect(p0.nudges.total).toBe(13002);
    expect(p0.error).toBeNull();
    expect(await page.locator("#descent-count").textContent()).toContain("13,002 rows");
    setKernelOptions({ fma: p0.fma }); // the binary the page's worker chose
    try {
      const lab = await nodeLab(1);
      // Step 0: the same initial weights, bit for bit, and the same average cost.
      expect(p0.nudges.weights).toEqual(lab.weights());
      expect(p0.evalCost).toBe(lab.evalCost());
      expect(p0.landscape.ballCost).toBe(p0.evalCost);
      await stepBy(page, 1, 1);
      await stepBy(page, 10, 11);
      const p = await stepBy(page, 100, 111);
      for (let i = 0; i < 111; i++) lab.step(3);
      // Same batches, same η: the same parameters and last-step gradient, bit for bit.
      expect(p.nudges.source).toBe("step");
      expect(p.nudges.weights).toEqual(lab.weights());
      expect(p.nudges.grad).toEqual(lab.grad());
      expect(p.evalCost).toBe(lab.evalCost());
      // The average cost fell, and the ball with it; the trail shows where it came from.
      expect(p.evalCost).toBeLessThan(p0.evalCost - 0.5);
      expect(p.landscape.ballCost).toBe(p.evalCost);
      expect(p.landscape.trail.length).toBe(4);
      const [first] = p.landscape.trail;
      expect(first!.step).toBe(0);
      expect(Math.hypot(first!.alpha, first!.beta)).toBeGreaterThan(0.001);
      // The η curve at a few η: C(w − η∇C) in Node (∇C the mean gradient on the same 1,000 images).
      const g = meanGradient(lab.ex.model, lab.evalSet, lab.objective);
      const picks = [0, 10, 20, 30, 40];
      const node = learningRateCurve(lab.ex.model, lab.evalSet, lab.objective, g, picks.map((i) => p.etaCurve.etas[i]!)).map((c) => 2 * c);
      picks.forEach((i, k) => expect(p.etaCurve.costs[i]).toBe(node[k]));
      expect(p.etaCurve.zones[0]).toBe("too-small");
      expect(p.etaCurve.zones[40]).toBe("divergent");
      // Stepping uses the slider's η (the log slider moves by 0.01 decades: 10^1.48 = 30.2 after rounding to 3 digits).
      await setLr(page, 30);
      await page.waitForFunction(() => (globalThis as unknown as { __views: Record<string, Probe> }).__views["descent"]!.currentCost !== null);
      const lr = (await probe(page)).lr;
      expect(lr).toBe(30.2);
      expect(page.url()).toContain("lr=30.2");
      const q = await stepBy(page, 1, 112);
      lab.step(lr);
      expect(q.nudges.lr).toBe(lr);
      expect(q.nudges.weights).toEqual(lab.weights());
      await h.shot(page, "descent-desktop");
    } finally {
      setKernelOptions({ fma: false });
    }
    expect(h.errors).toEqual([]);
  });

  it("the digit's cost is Σ(y − a)² of the probe's a and y, and a is the library's output for that image", async () => {
    const page = await h.open("?view=descent&lang=en&img=1234&digit=4");
    const p = await ready(page);
    const { a, y, cost, label } = p.digit;
    expect(label).toBe(4);
    expect(y).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 0, 0]);
    expect(cost).toBe(a.reduce((s, v, j) => s + (y[j]! - v) ** 2, 0));
    expect(await page.locator("#descent-sum").textContent()).toContain(cost.toFixed(4));
    setKernelOptions({ fma: p.fma });
    try {
      const lab = await nodeLab(1);
      const x = lab.mnist.test.features.slice(1234 * 784, 1235 * 784);
      const out = lab.ex.model.forward((await import("../src/tensor.js")).tensor(x, [1, 784]));
      expect(a).toEqual(Array.from(out.data));
    } finally {
      setKernelOptions({ fma: false });
    }
    // A drawing: the cost follows the pad.
    const box = (await page.locator("#descent-pad").boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + 20);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height - 20, { steps: 8 });
    await page.mouse.up();
    await page.waitForFunction(() => (globalThis as unknown as { __views: Record<string, { digit: { source: { kind: string } } }> }).__views["descent"]!.digit.source.kind === "drawn");
    const d = (await probe(page)).digit;
    expect(d.cost).toBe(d.a.reduce((s, v, j) => s + (d.y[j]! - v) ** 2, 0));
    await page.selectOption("#descent-meant", "1");
    await page.waitForFunction(() => (globalThis as unknown as { __views: Record<string, Probe> }).__views["descent"]!.digit.label === 1);
    expect(page.url()).toContain("digit=1");
    expect(h.errors).toEqual([]);
  });

  it("the list of nudges: 13,002 rows, sorted by |nudge| then by any column, searchable, and a CSV of 13,002 rows equal to the probe's gradient", async () => {
    const page = await h.open("?view=descent&lang=en&grad=eval");
    const p = await ready(page);
    expect(p.nudges.source).toBe("eval");
    expect(p.nudgeRows).toBe(13002);
    expect(p.nudgeMatches).toBe(13002);
    const size = (i: number) => Math.abs(p.nudges.lr * p.nudges.grad[i]!);
    const bySize = [...p.nudges.grad.keys()].sort((i, j) => size(j) - size(i) || i - j);
    expect(p.nudgeOrder).toEqual(bySize.slice(0, 50));
    expect(await page.locator("table.descent-nudges tbody tr").count()).toBe(50);
    // Sort by value (ascending, then descending).
    await page.click('th[data-key="value"] button');
    let q = await probe(page);
    const byValue = [...p.nudges.weights.keys()].sort((i, j) => p.nudges.weights[i]! - p.nudges.weights[j]! || i - j);
    expect(q.nudgeOrder).toEqual(byValue.slice(0, 50));
    expect(page.url()).toContain("sort=value%3Aasc");
    await page.click('th[data-key="value"] button');
    q = await probe(page);
    expect(q.nudgeSort).toEqual({ key: "value", desc: true });
    expect(q.nudges.weights[q.nudgeOrder[0]!]).toBe(Math.max(...p.nudges.weights));
    // Search: the 16 weights leaving pixel (14, 7); the 42 biases.
    await page.fill("#descent-search", "pixel 14,7");
    q = await probe(page);
    expect(q.nudgeMatches).toBe(16);
    expect([...q.nudgeOrder].sort((i, j) => i - j)).toEqual(Array.from({ length: 16 }, (_, j) => j * 784 + 14 * 28 + 7));
    await page.fill("#descent-search", "bias");
    expect((await probe(page)).nudgeMatches).toBe(42);
    await page.fill("#descent-search", "");
    // The CSV: every parameter, in order, its gradient as the probe's.
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#descent-csv")]);
    const csv = readFileSync((await download.path())!, "utf8").trim().split("\n");
    expect(csv[0]).toBe("index,layer,kind,from,to,pixel_row,pixel_col,value,gradient,nudge");
    expect(csv.length - 1).toBe(13002);
    const grads = csv.slice(1).map((line) => Number(line.split(",")[8]));
    expect(grads).toEqual(p.nudges.grad);
    expect(csv[1]!.startsWith("0,1,weight,0,0,0,0,")).toBe(true);
    expect(csv[13002]!.startsWith("13001,3,bias,,9,,,")).toBe(true);
    expect(h.errors).toEqual([]);
  });

  it("speaks French and English (no missing string), re-labels on the language select, notes invalid URL values, fits a phone, and Play/Pause trains", async () => {
    const page = await h.open("?view=descent&lang=fr&lr=abc&seed=-3");
    await ready(page);
    await h.expectNoMissingStrings(page);
    expect(await page.locator("#teach h3").first().textContent()).toBe("Le réseau");
    expect(await page.locator(".descent-note").textContent()).toContain("Ignoré dans l’adresse : lr=abc");
    expect(await page.locator("#descent-count").textContent()).toMatch(/^13\u202f002 lignes/);
    expect(await page.locator("#descent-zone").textContent()).toMatch(/adapté|trop petit|trop grand|divergent/);
    await h.shot(page, "descent-desktop-fr");
    await page.selectOption("#lang", "en");
    await expect.poll(() => page.locator("#teach h3").first().textContent()).toBe("The network");
    expect(await page.locator(".descent-note").textContent()).toContain("Ignored in the address: lr=abc");
    await h.expectNoMissingStrings(page);
    const phone = await h.open("?view=descent&lang=en", PHONE);
    await ready(phone);
    expect(await h.overflow(phone)).toBe(0);
    // Play trains until Pause; the panels then catch up with the last step.
    await phone.click("#descent-play");
    await phone.waitForFunction(() => (globalThis as unknown as { __views: Record<string, Probe> }).__views["descent"]!.step >= 30);
    await phone.click("#descent-play");
    await phone.waitForFunction(() => (globalThis as unknown as { __views: Record<string, Probe> }).__views["descent"]!.phase === "idle");
    const played = await ready(phone, (await probe(phone)).step);
    expect(played.evalCost).toBeLessThan(4);
    await h.shot(phone, "descent-phone");
    expect(h.errors).toEqual([]);
  });
});
