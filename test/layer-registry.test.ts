/**
 * One definition per layer: every registered layer type round-trips spec → module → spec and has a
 * label; every activation in the table builds its layer from `--activation`, `--output` and its
 * `--arch` token alike; a user's own Module registered with registerLayer saves and loads, and an
 * unregistered one is refused naming the known types.
 * Oracles: the specs written by hand and by the modules themselves (JSON equality), the committed
 * default model's stored architecture string, and the forward pass of the module before saving.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { Tensor } from "../src/tensor.js";
import { Rng } from "../src/rng.js";
import { mul } from "../src/ops/elementwise.js";
import { Module, Parameter, type LayerSpec } from "../src/nn/module.js";
import { buildModule, LAYER_TYPES, layerDefinition, leaf, registerLayer, type LayerDefinition } from "../src/nn/registry.js";
import { archTokenSyntax, buildArch } from "../src/nn/arch.js";
import { activationModule, mlp } from "../src/nn/mlp.js";
import { ACTIVATION_NAMES, ACTIVATION_TABLE, OUTPUT_NAMES } from "../src/nn/activation-table.js";
import { flatLayers, layerLabel } from "../src/nn/layer.js";
import { describeNetwork } from "../src/cli/describe.js";
import { decodeModel, encodeModel } from "../src/io/model-file.js";
import { decodeSafetensors } from "../src/io/safetensors.js";
import { ModelFileError, UsageError } from "../src/errors.js";

/** Every spec in a tree, containers included. */
function allSpecs(spec: LayerSpec): LayerSpec[] {
  const children = layerDefinition(spec.type)?.children?.(spec) ?? [];
  return [spec, ...children.flatMap(allSpecs)];
}

// One network using every --arch token: layer tokens and, from the table, every activation's.
const EVERY_TOKEN = [
  "conv4x3p1s1g2", "bn", "maxpool2", "avgpool2s1", "res(conv4x3p1;bn;dropout0.25)", "flatten", "fc8", "bn", "dropout0.5",
  ...ACTIVATION_TABLE.map((a) => a.token), "fc3",
].join(",");

// And the sequence layers, on token ids [5] per example.
const SEQUENCE_TOKENS = "embed4v10,birnnrelu3seq,gru3x2seq,lstm4,fc2";

describe("every registered layer", () => {
  const { model } = buildArch(EVERY_TOKEN, { input: [2, 8, 8], rng: new Rng(5) });
  const sequences = buildArch(SEQUENCE_TOKENS, { input: [5], rng: new Rng(5) }).model;
  const specs = [...allSpecs(model.spec()), ...allSpecs(sequences.spec())];

  test("appears in the every-token network (a new layer type needs a token here or a spec of its own)", () => {
    expect(new Set(specs.map((s) => s.type))).toEqual(new Set(LAYER_TYPES));
  });

  test("round-trips spec → module → spec, and has a non-empty label", () => {
    for (const spec of specs) {
      expect(buildModule(spec).spec(), spec.type).toEqual(spec);
      expect(layerLabel(spec).length, spec.type).toBeGreaterThan(0);
    }
    expect(buildModule(model.spec()).numParameters()).toBe(model.numParameters());
    expect(buildModule(sequences.spec()).numParameters()).toBe(sequences.numParameters());
  });

  test("labels read as before the definitions moved into the layer files", () => {
    // Oracle: the strings describe.ts's switch produced, written out by hand.
    const labels = flatLayers(model.spec()).map(layerLabel);
    expect(labels.slice(0, 6)).toEqual([
      "conv 2→4 3×3 (pad 1, groups 2)", "batchnorm", "maxpool 2", "avgpool 2", "res(conv 4→4 3×3 (pad 1) → batchnorm → dropout 0.25)", "flatten",
    ]);
    expect(labels.slice(6, 9)).toEqual(["fc 36→8", "batchnorm", "dropout 0.5"]);
    expect(labels.slice(9, 9 + ACTIVATION_TABLE.length)).toEqual(ACTIVATION_TABLE.map((a) => a.spec.type.toLowerCase()));
  });

  test("the committed default model's architecture is rebuilt to the very string stored in it", () => {
    const bytes = readFileSync(fileURLToPath(new URL("../web/public/default-model.safetensors", import.meta.url)));
    const stored = decodeSafetensors(bytes, "default").metadata.architecture!;
    const { architecture } = decodeModel(bytes, "default-model.safetensors");
    expect(JSON.stringify(architecture)).toBe(stored);
    expect(describeNetwork(architecture)).toBe("[784, 16, 16, 10] Sigmoid/Softmax");
  });

  test("--help lists every token", () => {
    const syntax = archTokenSyntax();
    for (const t of ["fc<N>", "conv<F>x<K>[p<pad>][s<stride>][g<groups>]", "maxpool<K>", "avgpool<K>", "bn", "dropout<P>", "flatten", "res(<tokens separated by ;>)"]) {
      expect(syntax).toContain(t);
    }
    for (const a of ACTIVATION_TABLE) expect(syntax).toContain(a.token);
  });
});

