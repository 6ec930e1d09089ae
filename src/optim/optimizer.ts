/**
 * Optimizer base: parameter groups with their own hyper-parameters, per-parameter state as plain
 * records of typed arrays, and the update itself delegated to a fused kernel per parameter.
 */
import type { Tensor } from "../tensor.js";
import type { GradProduct } from "../autograd.js";
import type { FloatArray } from "../kernels/types.js";
import { persistentFloat32 } from "../memory.js";
import { array, boolean, FieldError, integer, mustBe, number, record } from "../io/fields.js";

/** Checks one hyper-parameter read from a file (see Optimizer.hyperChecks); throws a FieldError. */
export type HyperCheck = (path: string, v: unknown) => unknown;

/** The checks optimizers' hyper-parameters use. */
export const hyper = {
  nonNegative: (path: string, v: unknown) => number(path, v, "a number ≥ 0", (x) => x >= 0),
  unit: (path: string, v: unknown) => number(path, v, "a number in [0, 1]", (x) => x >= 0 && x <= 1),
  flag: boolean,
  /** Adam's (β₁, β₂), each in [0, 1). */
  betas: (path: string, v: unknown) => {
    const b = array(path, v, "two numbers in [0, 1)");
    if (b.length !== 2) mustBe(path, "two numbers in [0, 1)", v);
    return b.map((x, i) => number(`${path}[${i}]`, x, "a number in [0, 1)", (y) => y >= 0 && y < 1));
  },
} satisfies Record<string, HyperCheck>;

/** A group of parameters sharing hyper-parameters (e.g. weights with decay, biases without). */
export type ParamGroup<H> = { params: readonly Tensor[] } & Partial<H>;

/** Per-parameter optimizer state: named buffers plus a step count. */
export interface ParamState {
  step: number;
  buffers: Record<string, FloatArray>;
}

export interface OptimizerState<H> {
  step: number;
  groups: H[];
  state: ParamState[][];
}

export abstract class Optimizer<H extends { lr: number }> {
  readonly groups: { params: readonly Tensor[]; hyper: H }[];
  protected readonly state: ParamState[][];
  /** Number of step() calls so far. */
  stepCount = 0;

  constructor(params: readonly Tensor[] | readonly ParamGroup<H>[], defaults: H) {
    const list = params as readonly (Tensor | ParamGroup<H>)[];
    const groups: ParamGroup<H>[] = list.length > 0 && "params" in (list[0] as object) && !("data" in (list[0] as object))
      ? (list as ParamGroup<H>[])
      : [{ params: list as Tensor[] } as unknown as ParamGroup<H>];
    this.groups = groups.map(({ params: ps, ...overrides }) => {
      const hyper = { ...defaults, ...overrides } as H;
      this.validate(hyper);
      return { params: ps, hyper };
    });
    this.state = this.groups.map((g) => g.params.map(() => ({ step: 0, buffers: {} })));
  }

  /** Checks hyper-parameters (throws RangeError naming the bad one). */
  protected validate(h: H): void {
    if (!(h.lr >= 0)) throw new RangeError(`${this.constructor.name}: learning rate must be ≥ 0, got ${h.lr}`);
  }

  /** One update of `p` from its gradient `g`, with this parameter's state. */
  protected abstract update(p: FloatArray, g: FloatArray, state: ParamState, h: H): void;

  /** Every hyper-parameter a group holds, with its check (for state dicts read from files). */
  protected hyperChecks(): Record<string, HyperCheck> {
    return { lr: hyper.nonNegative };
  }

  /** The buffers update() keeps for each parameter under hyper-parameters `h` (once it has run). */
  protected abstract bufferNames(h: H): string[];

  /** The learning rate of the first group (schedules set all groups at once). */
  get lr(): number {
    return this.groups[0]?.hyper.lr ?? 0;
  }
  set lr(value: number) {
    for (const g of this.groups) g.hyper.lr = value;
  }

  /** Forgets all gradients (sets .grad to null, as PyTorch's default). */
  zeroGrad(): void {
    for (const g of this.groups) for (const p of g.params) p.grad = null;
  }

  /**
   * Whether update() can take a gradient given as a product (see updateFromProduct) under
   * hyper-parameters `h`. None can unless it says so.
   */
  protected takesProducts(_h: H): boolean {
    return false;
  }

  /** update(), from a gradient op(A)·B that is never stored (called only when takesProducts(h)). */
  protected updateFromProduct(_p: FloatArray, _g: GradProduct, _state: ParamState, _h: H): void {
    throw new Error(`${this.constructor.name} cannot update from a product`);
  }

  /** Applies one update to every parameter that has a gradient. */
  step(): void {
    this.stepCount++;
    this.groups.forEach((group, gi) => {
      group.params.forEach((p, pi) => {
        if (p.grad) this.stepParameter(gi, pi);
      });
    });
  }

  /**
   * Updates parameter `index` of group `group` from its `.grad`, as step() does for each (for
   * stepping parameters one at a time during backward, see optim/in-backward.ts).
   */
  stepParameter(group: number, index: number): void {
    const g = this.groups[group]!;
    const p = g.params[index]!;
    const st = this.state[group]![index]!;
    st.step++;
    this.update(p.data, p.grad!.data, st, g.hyper);
  }

