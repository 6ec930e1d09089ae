/**
 * Random-generator states read from files. Oracle: the generator itself — a state taken and
 * restored continues the same stream — and the well-formedness rules of src/rng.ts checkRngState
 * written out by hand (4 words in [0, 2^32), not all zero, seed in range, path a string).
 */
import { describe, expect, test } from "vitest";
import { checkRngState, Rng } from "../src/rng.js";
import { ModelFileError } from "../src/errors.js";
import { expectThrows } from "./helpers.js";

describe("rng states", () => {
  test("a state restored (or rebuilt with fromState) continues the same stream", () => {
    const r = new Rng(9).fork("shuffle");
    r.nextU32();
    const st = r.state();
    const expected = [r.nextU32(), r.nextU32(), r.nextU32()];
    const again = new Rng(9).fork("shuffle");
    again.restore(st);
    expect([again.nextU32(), again.nextU32(), again.nextU32()]).toEqual(expected);
    const rebuilt = Rng.fromState(st);
    expect([rebuilt.nextU32(), rebuilt.nextU32(), rebuilt.nextU32()]).toEqual(expected);
  });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const bad: [string, any, string][] = [
    ["null", null, "rng state must be an object {seed, path, s}, found null"],
    ["an extra field", { seed: 1, path: "", s: [1, 2, 3, 4], x: 1 }, 'rng state has an unknown field "x"'],
    ["no path", { seed: 1, s: [1, 2, 3, 4] }, "rng state.path is missing"],
    ["a path of a number", { seed: 1, path: 3, s: [1, 2, 3, 4] }, "rng state.path must be a string of at most 1000 characters, found 3"],
    ["a seed of 2^32", { seed: 2 ** 32, path: "", s: [1, 2, 3, 4] }, "rng state.seed must be an integer in [0, 4294967295], found 4294967296"],
    ["s a string", { seed: 1, path: "", s: "1,2,3,4" }, 'rng state.s must be an array of 4 integers, found "1,2,3,4"'],
    ["five words", { seed: 1, path: "", s: [1, 2, 3, 4, 5] }, "rng state.s must hold 4 integers, found 5"],
    ["a word of 2^32", { seed: 1, path: "", s: [1, 2, 2 ** 32, 4] }, "rng state.s[2] must be an integer in [0, 4294967295], found 4294967296"],
    ["a word of a string", { seed: 1, path: "", s: [1, "2", 3, 4] }, 'rng state.s[1] must be an integer in [0, 4294967295], found "2"'],
    // xoshiro's all-zero state is a fixed point: normal() would loop forever drawing zeros.
    ["all zero", { seed: 1, path: "", s: [0, 0, 0, 0] }, "rng state.s is all zero, a state xoshiro128** never reaches"],
  ];
  test.each(bad)("refused: %s (checkRngState, restore and fromState alike)", (_, st, message) => {
    expectThrows(ModelFileError, () => checkRngState(st), message);
    const r = new Rng(1);
    const before = r.state();
    expectThrows(ModelFileError, () => r.restore(st), message);
    expect(r.state()).toEqual(before);
    expectThrows(ModelFileError, () => Rng.fromState(st), message);
  });

  test("checkRngState names the field under the caller's path", () => {
    expectThrows(ModelFileError, () => checkRngState({ seed: 1, path: "", s: [0, 0, 0, -1] }, "rngs[2]"), "rngs[2].s[3] must be an integer in [0, 4294967295], found -1");
  });
});
