/**
 * The protobuf writer and ONNX's messages, against bytes written by hand from the wire-format spec
 * (protobuf.dev/programming-guides/encoding — its own examples first) and onnx/onnx.proto's field
 * numbers. A tag is (field << 3) | wire type: 0 varint, 2 length-delimited, 5 fixed32.
 */
import { describe, expect, test } from "vitest";
import { ProtoMessage, varint } from "../src/io/onnx/protobuf.js";
import { encodeModelProto, tensor } from "../src/io/onnx/proto.js";

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(" ");
/** "08 96 01" → its bytes; text after # on a line is a comment. */
const bytes = (s: string) => s.split("\n").map((l) => l.replace(/#.*/, "")).join(" ").trim().split(/\s+/).join(" ");

describe("varints", () => {
  test("the spec's examples: 1, 150, 300; zero; and the largest safe integer", () => {
    expect(hex(varint(1))).toBe("01");
    expect(hex(varint(150))).toBe("96 01");
    expect(hex(varint(300))).toBe("ac 02");
    expect(hex(varint(0))).toBe("00");
    // 2^53 − 1: 53 one-bits → seven groups of 7 and one of 4.
    expect(hex(varint(2 ** 53 - 1))).toBe("ff ff ff ff ff ff ff 0f");
  });

  test("a negative int32/int64 is its 64-bit two's complement: ten bytes", () => {
    expect(hex(varint(-1))).toBe("ff ff ff ff ff ff ff ff ff 01");
    expect(hex(varint(-2))).toBe("fe ff ff ff ff ff ff ff ff 01");
  });

  test("an unsafe or fractional number is refused rather than rounded", () => {
    expect(() => varint(2 ** 53)).toThrow(RangeError);
    expect(() => varint(0.5)).toThrow(RangeError);
  });
});

describe("fields", () => {
  test("the spec's Test1 { int32 a = 1 } with a = 150 is 08 96 01", () => {
    expect(hex(new ProtoMessage().int(1, 150).finish())).toBe("08 96 01");
  });

  test("the spec's Test2 { string b = 2 } with b = \"testing\" is 12 07 74 65 73 74 69 6e 67", () => {
    expect(hex(new ProtoMessage().string(2, "testing").finish())).toBe("12 07 74 65 73 74 69 6e 67");
  });

  test("the spec's Test3 { Test1 c = 3 } embeds Test1: 1a 03 08 96 01", () => {
    const inner = new ProtoMessage().int(1, 150);
    expect(hex(new ProtoMessage().message(3, inner).finish())).toBe("1a 03 08 96 01");
  });

  test("a float is fixed32, little-endian IEEE 754: field 2 = 1.0 is 15 00 00 80 3f; UTF-8 strings count bytes, not characters", () => {
    expect(hex(new ProtoMessage().float(2, 1).finish())).toBe("15 00 00 80 3f");
    expect(hex(new ProtoMessage().string(1, "é").finish())).toBe("0a 02 c3 a9");
  });

  test("a message embedded twice, and its length, are counted once per use", () => {
    const inner = new ProtoMessage().int(1, 1);
    const outer = new ProtoMessage().message(1, inner).message(2, inner);
    expect(outer.length).toBe(8);
    expect(hex(outer.finish())).toBe("0a 02 08 01 12 02 08 01");
  });
});

describe("ONNX messages", () => {
  test("TensorProto: dims 1, data_type 2 (FLOAT = 1), name 8, raw_data 9 in little-endian float32", () => {
    const t = tensor({ name: "w", dims: [2, 1], data: Float32Array.of(1, -2) }).finish();
    expect(hex(t)).toBe(bytes(`
      08 02 08 01          # dims: 2, 1 (repeated, one field each)
      10 01                # data_type FLOAT
      42 01 77             # name "w"
      4a 08 00 00 80 3f 00 00 00 c0   # raw_data: 1.0, -2.0
    `));
  });

  test("a whole ModelProto: one LeakyRelu node with a float attribute, a dynamic batch, the opset and metadata", () => {
    const model = encodeModelProto({
      irVersion: 10, opset: 21, producerName: "d", producerVersion: "1",
      graph: {
        name: "g",
        nodes: [{ op: "LeakyRelu", name: "r", inputs: ["x"], outputs: ["y"], attributes: { alpha: { kind: "float", value: 0.5 } } }],
        initializers: [],
        inputs: [{ name: "x", dims: ["N", 2] }],
        outputs: [{ name: "y", dims: ["N", 2] }],
      },
      metadata: { k: "v" },
    });
    // ValueInfoProto of "x" (and, with 79, of "y"): name 1, type 2 → TypeProto.tensor_type 1 →
    // elem_type 1 = FLOAT, shape 2 → dim 1 { dim_param 2 "N" }, dim 1 { dim_value 1 = 2 }.
    const valueInfo = (name: string) => `
      0a 01 ${name}        # name
      12 0f                # type (15 bytes)
        0a 0d              #   tensor_type (13 bytes)
          08 01            #     elem_type FLOAT
          12 09            #     shape (9 bytes)
            0a 03 12 01 4e #       dim { dim_param "N" }
            0a 02 08 02    #       dim { dim_value 2 }
    `;
    expect(hex(model)).toBe(bytes(`
      08 0a                # ir_version 10
      12 01 64             # producer_name "d"
      1a 01 31             # producer_version "1"
      3a 56                # graph (86 bytes: node 2 + 37, name 3, input 2 + 20, output 2 + 20)
        0a 25              #   node (37 bytes)
          0a 01 78         #     input "x"
          12 01 79         #     output "y"
          1a 01 72         #     name "r"
          22 09 4c 65 61 6b 79 52 65 6c 75   # op_type "LeakyRelu"
          2a 0f            #     attribute (15 bytes)
            0a 05 61 6c 70 68 61   # name "alpha"
            15 00 00 00 3f         # f 0.5
            a0 01 01               # type (field 20: tag a0 01) FLOAT = 1
        12 01 67           #   name "g"
        5a 14              #   input (field 11, 20 bytes)
          ${valueInfo("78")}
        62 14              #   output (field 12, 20 bytes)
          ${valueInfo("79")}
      42 04 0a 00 10 15    # opset_import { domain "", version 21 }
      72 06 0a 01 6b 12 01 76   # metadata_props { key "k", value "v" }
    `));
  });

  test("a strings attribute (an RNN's activations): each value a field 9, type STRINGS = 8", () => {
    const model = encodeModelProto({
      irVersion: 10, opset: 21, producerName: "d", producerVersion: "1",
      graph: {
        name: "g",
        nodes: [{ op: "RNN", name: "r", inputs: ["x"], outputs: ["y"], attributes: { activations: { kind: "strings", value: ["Relu", "Tanh"] } } }],
        initializers: [], inputs: [], outputs: [],
      },
      metadata: {},
    });
    expect(hex(model)).toContain(bytes(`
      2a 1c                # attribute (28 bytes)
        0a 0b 61 63 74 69 76 61 74 69 6f 6e 73   # name "activations"
        4a 04 52 65 6c 75  # strings "Relu"
        4a 04 54 61 6e 68  # strings "Tanh"
        a0 01 08           # type STRINGS = 8
    `));
  });
});
