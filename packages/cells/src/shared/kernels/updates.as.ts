/**
 * AssemblyScript (WebAssembly SIMD): the optimizer updates and gradient clipping of the training loop
 * (packages/training/src/optimizers), elementwise over one parameter's n values, four at a time. Every
 * scalar is f32, computed as the tfjs path computes it (the same operations in the same order), so both
 * paths agree to rounding. `scale` multiplies the gradient first: the global-norm clipping factor
 * min(maxNorm / ‖g‖₂, 1), or 1.
 *
 *   sumOfSquares:  Σ g²                                   accumulated in f64 (the global norm is √ of the sum over parameters)
 *   clipValues:    g ← clamp(g, −limit, limit)
 *   adamUpdate:    m ← β₁ᵏ m + (1 − β₁) g        v ← β₂ᵏ v + (1 − β₂) g²
 *                  θ ← θ − η · (m / c₁) / (√(v / c₂) + ε)        c₁ = 1 − β₁ᵗ, c₂ = 1 − β₂ᵗ; β·ᵏ = 0 at a restart
 *   rmspropUpdate: s ← ρ s + (1 − ρ) g²          d = g / (√s + ε)
 *                  b ← μ b + d, θ ← θ − η b     (μ > 0)      or     θ ← θ − η d     (μ = 0)
 *   sgdUpdate:     b ← μ b + g                   θ ← θ − η (g + μ b) (Nesterov) or θ − η b;   μ = 0: θ ← θ − η g
 *
 * Buffers are the host's (16 spare bytes after each), so the last partial vector may be loaded whole;
 * only its real lanes are stored.
 */
import { storeLanes } from './simd.as';

@inline
function ptr(p: usize, i: i32): usize {
  return p + ((<usize>i) << 2);
}

/** Σ g² over n values, summed in f64. */
export function sumOfSquares(n: i32, g: usize): f64 {
  let low = f64x2.splat(0);
  let high = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(ptr(g, i));
    const lo = f64x2.promote_low_f32x4(v);
    const hi = f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1));
    low = f64x2.add(low, f64x2.mul(lo, lo));
    high = f64x2.add(high, f64x2.mul(hi, hi));
  }
  let sum = f64x2.extract_lane(low, 0) + f64x2.extract_lane(low, 1) + f64x2.extract_lane(high, 0) + f64x2.extract_lane(high, 1);
  for (; i < n; i++) {
    const x = <f64>load<f32>(ptr(g, i));
    sum += x * x;
  }
  return sum;
}

/** g ← clamp(g, −limit, limit). */
export function clipValues(n: i32, g: usize, limit: f32): void {
  const low = f32x4.splat(-limit);
  const high = f32x4.splat(limit);
  for (let i = 0; i < n; i += 4) {
    const p = ptr(g, i);
    storeLanes(p, f32x4.min(f32x4.max(v128.load(p), low), high), min(4, n - i));
  }
}

/** Adam over n values; b1k/b2k are β₁/β₂, or 0 at a restart of the moments. */
export function adamUpdate(n: i32, theta: usize, g: usize, m: usize, v: usize, scale: f32, lr: f32, b1k: f32, a1: f32, b2k: f32, a2: f32, c1: f32, c2: f32, eps: f32): void {
  const vs = f32x4.splat(scale);
  const vlr = f32x4.splat(lr);
  const vb1 = f32x4.splat(b1k);
  const va1 = f32x4.splat(a1);
  const vb2 = f32x4.splat(b2k);
  const va2 = f32x4.splat(a2);
  const vc1 = f32x4.splat(c1);
  const vc2 = f32x4.splat(c2);
  const veps = f32x4.splat(eps);
  for (let i = 0; i < n; i += 4) {
    const count = min(4, n - i);
    const grad = f32x4.mul(v128.load(ptr(g, i)), vs);
    const mi = f32x4.add(f32x4.mul(v128.load(ptr(m, i)), vb1), f32x4.mul(grad, va1));
    const vi = f32x4.add(f32x4.mul(v128.load(ptr(v, i)), vb2), f32x4.mul(f32x4.mul(grad, grad), va2));
    const step = f32x4.div(f32x4.div(mi, vc1), f32x4.add(f32x4.sqrt(f32x4.div(vi, vc2)), veps));
    storeLanes(ptr(m, i), mi, count);
    storeLanes(ptr(v, i), vi, count);
    storeLanes(ptr(theta, i), f32x4.sub(v128.load(ptr(theta, i)), f32x4.mul(step, vlr)), count);
  }
}

/** θ ← θ − η·d with the momentum buffer b (μ > 0; b is 0 for μ = 0), as stepWithMomentum in optimizer.ts. */
@inline
function stepWithMomentum(theta: usize, b: usize, i: i32, count: i32, d: v128, vlr: v128, momentum: v128, nesterov: bool): void {
  let direction = d;
  if (b) {
    const bi = f32x4.add(f32x4.mul(v128.load(ptr(b, i)), momentum), d);
    storeLanes(ptr(b, i), bi, count);
    direction = nesterov ? f32x4.add(d, f32x4.mul(bi, momentum)) : bi;
  }
  storeLanes(ptr(theta, i), f32x4.sub(v128.load(ptr(theta, i)), f32x4.mul(direction, vlr)), count);
}

/** RMSProp over n values; b = 0 when μ = 0. */
export function rmspropUpdate(n: i32, theta: usize, g: usize, s: usize, b: usize, scale: f32, lr: f32, decay: f32, a: f32, eps: f32, momentum: f32): void {
  const vs = f32x4.splat(scale);
  const vlr = f32x4.splat(lr);
  const vdecay = f32x4.splat(decay);
  const va = f32x4.splat(a);
  const veps = f32x4.splat(eps);
  const vmomentum = f32x4.splat(momentum);
  for (let i = 0; i < n; i += 4) {
    const count = min(4, n - i);
    const grad = f32x4.mul(v128.load(ptr(g, i)), vs);
    const si = f32x4.add(f32x4.mul(v128.load(ptr(s, i)), vdecay), f32x4.mul(f32x4.mul(grad, grad), va));
    storeLanes(ptr(s, i), si, count);
    stepWithMomentum(theta, b, i, count, f32x4.div(grad, f32x4.add(f32x4.sqrt(si), veps)), vlr, vmomentum, false);
  }
}

/** SGD over n values; b = 0 when μ = 0. */
export function sgdUpdate(n: i32, theta: usize, g: usize, b: usize, scale: f32, lr: f32, momentum: f32, nesterov: bool): void {
  const vs = f32x4.splat(scale);
  const vlr = f32x4.splat(lr);
  const vmomentum = f32x4.splat(momentum);
  for (let i = 0; i < n; i += 4) {
    stepWithMomentum(theta, b, i, min(4, n - i), f32x4.mul(v128.load(ptr(g, i)), vs), vlr, vmomentum, nesterov);
  }
}