describe("the activation table", () => {
  test("names, tokens and layer types are unique, and each type is a registered activation layer", () => {
    for (const key of ["name", "token"] as const) expect(new Set(ACTIVATION_TABLE.map((a) => a[key])).size).toBe(ACTIVATION_TABLE.length);
    for (const a of ACTIVATION_TABLE) expect(layerDefinition(a.spec.type)?.activation, a.name).toBe(true);
  });

  test("--activation, --output and the --arch token build the same layer: the row's spec", () => {
    for (const a of ACTIVATION_TABLE) {
      expect(activationModule(a.name as never).spec(), a.name).toEqual(a.spec);
      const { model } = buildArch(`fc4,${a.token}`, { input: [3] });
      expect(model.layers[1]!.spec(), a.token).toEqual(a.spec);
    }
    for (const name of ACTIVATION_NAMES) expect(mlp([3, 4, 2], { activation: name }).layers[1]!.spec()).toEqual(ACTIVATION_TABLE.find((a) => a.name === name)!.spec);
    for (const name of OUTPUT_NAMES) expect(mlp([3, 4, 2], { output: name }).layers[3]!.spec()).toEqual(ACTIVATION_TABLE.find((a) => a.name === name)!.spec);
  });

  test("keeps the lists and tokens descent had before the table", () => {
    // Oracle: the hand-written lists of mlp.ts and arch.ts before this redesign (prefixes: rows are only ever added).
    expect(ACTIVATION_NAMES.slice(0, 5)).toEqual(["sigmoid", "tanh", "relu", "leaky-relu", "identity"]);
    expect(OUTPUT_NAMES).toEqual(["sigmoid", "softmax", "identity"]);
    const tokens = Object.fromEntries(ACTIVATION_TABLE.map((a) => [a.token, a.name]));
    expect(tokens).toMatchObject({ relu: "relu", sigmoid: "sigmoid", tanh: "tanh", leakyrelu: "leaky-relu", softmax: "softmax", identity: "identity" });
  });
});

/** A user's own layer: y = x · w, one learned scale per feature. */
class Scale extends Module {
  readonly weight: Parameter;
  constructor(readonly features: number) {
    super();
    this.weight = Parameter.fromTensor(Tensor.ones([features]));
  }
  forward(x: Tensor): Tensor { return mul(x, this.weight); }
  spec(): LayerSpec { return { type: "Scale", features: this.features }; }
}

const scaleLayer: LayerDefinition = {
  type: "Scale",
  fromSpec: (r) => {
    const n = r.int("features");
    return leaf(() => new Scale(n), n);
  },
  label: (s) => `scale ${String(s.features)}`,
  tokens: [{ pattern: /^scale$/, syntax: "scale", plan: (_m, ctx) => ctx.add(() => new Scale(ctx.shape[0]!), ctx.shape[0]!) }],
};

describe("registerLayer: a user's own Module", () => {
  const net = () => {
    const m = mlp([3, 4, 2], { activation: "relu", rng: new Rng(9) });
    m.layers.splice(2, 0, new Scale(4));
    (m.layers[2] as Scale).weight.data.set([0.5, -2, 3, 0.25]);
    return m;
  };

  test("unregistered: saving works (spec() is the module's own) but loading is refused, naming the known types", () => {
    const bytes = encodeModel(net(), { training: {} });
    expect(() => decodeModel(bytes, "mine.safetensors")).toThrow(ModelFileError);
    expect(() => decodeModel(bytes, "mine.safetensors")).toThrow(
      `mine.safetensors: model.layers.2: unknown layer type "Scale" (known: ${LAYER_TYPES.join(", ")})`,
    );
    expect(LAYER_TYPES).not.toContain("Scale");
    expect(() => buildArch("fc4,scale", { input: [3] })).toThrow(new UsageError('--arch: "scale" is not a layer (the shape there is [4]); see descent train --help'));
  });

  test("registered: it loads with its weights and computes what it computed before saving; --arch knows its token", () => {
    registerLayer(scaleLayer);
    expect(registerLayer(scaleLayer)).toBe(scaleLayer); // the same definition again: nothing happens
    expect(() => registerLayer({ ...scaleLayer })).toThrow('registerLayer: a layer type named "Scale" is already registered');
    expect(LAYER_TYPES.at(-1)).toBe("Scale");

    const before = net();
    const x = Tensor.rand([5, 3], new Rng(1), -1, 1);
    const expected = before.eval().forward(x).data;
    const { model, architecture } = decodeModel(encodeModel(before, { training: {} }), "mine.safetensors");
    expect(model.forward(x).data).toEqual(expected);
    expect((model as unknown as { layers: Module[] }).layers[2]).toBeInstanceOf(Scale);
    expect(layerLabel(flatLayers(architecture)[2]!)).toBe("scale 4");
    expect(describeNetwork(architecture)).toBe("fc 3→4 → relu → scale 4 → fc 4→2 → sigmoid");

    // Its fields are checked like a built-in's, and its parameters count toward the limit.
    expect(() => buildModule({ type: "Scale", features: 0 })).toThrow('model (Scale): "features" must be an integer in [1, 16777216], found 0');
    const { model: viaArch } = buildArch("fc4,scale,fc2", { input: [3] });
    expect(viaArch.layers[1]).toBeInstanceOf(Scale);
    expect(viaArch.numParameters()).toBe(3 * 4 + 4 + 4 + 4 * 2 + 2);
  });
});
