/**
 * Weight initialisers, in place. fanIn/fanOut follow PyTorch: weight [out, in, ...kernel] has
 * fanIn = in·kernel and fanOut = out·kernel.
 */
import type { Tensor } from "../tensor.js";
import type { Rng } from "../rng.js";

export type InitName =
  | "normal" // N(0, 1): the book's chapter 1
  | "scaled-normal" // N(0, 1/n_in): the book's default from chapter 3 on (std 1/√n_in)
  | "xavier-uniform"
  | "xavier-normal"
  | "he-normal"
  | "he-uniform"
  | "pytorch" // U(−1/√n_in, 1/√n_in): PyTorch's nn.Linear default
  | "zeros";

export const INIT_NAMES: readonly InitName[] = [
  "normal", "scaled-normal", "xavier-uniform", "xavier-normal", "he-normal", "he-uniform", "pytorch", "zeros",
];

export function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length < 2) return { fanIn: shape[0] ?? 1, fanOut: shape[0] ?? 1 };
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: shape[1]! * receptive, fanOut: shape[0]! * receptive };
}

function fillNormal(t: Tensor, rng: Rng, std: number): void {
  for (let i = 0; i < t.size; i++) t.data[i] = std * rng.normal();
}

function fillUniform(t: Tensor, rng: Rng, bound: number): void {
  for (let i = 0; i < t.size; i++) t.data[i] = rng.range(-bound, bound);
}

/**
 * Fills `t` by the named scheme.
 * - Xavier/Glorot (Glorot & Bengio 2010): Var = 2/(fanIn+fanOut) (uniform bound √(6/(fanIn+fanOut))).
 * - He/Kaiming (He et al. 2015), fan_in mode, ReLU gain √2: Var = 2/fanIn (uniform bound √(6/fanIn)).
 * `fanInOverride` lets a bias use its layer's fan-in (biases are 1-D).
 */
export function initialize(t: Tensor, scheme: InitName, rng: Rng, fanInOverride?: number): void {
  const { fanIn: ownFanIn, fanOut } = fans(t.shape);
  const fanIn = fanInOverride ?? ownFanIn;
  switch (scheme) {
    case "normal":
      return fillNormal(t, rng, 1);
    case "scaled-normal":
      return fillNormal(t, rng, 1 / Math.sqrt(fanIn));
    case "xavier-uniform":
      return fillUniform(t, rng, Math.sqrt(6 / (fanIn + fanOut)));
    case "xavier-normal":
      return fillNormal(t, rng, Math.sqrt(2 / (fanIn + fanOut)));
    case "he-normal":
      return fillNormal(t, rng, Math.sqrt(2 / fanIn));
    case "he-uniform":
      return fillUniform(t, rng, Math.sqrt(6 / fanIn));
    case "pytorch":
      return fillUniform(t, rng, 1 / Math.sqrt(fanIn));
    case "zeros":
      t.data.fill(0);
      return;
    default: {
      const never: never = scheme;
      throw new Error(`unknown init "${String(never)}"`);
    }
  }
}
