/**
 * The "overfitting" view end to end (Chromium): it renders paused at epoch 0; Play trains, and its
 * first epochs' accuracies and costs (training images scored after each epoch, validation on the
 * 10,000 held-out images) and its weight histogram equal the library's in Node for the same seed
 * and wasm binary, exactly — before and after the main control (L1 λ) changes; invalid values are
 * refused where typed and reported from the URL; both languages; screenshots; phone width.
 * Oracle: the library in Node — buildExperiment and Trainer.fit on the book's chapter-3 config,
 * written out here, with analysis/overfitting.ts's training-score callback and histogram.
 */
import "../src/node/relaxed-simd.js"; // Node 20: relaxed SIMD, to run the binary the page chose
import { beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { explorerHarness, PHONE } from "./explorer-harness.js";
import { setKernelOptions } from "../src/kernels/index.js";
import { loadMnist } from "../src/node/mnist.js";
import type { Mnist } from "../src/data/mnist.js";
import { buildExperiment, DEFAULT_CONFIG, type TrainConfig } from "../src/train/config.js";
import type { EpochLog } from "../src/train/callbacks.js";
import { modelWeightHistogram, trainingScoreCallback, type TrainingScore, type WeightHistogram } from "../src/analysis/overfitting.js";

interface Point { epoch: number; trainAccuracy: number; trainLoss: number; valAccuracy: number; valLoss: number; runningAccuracy: number; runningLoss: number }
interface Probe {
  config: TrainConfig | null;
  epochs: Point[];
  histogram: WeightHistogram | null;
  fma: boolean;
  run: number;
  ready: boolean;
  playing: boolean;
  settings: Record<string, unknown>;
  invalid: { key: string; value: string }[];
  info: { stepsPerEpoch: number; train: number; validation: number };
}

const h = explorerHarness();
let mnist: Mnist;
beforeAll(async () => {
  mnist = await loadMnist();
});

/** Nielsen ch. 3: [784, 30, 10] sigmoid, cross-entropy, N(0, 1) init, η = 0.5, batch 10, the first 1,000 images, 400 epochs. */
const BOOK: TrainConfig = {
  ...DEFAULT_CONFIG, layers: [784, 30, 10], activation: "sigmoid", output: "sigmoid", cost: "cross-entropy",
  init: "normal", lr: 0.5, batchSize: 10, epochs: 400, trainSize: 1000, l1: 0, l2: 0, dropout: 0, earlyStopping: 0, seed: 1,
};
const HIST = { bins: 60, range: 3, near: 0.01 };

const probe = (page: Page) => h.probe<Probe>(page, "overfitting");
/** Waits until the probe shows a started run (of number `run`, if given) with at least `epochs` epochs. */
async function until(page: Page, want: { epochs?: number; run?: number }): Promise<Probe> {
  await page.waitForFunction((w) => {
    const p = (globalThis as unknown as { __views: { overfitting?: Probe } }).__views.overfitting;
    return p !== undefined && p.ready && p.config !== null && p.histogram !== null && p.epochs.length >= (w.epochs ?? 0) && (w.run === undefined || p.run === w.run);
  }, want, { timeout: 40_000 });
  return probe(page);
}

/** Clicks Play (or Pause) and waits until the worker says it is playing (or not). */
async function setPlaying(page: Page, on: boolean): Promise<void> {
  await page.click("#of-play");
  await page.waitForFunction((w) => (globalThis as unknown as { __views: { overfitting: Probe } }).__views.overfitting.playing === w, on, { timeout: 20_000 });
}

/** The library's first `epochs` epochs of `config` (and the histogram before training), with the page's binary. */
function library(config: TrainConfig, epochs: number, fma: boolean): { points: Point[]; initial: WeightHistogram } {
  setKernelOptions({ fma });
  try {
    const ex = buildExperiment({ ...config, epochs }, { train: mnist.train, validation: mnist.validation });
    const initial = modelWeightHistogram(ex.model, HIST);
    const logs: EpochLog[] = [];
    const scores: TrainingScore[] = [];
    ex.trainer.fit(ex.loader, { ...ex.fitOptions, callbacks: [{ onEpochEnd: (l) => void logs.push(l) }, trainingScoreCallback(ex.trainer, mnist.train.slice(0, 1000), scores)] });
    const points = logs.map((l, i) => ({
      epoch: l.epoch, trainAccuracy: scores[i]!.accuracy, trainLoss: scores[i]!.loss, valAccuracy: l.valAccuracy!, valLoss: l.valLoss!,
      runningAccuracy: l.trainAccuracy!, runningLoss: l.trainLoss,
    }));
    return { points, initial };
  } finally {
    setKernelOptions({ fma: false });
  }
}

describe("explorer view: overfitting", () => {
  it("trains the book's 1,000-image run and its first epochs equal the library's exactly, before and after L1 is set", async () => {
    const page = await h.open("?view=overfitting&lang=en");
    const p0 = await until(page, {});
    expect(p0.config).toEqual(BOOK);
    expect(p0.info).toEqual({ stepsPerEpoch: 100, train: 1000, validation: 10000 });
    expect(p0.epochs).toEqual([]);
    await setPlaying(page, true);
    const p = await until(page, { epochs: 3 });
    await setPlaying(page, false);
    const ours = library(BOOK, 3, p.fma);
    expect(p0.histogram).toEqual(ours.initial);
    expect(p.epochs.slice(0, 3)).toEqual(ours.points);
    await expect.poll(() => page.locator("#of-readout").textContent()).toMatch(/After epoch \d+: training [\d.]+ %, validation [\d.]+ %/);
    // Let the unregularised run go on until the curves part (the book's picture), for the screenshot.
    await setPlaying(page, true);
    await until(page, { epochs: 40 });
    await setPlaying(page, false);
    await h.shot(page, "overfitting-desktop");

    // The main control: L1 λ = 5 restarts the same seeded run with the penalty.
    await page.fill("#of-l1", "5");
    await page.press("#of-l1", "Enter");
    await expect.poll(() => page.url()).toContain("l1=5");
    const q0 = await until(page, { run: p0.run + 1 });
    expect(q0.config).toEqual({ ...BOOK, l1: 5 });
    await setPlaying(page, true);
    const q = await until(page, { run: p0.run + 1, epochs: 2 });
    expect(q.epochs.slice(0, 2)).toEqual(library({ ...BOOK, l1: 5 }, 2, q.fma).points);
    // A while of L1: weights pile up near zero (the caption counts them).
    await until(page, { epochs: 12 });
    await setPlaying(page, false);
    const r = await probe(page);
    expect(r.histogram!.nearZeros).toBeGreaterThan(p0.histogram!.nearZeros * 5);
    await expect.poll(() => page.locator("#of-hist-caption").textContent()).toMatch(/23,820 weights .*: \d+ exactly zero, [\d,]+ within ±0\.01/);
    await h.shot(page, "overfitting-l1");
    expect(h.errors).toEqual([]);
    await page.close();
  });

  it("refuses an invalid value where it is typed, and reports one in the URL", async () => {
    const page = await h.open("?view=overfitting&lang=en&l2=-1&dropout=0.5&augment=sideways");
    const p = await until(page, {});
    expect(p.invalid).toEqual([{ key: "l2", value: "-1" }, { key: "augment", value: "sideways" }]);
    expect(p.config).toEqual({ ...BOOK, dropout: 0.5 });
    await expect.poll(() => page.locator(".of-warn").textContent()).toMatch(/l2=-1.*augment=sideways/);
    await page.fill("#of-epochs", "abc");
    await page.press("#of-epochs", "Enter");
    expect(await page.locator("#of-epochs").getAttribute("aria-invalid")).toBe("true");
    expect(await page.locator("#of-epochs-err").textContent()).toBe("Must be a number from 1 to 1,000, a whole number.");
    expect((await probe(page)).settings["epochs"]).toBe(400);
    await page.close();
  });

  it("speaks French and English with no missing strings, re-labels on a switch, and fits a phone", async () => {
    const page = await h.open("?view=overfitting&lang=fr&l2=0.1");
    await until(page, {});
    await setPlaying(page, true);
    await until(page, { epochs: 8 });
    await setPlaying(page, false);
    expect(await page.locator(".of-controls h3").textContent()).toBe("L’entraînement");
    expect(await page.locator("#of-l2").inputValue()).toBe("0,1");
    await h.expectNoMissingStrings(page);
    await h.shot(page, "overfitting-desktop-fr");
    await page.selectOption("#lang", "en");
    await expect.poll(() => page.locator(".of-controls h3").textContent()).toBe("The run");
    await h.expectNoMissingStrings(page);
    await page.close();

    const phone = await h.open("?view=overfitting&lang=en", PHONE);
    await until(phone, {});
    await setPlaying(phone, true);
    await until(phone, { epochs: 4 });
    await setPlaying(phone, false);
    expect(await h.overflow(phone)).toBeLessThanOrEqual(0);
    await h.shot(phone, "overfitting-phone");
    await phone.close();
    expect(h.errors).toEqual([]);
  });
});

