/**
 * Convolution, pooling, batch normalisation and a small conv net vs PyTorch. Oracle:
 * test/fixtures/conv.json, written by tools/make_fixtures.py with torch 1.13 in float32
 * (F.conv2d, F.max_pool2d, F.avg_pool2d, nn.BatchNorm1d/2d, and a Sequential conv net under
 * log_softmax + NLL). Each case runs through the op and through the layer that wraps it, with
 * the layer's parameters overwritten from the fixture.
 * Tolerance: the project rule, widened by √K for values that are reductions of length K
 * (C/groups·kh·kw for conv outputs, N·Ho·Wo for weight gradients, N·H·W for batch statistics).
 */
import { describe, test, expect } from "vitest";
import { Tensor } from "../src/tensor.js";
import { conv2d, maxPool2d, avgPool2d } from "../src/ops/conv.js";
import { logSoftmax } from "../src/ops/softmax.js";
import { nllLoss } from "../src/nn/losses.js";
import { Conv2d } from "../src/nn/layers/conv.js";
import { MaxPool2d, AvgPool2d } from "../src/nn/layers/pool.js";
import { BatchNorm1d, BatchNorm2d } from "../src/nn/layers/batchnorm.js";
import { ReLU } from "../src/nn/layers/activations.js";
import { Linear } from "../src/nn/layers/linear.js";
import { Sequential, Flatten } from "../src/nn/layers/sequential.js";
import { expectClose, fixture, fromFixture, type Tolerance } from "./helpers.js";

interface FT { shape: number[]; data: number[] }
/** A fixture tensor, possibly only every `every`-th element of it (the MNIST-shaped cases). */
interface Sampled extends FT { every?: number }
interface Hashed { shape: number[]; salt: number; lo: number; hi: number }

interface OpCase {
  inputs: Record<string, FT>;
  params: { stride: number; padding?: number; groups?: number; kernel?: number };
  out: FT;
  upstream: FT;
  grads: Record<string, FT>;
}
interface MnistCase { hashed: Record<"x" | "weight" | "bias" | "upstream", Hashed>; out: Sampled; grads: Record<"x" | "weight" | "bias", Sampled> }
interface BnTrainCase {
  params: { eps: number; momentum: number };
  weight: FT; bias: FT;
  x1: FT; out1: FT; upstream: FT;
  grads: Record<"x" | "weight" | "bias", FT>;
  after1: { runningMean: FT; runningVar: FT };
  x2: FT; out2: FT;
  after2: { runningMean: FT; runningVar: FT };
}
interface BnEvalCase {
  params: { eps: number; momentum: number };
  weight: FT; bias: FT; runningMean: FT; runningVar: FT;
  x: FT; out: FT; upstream: FT;
  grads: Record<"x" | "weight" | "bias", FT>;
}
interface NetCase { x: FT; params: Record<string, FT>; out: FT; loss: FT; labels: number[]; grads: Record<string, FT> }

const fx = fixture<Record<string, unknown>>("conv");
const cases = <T>(prefix: string) =>
  Object.entries(fx).filter(([k]) => k.startsWith(prefix)) as [string, T][];

/** Compares `actual` with a fixture tensor, at the stored positions only when it was sampled. */
function expectFixture(actual: Tensor, ref: Sampled, tol: Tolerance, what: string): void {
  expect(actual.shape, `${what}: shape`).toEqual(ref.shape);
  const every = ref.every ?? 1;
  const picked = every === 1 ? actual.data : actual.data.filter((_, i) => i % every === 0);
  expectClose(picked, ref.data, tol, what);
}

/** The fixture script's hashed(): lo + (hi − lo)·k/2¹⁶, k = (7i² + 40503i + 12345·salt) mod 2¹⁶. */
function hashed(h: Hashed): Tensor {
  const n = h.shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = h.lo + (h.hi - h.lo) * (((7 * i * i + 40503 * i + 12345 * h.salt) % 65536) / 65536);
  return new Tensor(data, h.shape);
}

