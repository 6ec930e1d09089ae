/**
 * CRC-32 as zlib, gzip and PNG compute it (IEEE 802.3: reflected polynomial 0xEDB88320, initial
 * value and final xor 0xFFFFFFFF). It catches every error burst up to 32 bits, so any one damaged
 * byte — the checksum in model files and checkpoints exists for disk, copy and download damage,
 * not against someone forging a file.
 *
 * Slicing-by-8 (Intel's method): eight 256-entry tables let one step fold in eight bytes.
 */

const TABLES = makeTables();

function makeTables(): Int32Array[] {
  const t0 = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t0[n] = c;
  }
  const tables = [t0];
  for (let k = 1; k < 8; k++) {
    const prev = tables[k - 1]!;
    tables.push(prev.map((c) => (c >>> 8) ^ t0[c & 0xff]!));
  }
  return tables;
}

/** CRC-32 of `bytes`; pass the CRC of what came before to continue it (crc32(b, crc32(a)) = crc32(a ‖ b)), as zlib's crc32(data, value). */
export function crc32(bytes: Uint8Array, previous = 0): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = TABLES as [Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array];
  let c = ~previous;
  const n = bytes.length;
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const a = c ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
    const b = bytes[i + 4]! | (bytes[i + 5]! << 8) | (bytes[i + 6]! << 16) | (bytes[i + 7]! << 24);
    c = t7[a & 0xff]! ^ t6[(a >>> 8) & 0xff]! ^ t5[(a >>> 16) & 0xff]! ^ t4[a >>> 24]! ^
      t3[b & 0xff]! ^ t2[(b >>> 8) & 0xff]! ^ t1[(b >>> 16) & 0xff]! ^ t0[b >>> 24]!;
  }
  for (; i < n; i++) c = t0[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
