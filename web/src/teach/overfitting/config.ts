/**
 * The training run of the overfitting view's settings (worker side: it loads the library): the
 * book's chapter-3 run (analysis/overfitting.ts OVERFITTING_CONFIG) with the settings' regularisers.
 */
import type { TrainConfig } from "../../../../src/train/defaults.js";
import { OVERFITTING_CONFIG } from "../../../../src/analysis/overfitting.js";
import { RANDOM_AUGMENT, type OverfittingSettings } from "./settings.js";

/** The training run the settings describe (pace is playback only). */
export function overfittingConfig(s: OverfittingSettings): TrainConfig {
  return {
    ...OVERFITTING_CONFIG,
    l2: s.l2, l1: s.l1, dropout: s.dropout, earlyStopping: s.patience, epochs: s.epochs, seed: s.seed,
    ...(s.augment === "random" ? { augment: { ...RANDOM_AUGMENT } } : {}),
    ...(s.augment === "shifts" ? { expand: true } : {}),
  };
}
