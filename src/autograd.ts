/**
 * Reverse-mode, define-by-run autodiff. Each op records a node {inputs, vjp} on its output when
 * any input requires a gradient; `backward` walks those nodes once in reverse topological order.
 */
import { Tensor } from "./tensor.js";
import { kernelsFor, type FloatArray } from "./kernels/index.js";
import { persistentFloat32 } from "./memory.js";
import { fmt, sameShape } from "./shape.js";

/**
 * A matrix product op(A)·B with gemm's operands (transB = false): A is [m,k] (stored [k,m] when
 * transA), B is [k,n] → [m,n].
 */
export interface GradProduct {
  a: FloatArray;
  b: FloatArray;
  m: number;
  k: number;
  n: number;
  transA: boolean;
}

/**
 * Hooks for one backward pass. PyTorch's post-accumulate-grad hook, given per call instead of per
 * tensor so they live exactly as long as the pass that needs them.
 */
export interface BackwardHooks {
  /**
   * Called once per leaf that received a gradient, as soon as that gradient is complete in
   * `leaf.grad` (every op that reads the leaf has run its vjp, so the hook may change the leaf's
   * values, e.g. an optimizer may step it).
   */
  postAccumulateGrad?(leaf: Tensor): void;
  /**
   * The same moment, offered earlier: when an op holds a parameter's whole gradient for this pass
   * (the op is its only use and it has no gradient yet) as one product, the op offers that product
   * before storing it. Return true to consume it: the leaf then gets no `.grad` and no
   * postAccumulateGrad call. Return false and it is stored as usual.
   */
  takeGradProduct?(leaf: Tensor, product: GradProduct): boolean;
}

/**
 * Where an op may write a parameter's gradient directly (its persistent gradient buffer), adding to
 * what is there when `accumulate`, instead of returning a new tensor for the engine to copy.
 */
export interface GradSink {
  data: FloatArray;
  accumulate: boolean;
  /**
   * An op that computes the gradient as one product offers it here first: true means a
   * takeGradProduct hook took it (return TAKEN for that input), false means store it. Only when
   * this op's contribution is the parameter's whole gradient (see BackwardHooks.takeGradProduct).
   */
  takeProduct(product: GradProduct): boolean;
}

/** Returned by a vjp for an input whose gradient it wrote into that input's sink. */
export const SUNK = Symbol("gradient written to its sink");

/** Returned by a vjp for an input whose gradient a hook took as a product (sink.takeProduct): it gets none. */
export const TAKEN = Symbol("gradient taken by a hook");

/**
 * Vector–Jacobian product: given ∂L/∂output, the ∂L/∂input for each input (null = no gradient).
 * `sinks[i]`, when given, offers a buffer to write input i's gradient into (return SUNK for it).
 */
export type Vjp = (g: Tensor, sinks: readonly (GradSink | null)[] | null) => readonly (Tensor | null | typeof SUNK | typeof TAKEN)[];

export interface GradNode {
  readonly op: string;
  readonly inputs: readonly Tensor[];
  readonly vjp: Vjp;
}

let gradEnabled = true;

/** Runs `fn` without recording the graph (evaluation, optimizer updates). */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

export const isGradEnabled = (): boolean => gradEnabled;

// Each backward pass gets a number; a tensor's `visit` field holds the last pass that reached it
// (a plain field: WeakMap/Set lookups cost more than the tiny ops of batch-10 training).
let pass = 0;

/**
 * Tensors reachable from `root`, inputs before the ops that use them; each one's `reads` counts
 * the ops among them that read it (each op's inputs are walked once).
 */
function topoOrder(root: Tensor, id: number): Tensor[] {
  const order: Tensor[] = [];
  const stack: { t: Tensor; next: number }[] = [{ t: root, next: 0 }];
  root.visit = id;
  root.reads = 0;
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const inputs = top.t.node?.inputs ?? [];
    if (top.next < inputs.length) {
      const child = inputs[top.next++]!;
      if (!child.requiresGrad) continue;
      if (child.visit === id) {
        child.reads++;
      } else {
        child.visit = id;
        child.reads = 1;
        stack.push({ t: child, next: 0 });
      }
    } else {
      order.push(top.t);
      stack.pop();
    }
  }
  return order;
}

