/**
 * Layer specs → modules. Model files store `spec()` output; loading rebuilds the model here and
 * never runs anything from the file. Each field, and the total parameter count, is validated before
 * anything is allocated. Adding a layer type: one entry in PLANNERS.
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
import { checkParameters } from "../limits.js";

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

/**
 * A layer checked but not yet allocated: its parameter count (weights, biases and BatchNorm's
 * running statistics), and the thunk that allocates it. The whole model is planned — every field
 * validated, every count summed — before its first tensor exists.
 */
interface Plan {
  params: number;
  make: () => Module;
}

const leaf = (make: () => Module, params = 0): Plan => ({ params, make });

/** Nesting deeper than this is refused (a model file's JSON cannot nest deeper anyway: json-strict caps it at 64). */
const MAX_NESTING = 64;

const PLANNERS: Record<string, (r: SpecReader, where: string, depth: number) => Plan> = {
  Sequential: (r, where, depth) => {
    const plans = r.list("layers").map((s, i) => plan(s, `${where}.layers.${i}`, depth + 1));
    return { params: plans.reduce((n, p) => n + p.params, 0), make: () => new Sequential(...plans.map((p) => p.make())) };
  },
  Linear: (r) => {
    const [inF, outF, bias] = [r.int("inFeatures"), r.int("outFeatures"), r.bool("bias", true)];
    if (inF * outF > MAX_TENSOR) r.fail(`a ${outF}×${inF} weight (${inF * outF} values) exceeds the ${MAX_TENSOR}-value limit`);
    return leaf(() => new Linear(inF, outF, { bias }), inF * outF + (bias ? outF : 0));
  },
  Sigmoid: () => leaf(() => new Sigmoid()),
  Tanh: () => leaf(() => new Tanh()),
  ReLU: () => leaf(() => new ReLU()),
  LeakyReLU: (r) => {
    const slope = r.num("negativeSlope", -1e6, 1e6, 0.01);
    return leaf(() => new LeakyReLU(slope));
  },
  Softmax: (r) => {
    const dim = r.num("dim", -8, 8, -1);
    return leaf(() => new Softmax(dim));
  },
  Identity: () => leaf(() => new Identity()),
  Dropout: (r) => {
    const p = r.num("p", 0, 0.999999, 0.5);
    return leaf(() => new Dropout(p));
  },
  Flatten: () => leaf(() => new Flatten()),
  Conv2d: (r) => {
    const [inC, outC, k] = [r.int("inChannels"), r.int("outChannels"), r.int("kernelSize")];
    const groups = r.int("groups", 1);
    if (outC * (inC / groups) * k * k > MAX_TENSOR) r.fail(`a ${outC}×${inC / groups}×${k}×${k} weight exceeds the ${MAX_TENSOR}-value limit`);
    if (inC % groups || outC % groups) r.fail(`channels ${inC}→${outC} are not divisible by groups ${groups}`);
    const [stride, padding, bias] = [r.int("stride", 1), r.nonNegative("padding", 0), r.bool("bias", true)];
    // More padding than the kernel only adds borders of constant output, and makes every forward pass allocate them.
    if (padding >= k) r.fail(`"padding" must be smaller than "kernelSize" ${k}, found ${padding}`);
    return leaf(() => new Conv2d(inC, outC, k, { stride, padding, groups, bias }), outC * (inC / groups) * k * k + (bias ? outC : 0));
  },
  MaxPool2d: (r) => {
    const [k, s] = [r.int("kernelSize"), r.int("stride", r.int("kernelSize"))];
    return leaf(() => new MaxPool2d(k, s));
  },
  AvgPool2d: (r) => {
    const [k, s] = [r.int("kernelSize"), r.int("stride", r.int("kernelSize"))];
    return leaf(() => new AvgPool2d(k, s));
  },
  BatchNorm1d: (r) => batchNorm(r, BatchNorm1d),
  BatchNorm2d: (r) => batchNorm(r, BatchNorm2d),
  Residual: (r, where, depth) => {
    const body = plan(r.child("body"), `${where}.body`, depth + 1);
    return { params: body.params, make: () => new Residual(body.make()) };
  },
};

function batchNorm(r: SpecReader, Kind: typeof BatchNorm1d | typeof BatchNorm2d): Plan {
  const [n, eps, momentum] = [r.int("numFeatures"), r.num("eps", 0, 1, 1e-5), r.num("momentum", 0, 1, 0.1)];
  return leaf(() => new Kind(n, eps, momentum), 4 * n); // weight, bias, running mean and variance
}

export const LAYER_TYPES = Object.keys(PLANNERS);

function plan(spec: unknown, where: string, depth: number): Plan {
  if (typeof spec !== "object" || spec === null || Array.isArray(spec) || typeof (spec as LayerSpec).type !== "string") {
    throw new ModelFileError(`${printablePath(where)}: expected a layer description like {"type": "Linear", …}, found ${excerpt(spec)}`);
  }
  if (depth > MAX_NESTING) throw new ModelFileError(`${where}: layers nested more than ${MAX_NESTING} deep — the architecture is corrupt`);
  const s = spec as LayerSpec;
  const planner = Object.hasOwn(PLANNERS, s.type) ? PLANNERS[s.type] : undefined;
  if (!planner) throw new ModelFileError(`${printablePath(where)}: unknown layer type ${quoted(s.type)} (known: ${LAYER_TYPES.join(", ")})`);
  return planner(new SpecReader(s, where), where, depth);
}

/**
 * Rebuilds a module from its spec (weights are left at their defaults; load them after). Every
 * field is checked, and the whole model's parameter count against limits().maxParameters, before
 * any layer is allocated.
 */
export function buildModule(spec: unknown, where = "model"): Module {
  const p = plan(spec, where, 0);
  checkParameters(p.params, where, (message) => new ModelFileError(message));
  return p.make();
}

/** The parameter count (with BatchNorm's running statistics) of a spec, checking it as buildModule does but allocating nothing. */
export const specParameters = (spec: unknown, where = "model"): number => plan(spec, where, 0).params;
