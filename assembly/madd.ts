// The products' multiply-accumulate, compiled two ways from the same sources (tools/build-wasm.mjs):
// the plain binary multiplies then adds (two roundings, the same bits on every engine and CPU); the
// "fma" binary, built with --enable relaxed-simd, uses relaxed_madd, which the engine may fuse
// (one rounding) — on x86 with FMA3 it does. The choice is a compile-time constant: the branch not
// taken is not compiled, so the plain binary is instruction for instruction what it was.

/** acc + x·y per lane. */
// @ts-ignore: decorator
@inline
export function madd(x: v128, y: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(x, y, acc);
  return f32x4.add(acc, f32x4.mul(x, y));
}
