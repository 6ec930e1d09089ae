/** Messages between the text view and its worker (text-worker.ts). */

/** What the page shows about a language model file. */
export interface ModelInfo {
  name: string;
  /** The architecture as trained (`--arch`), else the layers' types. */
  arch: string;
  preset: string | null;
  data: string | null;
  vocabularySize: number;
  parameters: number;
  validationBitsPerChar: number | null;
  testBitsPerChar: number | null;
  epochs: number | null;
}

/** Why a file cannot generate text: not a readable model file; a model without a vocabulary; one that is not a character model; weights that are not finite. */
export type Refusal = "broken" | "not-text" | "not-sequence" | "non-finite";

export type TextToWorker =
  | { type: "load"; bytes: ArrayBuffer; name: string }
  | { type: "sample"; id: number; prompt: string; length: number; temperature: number; seed: number };

export type TextFromWorker =
  | { type: "engine"; backend: string; fma: boolean }
  | { type: "loaded"; info: ModelInfo }
  | { type: "refused"; reason: Refusal; detail: string }
  | { type: "sample"; id: number; text: string; unknown: string[]; ms: number }
  | { type: "failed"; id: number; detail: string };
