/**
 * The Tensor: contiguous row-major float data with a shape, an optional gradient and the node that
 * made it. float32 for work, float64 for gradient checks. Methods delegate to `ops/`.
 */
import { backward as runBackward, isGradEnabled, type BackwardHooks, type GradNode, type Vjp } from "./autograd.js";
import type { FloatArray } from "./kernels/types.js";
import { ShapeError } from "./errors.js";
import { fmt, sizeOf, type Shape } from "./shape.js";
import type { Rng } from "./rng.js";
import * as ops from "./ops/index.js";
import { allocFloat32, inScope, trackTensor } from "./memory.js";

/** Storage of a tensor whose scope has ended. */
const RELEASED = new Float32Array(0);

export type DType = "float32" | "float64";

/** Nested number arrays, for `tensor([[1, 2], [3, 4]])`. */
export type NestedArray = number | readonly NestedArray[];

export interface TensorOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

/**
 * Storage for an op's result — float32 may come from fast scoped memory (see memory.ts) and then
 * holds old values: the op must write every element.
 */
export function allocate(dtype: DType, size: number): FloatArray {
  return dtype === "float64" ? new Float64Array(size) : allocFloat32(size);
}

export class Tensor {
  private storage: FloatArray;
  readonly shape: readonly number[];
  requiresGrad: boolean;
  /** ∂L/∂this after `backward()`, accumulated across calls until cleared. */
  grad: Tensor | null = null;
  /** How this tensor was computed, when recorded (null for leaves and under `noGrad`). */
  node: GradNode | null = null;
  /** Scratch for the backward pass (autograd.ts): the id of the last pass that visited this tensor. */
  visit = 0;
  /** Scratch for the backward pass: how many ops of that pass read this tensor. */
  reads = 0;
  /**
   * Parameters keep one gradient buffer for life (`gradStore`, in persistent memory): backward
   * writes into it (ops may even write straight into it, see autograd's sinks) and `.grad` points
   * at it until zeroGrad() sets `.grad` back to null.
   */
  keepsGrad = false;
  gradStore: Tensor | null = null;

  constructor(data: FloatArray, shape: Shape, requiresGrad = false) {
    if (data.length !== sizeOf(shape)) {
      throw new ShapeError(`Tensor: ${data.length} values do not fill shape ${fmt(shape)} (${sizeOf(shape)} needed)`);
    }
    this.storage = data;
    this.shape = shape.slice(); // a private copy (not frozen: freezing costs more than the op on tiny tensors)
    this.requiresGrad = requiresGrad;
    if (inScope()) trackTensor(this, data);
  }

  /** The values, contiguous and row-major. */
  get data(): FloatArray {
    if (this.storage === RELEASED) {
      throw new Error(
        `${this.toString()} was made inside scope() (e.g. during a Trainer step) and its memory has been reused — ` +
          "return it from the scope, or copy what you need with .clone() before the scope ends",
      );
    }
    return this.storage;
  }

  /** Drops the storage (called when the scope that owns it ends). */
  release(): void {
    this.storage = RELEASED;
  }

  get dtype(): DType {
    return this.data instanceof Float64Array ? "float64" : "float32";
  }
  get size(): number {
    return this.data.length;
  }
  get rank(): number {
    return this.shape.length;
  }

  /** The value of a one-element tensor. */
  item(): number {
    if (this.data.length !== 1) throw new ShapeError(`item(): tensor has shape ${fmt(this.shape)}, expected one element`);
    return this.data[0]!;
  }

  /** Nested plain arrays (for printing and tests). */
  toArray(): NestedArray {
    const build = (dim: number, offset: number): NestedArray => {
      if (dim === this.shape.length) return this.data[offset]!;
      const stride = sizeOf(this.shape.slice(dim + 1));
      return Array.from({ length: this.shape[dim]! }, (_, i) => build(dim + 1, offset + i * stride));
    };
    return build(0, 0);
  }

  /**
   * Computes gradients of this (scalar, unless `grad` is given) tensor into every leaf's `.grad`;
   * `hooks` see each leaf's gradient once it is complete (autograd's BackwardHooks).
   */
  backward(grad?: Tensor, hooks?: BackwardHooks): void {
    if (!this.requiresGrad) {
      throw new Error("backward(): this tensor does not require grad (no parameter or input with requiresGrad led to it)");
    }
    if (!grad && this.size !== 1) {
      throw new ShapeError(`backward(): tensor has shape ${fmt(this.shape)}; pass a gradient for non-scalar outputs`);
    }
    runBackward(this, grad ?? Tensor.full(this.shape, 1, { dtype: this.dtype }), hooks);
  }

  /** Same data, cut from the graph. */
  detach(): Tensor {
    return new Tensor(this.data, this.shape);
  }

  /** A copy with its own storage (in the current scope's memory when inside one). */
  clone(): Tensor {
    const copy = allocate(this.dtype, this.size);
    copy.set(this.data);
    return new Tensor(copy, this.shape);
  }

  /** A float64 copy (for gradcheck), keeping requiresGrad. */
  double(): Tensor {
    return new Tensor(Float64Array.from(this.data), this.shape, this.requiresGrad);
  }

  float(): Tensor {
    return new Tensor(Float32Array.from(this.data), this.shape, this.requiresGrad);
  }

  requiresGrad_(on = true): this {
    this.requiresGrad = on;
    return this;
  }

  toString(): string {
    const dtype = this.storage instanceof Float64Array ? "float64" : "float32";
    return `Tensor(${fmt(this.shape)}, ${dtype}${this.requiresGrad ? ", requiresGrad" : ""})`;
  }

