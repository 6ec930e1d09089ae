/**
 * The writing half of the Protocol Buffers wire format (protobuf.dev/programming-guides/encoding),
 * only what ONNX's messages need: varints (int32, int64, enums — negatives as ten-byte two's
 * complement), 32-bit floats (fixed32), and length-delimited strings, bytes and sub-messages.
 * Repeated scalars are written one field per value (proto2's unpacked default, which every parser
 * reads). A message keeps its pieces by reference and is joined once, by `finish`, so a model's
 * weights are copied into the file once, not once per level of nesting.
 */

const VARINT = 0;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;
const utf8 = new TextEncoder();

/** A varint's bytes: 7 bits a byte, low group first, the high bit set on all but the last. */
export function varint(value: number): Uint8Array {
  if (!Number.isSafeInteger(value)) throw new RangeError(`protobuf varint: ${value} is not a safe integer`);
  // Negative int32/int64 values are sign-extended to 64 bits: always ten bytes.
  let v = value < 0 ? BigInt.asUintN(64, BigInt(value)) : BigInt(value);
  const out: number[] = [];
  do {
    const low = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? low | 0x80 : low);
  } while (v > 0n);
  return Uint8Array.from(out);
}

/** One protobuf message being written: fields in the order they are added. */
export class ProtoMessage {
  private readonly pieces: Uint8Array[] = [];
  /** Encoded size so far, in bytes. */
  length = 0;

  private push(bytes: Uint8Array): this {
    this.pieces.push(bytes);
    this.length += bytes.length;
    return this;
  }

  private tag(field: number, wireType: number): this {
    return this.push(varint(field * 8 + wireType));
  }

  /** An int32, int64 or enum field. */
  int(field: number, value: number): this {
    return this.tag(field, VARINT).push(varint(value));
  }

  /** A float field (IEEE 754 single, little-endian). */
  float(field: number, value: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    return this.tag(field, FIXED32).push(b);
  }

  /** A bytes field. */
  bytes(field: number, value: Uint8Array): this {
    return this.tag(field, LENGTH_DELIMITED).push(varint(value.length)).push(value);
  }

  /** A string field (UTF-8). */
  string(field: number, value: string): this {
    return this.bytes(field, utf8.encode(value));
  }

  /** An embedded message field: its pieces are shared, not copied. */
  message(field: number, m: ProtoMessage): this {
    this.tag(field, LENGTH_DELIMITED).push(varint(m.length));
    for (const p of m.pieces) this.push(p);
    return this;
  }

  /** The encoded message, in one buffer. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const p of this.pieces) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}
