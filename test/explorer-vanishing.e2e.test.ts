/**
 * The "vanishing" view end to end (Chromium): it renders and trains; its speeds of learning equal
 * the library's (analysis/gradient-experiment.ts startSpeedRun, run in Node on the same MNIST
 * images with the same seed and the same wasm binary) bit for bit, before and after a toggle; the
 * URL keeps the toggles and an invalid value is reported; both languages, no missing strings;
 * screenshots at desktop and phone width.
 * Oracle: the library itself in Node — the config written out here from the preset
 * nielsen-ch5-gd, the variant configs from analysis/gradient-experiment.ts variantConfig.
 */
import "../src/node/relaxed-simd.js"; // Node 20: relaxed SIMD, to run the binary the page chose
import { beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { explorerHarness, PHONE } from "./explorer-harness.js";
import { setKernelOptions } from "../src/kernels/index.js";
import { loadMnist } from "../src/node/mnist.js";
import type { Mnist } from "../src/data/mnist.js";
import { DEFAULT_CONFIG, type TrainConfig } from "../src/train/defaults.js";
import { PRESETS } from "../src/train/presets.js";
import { firstLastRatio, startSpeedRun, variantConfig } from "../src/analysis/gradient-experiment.js";
import type { SpeedRecord } from "../src/analysis/gradients.js";

interface Probe {
  config: TrainConfig | null;
  speeds: SpeedRecord[];
  ratios: { bias?: number; weight?: number }[];
  losses: number[];
  layers: string[];
  fma: boolean;
  run: number;
  ready: boolean;
  settings: Record<string, unknown>;
  invalid: { key: string; value: string }[];
}

const h = explorerHarness();
let mnist: Mnist;
beforeAll(async () => {
  mnist = await loadMnist();
});

/** The book's 784-30-30-30-30-10 run: nielsen-ch5-gd with four hidden layers, seed 1. */
const BASE: TrainConfig = { ...DEFAULT_CONFIG, ...PRESETS["nielsen-ch5-gd"]!.config, layers: [784, 30, 30, 30, 30, 10], seed: 1 };

const probe = (page: Page) => h.probe<Probe>(page, "vanishing");
async function recorded(page: Page, n: number, run?: number): Promise<Probe> {
  await page.waitForFunction(([k, r]) => {
    const p = (globalThis as unknown as { __views: { vanishing?: { speeds: unknown[]; run: number } } }).__views.vanishing;
    return p !== undefined && p.speeds.length >= k! && (r === undefined || p.run === r);
  }, [n, run] as const, { timeout: 40_000 });
  return probe(page);
}

/** The library's first `k` records of `config`, with the binary the page's worker used. */
function library(config: TrainConfig, k: number, fma: boolean): SpeedRecord[] {
  setKernelOptions({ fma });
  try {
    const live = startSpeedRun(config, { train: mnist.train }, { probe: 1000 });
    while (live.speeds.length < k && live.run.next());
    return live.speeds.slice(0, k);
  } finally {
    setKernelOptions({ fma: false });
  }
}

describe("explorer view: vanishing", () => {
  it("trains the book's deep network live and its speeds equal the library's, bit for bit, before and after a toggle", async () => {
    const page = await h.open("?view=vanishing&lang=en");
    const p = await recorded(page, 4);
    expect(p.config).toEqual(BASE);
    expect(p.layers).toEqual(["layers.0", "layers.2", "layers.4", "layers.6", "layers.8"]);
    const k = 4;
    const ours = library(BASE, k, p.fma);
    expect(p.speeds.slice(0, k)).toEqual(ours);
    ours.forEach((r, i) => expect(p.ratios[i]!.bias).toBe(firstLastRatio(r)));
    // The book's picture: the first hidden layer learns far more slowly than the last.
    expect(ours[0]!.bias[0]! * 10).toBeLessThan(ours[0]!.bias[3]!);
    await expect.poll(() => page.locator("#van-ratio").textContent()).toMatch(/first hidden layer learns [\d,.]+ times more slowly than the last/);

    // The main control: ReLU restarts the same seeded run with ReLU hidden units.
    await page.locator("#van-relu").check();
    expect(page.url()).toContain("relu=1");
    const relu = await recorded(page, 3, p.run + 1);
    const reluConfig = variantConfig(BASE, "relu");
    expect(relu.config).toEqual(reluConfig);
    expect(relu.speeds.slice(0, 3)).toEqual(library(reluConfig, 3, relu.fma));
    await h.shot(page, "vanishing-desktop");
    expect(h.errors).toEqual([]);
    await page.close();
  });

  it("restores its settings from the URL, reports an invalid value, and batch norm gets its note", async () => {
    const page = await h.open("?view=vanishing&lang=en&depth=9&bn=1&init=he&measure=weight");
    const p = await recorded(page, 2);
    expect(p.settings).toMatchObject({ depth: 4, bn: true, init: "he", measure: "weight" });
    expect(p.invalid).toEqual([{ key: "depth", value: "9" }]);
    await expect.poll(() => page.locator(".van-warn").textContent()).toContain("depth=9");
    expect(await page.locator("#van-bn").isChecked()).toBe(true);
    expect(await page.locator("#van-init").inputValue()).toBe("he");
    // The note on biases under batch norm shows only when biases are the measure.
    expect(await page.locator(".van-bn-note").isHidden()).toBe(true);
    await page.selectOption("#van-measure", "bias");
    expect(await page.locator(".van-bn-note").isVisible()).toBe(true);
    await page.close();
  });

  it("speaks French and English with no missing strings, re-labels on a switch, and fits a phone", async () => {
    const page = await h.open("?view=vanishing&lang=fr");
    await recorded(page, 3);
    expect(await page.locator(".van-controls h3").textContent()).toBe("Le réseau");
    await h.expectNoMissingStrings(page);
    await h.shot(page, "vanishing-desktop-fr");
    await page.selectOption("#lang", "en");
    await expect.poll(() => page.locator(".van-controls h3").textContent()).toBe("The network");
    expect(await page.locator("#van-play").textContent()).toMatch(/Pause|Play/);
    await h.expectNoMissingStrings(page);
    await page.close();

    const phone = await h.open("?view=vanishing&lang=en", PHONE);
    await recorded(phone, 3);
    expect(await h.overflow(phone)).toBeLessThanOrEqual(0);
    await phone.keyboard.press("Tab");
    await h.shot(phone, "vanishing-phone");
    await phone.close();
    expect(h.errors).toEqual([]);
  });
});
