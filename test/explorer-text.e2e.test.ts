/**
 * View "text": a character language model loaded from a file, sampled in the page's worker.
 * Oracles: the library in Node — the same model bytes decoded by decodeModel and sampled by
 * sampleWithSeed (what `descent sample` runs), with the kernels' binary the page's worker chose
 * (plain or fma), character for character; the model's own training record for its description;
 * the refusals' reasons for a digits model and for bytes that are no model.
 */
import "../src/node/relaxed-simd.js"; // Node 20: relaxed SIMD, to run the binary the page chose
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { DESKTOP, PHONE, explorerHarness, repo } from "./explorer-harness.js";
import { setKernelOptions } from "../src/kernels/index.js";
import { buildExperiment, DEFAULT_CONFIG, type TrainConfig } from "../src/train/config.js";
import { bitsPerChar, buildVocabulary, lmWindows } from "../src/data/text.js";
import { decodeModel, encodeModel } from "../src/io/model-file.js";
import { modelVocabulary, sampleWithSeed } from "../src/train/sample.js";
import type { Sequential } from "../src/nn/layers/sequential.js";

const h = explorerHarness();

// A small LSTM trained for 6 passes over a short text (under a second): enough to write words.
const TEXT = "the state of the union is strong. the people of the union are strong. we the people. ".repeat(40);
const vocabulary = buildVocabulary(TEXT);
const ids = vocabulary.encode(TEXT);
const config: TrainConfig = {
  ...DEFAULT_CONFIG, data: "sotu", steps: 16, arch: "embed8,lstm48seqstateful,fcv,softmax", cost: "log-likelihood", init: "pytorch",
  optimizer: "adam", lr: 0.01, batchSize: 4, epochs: 6, validation: 0, clipNorm: 5, seed: 1,
};
const ex = buildExperiment(config, {
  train: lmWindows(ids.subarray(0, 3000), 16, 4, vocabulary.size),
  validation: lmWindows(ids.subarray(3000, 3200), 16, 4, vocabulary.size),
  test: lmWindows(ids.subarray(3200), 16, 4, vocabulary.size),
});
ex.trainer.fit(ex.loader, ex.fitOptions);
const validationBits = bitsPerChar(ex.trainer.evaluate(ex.data.validation!).loss);
const LM = Buffer.from(encodeModel(ex.model, { training: { preset: "char-lm", config, data: "sotu", vocabulary: vocabulary.toString(), validationBitsPerChar: validationBits, epochsTrained: 6 } }));

type Probe = {
  ready: boolean; loaded: boolean; fma: boolean; samples: number; text: string | null; refusal: string | null; badParams: string[];
  info: { arch: string; vocabularySize: number; parameters: number; validationBitsPerChar: number | null } | null;
  sampledWith: { prompt: string; temperature: number; length: number; seed: number };
};
const probe = (page: Page) => h.probe<Probe>(page, "text");

/** The library's sample in Node for the page's settings, with the binary the page's worker chose. */
function nodeSample(fma: boolean, s: Probe["sampledWith"]): string {
  setKernelOptions({ fma });
  try {
    const { model, meta } = decodeModel(new Uint8Array(LM), "lm.safetensors");
    return sampleWithSeed(model as Sequential, modelVocabulary("lm.safetensors", meta.training), s);
  } finally {
    setKernelOptions({ fma: false });
  }
}

async function load(page: Page, buffer: Buffer = LM, name = "lm.safetensors"): Promise<void> {
  await page.waitForFunction(() => (globalThis as unknown as { __views: { text?: { ready: boolean } } }).__views.text?.ready === true);
  await page.setInputFiles("#tx-file", { name, mimeType: "application/octet-stream", buffer });
}
const samples = (page: Page, n: number) => page.waitForFunction((k) => ((globalThis as unknown as { __views: { text: Probe } }).__views.text.samples ?? 0) >= k, n, { timeout: 20_000 });

