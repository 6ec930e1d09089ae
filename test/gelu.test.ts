/**
 * GELU end to end, the worked example of adding an activation: the error function under it, the
 * op, the layer, `--arch gelu`, `--activation gelu`, model files and `descent info`.
 * Oracles: erf/erfc from the C library and Abramowitz & Stegun's table (fixtures/gelu.json, written
 * by tools/make_fixtures.py gelu); torch.nn.functional.gelu (approximate="none") and a torch MLP
 * with nn.GELU, forward and backward; float64 finite differences (gradcheck); the forward pass of
 * the model before it was saved. Run under both backends (vitest projects wasm and ref).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { Tensor } from "../src/tensor.js";
import { Rng } from "../src/rng.js";
import * as ops from "../src/ops/index.js";
import { erf, erfc } from "../src/kernels/erf.js";
import { getBackend, setBackend, type BackendName } from "../src/kernels/index.js";
import { GELU } from "../src/nn/layers/activations.js";
import { Linear } from "../src/nn/layers/linear.js";
import { Sequential } from "../src/nn/layers/sequential.js";
import { mlp } from "../src/nn/mlp.js";
import { buildArch } from "../src/nn/arch.js";
import { crossEntropy } from "../src/nn/losses.js";
import { decodeModel, encodeModel } from "../src/io/model-file.js";
import { describeNetwork } from "../src/cli/describe.js";
import { validateConfig } from "../src/train/config.js";
import { DEFAULT_CONFIG } from "../src/train/defaults.js";
import { ACTIVATION_CHOICES } from "../web/src/state.js";
import { expectClose, expectGradcheck, fixture, fromFixture } from "./helpers.js";

interface FT { shape: number[]; data: number[] }
interface OpCase { inputs: { x: FT }; out: FT; upstream: FT; grads: { x: FT } }
interface SeqCase { x: FT; params: Record<string, FT>; out: FT; loss: FT; labels: number[]; grads: Record<string, FT> }
const fx = fixture<{ cases: Record<string, OpCase | SeqCase>; erf: { x: number[]; erf: number[]; erfc: number[] } }>("gelu");

describe("erf and erfc (float64)", () => {
  test("match the C library to 1e-15 (erf) and 2e-13 (erfc), relative", () => {
    const { x, erf: e, erfc: ec } = fx.erf;
    x.forEach((v, i) => {
      expect(Math.abs(erf(v) - e[i]!), `erf(${v})`).toBeLessThanOrEqual(1e-15 * Math.abs(e[i]!) + 1e-300);
      expect(Math.abs(erfc(v) - ec[i]!), `erfc(${v})`).toBeLessThanOrEqual(2e-13 * ec[i]! + 1e-300);
    });
  });

  test("Abramowitz & Stegun's table values, symmetries and limits", () => {
    // A&S table 7.1 (to 15 digits): erf(0.5), erf(1), erf(2), and erfc(3) from 1 − erf(3).
    expect(erf(0.5)).toBeCloseTo(0.520499877813047, 15);
    expect(erf(1)).toBeCloseTo(0.842700792949715, 15);
    expect(erf(2)).toBeCloseTo(0.995322265018953, 15);
    expect(erfc(3) / 2.20904969985854e-5).toBeCloseTo(1, 12);
    for (const v of [0.3, 1.7, 2.5, 6]) {
      expect(erf(-v)).toBe(-erf(v));
      expect(erfc(-v)).toBeCloseTo(2 - erfc(v), 15);
    }
    expect([erf(0), erf(Infinity), erf(-Infinity), erfc(Infinity), erfc(-Infinity)]).toEqual([0, 1, -1, 0, 2]);
    expect(Number.isNaN(erf(NaN)) && Number.isNaN(erfc(NaN))).toBe(true);
  });
});

describe("the gelu op", () => {
  for (const name of ["gelu", "gelu_extreme"]) {
    test(`${name}: value and gradient match torch (float32)`, () => {
      const c = fx.cases[name] as OpCase;
      const x = fromFixture(c.inputs.x).requiresGrad_();
      const y = ops.gelu(x);
      expectClose(y, c.out.data, {}, "gelu");
      y.backward(fromFixture(c.upstream));
      expectClose(x.grad!, c.grads.x.data, {}, "∂gelu/∂x");
    });
  }

  test("float64: value and gradient match torch to 1e-13", () => {
    const c = fx.cases.gelu_float64 as OpCase;
    const x = fromFixture(c.inputs.x, "float64").requiresGrad_();
    const y = ops.gelu(x);
    expectClose(y, c.out.data, { atol: 1e-13, rtol: 1e-13 }, "gelu");
    y.backward(fromFixture(c.upstream, "float64"));
    expectClose(x.grad!, c.grads.x.data, { atol: 1e-13, rtol: 1e-13 }, "∂gelu/∂x");
  });

  test("its vjp equals finite differences (gradcheck, float64), near 0 and far out", () => {
    expectGradcheck(ops.gelu, [Tensor.rand([3, 5], new Rng(8), -4, 4, { dtype: "float64" })]);
    expectGradcheck(ops.gelu, [new Tensor(Float64Array.of(-9, -6, -2.9, -2.8, 0, 2.8, 2.9, 6, 9), [9])]);
    expectGradcheck((x) => new GELU().forward(x), [Tensor.rand([2, 3], new Rng(3), -3, 3, { dtype: "float64" })]);
  });

  test("has no wasm kernel: both backends run the reference row and agree bit for bit, forward and backward", () => {
    const c = fx.cases.gelu as OpCase;
    const was = getBackend();
    const run = (backend: BackendName) => {
      setBackend(backend);
      const x = fromFixture(c.inputs.x).requiresGrad_();
      const y = ops.gelu(x);
      y.backward(fromFixture(c.upstream));
      return [[...y.data], [...x.grad!.data]];
    };
    try {
      expect(run("wasm")).toEqual(run("ref"));
    } finally {
      setBackend(was);
    }
  });

  test("−∞ and +∞ behave as in torch: gelu(−∞) = NaN, gelu(+∞) = +∞, both gradients NaN", () => {
    const x = new Tensor(Float32Array.of(-Infinity, Infinity, NaN), [3]).requiresGrad_();
    const y = ops.gelu(x);
    expect([Number.isNaN(y.data[0]), y.data[1], Number.isNaN(y.data[2])]).toEqual([true, Infinity, true]);
    y.backward(Tensor.ones([3]));
    expect([...x.grad!.data].every(Number.isNaN)).toBe(true);
  });
});

describe("the GELU layer", () => {
  test("an MLP with nn.GELU: output, cross-entropy and every gradient match torch", () => {
    const c = fx.cases.mlp_gelu as SeqCase;
    const model = new Sequential(new Linear(4, 6), new GELU(), new Linear(6, 3));
    model.loadStateDict(c.params, "fixture mlp_gelu");
    const x = fromFixture(c.x).requiresGrad_();
    const out = model.forward(x);
    expectClose(out, c.out.data, { reduction: 6 }, "output");
    const loss = crossEntropy(out, Int32Array.from(c.labels));
    expectClose(loss, c.loss.data, { reduction: out.size }, "loss");
    loss.backward();
    expectClose(x.grad!, c.grads.x!.data, { reduction: 6 }, "∂/∂x");
    for (const [name, p] of model.namedParameters()) expectClose(p.grad!, c.grads[name]!.data, { reduction: 6 }, `∂/∂${name}`);
  });

  test("--activation gelu and --arch gelu build it; a model file round-trips it; the explorer offers it", () => {
    const net = mlp([4, 6, 3], { activation: "gelu", rng: new Rng(4) });
    expect(net.layers[1]).toBeInstanceOf(GELU);
    expect(buildArch("fc6,gelu,fc3", { input: [4] }).model.layers[1]).toBeInstanceOf(GELU);
    expect(validateConfig({ ...DEFAULT_CONFIG, activation: "gelu" }).activation).toBe("gelu");
    expect(ACTIVATION_CHOICES).toContain("gelu");

    const x = Tensor.rand([5, 4], new Rng(6), -2, 2);
    const before = net.forward(x).data;
    const { model, architecture } = decodeModel(encodeModel(net, { training: {} }), "gelu.safetensors");
    expect((architecture.layers as { type: string }[])[1]).toEqual({ type: "GELU" });
    expect(model.forward(x).data).toEqual(before);
    expect(describeNetwork(architecture)).toBe("[4, 6, 3] GELU/Sigmoid");
  });
});

describe("GELU through the CLI", () => {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), "descent-gelu-"));
  const descent = (...args: string[]) => {
    const r = spawnSync(process.execPath, [join(root, "bin", "descent.js"), ...args], { cwd: dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  test("--activation gelu trains one epoch on 500 images (ref backend); info shows the GELU layers", () => {
    const out = join(dir, "act.safetensors");
    const r = descent("--backend", "ref", "train", "--layers", "784,30,10", "--activation", "gelu", "--train-size", "500", "--epochs", "1", "--seed", "2", "--quiet", "--out", out);
    expect(r.code, r.err).toBe(0);
    const info = descent("info", out);
    expect(info.code, info.err).toBe(0);
    expect(info.out).toContain("network     [784, 30, 10] GELU/Sigmoid");
    expect(info.out).toMatch(/^\s+1\s+GELU\s*$/m);
  }, 60_000);

  test("--arch with gelu trains one epoch (wasm backend); info labels it; --help lists the token; a typo is answered with it", () => {
    const out = join(dir, "arch.safetensors");
    const r = descent("train", "--arch", "conv4x5,gelu,maxpool2,fc10", "--cost", "cross-entropy", "--train-size", "500", "--epochs", "1", "--seed", "2", "--quiet", "--out", out);
    expect(r.code, r.err).toBe(0);
    const info = descent("info", out);
    expect(info.code, info.err).toBe(0);
    expect(info.out).toContain("network     conv 1→4 5×5 → gelu → maxpool 2 → fc 576→10");
    expect(descent("train", "--help").out).toMatch(/--arch tokens:[^]*\bgelu\./);
    expect(descent("train", "--activation", "gelux").err).toMatch(/--activation must be one of [^;]*, gelu; got "gelux" — did you mean gelu\?/);
  }, 60_000);
});
