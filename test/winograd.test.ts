/**
 * Winograd F(4×4, 5×5) convolution (src/ops/conv-winograd.ts) against the direct convolution in
 * float64 (the ref backend's im2col loops, themselves checked by gradcheck and PyTorch fixtures):
 * output, input, weight and bias gradients. The piece-by-piece oracle is test/parity.test.ts.
 * Tolerance: Winograd's float32 error grows with the size of the terms summed, not of the result,
 * so each array is compared within 2e-5 of its largest reference value (measured: 3–5e-6).
 */
import { afterEach, describe, expect, test } from "vitest";
import { Tensor } from "../src/tensor.js";
import { conv2d } from "../src/ops/conv.js";
import { getConvAlgorithm, setConvAlgorithm, winogradFor } from "../src/ops/conv-winograd.js";
import { kernelsFor, ref } from "../src/kernels/index.js";
import { noGrad } from "../src/autograd.js";
import { Rng } from "../src/rng.js";

afterEach(() => setConvAlgorithm("auto"));

function expectNear(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]!));
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!);
    if (!(d <= 2e-5 * scale)) expect.fail(`${what}[${i}]: got ${actual[i]}, expected ${expected[i]} (|diff| ${d} > 2e-5 × ${scale})`);
  }
}

interface Pair { f32: Tensor; f64: Tensor }
function pair(rng: Rng, shape: number[], scale = 1): Pair {
  const v = Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.range(-scale, scale));
  return { f32: new Tensor(Float32Array.from(v), shape, true), f64: new Tensor(Float64Array.from(v), shape, true) };
}

// [batch, channels, height, width, filters, padding, bias]: tile counts that leave partial groups
// of four, padding, channel and filter counts that are not multiples of 4, no bias.
const shapes = [
  [2, 20, 12, 12, 40, 0, true],
  [1, 8, 8, 8, 1, 0, true],
  [3, 9, 14, 14, 6, 1, false],
  [2, 11, 8, 16, 5, 2, true],
  [5, 16, 16, 12, 13, 0, true],
  // Outputs that whole tiles overshoot (computed larger, then cropped): 14×14 and 5×7.
  [2, 32, 14, 14, 7, 2, true],
  [3, 10, 9, 11, 4, 0, false],
] as const;

describe("Winograd 5×5 convolution matches the direct one (float64)", () => {
  for (const [n, c, h, w, f, pad, withBias] of shapes) {
    test(`x [${n}, ${c}, ${h}, ${w}], ${f} filters, padding ${pad}${withBias ? "" : ", no bias"}: output and every gradient`, () => {
      const rng = new Rng(n * 100 + c);
      const x = pair(rng, [n, c, h, w]);
      const wt = pair(rng, [f, c, 5, 5], 0.2);
      const b = withBias ? pair(rng, [f]) : null;
      const k = kernelsFor(x.f32.data);
      expect(winogradFor(k, c, 5, 5, 1, 1, h + 2 * pad - 4, w + 2 * pad - 4), "auto takes the Winograd path").not.toBeNull();
      const y32 = conv2d(x.f32, wt.f32, b?.f32 ?? null, { padding: pad });
      const y64 = conv2d(x.f64, wt.f64, b?.f64 ?? null, { padding: pad });
      expectNear(y32.data, y64.data, "output");
      const g = pair(rng, [...y32.shape]);
      // Two backward passes: the second adds onto the first's gradients.
      for (let pass = 1; pass <= 2; pass++) {
        y32.backward(g.f32);
        y64.backward(g.f64);
        expectNear(x.f32.grad!.data, x.f64.grad!.data, `input gradient, pass ${pass}`);
        expectNear(wt.f32.grad!.data, wt.f64.grad!.data, `weight gradient, pass ${pass}`);
        if (b) expectNear(b.f32.grad!.data, b.f64.grad!.data, `bias gradient, pass ${pass}`);
      }
    });
  }

  test("forced where auto declines (3 input channels; a 2×3 output in one row of 4×4 tiles), it is still right", () => {
    setConvAlgorithm("winograd");
    const rng = new Rng(5);
    for (const [shape, f] of [[[2, 3, 12, 12], 4], [[2, 8, 6, 7], 3]] as const) {
      const x = pair(rng, [...shape]);
      const wt = pair(rng, [f, shape[1], 5, 5], 0.2);
      const y32 = conv2d(x.f32, wt.f32, null);
      const y64 = conv2d(x.f64, wt.f64, null);
      expectNear(y32.data, y64.data, `output of ${shape.join("×")}`);
      const g = pair(rng, [...y32.shape]);
      y32.backward(g.f32);
      y64.backward(g.f64);
      expectNear(x.f32.grad!.data, x.f64.grad!.data, `input gradient of ${shape.join("×")}`);
      expectNear(wt.f32.grad!.data, wt.f64.grad!.data, `weight gradient of ${shape.join("×")}`);
    }
  });

  test("inference on a batch large enough to be sliced equals the im2col result", () => {
    const rng = new Rng(9);
    const x = pair(rng, [300, 20, 12, 12]);
    const wt = pair(rng, [40, 20, 5, 5], 0.2);
    const b = pair(rng, [40]);
    const wino = noGrad(() => conv2d(x.f32, wt.f32, b.f32));
    setConvAlgorithm("im2col");
    const direct = noGrad(() => conv2d(x.f32, wt.f32, b.f32));
    expectNear(wino.data, direct.data, "output");
  });
});

describe("which convolutions take the Winograd path", () => {
  const k = kernelsFor(new Float32Array(1));
  test("auto: 5×5, stride 1, one group, at least 8 input channels, at most twice the output's area in whole tiles", () => {
    expect(getConvAlgorithm()).toBe("auto");
    expect(winogradFor(k, 20, 5, 5, 1, 1, 8, 8)).not.toBeNull();
    expect(winogradFor(k, 32, 5, 5, 1, 1, 14, 14), "handbook-cnn's second convolution: 16×16 in tiles").not.toBeNull();
    expect(winogradFor(k, 1, 5, 5, 1, 1, 24, 24), "one input channel: the transforms would cost more than they save").toBeNull();
    expect(winogradFor(k, 20, 3, 3, 1, 1, 8, 8)).toBeNull();
    expect(winogradFor(k, 20, 5, 5, 2, 1, 8, 8)).toBeNull();
    expect(winogradFor(k, 20, 5, 5, 1, 2, 8, 8)).toBeNull();
    expect(winogradFor(k, 20, 5, 5, 1, 1, 2, 2), "a 2×2 output would be computed as 4×4").toBeNull();
  });
  test("im2col turns it off; the reference backend (and float64) never has it", () => {
    setConvAlgorithm("im2col");
    expect(winogradFor(k, 20, 5, 5, 1, 1, 8, 8)).toBeNull();
    setConvAlgorithm("winograd");
    expect(winogradFor(k, 3, 5, 5, 1, 1, 8, 8)).not.toBeNull();
    expect(winogradFor(k, 20, 5, 5, 1, 1, 2, 2)).not.toBeNull();
    expect(winogradFor(ref, 20, 5, 5, 1, 1, 8, 8)).toBeNull();
    expect(winogradFor(kernelsFor(new Float64Array(1)), 20, 5, 5, 1, 1, 8, 8)).toBeNull();
  });
});
