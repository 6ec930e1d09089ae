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
import { ModelFileError } from "../errors.js";

/** Largest dimension, and largest tensor, accepted from a file (guards allocation against corrupt or hostile specs). */
const MAX_DIM = 1 << 24;
const MAX_TENSOR = 1 << 28;

class SpecReader {
  constructor(private readonly spec: LayerSpec, private readonly where: string) {}

  fail(what: string): never {
    throw new ModelFileError(`${this.where} (${this.spec.type}): ${what}`);
  }
  int(key: string, fallback?: number): number {
    const v = this.spec[key] ?? fallback;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > MAX_DIM) {
      this.fail(`"${key}" must be an integer in [1, ${MAX_DIM}], found ${JSON.stringify(v)}`);
    }
    return v;
  }
  num(key: string, lo: number, hi: number, fallback?: number): number {
    const v = this.spec[key] ?? fallback;
    if (typeof v !== "number" || !(v >= lo && v <= hi)) this.fail(`"${key}" must be a number in [${lo}, ${hi}], found ${JSON.stringify(v)}`);
    return v;
  }
  bool(key: string, fallback: boolean): boolean {
    const v = this.spec[key] ?? fallback;
    if (typeof v !== "boolean") this.fail(`"${key}" must be true or false, found ${JSON.stringify(v)}`);
    return v;
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
};

export const LAYER_TYPES = Object.keys(BUILDERS);

/** Rebuilds a module from its spec (weights are left at their defaults; load them after). */
export function buildModule(spec: unknown, where = "model"): Module {
  if (typeof spec !== "object" || spec === null || Array.isArray(spec) || typeof (spec as LayerSpec).type !== "string") {
    throw new ModelFileError(`${where}: expected a layer description like {"type": "Linear", …}, found ${JSON.stringify(spec)?.slice(0, 80)}`);
  }
  const s = spec as LayerSpec;
  const build = Object.hasOwn(BUILDERS, s.type) ? BUILDERS[s.type] : undefined;
  if (!build) throw new ModelFileError(`${where}: unknown layer type "${s.type}" (known: ${LAYER_TYPES.join(", ")})`);
  return build(new SpecReader(s, where), where);
}