  /**
   * stepParameter, with the gradient given as a product op(A)·B that is never stored; returns
   * false, changing nothing, when this optimizer cannot take it (then store it and call stepParameter).
   */
  stepParameterFromProduct(group: number, index: number, product: GradProduct): boolean {
    const g = this.groups[group]!;
    if (!this.takesProducts(g.hyper)) return false;
    const st = this.state[group]![index]!;
    st.step++;
    this.updateFromProduct(g.params[index]!.data, product, st, g.hyper);
    return true;
  }

  /** A zero buffer of the parameter's size, created on first use. */
  protected buffer(state: ParamState, name: string, like: FloatArray): FloatArray {
    let b = state.buffers[name];
    if (!b) {
      b = like instanceof Float64Array ? new Float64Array(like.length) : persistentFloat32(like.length);
      state.buffers[name] = b;
    }
    return b;
  }

  /** Plain-data snapshot (copies), enough to resume exactly. */
  stateDict(): OptimizerState<H> {
    return {
      step: this.stepCount,
      groups: this.groups.map((g) => ({ ...g.hyper })),
      state: this.state.map((gs) => gs.map((s) => ({ step: s.step, buffers: Object.fromEntries(Object.entries(s.buffers).map(([k, v]) => [k, v.slice()])) }))),
    };
  }

  /**
   * Proves a state dict (possibly read from a file) fits this optimizer, changing nothing: its
   * groups and parameters match in number; every hyper-parameter is there, of the right type and
   * range; step counts are integers; each parameter's buffers are exactly the ones this optimizer
   * keeps (none before its first update), each of its parameter's size and dtype. Throws a
   * FieldError naming the field under `where`.
   */
  checkStateDict(sd: unknown, where = "optimizer state"): OptimizerState<H> {
    const top = record(where, sd, ["step", "groups", "state"]);
    const step = integer(`${where}.step`, top.step, 0);
    const groups = array(`${where}.groups`, top.groups);
    const state = array(`${where}.state`, top.state);
    const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
    for (const [path, list] of [[`${where}.groups`, groups], [`${where}.state`, state]] as const) {
      if (list.length !== this.groups.length) {
        throw new FieldError(`${path} has ${count(list.length, "parameter group")}, but this ${this.constructor.name} has ${this.groups.length}`);
      }
    }
    const checks = this.hyperChecks();
    const hypers = groups.map((g, i) => {
      const path = `${where}.groups[${i}]`;
      const r = record(path, g, Object.keys(checks));
      for (const [k, check] of Object.entries(checks)) check(`${path}.${k}`, r[k]);
      const h = Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Array.isArray(v) ? [...v] : v])) as H;
      try {
        this.validate(h); // rules between fields, e.g. Nesterov needs momentum
      } catch (e) {
        throw new FieldError(`${path}: ${(e as Error).message}`);
      }
      return h;
    });
    const params = state.map((gs, i) => {
      const own = this.groups[i]!.params;
      const list = array(`${where}.state[${i}]`, gs);
      if (list.length !== own.length) {
        throw new FieldError(`${where}.state[${i}] has ${count(list.length, "parameter")}, but group ${i} of this ${this.constructor.name} has ${own.length}`);
      }
      const names = this.bufferNames(hypers[i]!);
      return list.map((ps, j): ParamState => {
        const path = `${where}.state[${i}][${j}]`;
        const r = record(path, ps, ["step", "buffers"]);
        const pStep = integer(`${path}.step`, r.step, 0, step);
        const buffers = record(`${path}.buffers`, r.buffers, pStep > 0 ? names : [], pStep > 0 ? [] : names);
        // Buffers are made by a parameter's first update, so none exist at step 0.
        if (pStep === 0 && Object.keys(buffers).length > 0) mustBe(`${path}.buffers`, "empty at step 0 (buffers are made by the first update)", Object.keys(buffers));
        const p = own[j]!.data;
        for (const [k, b] of Object.entries(buffers)) {
          const dtype = p instanceof Float64Array ? "float64" : "float32";
          const ok = (b instanceof Float32Array || b instanceof Float64Array) && (b instanceof Float64Array) === (p instanceof Float64Array);
          if (!ok) mustBe(`${path}.buffers.${k}`, `a ${dtype} array like its parameter`, b);
          if ((b as FloatArray).length !== p.length) {
            throw new FieldError(`${path}.buffers.${k} has ${(b as FloatArray).length} values, but its parameter has ${p.length}`);
          }
        }
        return { step: pStep, buffers: buffers as Record<string, FloatArray> };
      });
    });
    return { step, groups: hypers, state: params };
  }

  /** Takes a state dict's values (copies) once checkStateDict has proven all of it fits; on error nothing is changed. */
  loadStateDict(state: OptimizerState<H>, where = "optimizer state"): void {
    const sd = this.checkStateDict(state, where);
    this.stepCount = sd.step;
    sd.groups.forEach((h, i) => Object.assign(this.groups[i]!.hyper, h));
    // Copies into long-lived kernel memory, where buffer() would have made them.
    const copy = (v: FloatArray): FloatArray => {
      if (v instanceof Float64Array) return v.slice();
      const b = persistentFloat32(v.length);
      b.set(v);
      return b;
    };
    sd.state.forEach((gs, i) => gs.forEach((s, j) => {
      this.state[i]![j] = { step: s.step, buffers: Object.fromEntries(Object.entries(s.buffers).map(([k, v]) => [k, copy(v)])) };
    }));
  }
}
