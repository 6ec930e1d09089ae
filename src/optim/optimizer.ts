/**
 * Optimizer base: parameter groups with their own hyper-parameters, per-parameter state as plain
 * records of typed arrays, and the update itself delegated to a fused kernel per parameter.
 */
import type { Tensor } from "../tensor.js";
import type { FloatArray } from "../kernels/types.js";
import { persistentFloat32 } from "../memory.js";

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

  /** Applies one update to every parameter that has a gradient. */
  step(): void {
    this.stepCount++;
    this.groups.forEach((group, gi) => {
      group.params.forEach((p, pi) => {
        if (!p.grad) return;
        const st = this.state[gi]![pi]!;
        st.step++;
        this.update(p.data, p.grad.data, st, group.hyper);
      });
    });
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

  loadStateDict(sd: OptimizerState<H>): void {
    if (sd.state.length !== this.groups.length || sd.state.some((gs, i) => gs.length !== this.groups[i]!.params.length)) {
      throw new RangeError(`${this.constructor.name}.loadStateDict: parameter groups do not match this optimizer`);
    }
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
