/**
 * Nielsen's "average darkness" baseline (ch. 1; the book's mnist_average_darkness.py): the
 * darkness of an image is the sum of its pixels; each digit's average darkness over the training
 * images is its model; an image is classified as the digit whose average is nearest to its own
 * darkness (the first such digit on a tie, as Python's min over 0–9 gives). The book: 2,225 of
 * 10,000 test images right.
 */
export interface DarknessModel {
  /** Average darkness of each class's training images (NaN for a class absent from training). */
  averages: Float64Array;
}

/** Darkness of each image: x [n, features] → [n]. */
export function darknesses(x: Float32Array, features: number): Float64Array {
  const n = x.length / features;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = i * features; j < (i + 1) * features; j++) s += x[j]!;
    out[i] = s;
  }
  return out;
}

export function fitDarkness(x: Float32Array, labels: Int32Array, features: number, classes = 10): DarknessModel {
  const d = darknesses(x, features);
  const total = new Float64Array(classes);
  const count = new Float64Array(classes);
  labels.forEach((y, i) => {
    total[y]! += d[i]!;
    count[y]!++;
  });
  return { averages: total.map((t, k) => t / count[k]!) };
}

/** The nearest average's class for each image. */
export function predictDarkness(m: DarknessModel, x: Float32Array, features: number): Int32Array {
  const d = darknesses(x, features);
  return Int32Array.from(d, (v) => {
    let best = 0;
    for (let k = 1; k < m.averages.length; k++) if (Math.abs(m.averages[k]! - v) < Math.abs(m.averages[best]! - v)) best = k;
    return best;
  });
}