// ---- conv2d ----------------------------------------------------------------------------------

describe("conv2d matches F.conv2d (fixtures/conv.json)", () => {
  const convCases = cases<OpCase>("conv_").filter(([k]) => !k.startsWith("conv_mnist"));
  test("the fixture holds every option combination", () => {
    expect(convCases.map(([k]) => k).sort()).toEqual([
      "conv_1x1", "conv_depthwise", "conv_depthwise_x2", "conv_groups2", "conv_kernel2x3", "conv_nobias",
      "conv_s1p0", "conv_s2p1", "conv_s3p2_7x5",
    ]);
  });

  for (const [name, c] of convCases) {
    const [n, , ho, wo] = c.out.shape as [number, number, number, number];
    const [f, cg, kh, kw] = c.inputs.weight!.shape as [number, number, number, number];
    const groups = c.params.groups ?? 1;
    const opts = { stride: c.params.stride, padding: c.params.padding ?? 0, groups };
    const tol = {
      out: { reduction: cg * kh * kw + 1 },
      x: { reduction: (f / groups) * kh * kw },
      weight: { reduction: n * ho * wo },
      bias: { reduction: n * ho * wo },
    } as Record<string, Tolerance>;

    test(`${name}: conv2d forward and ∂/∂x, ∂/∂weight${c.inputs.bias ? ", ∂/∂bias" : ""} (${JSON.stringify(opts)})`, () => {
      const x = fromFixture(c.inputs.x!).requiresGrad_();
      const w = fromFixture(c.inputs.weight!).requiresGrad_();
      const b = c.inputs.bias ? fromFixture(c.inputs.bias).requiresGrad_() : null;
      const y = conv2d(x, w, b, opts);
      expectFixture(y, c.out, tol.out!, `${name} output`);
      y.backward(fromFixture(c.upstream));
      expectFixture(x.grad!, c.grads.x!, tol.x!, `${name} ∂/∂x`);
      expectFixture(w.grad!, c.grads.weight!, tol.weight!, `${name} ∂/∂weight`);
      if (b) expectFixture(b.grad!, c.grads.bias!, tol.bias!, `${name} ∂/∂bias`);
    });

    if (kh !== kw) continue; // the layer has square kernels
    test(`${name}: the Conv2d layer with the fixture's parameters`, () => {
      const layer = new Conv2d(c.inputs.x!.shape[1]!, f, kh, { ...opts, bias: c.inputs.bias !== undefined });
      layer.weight.data.set(c.inputs.weight!.data);
      if (c.inputs.bias) layer.bias!.data.set(c.inputs.bias.data);
      const x = fromFixture(c.inputs.x!).requiresGrad_();
      const y = layer.forward(x);
      expectFixture(y, c.out, tol.out!, `${name} output`);
      y.backward(fromFixture(c.upstream));
      expectFixture(x.grad!, c.grads.x!, tol.x!, `${name} ∂/∂x`);
      expectFixture(layer.weight.grad!, c.grads.weight!, tol.weight!, `${name} ∂/∂weight`);
      if (layer.bias) expectFixture(layer.bias.grad!, c.grads.bias!, tol.bias!, `${name} ∂/∂bias`);
    });
  }

  // Nielsen's chapter-6 network: 1×28×28 → 20@5×5 (→ pool → 20×12×12) → 40@5×5.
  for (const [name, c] of cases<MnistCase>("conv_mnist")) {
    test(`${name}: MNIST shapes ${JSON.stringify(c.hashed.x.shape)} * ${JSON.stringify(c.hashed.weight.shape)}, op and Conv2d layer`, () => {
      const [f, cg, k] = c.hashed.weight.shape as [number, number, number];
      const [n, , ho, wo] = c.hashed.upstream.shape as [number, number, number, number];
      const tolW = { reduction: n * ho * wo };
      const layer = new Conv2d(cg, f, k);
      layer.weight.data.set(hashed(c.hashed.weight).data);
      layer.bias!.data.set(hashed(c.hashed.bias).data);
      const run = (fn: (x: Tensor) => Tensor, label: string): Tensor => {
        const x = hashed(c.hashed.x).requiresGrad_();
        const y = fn(x);
        expectFixture(y, c.out, { reduction: cg * k * k + 1 }, `${name} ${label} output`);
        y.backward(hashed(c.hashed.upstream));
        expectFixture(x.grad!, c.grads.x, { reduction: f * k * k }, `${name} ${label} ∂/∂x`);
        return x;
      };
      const w = hashed(c.hashed.weight).requiresGrad_();
      const b = hashed(c.hashed.bias).requiresGrad_();
      run((x) => conv2d(x, w, b), "conv2d");
      expectFixture(w.grad!, c.grads.weight, tolW, `${name} conv2d ∂/∂weight`);
      expectFixture(b.grad!, c.grads.bias, tolW, `${name} conv2d ∂/∂bias`);
      run((x) => layer.forward(x), "Conv2d");
      expectFixture(layer.weight.grad!, c.grads.weight, tolW, `${name} Conv2d ∂/∂weight`);
      expectFixture(layer.bias!.grad!, c.grads.bias, tolW, `${name} Conv2d ∂/∂bias`);
    });
  }
});

