/**
 * The training run of the vanishing-gradient view's settings (worker side: it loads the library):
 * the preset nielsen-ch5-gd with the settings' depth and seed, and the toggles applied by
 * analysis/gradient-experiment.ts toggledConfig — the variants of `descent analyze gradients`.
 */
import { DEFAULT_CONFIG, type TrainConfig } from "../../../../src/train/defaults.js";
import { PRESETS } from "../../../../src/train/presets.js";
import { toggledConfig } from "../../../../src/analysis/gradient-experiment.js";
import { CLIP_NORM, INITS, layerSizes, type VanishingSettings } from "./settings.js";

/** The training run the settings describe. */
export function vanishingConfig(s: VanishingSettings): TrainConfig {
  const base: TrainConfig = {
    ...DEFAULT_CONFIG, ...PRESETS["nielsen-ch5-gd"]!.config,
    layers: layerSizes(s), seed: s.seed,
  };
  return toggledConfig(base, {
    relu: s.relu, init: INITS[s.init], batchnorm: s.bn, residual: s.res, ...(s.clip ? { clipNorm: CLIP_NORM } : {}),
  });
}
