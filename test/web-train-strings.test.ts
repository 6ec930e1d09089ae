/**
 * The training page's words (web/src/train-strings.ts): the same keys in English and French, no
 * empty text, the same {placeholders}; every status and error code the worker can send has its
 * words; and a few French labels in the books' own terms.
 */
import { describe, expect, it } from "vitest";
import { TABLES, setLang } from "../web/src/i18n.js";
import { t } from "../web/src/train-strings.js";

import { explorerPresets } from "../web/src/state.js";

const table = TABLES.find((x) => x.ns === "train")!;
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("the training page's strings", () => {
  it("has every key in both languages, non-empty, with the same placeholders (the page, its options, its presets)", () => {
    for (const ns of ["train", "train.choices", "train.presets"]) {
      const tb = TABLES.find((x) => x.ns === ns)!;
      expect(Object.keys(tb.fr).sort(), ns).toEqual(Object.keys(tb.en).sort());
      for (const k of Object.keys(tb.en)) {
        expect(tb.en[k]!.trim(), k).not.toBe("");
        expect(tb.fr[k]!.trim(), k).not.toBe("");
        expect(placeholders(tb.fr[k]!), k).toEqual(placeholders(tb.en[k]!));
      }
    }
  });

  it("describes every preset the form offers in both languages", () => {
    const presets = TABLES.find((x) => x.ns === "train.presets")!;
    expect(Object.keys(presets.en).sort()).toEqual([...explorerPresets()].sort());
  });

  it("words every status and error code of the worker's protocol", () => {
    const statuses = ["starting", "loading-model", "loading-mnist", "loading-houses", "ready", "training", "paused", "reset", "stopped", "model-loaded", "epochs-done"];
    const errors = ["diverged", "run-stopped", "still-loading", "no-model", "data-missing", "bad-model-file", "other-task-file", "cannot-continue", "threads-unavailable", "bad-settings", "internal"];
    for (const c of statuses) expect(table.en[`status.${c}`], c).toBeDefined();
    for (const c of errors) expect(table.en[`error.${c}`], c).toBeDefined();
  });

  it("speaks the books' French", () => {
    setLang("fr");
    expect(t("lr.label")).toBe("Taux d’apprentissage η");
    expect(t("cost.label")).toBe("Fonction de coût");
    expect(t("play")).toBe("Lecture");
    expect(t("asOfStep", { step: 1200, now: 3000 })).toBe("au pas 1\u202f200 (l’entraînement en est au pas 3\u202f000)"); // fr-FR groups thousands with a narrow no-break space
    setLang("en");
    expect(t("asOfStep", { step: 1200, now: 3000 })).toBe("as of step 1,200 (training is at 3,000)");
  });
});