// ---- pooling ---------------------------------------------------------------------------------

describe("maxPool2d / avgPool2d match F.max_pool2d / F.avg_pool2d (fixtures/conv.json)", () => {
  test("the fixture holds overlapping, odd-sized and tied windows", () => {
    expect(cases("maxPool_").map(([k]) => k).sort()).toEqual([
      "maxPool_k2s2", "maxPool_k2s2_5x7", "maxPool_k2s2_ties", "maxPool_k3s1", "maxPool_k3s2_7x7", "maxPool_k3s2_7x7_ties",
    ]);
    expect(cases("avgPool_")).toHaveLength(4);
  });

  const kinds = [
    ["maxPool_", maxPool2d, MaxPool2d],
    ["avgPool_", avgPool2d, AvgPool2d],
  ] as const;
  for (const [prefix, op, Layer] of kinds) {
    for (const [name, c] of cases<OpCase>(prefix)) {
      const { kernel, stride } = c.params as { kernel: number; stride: number };
      // A max is exact; a mean sums k² values; a gradient entry sums at most ⌈k/stride⌉² shares.
      const tol = prefix === "maxPool_" ? {} : { reduction: kernel * kernel };
      for (const [via, fn] of [["op", (x: Tensor) => op(x, kernel, stride)], ["layer", (x: Tensor) => new Layer(kernel, stride).forward(x)]] as const) {
        test(`${name} (${via}): forward and ∂/∂x (k ${kernel}, stride ${stride}${name.endsWith("ties") ? ", gradient to the first maximum" : ""})`, () => {
          const x = fromFixture(c.inputs.x!).requiresGrad_();
          const y = fn(x);
          expectFixture(y, c.out, tol, `${name} output`);
          y.backward(fromFixture(c.upstream));
          expectFixture(x.grad!, c.grads.x!, tol, `${name} ∂/∂x`);
        });
      }
    }
  }
});

// ---- batch normalisation ---------------------------------------------------------------------