/**
 * Accumulates ∂root/∂leaf into every leaf's `.grad` (leaves: requiresGrad tensors made by the user,
 * e.g. parameters). Intermediate gradients are not kept. `hooks` see each leaf's gradient once it
 * is complete (see BackwardHooks).
 */
export function backward(root: Tensor, seed: Tensor, hooks: BackwardHooks = {}): void {
  const id = ++pass;
  const order = topoOrder(root, id);
  const acc = new Map<Tensor, Tensor>();
  acc.set(root, seed);
  // Leaves whose gradient ops wrote straight into their buffers (kept only for postAccumulateGrad;
  // a few parameters, so an array beats a Set).
  const sunk: Tensor[] | null = hooks.postAccumulateGrad ? [] : null;
  // A gradient tensor may be shared between inputs (add passes g to both sides); leaves get their
  // own copy so in-place edits of one .grad (clipping, penalties) never leak into another.
  const owned = new Set<unknown>([seed.data]); // the caller's seed is theirs, never a .grad
  noGrad(() => {
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i]!;
      const g = acc.get(t);
      if (!g) {
        // Every op reading t has run (reverse topological order): its gradient is complete.
        if (sunk?.includes(t)) hooks.postAccumulateGrad!(t);
        continue;
      }
      acc.delete(t);
      if (!sameShape(g.shape, t.shape)) {
        throw new Error(`autograd: gradient of shape ${fmt(g.shape)} for a tensor of shape ${fmt(t.shape)} (op ${t.node?.op ?? "leaf"})`);
      }
      if (t.node) {
        const inputs = t.node.inputs;
        const sinks = sinksFor(inputs, hooks);
        const grads = t.node.vjp(g, sinks);
        for (let j = 0; j < inputs.length; j++) {
          const x = inputs[j]!;
          const gx = grads[j];
          if (gx === SUNK) {
            x.grad = x.gradStore;
            sunk?.push(x);
            continue;
          }
          if (gx === TAKEN || !gx || !x.requiresGrad) continue;
          const prev = acc.get(x);
          acc.set(x, prev ? prev.add(gx) : gx);
        }
        continue;
      }
      if (t.keepsGrad) {
        const store = gradStore(t);
        if (t.grad === store) kernelsFor(store.data).binary.add(store.data, [1], g.data, [1], store.data, [store.size]);
        else store.data.set(g.data);
        t.grad = store;
      } else if (t.grad) {
        const out = t.grad.data;
        kernelsFor(out).binary.add(out, [1], g.data, [1], out, [out.length]);
      } else {
        t.grad = owned.has(g.data) ? g.clone() : g;
        owned.add(g.data);
      }
      hooks.postAccumulateGrad?.(t);
    }
  });
}

/** A parameter's gradient buffer, created on first use in persistent memory. */
function gradStore(t: Tensor): Tensor {
  if (!t.gradStore) {
    const data = t.dtype === "float64" ? new Float64Array(t.size) : persistentFloat32(t.size);
    t.gradStore = new Tensor(data, t.shape);
  }
  return t.gradStore;
}

/** A parameter's sink; it offers products only when the op is the parameter's one reader and it has no gradient yet. */
class ParameterSink implements GradSink {
  constructor(readonly data: FloatArray, readonly accumulate: boolean, private readonly leaf: Tensor, private readonly hooks: BackwardHooks) {}

  takeProduct(product: GradProduct): boolean {
    const take = this.hooks.takeGradProduct;
    return take !== undefined && this.leaf.reads === 1 && this.leaf.grad === null && take(this.leaf, product);
  }
}

/** Sinks for the parameters among an op's inputs (each parameter gets at most one per op). */
function sinksFor(inputs: readonly Tensor[], hooks: BackwardHooks): (GradSink | null)[] | null {
  let sinks: (GradSink | null)[] | null = null;
  for (let j = 0; j < inputs.length; j++) {
    const x = inputs[j]!;
    if (!x.keepsGrad || !x.requiresGrad || x.node || inputs.indexOf(x) !== j) continue;
    sinks ??= inputs.map(() => null);
    const store = gradStore(x);
    sinks[j] = new ParameterSink(store.data, x.grad === store, x, hooks);
  }
  return sinks;
}

export type { FloatArray };
