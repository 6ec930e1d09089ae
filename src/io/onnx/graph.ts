/**
 * The graph an export builds: nodes in execution order, initializers (the weights), and the names
 * of the values between them. What a layer's row in layers.ts sees of it is OnnxLayerContext.
 */
import type { LayerSpec, Module } from "../../nn/module.js";
import type { Tensor } from "../../tensor.js";
import { DescentError } from "../../errors.js";
import { quoted } from "../../text.js";
import type { Attribute, NodeDef, TensorDef } from "./proto.js";

/** A model descent cannot express in ONNX (a layer without a mapping, an option ONNX lacks). */
export class ExportError extends DescentError {
  override name = "ExportError";
}

/** What one layer's row of the export table sees: its spec, its tensors, and the graph to append to. */
export interface OnnxLayerContext {
  readonly spec: LayerSpec;
  /** Where the layer sits in the model, as its tensors are named ("layers.2"; "" for the model itself). */
  readonly path: string;
  /**
   * The shape of one example arriving at the layer ([features], [steps, features], [C, H, W]), as a
   * zero example through the model in eval mode met it; undefined for a layer that example did not
   * reach. Rows whose operators depend on the rank read it (Gemm takes only [N, features]).
   */
  readonly inputShape: readonly number[] | undefined;
  /** Whether the layer has the tensor `key` (a Linear without bias has no "bias"). */
  has(key: string): boolean;
  /** The initializer holding the layer's tensor `key`, named as in the model file ("layers.2.weight"). */
  weight(key: string): string;
  /** The layer's tensor `key` itself, for rows that rearrange weights before storing them (e.g. LSTM's gate order). */
  tensor(key: string): Tensor;
  /** A new initializer named `${path}.${key}`: weights derived from the layer's own. */
  constant(key: string, data: Float32Array, dims: readonly number[]): string;
  /** Appends a node of the default (ai.onnx) domain; returns the name of its first output. */
  node(op: string, inputs: string[], attributes?: Record<string, Attribute>): string;
  /** Appends a node with several outputs (LSTM: Y, Y_h, Y_c); returns their names. */
  nodeOutputs(op: string, inputs: string[], attributes: Record<string, Attribute>, outputs: number): string[];
  /** The names of the layer's child modules (containers), in order. */
  children(): string[];
  /** Exports the child module `name` (Sequential's "layers.0", Residual's "body") on `x`; returns its output. */
  child(name: string, x: string): string;
  /** Refuses the export, naming the layer. */
  fail(why: string): never;
}

/** One row of the export table: appends the nodes computing the layer on `x` and returns the name of its output. */
export type OnnxLayer = (x: string, c: OnnxLayerContext) => string;

export class OnnxGraph {
  readonly nodes: NodeDef[] = [];
  readonly initializers: TensorDef[] = [];
  private readonly names = new Set<string>();

  /** `shapes`: each module's input shape (one example), from a traced forward (export.ts). */
  constructor(private readonly table: ReadonlyMap<string, OnnxLayer>, private readonly shapes: ReadonlyMap<Module, readonly number[]> = new Map()) {}

  /** `base`, or `base_2`, `base_3`… when taken. Every value and node name in the graph is unique. */
  fresh(base: string): string {
    let name = base;
    for (let i = 2; this.names.has(name); i++) name = `${base}_${i}`;
    this.names.add(name);
    return name;
  }

  constant(name: string, data: Float32Array, dims: readonly number[]): string {
    const unique = this.fresh(name);
    this.initializers.push({ name: unique, dims, data });
    return unique;
  }

  /** Appends a node named `${path}/${op}`; its outputs take the node's name (and ":1", ":2"… for the others). */
  node(path: string, op: string, inputs: string[], attributes: Record<string, Attribute> = {}, outputs = 1): string[] {
    const name = this.fresh(path ? `${path}/${op}` : op);
    const outs = Array.from({ length: outputs }, (_, i) => (i === 0 ? name : this.fresh(`${name}:${i}`)));
    this.nodes.push({ op, name, inputs, outputs: outs, attributes });
    return outs;
  }

  /** Exports `module` (found at `path`) on the value `x` through its row of the table. */
  layer(module: Module, path: string, x: string): string {
    const spec = module.spec();
    const fail = (why: string): never => {
      throw new ExportError(`layer ${quoted(path || "model")} (${quoted(spec.type)}): ${why}`);
    };
    const row = this.table.get(spec.type);
    if (!row) {
      fail(`has no ONNX mapping — descent exports ${[...this.table.keys()].join(", ")}; ` +
        `for a layer of your own, add its row with registerOnnxLayer(${JSON.stringify(spec.type)}, (x, c) => c.node(…))`);
    }
    const state = module.stateDict();
    const own = (key: string): Tensor => {
      const t = Object.hasOwn(state, key) ? state[key] : undefined;
      if (!t) return fail(`has no tensor ${quoted(key)}`);
      return t;
    };
    const children = new Map(module.namedChildren());
    const at = (key: string) => (path ? `${path}.${key}` : key);
    const context: OnnxLayerContext = {
      spec, path, fail,
      inputShape: this.shapes.get(module),
      has: (key) => Object.hasOwn(state, key),
      tensor: own,
      weight: (key) => {
        const t = own(key);
        return this.constant(at(key), t.data instanceof Float32Array ? t.data : Float32Array.from(t.data), t.shape);
      },
      constant: (key, data, dims) => this.constant(at(key), data, dims),
      node: (op, inputs, attributes = {}) => this.node(path, op, inputs, attributes)[0]!,
      nodeOutputs: (op, inputs, attributes, outputs) => this.node(path, op, inputs, attributes, outputs),
      children: () => [...children.keys()],
      child: (name, input) => {
        const m = children.get(name);
        if (!m) return fail(`has no child layer ${quoted(name)}`);
        return this.layer(m, at(name), input);
      },
    };
    return row!(x, context);
  }
}
