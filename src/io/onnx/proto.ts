/**
 * ONNX's messages, as plain data, and their encoding. Field numbers are those of onnx/onnx.proto
 * (github.com/onnx/onnx, proto2): only the fields descent writes. Tensors hold float32 values in
 * `raw_data` (little-endian, as the format requires whatever the host's byte order).
 */
import { ProtoMessage } from "./protobuf.js";

/** TensorProto.DataType.FLOAT. */
export const FLOAT = 1;

/** AttributeProto.AttributeType values for the kinds descent writes. */
const ATTRIBUTE_TYPE = { float: 1, int: 2, string: 3, ints: 7, strings: 8 } as const;

export type Attribute =
  | { kind: "float"; value: number }
  | { kind: "int"; value: number }
  | { kind: "string"; value: string }
  | { kind: "ints"; value: readonly number[] }
  | { kind: "strings"; value: readonly string[] };

/** Attribute constructors: attrs({ axis: int(1), epsilon: float(1e-5) }). */
export const int = (value: number): Attribute => ({ kind: "int", value });
export const float = (value: number): Attribute => ({ kind: "float", value });
export const ints = (value: readonly number[]): Attribute => ({ kind: "ints", value });
export const string = (value: string): Attribute => ({ kind: "string", value });
export const strings = (value: readonly string[]): Attribute => ({ kind: "strings", value });

export interface NodeDef {
  op: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attributes: Record<string, Attribute>;
}

export interface TensorDef {
  name: string;
  dims: readonly number[];
  data: Float32Array;
}

/** A float32 tensor value: each dimension a size, or a name for a size chosen at run time ("N"). */
export interface ValueDef {
  name: string;
  dims: readonly (number | string)[];
  doc?: string;
}

export interface GraphDef {
  name: string;
  nodes: NodeDef[];
  initializers: TensorDef[];
  inputs: ValueDef[];
  outputs: ValueDef[];
  doc?: string;
}

export interface ModelDef {
  irVersion: number;
  opset: number;
  producerName: string;
  producerVersion: string;
  doc?: string;
  graph: GraphDef;
  /** metadata_props: key → value, shown by model viewers and readable from ONNX Runtime's session. */
  metadata: Record<string, string>;
}

/** AttributeProto: name 1, f 2, i 3, s 4, ints 8, strings 9, type 20. */
function attribute(name: string, a: Attribute): ProtoMessage {
  const m = new ProtoMessage().string(1, name);
  if (a.kind === "float") m.float(2, a.value);
  else if (a.kind === "int") m.int(3, a.value);
  else if (a.kind === "string") m.string(4, a.value);
  else if (a.kind === "ints") for (const v of a.value) m.int(8, v);
  else for (const v of a.value) m.string(9, v);
  return m.int(20, ATTRIBUTE_TYPE[a.kind]);
}

/** NodeProto: input 1, output 2, name 3, op_type 4, attribute 5 (default domain: ai.onnx). */
function node(n: NodeDef): ProtoMessage {
  const m = new ProtoMessage();
  for (const i of n.inputs) m.string(1, i);
  for (const o of n.outputs) m.string(2, o);
  m.string(3, n.name).string(4, n.op);
  for (const [k, a] of Object.entries(n.attributes)) m.message(5, attribute(k, a));
  return m;
}

/** TensorProto: dims 1, data_type 2, name 8, raw_data 9. */
export function tensor(t: TensorDef): ProtoMessage {
  const m = new ProtoMessage();
  for (const d of t.dims) m.int(1, d);
  const raw = new Uint8Array(t.data.length * 4);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < t.data.length; i++) view.setFloat32(i * 4, t.data[i]!, true);
  return m.int(2, FLOAT).string(8, t.name).bytes(9, raw);
}

/** ValueInfoProto { name 1, type 2: TypeProto { tensor_type 1: { elem_type 1, shape 2: { dim 1: { dim_value 1 | dim_param 2 } } } }, doc_string 3 }. */
function valueInfo(v: ValueDef): ProtoMessage {
  const shape = new ProtoMessage();
  for (const d of v.dims) shape.message(1, typeof d === "number" ? new ProtoMessage().int(1, d) : new ProtoMessage().string(2, d));
  const tensorType = new ProtoMessage().int(1, FLOAT).message(2, shape);
  const m = new ProtoMessage().string(1, v.name).message(2, new ProtoMessage().message(1, tensorType));
  if (v.doc) m.string(3, v.doc);
  return m;
}

/** GraphProto: node 1, name 2, initializer 5, doc_string 10, input 11, output 12. */
function graph(g: GraphDef): ProtoMessage {
  const m = new ProtoMessage();
  for (const n of g.nodes) m.message(1, node(n));
  m.string(2, g.name);
  for (const t of g.initializers) m.message(5, tensor(t));
  if (g.doc) m.string(10, g.doc);
  for (const v of g.inputs) m.message(11, valueInfo(v));
  for (const v of g.outputs) m.message(12, valueInfo(v));
  return m;
}

/**
 * ModelProto: ir_version 1, producer_name 2, producer_version 3, doc_string 6, graph 7,
 * opset_import 8 (OperatorSetIdProto { domain 1, version 2 }: the default domain, ai.onnx),
 * metadata_props 14 (StringStringEntryProto { key 1, value 2 }).
 */
export function encodeModelProto(model: ModelDef): Uint8Array {
  const m = new ProtoMessage()
    .int(1, model.irVersion)
    .string(2, model.producerName)
    .string(3, model.producerVersion);
  if (model.doc) m.string(6, model.doc);
  m.message(7, graph(model.graph));
  m.message(8, new ProtoMessage().string(1, "").int(2, model.opset));
  for (const [key, value] of Object.entries(model.metadata)) m.message(14, new ProtoMessage().string(1, key).string(2, value));
  return m.finish();
}
