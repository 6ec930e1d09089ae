/**
 * Checks on a loaded model's weights. A network that diverged during training (too large a
 * learning rate) saves NaN or ±Infinity weights; every prediction it makes is then meaningless
 * (NaN compares false, so "argmax" silently answers 0). Such a model is refused, not scored.
 */
import { ModelFileError } from "../errors.js";
import { quoted } from "../text.js";

/** Non-finite values in one tensor. */
export interface NonFiniteCount {
  tensor: string;
  nan: number;
  posInf: number;
  negInf: number;
  /** Values in the tensor. */
  size: number;
}

/** The tensors holding NaN or ±Infinity, in the given order (one pass over each tensor). */
export function countNonFinite(tensors: Record<string, { data: ArrayLike<number> }>): NonFiniteCount[] {
  const out: NonFiniteCount[] = [];
  for (const [tensor, { data }] of Object.entries(tensors)) {
    let nan = 0;
    let posInf = 0;
    let negInf = 0;
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      // v - v is 0 for every finite v and NaN for NaN and ±Infinity: one test on the common path.
      if (v - v !== 0) {
        if (v === Infinity) posInf++;
        else if (v === -Infinity) negInf++;
        else nan++;
      }
    }
    if (nan + posInf + negInf > 0) out.push({ tensor, nan, posInf, negInf, size: data.length });
  }
  return out;
}

/**
 * `m.safetensors: 12 of 23,550 values of "layers.0.weight" are NaN, … — the model diverged during
 * training or the file is damaged; retrain it (try a smaller --lr or --clip-norm)`.
 * `file` is already printable.
 */
export function describeNonFinite(file: string, found: NonFiniteCount[]): string {
  const n = (x: number) => x.toLocaleString("en-US");
  const parts = found.slice(0, 5).map((f) => {
    const kinds = ([[f.nan, "NaN"], [f.posInf, "+Infinity"], [f.negInf, "-Infinity"]] as const).filter(([c]) => c > 0);
    const bad = f.nan + f.posInf + f.negInf;
    const what = kinds.length === 1 ? kinds[0]![1] : `not finite (${kinds.map(([c, name]) => `${n(c)} ${name}`).join(", ")})`;
    return `${n(bad)} of ${n(f.size)} values of ${quoted(f.tensor)} are ${what}`;
  });
  if (found.length > 5) parts.push(`and ${found.length - 5} more tensors`);
  return `${file}: ${parts.join("; ")} — the model diverged during training or the file is damaged; retrain it (try a smaller --lr or --clip-norm)`;
}

/** Throws a ModelFileError naming each tensor with NaN or ±Infinity values. */
export function assertFiniteWeights(file: string, tensors: Record<string, { data: ArrayLike<number> }>): void {
  const found = countNonFinite(tensors);
  if (found.length > 0) throw new ModelFileError(describeNonFinite(file, found));
}
