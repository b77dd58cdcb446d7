/**
 * AssemblyScript (WebAssembly SIMD): the leaky-integrator recurrence (integrator.ts, shared by `leaky`
 * and `esn`) over all T steps, forward and backward, for a slice of the batch:
 *
 *   (1) pre = x·Uᵀ + b + h·Rᵀ       (x·Uᵀ + b for all steps comes from `project`)
 *   (2) g   = act(pre)              tanh or relu
 *   (3) h'  = (1 − α) ⊙ h + α ⊙ g   α [H]
 *   backward: dg = dh'·α, dpre = dg·act'(g), dh = dh'·(1 − α) + dpre·R, dα += dh'·(g − h);
 *   the host then takes dx = dPre·U, dU = dPreᵀ·x, dR = dPreᵀ·h_prev, db = Σ_rows dPre.
 *
 * Buffers (f32, rows t·B + b; per-row pointers at the slice's first row, Bs its rows): mask [T·B] or
 * 0; alpha [H]; hs [(T+1)·B, H] the states (hs[0] set by the host); acts [T·B, H] the projection on
 * entry, g on return; y [T·B, H] the outputs, 0 at padded steps; RP = R packed: B(k = j, n = g) = R[g, j]
 * forward, R as stored backward.
 */
import { gemm } from '../shared/kernels/gemm.as';
import { fillRows } from '../shared/kernels/rows.as';
import { at, isReal, madd, storeLanes, tanhv } from '../shared/kernels/simd.as';

export function leakySteps(T: i32, B: i32, Bs: i32, H: i32, RP: usize, alpha: usize, mask: usize, relu: bool, hs: usize, acts: usize, y: usize): void {
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1.0);
  for (let t = 0; t < T; t++) {
    const rows = t * B;
    gemm(Bs, H, H, at(hs, rows * H), H, 1, RP, at(acts, rows * H), H, true); // (1)
    for (let b = 0; b < Bs; b++) {
      const row = rows + b;
      const real = isReal(mask, row);
      for (let j = 0; j < H; j += 4) {
        const count = min(4, H - j);
        const pre = v128.load(at(acts, row * H + j));
        const g = relu ? f32x4.max(pre, zero) : tanhv(pre); // (2)
        const a = v128.load(at(alpha, j));
        const h = v128.load(at(hs, row * H + j));
        const next = madd(a, g, f32x4.mul(f32x4.sub(one, a), h)); // (3)
        storeLanes(at(acts, row * H + j), g, count);
        storeLanes(at(hs, (row + B) * H + j), real ? next : h, count);
        storeLanes(at(y, row * H + j), real ? next : zero, count);
      }
    }
  }
}

/**
 * dh [Bs, H]: the gradient reaching the final state on entry, the initial state's on return. Writes
 * dPre [T·B, H] (the slice's rows) and dAlpha [H] (this slice's Σ dh'·(g − h)).
 */
export function leakyBackSteps(T: i32, B: i32, Bs: i32, H: i32, RP: usize, alpha: usize, mask: usize, relu: bool, hs: usize, acts: usize, dy: usize, dh: usize, dPre: usize, dAlpha: usize): void {
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1.0);
  fillRows(1, H, 0, 0, dAlpha);
  for (let t = T - 1; t >= 0; t--) {
    const rows = t * B;
    for (let b = 0; b < Bs; b++) {
      const row = rows + b;
      const d = at(dPre, row * H);
      if (!isReal(mask, row)) {
        fillRows(1, H, 0, 0, d); // the carry in dh passes through; dPre·R adds nothing to it below
        continue;
      }
      for (let j = 0; j < H; j += 4) {
        const count = min(4, H - j);
        const dhN = f32x4.add(v128.load(at(dh, b * H + j)), v128.load(at(dy, row * H + j)));
        const a = v128.load(at(alpha, j));
        const g = v128.load(at(acts, row * H + j));
        const slope = relu ? v128.and(f32x4.gt(g, zero), one) : f32x4.sub(one, f32x4.mul(g, g));
        storeLanes(at(d, j), f32x4.mul(f32x4.mul(dhN, a), slope), count); // (3), (2)
        storeLanes(at(dAlpha, j), madd(dhN, f32x4.sub(g, v128.load(at(hs, row * H + j))), v128.load(at(dAlpha, j))), count);
        storeLanes(at(dh, b * H + j), f32x4.mul(dhN, f32x4.sub(one, a)), count); // (3): dh'·(1 − α), R's part added below
      }
    }
    gemm(Bs, H, H, at(dPre, rows * H), H, 1, RP, dh, H, true); // dh += dPre_t · R
  }
}
