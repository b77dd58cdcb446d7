/**
 * AssemblyScript (compiled to WebAssembly by scripts/build-kernels.mjs, never by tsc): the vector helpers
 * every kernel shares. One f32x4 lane per value; `madd` is a fused multiply-add where the module was
 * built with relaxed SIMD (the runtime picks that build when it validates), else a multiply and an add.
 *
 * Activations, each on four values at once:
 *   exp(x)     Cephes' expf: x clamped to [−87, 88], n = round(x·log₂e), r = x − n·ln2 (two-part ln2),
 *              exp(r) ≈ 1 + r + r²·p(r) (degree-5 p), times 2ⁿ built in the exponent bits; ≤ 2 ulp.
 *   σ(x)       1 / (1 + exp(−x))
 *   tanh(x)    2σ(2x) − 1, as the tfjs path computes it (shared/activations.ts)
 */

@inline
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

@inline
export function splat(x: f32): v128 {
  return f32x4.splat(x);
}

@inline
export function expv(x: v128): v128 {
  x = f32x4.min(f32x4.max(x, f32x4.splat(-87.0)), f32x4.splat(88.0));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(1.44269504088896341)));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.add(r, f32x4.mul(n, f32x4.splat(2.12194440e-4)));
  let p = madd(f32x4.splat(1.9875691500e-4), r, f32x4.splat(1.3981999507e-3));
  p = madd(p, r, f32x4.splat(8.3334519073e-3));
  p = madd(p, r, f32x4.splat(4.1665795894e-2));
  p = madd(p, r, f32x4.splat(1.6666665459e-1));
  p = madd(p, r, f32x4.splat(5.0000001201e-1));
  p = f32x4.add(madd(p, f32x4.mul(r, r), r), f32x4.splat(1.0));
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(p, scale);
}

@inline
export function sigmoidv(x: v128): v128 {
  const one = f32x4.splat(1.0);
  return f32x4.div(one, f32x4.add(one, expv(f32x4.neg(x))));
}

@inline
export function tanhv(x: v128): v128 {
  const s = sigmoidv(f32x4.add(x, x));
  return f32x4.sub(f32x4.add(s, s), f32x4.splat(1.0));
}

/** x clamped to [−clip, clip] when clip > 0, else x. */
@inline
export function clipv(x: v128, clip: f32): v128 {
  if (clip <= 0) return x;
  return f32x4.min(f32x4.max(x, f32x4.splat(-clip)), f32x4.splat(clip));
}

/** 1 where |x| ≤ clip (the clamp passes the gradient), else 0; all ones when clip ≤ 0. */
@inline
export function inRangev(x: v128, clip: f32): v128 {
  if (clip <= 0) return f32x4.splat(1.0);
  const inside = v128.and(f32x4.ge(x, f32x4.splat(-clip)), f32x4.le(x, f32x4.splat(clip)));
  return v128.and(inside, f32x4.splat(1.0));
}

/**
 * Four lanes from p, of which only `count` (1–4) are real: loads never fault here (the host lays every
 * buffer out with 16 spare bytes after it), and storeLanes writes only the real lanes.
 */
@inline
export function load4(p: usize): v128 {
  return v128.load(p);
}

@inline
export function storeLanes(p: usize, v: v128, count: i32): void {
  if (count >= 4) {
    v128.store(p, v);
    return;
  }
  v128.store32_lane(p, v, 0);
  if (count > 1) v128.store32_lane(p, v, 1, 4);
  if (count > 2) v128.store32_lane(p, v, 2, 8);
}

/** The byte address of value i of the f32 buffer at p. */
@inline
export function at(p: usize, i: i32): usize {
  return p + ((<usize>i) << 2);
}

/** Whether row `row` of a 0/1 mask is a real step (no mask: every step is). */
@inline
export function isReal(mask: usize, row: i32): bool {
  return !mask || load<f32>(at(mask, row)) != 0;
}
