/**
 * Layer specs → modules. Model files store `spec()` output; loading rebuilds the model here and
 * never runs anything from the file. Each field is validated before anything is allocated.
 * Adding a layer type: one entry in BUILDERS.
 */
import { Module, type LayerSpec } from "./module.js";
import { Linear } from "./layers/linear.js";
import { Identity, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh } from "./layers/activations.js";
import { Dropout } from "./layers/dropout.js";
import { Flatten, Sequential } from "./layers/sequential.js";
import { Conv2d } from "./layers/conv.js";
import { AvgPool2d, MaxPool2d } from "./layers/pool.js";
import { BatchNorm1d, BatchNorm2d } from "./layers/batchnorm.js";
import { Residual } from "./layers/residual.js";
import { ModelFileError } from "../errors.js";
import { excerpt, printablePath, quoted } from "../text.js";

/** Largest dimension, and largest tensor, accepted from a file (guards allocation against corrupt or hostile specs). */
const MAX_DIM = 1 << 24;
const MAX_TENSOR = 1 << 28;

class SpecReader {
  constructor(private readonly spec: LayerSpec, private readonly where: string) {}

  fail(what: string): never {
    throw new ModelFileError(`${printablePath(this.where)} (${this.spec.type}): ${what}`);
  }
  int(key: string, fallback?: number): number {
    const v = this.spec[key] ?? fallback;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > MAX_DIM) {
      this.fail(`"${key}" must be an integer in [1, ${MAX_DIM}], found ${excerpt(v)}`);
    }
    return v;
  }
  num(key: string, lo: number, hi: number, fallback?: number): number {
    const v = this.spec[key] ?? fallback;
    if (typeof v !== "number" || !(v >= lo && v <= hi)) this.fail(`"${key}" must be a number in [${lo}, ${hi}], found ${excerpt(v)}`);
    return v;
  }
  bool(key: string, fallback: boolean): boolean {
    const v = this.spec[key] ?? fallback;
    if (typeof v !== "boolean") this.fail(`"${key}" must be true or false, found ${excerpt(v)}`);
    return v;
  }
  nonNegative(key: string, fallback: number): number {
    const v = this.spec[key] ?? fallback;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > MAX_DIM) this.fail(`"${key}" must be an integer in [0, ${MAX_DIM}], found ${excerpt(v)}`);
    return v;
  }
  child(key: string): unknown {
    return this.spec[key];
  }
  list(key: string): LayerSpec[] {
    const v = this.spec[key];
    if (!Array.isArray(v)) this.fail(`"${key}" must be a list of layers`);
    return v as LayerSpec[];
  }
}

const BUILDERS: Record<string, (r: SpecReader, where: string) => Module> = {
  Sequential: (r, where) => new Sequential(...r.list("layers").map((s, i) => buildModule(s, `${where}.layers.${i}`))),
  Linear: (r) => {
    const [inF, outF] = [r.int("inFeatures"), r.int("outFeatures")];
    if (inF * outF > MAX_TENSOR) r.fail(`a ${outF}×${inF} weight (${inF * outF} values) exceeds the ${MAX_TENSOR}-value limit`);
    return new Linear(inF, outF, { bias: r.bool("bias", true) });
  },
  Sigmoid: () => new Sigmoid(),
  Tanh: () => new Tanh(),
  ReLU: () => new ReLU(),
  LeakyReLU: (r) => new LeakyReLU(r.num("negativeSlope", -1e6, 1e6, 0.01)),
  Softmax: (r) => new Softmax(r.num("dim", -8, 8, -1)),
  Identity: () => new Identity(),
  Dropout: (r) => new Dropout(r.num("p", 0, 0.999999, 0.5)),
  Flatten: () => new Flatten(),
  Conv2d: (r) => {
    const [inC, outC, k] = [r.int("inChannels"), r.int("outChannels"), r.int("kernelSize")];
    const groups = r.int("groups", 1);
    if (outC * (inC / groups) * k * k > MAX_TENSOR) r.fail(`a ${outC}×${inC / groups}×${k}×${k} weight exceeds the ${MAX_TENSOR}-value limit`);
    if (inC % groups || outC % groups) r.fail(`channels ${inC}→${outC} are not divisible by groups ${groups}`);
    return new Conv2d(inC, outC, k, { stride: r.int("stride", 1), padding: r.nonNegative("padding", 0), groups, bias: r.bool("bias", true) });
  },
  MaxPool2d: (r) => new MaxPool2d(r.int("kernelSize"), r.int("stride", r.int("kernelSize"))),
  AvgPool2d: (r) => new AvgPool2d(r.int("kernelSize"), r.int("stride", r.int("kernelSize"))),
  BatchNorm1d: (r) => new BatchNorm1d(r.int("numFeatures"), r.num("eps", 0, 1, 1e-5), r.num("momentum", 0, 1, 0.1)),
  BatchNorm2d: (r) => new BatchNorm2d(r.int("numFeatures"), r.num("eps", 0, 1, 1e-5), r.num("momentum", 0, 1, 0.1)),
  Residual: (r, where) => new Residual(buildModule(r.child("body"), `${where}.body`)),
};

export const LAYER_TYPES = Object.keys(BUILDERS);

/** Rebuilds a module from its spec (weights are left at their defaults; load them after). */
export function buildModule(spec: unknown, where = "model"): Module {
  if (typeof spec !== "object" || spec === null || Array.isArray(spec) || typeof (spec as LayerSpec).type !== "string") {
    throw new ModelFileError(`${printablePath(where)}: expected a layer description like {"type": "Linear", …}, found ${excerpt(spec)}`);
  }
  const s = spec as LayerSpec;
  const build = Object.hasOwn(BUILDERS, s.type) ? BUILDERS[s.type] : undefined;
  if (!build) throw new ModelFileError(`${printablePath(where)}: unknown layer type ${quoted(s.type)} (known: ${LAYER_TYPES.join(", ")})`);
  return build(new SpecReader(s, where), where);
}
