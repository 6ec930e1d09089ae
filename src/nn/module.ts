/**
 * Module and Parameter, as in PyTorch: a module owns parameters (trained), buffers (state that is
 * saved but not trained, e.g. BatchNorm's running statistics) and child modules, discovered from
 * its own fields. Names are dotted paths: "layers.0.weight".
 */
import { Tensor } from "../tensor.js";
import type { FloatArray } from "../kernels/types.js";
import type { Shape } from "../shape.js";
import { fmt, sameShape } from "../shape.js";
import { ModelFileError } from "../errors.js";
import { persistentFloat32 } from "../memory.js";

function persistentCopy(data: Float32Array): Float32Array {
  const copy = persistentFloat32(data.length);
  copy.set(data);
  return copy;
}

/**
 * A tensor the optimizer trains. Its values (copied in) and its gradient live in persistent memory
 * — the wasm heap when that backend is active — so kernels update them in place.
 */
export class Parameter extends Tensor {
  constructor(data: FloatArray, shape: Shape) {
    super(data instanceof Float32Array ? persistentCopy(data) : data, shape, true);
    this.keepsGrad = true;
  }
  static fromTensor(t: Tensor): Parameter {
    return new Parameter(t.data, t.shape);
  }
}

/** Plain-data description of a layer, enough to rebuild it (stored in model files). */
export interface LayerSpec {
  type: string;
  [option: string]: unknown;
}

export abstract class Module {
  training = true;

  abstract forward(x: Tensor): Tensor;

  /** Plain-data description of this module (see nn/registry.ts for the reverse). */
  abstract spec(): LayerSpec;

  /** Direct children, in field order; arrays of modules are named by index. */
  namedChildren(): [string, Module][] {
    const out: [string, Module][] = [];
    for (const [key, value] of Object.entries(this)) {
      if (value instanceof Module) out.push([key, value]);
      else if (Array.isArray(value)) value.forEach((v, i) => v instanceof Module && out.push([`${key}.${i}`, v]));
    }
    return out;
  }

  /** Own parameters and, recursively, those of children: ["layers.0.weight", p], … */
  namedParameters(prefix = ""): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    for (const [key, value] of Object.entries(this)) {
      if (value instanceof Parameter) out.push([prefix + key, value]);
    }
    for (const [name, child] of this.namedChildren()) out.push(...child.namedParameters(`${prefix}${name}.`));
    return out;
  }

  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Tensors that are state but not trained (any Tensor field that is not a Parameter). */
  namedBuffers(prefix = ""): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [key, value] of Object.entries(this)) {
      if (value instanceof Tensor && !(value instanceof Parameter)) out.push([prefix + key, value]);
    }
    for (const [name, child] of this.namedChildren()) out.push(...child.namedBuffers(`${prefix}${name}.`));
    return out;
  }

  /** Number of trainable scalars. */
  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  /** Parameters and buffers by name (the tensors themselves, not copies). */
  stateDict(): Record<string, Tensor> {
    return Object.fromEntries([...this.namedParameters(), ...this.namedBuffers()]);
  }

  /**
   * Copies values into this module's tensors. Every name must exist on both sides with the same
   * shape; the error lists what is missing, unexpected or mis-shaped, and nothing is changed.
   */
  loadStateDict(state: Record<string, { data: ArrayLike<number>; shape: Shape }>, source = "state dict"): void {
    const own = this.stateDict();
    const missing = Object.keys(own).filter((k) => !(k in state));
    const unexpected = Object.keys(state).filter((k) => !(k in own));
    const misshapen = Object.keys(own)
      .filter((k) => k in state && !sameShape(own[k]!.shape, state[k]!.shape))
      .map((k) => `${k}: expected ${fmt(own[k]!.shape)}, found ${fmt(state[k]!.shape)}`);
    const problems = [
      missing.length ? `missing ${missing.join(", ")}` : "",
      unexpected.length ? `unexpected ${unexpected.join(", ")}` : "",
      ...misshapen,
    ].filter(Boolean);
    if (problems.length > 0) {
      throw new ModelFileError(`${source} does not match the model: ${problems.join("; ")}`);
    }
    for (const [k, t] of Object.entries(own)) t.data.set(state[k]!.data);
  }

  /** Training mode (dropout on, batch statistics) or, with false, evaluation mode. */
  train(on = true): this {
    this.training = on;
    for (const [, c] of this.namedChildren()) c.train(on);
    return this;
  }

  eval(): this {
    return this.train(false);
  }
}
