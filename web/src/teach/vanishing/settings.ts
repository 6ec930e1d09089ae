/**
 * The vanishing-gradient view's settings: what lives in its URL, and the training config each
 * setting makes — Nielsen's ch. 5 gradient experiment (full-batch gradient descent on the first
 * 1,000 training images, η = 0.1, λ = 5, the preset nielsen-ch5-gd) with 2 to 5 hidden layers of
 * 30 and the fixes of analysis/gradient-experiment.ts toggled one by one (config.ts, on the
 * worker's side: the page does not load the library). Pure: no DOM.
 */

/** The initialisations offered, by URL value: the library's init names. */
export const INITS = { normal: "normal", scaled: "scaled-normal", xavier: "xavier-normal", he: "he-normal" } as const;
export type InitChoice = keyof typeof INITS;
export const MEASURES = ["bias", "weight"] as const;
export type Measure = (typeof MEASURES)[number];

export interface VanishingSettings {
  /** Hidden layers of 30 neurons (2–5). */
  depth: number;
  relu: boolean;
  init: InitChoice;
  bn: boolean;
  res: boolean;
  /** Clip the gradient to global norm 1. */
  clip: boolean;
  /** The speed shown: ‖∂C/∂bˡ‖ (the book's) or ‖∂C/∂Wˡ‖. */
  measure: Measure;
  seed: number;
}

export const DEFAULTS: Readonly<VanishingSettings> = { depth: 4, relu: false, init: "scaled", bn: false, res: false, clip: false, measure: "bias", seed: 1 };
export const DEPTHS = [2, 3, 4, 5] as const;
/** Gradient clipping's global norm (the library's "clipped" variant). */
export const CLIP_NORM = 1;
/** Examples the speeds are averaged over: the first 1,000 training images (the book's probe, and here the training set itself). */
export const PROBE = 1000;

export type Invalid = { key: keyof VanishingSettings; value: string };

const flag = (v: string) => (v === "1" || v === "true" ? true : v === "0" || v === "false" ? false : null);

/** Settings from the view's URL parameters; values that do not parse are left at their defaults and listed. */
export function parseVanishing(params: URLSearchParams): { settings: VanishingSettings; invalid: Invalid[] } {
  const s: VanishingSettings = { ...DEFAULTS };
  const invalid: Invalid[] = [];
  const get = (key: keyof VanishingSettings, read: (v: string) => boolean) => {
    const v = params.get(key);
    if (v !== null && !read(v)) invalid.push({ key, value: v });
  };
  get("depth", (v) => {
    const n = Number(v);
    return (DEPTHS as readonly number[]).includes(n) ? ((s.depth = n), true) : false;
  });
  for (const key of ["relu", "bn", "res", "clip"] as const) {
    get(key, (v) => {
      const b = flag(v);
      return b === null ? false : ((s[key] = b), true);
    });
  }
  get("init", (v) => (Object.hasOwn(INITS, v) ? ((s.init = v as InitChoice), true) : false));
  get("measure", (v) => ((MEASURES as readonly string[]).includes(v) ? ((s.measure = v as Measure), true) : false));
  get("seed", (v) => {
    const n = Number(v);
    return /^\d+$/.test(v) && Number.isSafeInteger(n) ? ((s.seed = n), true) : false;
  });
  return { settings: s, invalid };
}

/** The URL parameters of `s` (defaults removed, so a plain link stays short). */
export function vanishingQuery(s: VanishingSettings): Record<string, string | number | null> {
  const out: Record<string, string | number | null> = {};
  for (const k of Object.keys(DEFAULTS) as (keyof VanishingSettings)[]) {
    const v = s[k];
    out[k] = v === DEFAULTS[k] ? null : typeof v === "boolean" ? (v ? 1 : 0) : v;
  }
  return out;
}

/** The network's layer sizes: 784, `depth` hidden layers of 30, 10. */
export const layerSizes = (s: VanishingSettings): number[] => [784, ...Array.from({ length: s.depth }, () => 30), 10];
