/**
 * The one source of randomness: xoshiro128** (Blackman & Vigna 2018), seeded through splitmix32.
 * Streams are forked by name from the seed (not from the current state), so the init stream does
 * not change when, say, the shuffle stream draws more numbers.
 */
import { array, FieldError, integer, record, string } from "./io/fields.js";

/** splitmix32 step: a well-mixed 32-bit value from a 32-bit counter. */
function splitmix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  let z = x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** FNV-1a over a string's UTF-16 code units: turns a stream name into 32 bits. */
function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const TWO_POW_32 = 4294967296;

/** Plain-data snapshot of a generator, enough to resume it exactly. */
export interface RngState {
  seed: number;
  path: string;
  s: [number, number, number, number];
}

/**
 * Proves a state read from a file well-formed before a generator takes it: seed and four state
 * words integers in [0, 2^32), the path a string, the words not all zero (xoshiro's all-zero state
 * is a fixed point: it would draw 0 forever, and normal() would loop forever). Throws a FieldError
 * naming the field under `where`.
 */
export function checkRngState(v: unknown, where = "rng state"): RngState {
  const st = record(where, v, ["seed", "path", "s"]);
  const seed = integer(`${where}.seed`, st.seed, 0, 0xffffffff);
  const path = string(`${where}.path`, st.path);
  const words = array(`${where}.s`, st.s, "an array of 4 integers");
  if (words.length !== 4) throw new FieldError(`${where}.s must hold 4 integers, found ${words.length}`);
  const s = words.map((w, i) => integer(`${where}.s[${i}]`, w, 0, 0xffffffff)) as RngState["s"];
  if (s.every((w) => w === 0)) throw new FieldError(`${where}.s is all zero, a state xoshiro128** never reaches`);
  return { seed, path, s };
}

export class Rng {
  private readonly s = new Uint32Array(4);
  /** The seed this generator (or its root, for forks) was made from. */
  readonly seed: number;
  /** Fork names from the root, joined by "/" ("" for the root). */
  readonly path: string;

  constructor(seed: number = 0, path = "") {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`Rng: seed must be an integer in [0, 2^32), got ${seed}`);
    }
    this.seed = seed;
    this.path = path;
    let x = (seed ^ hashString(path)) >>> 0;
    for (let i = 0; i < 4; i++) {
      x = splitmix32(x + i * 0x632be5ab);
      this.s[i] = x;
    }
    // xoshiro's state must not be all zero.
    if ((this.s[0]! | this.s[1]! | this.s[2]! | this.s[3]!) === 0) this.s[0] = 1;
  }

  /** An independent stream named `name`; the same seed and name always give the same stream. */
  fork(name: string): Rng {
    return new Rng(this.seed, this.path ? `${this.path}/${name}` : name);
  }

  /** Next 32 random bits as an unsigned integer. */
  nextU32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = s[1]! << 9;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** Standard normal N(0, 1) by the Box–Muller transform (one value per call keeps state simple). */
  normal(): number {
    let u = this.uniform();
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Integer in [0, n), unbiased: draws below the largest multiple of n are kept, then reduced. */
  int(n: number): number {
    if (!(n > 0 && n <= TWO_POW_32 && Number.isInteger(n))) throw new RangeError(`Rng.int: bad bound ${n}`);
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    for (;;) {
      const x = this.nextU32();
      if (x < limit) return x % n;
    }
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = a[i];
      a[i] = a[j];
      a[j] = tmp;
    }
    return a;
  }

  /** A permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }

  state(): RngState {
    return { seed: this.seed, path: this.path, s: [this.s[0]!, this.s[1]!, this.s[2]!, this.s[3]!] };
  }

  /** Puts this generator back to a state it (the same seed and stream) was in before; the state is checked first (see checkRngState). */
  restore(state: RngState): void {
    const st = checkRngState(state);
    if (st.seed !== this.seed || st.path !== this.path) {
      throw new RangeError(`Rng.restore: state of stream "${st.path}" (seed ${st.seed}) given to stream "${this.path}" (seed ${this.seed})`);
    }
    this.s.set(st.s);
  }

  static fromState(state: RngState): Rng {
    const st = checkRngState(state);
    const r = new Rng(st.seed, st.path);
    r.s.set(st.s);
    return r;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