describe("view text", () => {
  it("describes the model, samples exactly what the library samples, and the temperature slider resamples", async () => {
    const page = await h.open("?view=text&lang=en");
    await expect.poll(() => page.locator("#tx-status").textContent()).toMatch(/No model loaded/);
    await load(page);
    await samples(page, 1);
    let p = await probe(page);
    expect(p.info).toMatchObject({ arch: config.arch, vocabularySize: vocabulary.size, validationBitsPerChar: validationBits });
    expect(p.info!.parameters).toBe(Object.values(ex.model.stateDict()).reduce((s, t) => s + t.data.length, 0));
    await expect.poll(() => page.locator("#tx-info").textContent()).toContain(`${vocabulary.size} characters`);
    await expect.poll(() => page.locator("#tx-info").textContent()).toContain(validationBits.toFixed(3));
    expect(p.sampledWith).toEqual({ prompt: "The ", temperature: 0.8, length: 400, seed: 1 });
    expect(p.text).toBe(nodeSample(p.fma, p.sampledWith));
    expect(await page.locator("#tx-output").textContent()).toBe(p.text);

    // The main control, from the keyboard: one step of the slider (0.05) draws a new sample.
    await page.focus("#tx-temp");
    await page.keyboard.press("ArrowRight");
    await samples(page, 2);
    p = await probe(page);
    expect(p.sampledWith.temperature).toBeCloseTo(0.85, 12);
    expect(p.text).toBe(nodeSample(p.fma, p.sampledWith));
    expect(page.url()).toMatch(/temperature=0\.85/);

    // A prompt, a length and a seed of one's own, then Generate.
    await page.fill("#tx-prompt", "we the ");
    await page.fill("#tx-length", "120");
    await page.fill("#tx-seed", "42");
    await page.click("#tx-generate");
    await page.waitForFunction(() => (globalThis as unknown as { __views: { text: Probe } }).__views.text.sampledWith?.seed === 42);
    p = await probe(page);
    expect(p.sampledWith).toEqual({ prompt: "we the ", temperature: 0.85, length: 120, seed: 42 });
    expect(p.text).toBe(nodeSample(p.fma, p.sampledWith));
    expect([...p.text!]).toHaveLength(7 + 120);
    await h.shot(page, "text-desktop");
    expect(h.errors).toEqual([]);
    await page.close();
  });

  it("restores its settings from the address, notes a value out of range, and refuses files that cannot write", async () => {
    const page = await h.open("?view=text&lang=en&prompt=the%20union&temperature=9&length=60&seed=3");
    await expect.poll(() => page.locator("#tx-notes").textContent()).toContain("temperature");
    expect((await probe(page)).badParams).toEqual(["temperature"]);
    await load(page);
    await samples(page, 1);
    const p = await probe(page);
    expect(p.sampledWith).toEqual({ prompt: "the union", temperature: 0.8, length: 60, seed: 3 });
    expect(p.text).toBe(nodeSample(p.fma, p.sampledWith));

    // The explorer's digits model: a model, but not one trained on text.
    await load(page, readFileSync(join(repo, "web", "public", "default-model.safetensors")), "digits.safetensors");
    await page.waitForFunction(() => (globalThis as unknown as { __views: { text: Probe } }).__views.text.refusal === "not-text");
    await expect.poll(() => page.locator("#tx-message").textContent()).toContain("was not trained on text");
    expect(await page.locator("#tx-generate").isDisabled()).toBe(true);
    // Bytes that are no model file at all.
    await load(page, Buffer.from("not a model at all"), "notes.safetensors");
    await page.waitForFunction(() => (globalThis as unknown as { __views: { text: Probe } }).__views.text.refusal === "broken");
    await expect.poll(() => page.locator("#tx-message").textContent()).toContain("not a model descent can read");
    expect(h.errors).toEqual([]);
    await page.close();
  });

  it("speaks French and English with no missing string, re-labels on the language select, and fits a phone", async () => {
    const page = await h.open("?view=text&lang=fr");
    await load(page);
    await samples(page, 1);
    await expect.poll(() => page.locator("#tx-generate").textContent()).toBe("Générer");
    await expect.poll(() => page.locator("#tx-info").textContent()).toContain("caractères");
    await h.expectNoMissingStrings(page);
    await h.shot(page, "text-desktop-fr");
    await page.selectOption("#lang", "en");
    await expect.poll(() => page.locator("#tx-generate").textContent()).toBe("Generate");
    await expect.poll(() => page.locator("#teach .view-head h2").textContent()).toBe("Text from a sequence model");
    expect((await probe(page)).samples).toBe(1); // re-labelled, not re-mounted
    await h.expectNoMissingStrings(page);
    await page.close();

    const phone = await h.open("?view=text&lang=en", PHONE);
    await load(phone);
    await samples(phone, 1);
    expect(await h.overflow(phone)).toBeLessThanOrEqual(0);
    await h.shot(phone, "text-phone");
    await phone.close();
    expect(h.errors).toEqual([]);
  });
});
void DESKTOP;
