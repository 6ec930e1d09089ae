/**
 * The overfitting view's settings: what lives in its URL, and the training config they make —
 * Nielsen's chapter-3 run on the first 1,000 training images (analysis/overfitting.ts
 * OVERFITTING_CONFIG) with the regularisers of the same chapter. Pure: no DOM.
 */

/** Augmentation choices: none, the library's random rotations and shifts per batch, or Nielsen's expanded set (each image and its four 1-pixel shifts). */
export const AUGMENTS = ["none", "random", "shifts"] as const;
export type Augment = (typeof AUGMENTS)[number];
/** The random augmentation: rotations up to ±15° (the book's example) and shifts up to ±2 pixels. */
export const RANDOM_AUGMENT = { rotate: 15, translate: 2 } as const;
/** Playback: as fast as the worker trains, or at most this many epochs per second. */
export const PACES = ["fast", "10", "2"] as const;
export type Pace = (typeof PACES)[number];

export interface OverfittingSettings {
  /** The book's L2 λ (the cost gains λ/2n Σw², n = 1,000). */
  l2: number;
  /** The book's L1 λ (the cost gains λ/n Σ|w|). */
  l1: number;
  /** Dropout probability of the hidden neurons. */
  dropout: number;
  augment: Augment;
  /** Early stopping: epochs without a better validation accuracy before stopping (0: never). */
  patience: number;
  epochs: number;
  pace: Pace;
  seed: number;
}

export const DEFAULTS: Readonly<OverfittingSettings> = { l2: 0, l1: 0, dropout: 0, augment: "none", patience: 0, epochs: 400, pace: "fast", seed: 1 };
/** Held-out images the network is validated on: MNIST's validation split (the last 10,000 training images). */
export const VALIDATION = 10000;

/** Valid values of each number setting. */
export const LIMITS = {
  l2: { min: 0, max: 100, integer: false },
  l1: { min: 0, max: 100, integer: false },
  dropout: { min: 0, max: 0.9, integer: false },
  patience: { min: 0, max: 1000, integer: true },
  epochs: { min: 1, max: 1000, integer: true },
  seed: { min: 0, max: 2 ** 31 - 1, integer: true },
} as const;
export type NumberKey = keyof typeof LIMITS;

/** A number setting's value read from text, or null when it is not a number in its range. */
export function readNumber(key: NumberKey, text: string): number | null {
  const { min, max, integer } = LIMITS[key];
  if (!/^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(text)) return null;
  const n = Number(text);
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) return null;
  return n;
}

export type Invalid = { key: keyof OverfittingSettings; value: string };

export function parseOverfitting(params: URLSearchParams): { settings: OverfittingSettings; invalid: Invalid[] } {
  const s: OverfittingSettings = { ...DEFAULTS };
  const invalid: Invalid[] = [];
  for (const key of Object.keys(LIMITS) as NumberKey[]) {
    const v = params.get(key);
    if (v === null) continue;
    const n = readNumber(key, v);
    if (n === null) invalid.push({ key, value: v });
    else s[key] = n;
  }
  const aug = params.get("augment");
  if (aug !== null) {
    if ((AUGMENTS as readonly string[]).includes(aug)) s.augment = aug as Augment;
    else invalid.push({ key: "augment", value: aug });
  }
  const pace = params.get("pace");
  if (pace !== null) {
    if ((PACES as readonly string[]).includes(pace)) s.pace = pace as Pace;
    else invalid.push({ key: "pace", value: pace });
  }
  return { settings: s, invalid };
}

/** The URL parameters of `s` (defaults removed). */
export function overfittingQuery(s: OverfittingSettings): Record<string, string | number | null> {
  const out: Record<string, string | number | null> = {};
  for (const k of Object.keys(DEFAULTS) as (keyof OverfittingSettings)[]) out[k] = s[k] === DEFAULTS[k] ? null : s[k];
  return out;
}
