/**
 * AssemblyScript (WebAssembly SIMD): the whole-sequence `rnn` forward and backward (rnn.ts):
 *
 *   h' = act(x·Wᵀ + Wb + h·Rᵀ + Rb),  act = tanh or relu
 *   backward: dp = (dh' ⊙ m) ⊙ act'(h')  (tanh: 1 − h'², relu: 1[h' > 0]),  dh = dp · R,
 *             dx = dP · W,  dW = dPᵀ · x,  dR = dPᵀ · h_prev,  dWb = dRb = Σ_rows dP
 *
 * Buffers (f32, rows t·B + b): x [T·B, I]; W [H, I], R [H, H], bias [2H] = [Wb; Rb] or 0; mask [T·B]
 * or 0; hs [(T+1)·B, H] the states (hs[0] set by the host); acts [T·B, H] the step's h' before the
 * padding mask (what act' reads); y [T·B, H] the outputs, 0 at padded steps.
 */
import { gemm, packB } from '../shared/kernels/gemm.as';
import { inputGradient, packColumns, weightGradientPacked } from '../shared/kernels/gradients.as';
import { columnSums, fillRows } from '../shared/kernels/rows.as';
import { at, isReal, storeLanes, tanhv } from '../shared/kernels/simd.as';

/** scratch: ceil8(H) · max(I, H) values. */
export function rnnForward(T: i32, B: i32, I: i32, H: i32, x: usize, W: usize, R: usize, bias: usize, mask: usize, relu: bool, hs: usize, acts: usize, y: usize, scratch: usize): void {
  const N = T * B;
  fillRows(N, H, bias, bias ? at(bias, H) : 0, acts);
  packB(I, H, W, 1, I, scratch);
  gemm(N, H, I, x, I, 1, scratch, acts, H, true);
  packB(H, H, R, 1, H, scratch);
  const zero = f32x4.splat(0);
  for (let t = 0; t < T; t++) {
    const rows = t * B;
    gemm(B, H, H, at(hs, rows * H), H, 1, scratch, at(acts, rows * H), H, true);
    for (let b = 0; b < B; b++) {
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

/**
 * dh [B, H]: the gradient reaching the final state on entry, the initial state's on return. dP [T·B, H]
 * and tmp [B, H]-or-larger are work space; scratch holds ceil8(H) · max(I, H, T·B) values, tmp
 * max(B, I, H) · H. Writes dx [T·B, I], dW [H, I], dR [H, H], dbias [H].
 */
export function rnnBackward(T: i32, B: i32, I: i32, H: i32, x: usize, W: usize, R: usize, mask: usize, relu: bool, hs: usize, acts: usize, dy: usize, dh: usize, dP: usize, tmp: usize, scratch: usize, dx: usize, dW: usize, dR: usize, dbias: usize): void {
  const N = T * B;
  const one = f32x4.splat(1.0);
  const zero = f32x4.splat(0);
  packB(H, H, R, H, 1, scratch); // B(k = g, n = j) = R[g, j]
  for (let t = T - 1; t >= 0; t--) {
    const rows = t * B;
    for (let b = 0; b < B; b++) {
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
    gemm(B, H, H, at(dP, rows * H), H, 1, scratch, tmp, H, false); // dh_prev = dP_t · R
    for (let b = 0; b < B; b++) {
      if (isReal(mask, rows + b)) memory.copy(at(dh, b * H), at(tmp, b * H), (<usize>H) << 2);
    }
  }
  inputGradient(N, H, I, dP, H, W, dx, scratch);
  packColumns(N, H, dP, H, scratch);
  weightGradientPacked(N, H, I, scratch, x, dW, tmp);
  weightGradientPacked(N, H, H, scratch, hs, dR, tmp);
  columnSums(N, H, dP, dbias);
}