  // ---- factories ---------------------------------------------------------------------------

  static zeros(shape: Shape, opts: TensorOptions = {}): Tensor {
    const data = allocate(opts.dtype ?? "float32", sizeOf(shape));
    data.fill(0);
    return new Tensor(data, shape, opts.requiresGrad ?? false);
  }
  static ones(shape: Shape, opts: TensorOptions = {}): Tensor {
    return Tensor.full(shape, 1, opts);
  }
  static full(shape: Shape, value: number, opts: TensorOptions = {}): Tensor {
    const t = Tensor.zeros(shape, opts);
    t.data.fill(value);
    return t;
  }
  /** Samples N(0, 1). */
  static randn(shape: Shape, rng: Rng, opts: TensorOptions = {}): Tensor {
    const t = Tensor.zeros(shape, opts);
    for (let i = 0; i < t.size; i++) t.data[i] = rng.normal();
    return t;
  }
  /** Samples U[lo, hi). */
  static rand(shape: Shape, rng: Rng, lo = 0, hi = 1, opts: TensorOptions = {}): Tensor {
    const t = Tensor.zeros(shape, opts);
    for (let i = 0; i < t.size; i++) t.data[i] = rng.range(lo, hi);
    return t;
  }

  // ---- ops as methods ----------------------------------------------------------------------

  add(b: Tensor | number): Tensor { return ops.add(this, b); }
  sub(b: Tensor | number): Tensor { return ops.sub(this, b); }
  mul(b: Tensor | number): Tensor { return ops.mul(this, b); }
  div(b: Tensor | number): Tensor { return ops.div(this, b); }
  pow(b: Tensor | number): Tensor { return ops.pow(this, b); }
  neg(): Tensor { return ops.neg(this); }
  exp(): Tensor { return ops.exp(this); }
  log(): Tensor { return ops.log(this); }
  sqrt(): Tensor { return ops.sqrt(this); }
  abs(): Tensor { return ops.abs(this); }
  square(): Tensor { return ops.square(this); }
  clamp(min: number, max: number): Tensor { return ops.clamp(this, min, max); }
  sigmoid(): Tensor { return ops.sigmoid(this); }
  tanh(): Tensor { return ops.tanh(this); }
  relu(): Tensor { return ops.relu(this); }
  leakyRelu(slope = 0.01): Tensor { return ops.leakyRelu(this, slope); }
  matmul(b: Tensor): Tensor { return ops.matmul(this, b); }
  /** Swaps two axes (the last two by default); materialises the result. */
  transpose(d0 = -2, d1 = -1): Tensor { return ops.transpose(this, d0, d1); }
  /** 2-D transpose. */
  t(): Tensor { return ops.transpose(this, 0, 1); }
  reshape(shape: readonly number[]): Tensor { return ops.reshape(this, shape); }
  flatten(startDim = 1): Tensor { return ops.flatten(this, startDim); }
  sum(axes?: number | readonly number[], keepDims = false): Tensor { return ops.sum(this, axes, keepDims); }
  mean(axes?: number | readonly number[], keepDims = false): Tensor { return ops.mean(this, axes, keepDims); }
  max(axis?: number, keepDims = false): Tensor { return ops.max(this, axis, keepDims); }
  argmax(axis = -1): Int32Array { return ops.argmax(this, axis); }
  softmax(axis = -1): Tensor { return ops.softmax(this, axis); }
  logSoftmax(axis = -1): Tensor { return ops.logSoftmax(this, axis); }
}

/** Builds a tensor from nested arrays or flat values (+ shape). */
export function tensor(values: NestedArray | ArrayLike<number>, shapeOrOpts?: Shape | TensorOptions, maybeOpts: TensorOptions = {}): Tensor {
  const shapeGiven = Array.isArray(shapeOrOpts) ? (shapeOrOpts as Shape) : undefined;
  const opts = (shapeGiven ? maybeOpts : (shapeOrOpts as TensorOptions | undefined)) ?? {};
  const dtype = opts.dtype ?? (values instanceof Float64Array ? "float64" : "float32");
  let flat: number[] | ArrayLike<number>;
  let shape: number[];
  if (typeof values === "number") {
    flat = [values];
    shape = [];
  } else if (isNested(values)) {
    shape = [];
    let probe: NestedArray = values as NestedArray;
    while (Array.isArray(probe)) {
      shape.push(probe.length);
      probe = (probe as readonly NestedArray[])[0] ?? 0;
    }
    flat = (values as unknown as unknown[]).flat(Infinity) as number[];
  } else {
    flat = values as ArrayLike<number>;
    shape = [flat.length];
  }
  if (shapeGiven) shape = [...shapeGiven];
  const data = allocate(dtype, flat.length);
  data.set(flat);
  return new Tensor(data, shape, opts.requiresGrad ?? false);
}

function isNested(v: unknown): boolean {
  return Array.isArray(v) && v.length > 0 && Array.isArray(v[0]);
}

/**
 * Makes an op's output and, when gradients are on and an input needs one, records how to
 * differentiate it. Every differentiable op goes through here.
 */
export function fromOp(op: string, data: FloatArray, shape: Shape, inputs: readonly Tensor[], vjp: Vjp): Tensor {
  const out = new Tensor(data, shape);
  if (isGradEnabled()) {
    for (const x of inputs) {
      if (x.requiresGrad) {
        out.requiresGrad = true;
        out.node = { op, inputs, vjp };
        break;
      }
    }
  }
  return out;
}
