/**
 * AssemblyScript (WebAssembly SIMD): the `rnn` recurrence (rnn.ts) over all T steps, forward and
 * backward, for a slice of the batch (kernel.ts lays the buffers out and runs the products around it):
 *
 *   h' = act(x·Wᵀ + Wb + h·Rᵀ + Rb),  act = tanh or relu
 *   backward: dp = (dh' ⊙ m) ⊙ act'(h')  (tanh: 1 − h'², relu: 1[h' > 0]),  dh = dp · R;
 *   the host then takes dx = dP·W, dW = dPᵀ·x, dR = dPᵀ·h_prev, dWb = dRb = Σ_rows dP.
 *
 * Buffers (f32, rows t·B + b; the per-row pointers point at the slice's first row, Bs its rows):
 * mask [T·B] or 0; hs [(T+1)·B, H] the states (hs[0] set by the host); acts [T·B, H] the input
 * projection on entry, the step's h' before the padding mask on return (what act' reads); y [T·B, H]
 * the outputs, 0 at padded steps; RP = R packed: [H, H] as B(k = j, n = g) = R[g, j] forward, R as
 * stored backward.
 */
import { gemm } from '../shared/kernels/gemm.as';
import { fillRows } from '../shared/kernels/rows.as';
import { at, isReal, storeLanes, tanhv } from '../shared/kernels/simd.as';

export function rnnSteps(T: i32, B: i32, Bs: i32, H: i32, RP: usize, mask: usize, relu: bool, hs: usize, acts: usize, y: usize): void {
  const zero = f32x4.splat(0);
  for (let t = 0; t < T; t++) {
    const rows = t * B;
    gemm(Bs, H, H, at(hs, rows * H), H, 1, RP, at(acts, rows * H), H, true);
    for (let b = 0; b < Bs; b++) {
      const row = rows + b;
      const real = isReal(mask, row);
      for (let j = 0; j < H; j += 4) {
        const count = min(4, H - j);
        const pre = v128.load(at(acts, row * H + j));
        const h = relu ? f32x4.max(pre, zero) : tanhv(pre);
        storeLanes(at(acts, row * H + j), h, count);
        storeLanes(at(hs, (row + B) * H + j), real ? h : v128.load(at(hs, row * H + j)), count);
        storeLanes(at(y, row * H + j), real ? h : zero, count);
      }
    }
  }
}

/** dh [Bs, H]: the gradient reaching the final state on entry, the initial state's on return; writes dP [T·B, H] (the slice's rows); tmp [Bs, H]. */
export function rnnBackSteps(T: i32, B: i32, Bs: i32, H: i32, RP: usize, mask: usize, relu: bool, acts: usize, dy: usize, dh: usize, dP: usize, tmp: usize): void {
  const one = f32x4.splat(1.0);
  const zero = f32x4.splat(0);
  for (let t = T - 1; t >= 0; t--) {
    const rows = t * B;
    for (let b = 0; b < Bs; b++) {
      const row = rows + b;
      const d = at(dP, row * H);
      if (!isReal(mask, row)) {
        fillRows(1, H, 0, 0, d);
        continue;
      }
      for (let j = 0; j < H; j += 4) {
        const dhN = f32x4.add(v128.load(at(dh, b * H + j)), v128.load(at(dy, row * H + j)));
        const h = v128.load(at(acts, row * H + j));
        const slope = relu ? v128.and(f32x4.gt(h, zero), one) : f32x4.sub(one, f32x4.mul(h, h));
        storeLanes(at(d, j), f32x4.mul(dhN, slope), min(4, H - j));
      }
    }
    gemm(Bs, H, H, at(dP, rows * H), H, 1, RP, tmp, H, false); // dh_prev = dP_t · R
    for (let b = 0; b < Bs; b++) {
      if (isReal(mask, rows + b)) memory.copy(at(dh, b * H), at(tmp, b * H), (<usize>H) << 2);
    }
  }
}