describe("BatchNorm1d / BatchNorm2d match torch.nn.BatchNorm1d/2d (fixtures/conv.json)", () => {
  const build = (shape: number[], c: { params: { eps: number; momentum: number }; weight: FT; bias: FT }) => {
    const Cls = shape.length === 2 ? BatchNorm1d : BatchNorm2d;
    const bn = new Cls(shape[1]!, c.params.eps, c.params.momentum);
    bn.weight.data.set(c.weight.data);
    bn.bias.data.set(c.bias.data);
    return bn;
  };
  const perChannel = (shape: number[]) => shape.reduce((a, b) => a * b, 1) / shape[1]!;

  for (const [name, c] of cases<BnTrainCase>("bn").filter(([k]) => k.includes("_train"))) {
    test(`${name}: training mode — output, ∂/∂x, ∂/∂γ, ∂/∂β, running stats after one and two batches`, () => {
      const bn = build(c.x1.shape, c);
      expect(bn.training).toBe(true);
      const k1 = { reduction: perChannel(c.x1.shape) };
      const x = fromFixture(c.x1).requiresGrad_();
      const y = bn.forward(x);
      expectFixture(y, c.out1, k1, `${name} output`);
      y.backward(fromFixture(c.upstream));
      expectFixture(x.grad!, c.grads.x, k1, `${name} ∂/∂x`);
      expectFixture(bn.weight.grad!, c.grads.weight, k1, `${name} ∂/∂γ`);
      expectFixture(bn.bias.grad!, c.grads.bias, k1, `${name} ∂/∂β`);
      expectFixture(bn.runningMean, c.after1.runningMean, k1, `${name} runningMean after 1`);
      expectFixture(bn.runningVar, c.after1.runningVar, k1, `${name} runningVar after 1`);
      const k2 = { reduction: Math.max(k1.reduction, perChannel(c.x2.shape)) };
      expectFixture(bn.forward(fromFixture(c.x2)), c.out2, k2, `${name} output 2`);
      expectFixture(bn.runningMean, c.after2.runningMean, k2, `${name} runningMean after 2`);
      expectFixture(bn.runningVar, c.after2.runningVar, k2, `${name} runningVar after 2`);
    });
  }

  for (const [name, c] of cases<BnEvalCase>("bn").filter(([k]) => k.includes("_eval"))) {
    test(`${name}: eval mode uses the given running stats — output, ∂/∂x, ∂/∂γ, ∂/∂β; stats untouched`, () => {
      const bn = build(c.x.shape, c);
      bn.runningMean.data.set(c.runningMean.data);
      bn.runningVar.data.set(c.runningVar.data);
      bn.eval();
      const x = fromFixture(c.x).requiresGrad_();
      const y = bn.forward(x);
      expectFixture(y, c.out, {}, `${name} output`);
      y.backward(fromFixture(c.upstream));
      const k = { reduction: perChannel(c.x.shape) };
      expectFixture(x.grad!, c.grads.x, {}, `${name} ∂/∂x`);
      expectFixture(bn.weight.grad!, c.grads.weight, k, `${name} ∂/∂γ`);
      expectFixture(bn.bias.grad!, c.grads.bias, k, `${name} ∂/∂β`);
      expect(Array.from(bn.runningMean.data)).toEqual(Array.from(Float32Array.from(c.runningMean.data)));
      expect(Array.from(bn.runningVar.data)).toEqual(Array.from(Float32Array.from(c.runningVar.data)));
    });
  }
});

// ---- a small conv net ------------------------------------------------------------------------

describe("a conv net matches PyTorch (fixtures/conv.json)", () => {
  test("conv 3@3×3 → ReLU → max-pool 2 → flatten → linear → log-softmax + NLL: loss and every gradient", () => {
    const c = fx.convnet as NetCase;
    const net = new Sequential(new Conv2d(2, 3, 3), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(27, 4));
    net.loadStateDict(c.params, "fixture convnet");
    const x = fromFixture(c.x).requiresGrad_();
    const z = net.forward(x);
    expectFixture(z, c.out, { reduction: 27 * 2 * 9 }, "convnet logits");
    const loss = nllLoss(logSoftmax(z, 1), Int32Array.from(c.labels));
    expectClose(loss, c.loss.data, { reduction: z.size }, "convnet loss");
    loss.backward();
    const tol = { reduction: 3 * 36 };
    expectFixture(x.grad!, c.grads.x!, tol, "convnet ∂/∂x");
    const named = Object.fromEntries(net.namedParameters());
    expect(Object.keys(named).sort()).toEqual(Object.keys(c.params).sort());
    for (const [pname, p] of Object.entries(named)) expectFixture(p.grad!, c.grads[pname]!, tol, `convnet ∂/∂${pname}`);
  });
});
