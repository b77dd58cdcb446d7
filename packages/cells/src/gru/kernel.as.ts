/**
 * AssemblyScript (WebAssembly SIMD): the whole-sequence `gru` forward and backward, equations (1)–(4)
 * of gru.ts and their reverse as in backward.ts, over host-laid buffers (kernel.ts lays them out).
 *
 * Legend: T steps, B batch, I input, H hidden; rows t·B + b; gate blocks of a [·, 3H] row in ONNX
 * order z, r, h. Buffers (f32):
 *   x [T·B, I]; W [3H, I], R [3H, H], bias [6H] = [Wb; Rb] or 0; mask [T·B] of 0/1 or 0
 *   hs [(T+1)·B, H]: the states, hs[0] set by the host
 *   gates [T·B, 3H]: z, r and the candidate h̃ after their activations
 *   extra [T·B, H]: q = Rh h + Rbh with linearBeforeReset (dr needs it), r ⊙ h without (Rh's operand)
 *   y [T·B, H]: the outputs, 0 at padded steps; gh [Bs, 3H]: per-step work space
 *   RP: R packed for the step's first product: forward [H, 3H] (linearBeforeReset) or [H, 2H] (the
 *   z and r rows), B(k = j, n = g) = R[g, j]; backward R's rows as stored ([3H, H] or [2H, H]).
 *   RhP: Rh packed alike ([H, H]), only without linearBeforeReset.
 *
 * The step functions work on a slice of the batch: B is the row stride between steps, Bs the slice's
 * rows, and every per-row pointer points at the slice's first row (two threads run the two halves).
 * Forward (gruSteps), after `project` filled gates with Wb + x·Wᵀ: per step gh = Rb + h·Rᵀ
 * (linearBeforeReset), or gh[z, r] = Rb + h·[Rz; Rr]ᵀ then gh[h] = Rbh + (r ⊙ h)·Rhᵀ; then (1)–(4).
 * Backward, per step (padded rows pass their carry through):
 *   dh̃ = dh'(1 − z), dz = dh'(h − h̃), dph = dh̃(1 − h̃²), dpz = dz·z(1 − z), dh ∋ dh'·z
 *   linearBeforeReset: dq = dph·r, dpr = dph·q·r(1 − r), dh ∋ [dpz, dpr, dq]·R
 *   without:           du = dph·Rh, dpr = du·h·r(1 − r), dh ∋ du·r + [dpz, dpr]·[Rz; Rr]
 * and after the loop (the host, gradients.as.ts), with dA = [dpz, dpr, dph]: dx = dA·W, dW = dAᵀ·x, dWb = Σ dA;
 *   linearBeforeReset: dR = dQᵀ·h_prev, dRb = Σ dQ with dQ = [dpz, dpr, dq]
 *   without: d[Rz; Rr] = [dpz, dpr]ᵀ·h_prev, dRh = dphᵀ·(r ⊙ h_prev), dRb = dWb
 */
import { gemm } from '../shared/kernels/gemm.as';
import { fillRows } from '../shared/kernels/rows.as';
import { at, isReal, sigmoidv, storeLanes, tanhv } from '../shared/kernels/simd.as';

export function gruSteps(
  T: i32, B: i32, Bs: i32, H: i32,
  RP: usize, RhP: usize, Rb: usize, mask: usize, linearBeforeReset: bool,
  hs: usize, gates: usize, extra: usize, y: usize, gh: usize,
): void {
  const G = 3 * H;
  const recurrent = linearBeforeReset ? G : 2 * H; // columns of the first per-step product
  for (let t = 0; t < T; t++) {
    const rows = t * B;
    fillRows(Bs, G, Rb, 0, gh);
    gemm(Bs, recurrent, H, at(hs, rows * H), H, 1, RP, gh, G, true);
    for (let b = 0; b < Bs; b++) {
      const row = rows + b;
      const g = at(gates, row * G);
      const q = at(gh, b * G);
      const hPrev = at(hs, row * H);
      for (let j = 0; j < H; j += 4) {
        const count = min(4, H - j);
        const z = sigmoidv(f32x4.add(v128.load(at(g, j)), v128.load(at(q, j)))); // (1)
        const r = sigmoidv(f32x4.add(v128.load(at(g, H + j)), v128.load(at(q, H + j)))); // (2)
        storeLanes(at(g, j), z, count);
        storeLanes(at(g, H + j), r, count);
        if (linearBeforeReset) storeLanes(at(extra, row * H + j), v128.load(at(q, 2 * H + j)), count);
        else storeLanes(at(extra, row * H + j), f32x4.mul(r, v128.load(at(hPrev, j))), count);
      }
    }
    if (!linearBeforeReset) gemm(Bs, H, H, at(extra, rows * H), H, 1, RhP, at(gh, 2 * H), G, true); // Rbh + (r ⊙ h)·Rhᵀ
    for (let b = 0; b < Bs; b++) {
      const row = rows + b;
      const real = isReal(mask, row);
      const g = at(gates, row * G);
      const hPrev = at(hs, row * H);
      for (let j = 0; j < H; j += 4) {
        const count = min(4, H - j);
        const z = v128.load(at(g, j));
        const xh = v128.load(at(g, 2 * H + j));
        const pre = linearBeforeReset ? f32x4.add(xh, f32x4.mul(v128.load(at(g, H + j)), v128.load(at(extra, row * H + j)))) : f32x4.add(xh, v128.load(at(gh, b * G + 2 * H + j)));
        const hTilde = tanhv(pre); // (3)
        const hp = v128.load(at(hPrev, j));
        const hn = f32x4.add(hTilde, f32x4.mul(z, f32x4.sub(hp, hTilde))); // (4)
        storeLanes(at(g, 2 * H + j), hTilde, count);
        storeLanes(at(hs, (row + B) * H + j), real ? hn : hp, count);
        storeLanes(at(y, row * H + j), real ? hn : f32x4.splat(0), count);
      }
    }
  }
}

/**
 * dh [Bs, H]: the gradient reaching the final state on entry, the initial state's on return.
 * Writes dA [T·B, 3H] and, with linearBeforeReset, dQ [T·B, 3H] (the slice's rows); direct and du
 * [Bs, H] are work space.
 */
export function gruBackSteps(
  T: i32, B: i32, Bs: i32, H: i32,
  RP: usize, RhP: usize, mask: usize, linearBeforeReset: bool,
  hs: usize, gates: usize, extra: usize, dy: usize,
  dh: usize, dA: usize, dQ: usize, direct: usize, du: usize,
): void {
  const G = 3 * H;
  const one = f32x4.splat(1.0);
  for (let t = T - 1; t >= 0; t--) {
    const rows = t * B;
    for (let b = 0; b < Bs; b++) {
      const row = rows + b;
      const a = at(dA, row * G);
      const d = at(direct, b * H);
      if (!isReal(mask, row)) {
        fillRows(1, G, 0, 0, a);
        if (linearBeforeReset) fillRows(1, G, 0, 0, at(dQ, row * G));
        fillRows(1, H, 0, 0, d);
        continue;
      }
      const g = at(gates, row * G);
      const hPrev = at(hs, row * H);
      for (let j = 0; j < H; j += 4) {
        const count = min(4, H - j);
        const dhN = f32x4.add(v128.load(at(dh, b * H + j)), v128.load(at(dy, row * H + j)));
        const z = v128.load(at(g, j)), r = v128.load(at(g, H + j)), hTilde = v128.load(at(g, 2 * H + j));
        const hp = v128.load(at(hPrev, j));
        const dph = f32x4.mul(f32x4.mul(dhN, f32x4.sub(one, z)), f32x4.sub(one, f32x4.mul(hTilde, hTilde))); // (4), (3)
        const dpz = f32x4.mul(f32x4.mul(dhN, f32x4.sub(hp, hTilde)), f32x4.sub(z, f32x4.mul(z, z))); // (4), (1)
        storeLanes(at(a, j), dpz, count);
        storeLanes(at(a, 2 * H + j), dph, count);
        storeLanes(at(d, j), f32x4.mul(dhN, z), count);
        if (linearBeforeReset) {
          const q = v128.load(at(extra, row * H + j));
          const dpr = f32x4.mul(f32x4.mul(dph, q), f32x4.sub(r, f32x4.mul(r, r))); // (3), (2)
          storeLanes(at(a, H + j), dpr, count);
          const dq = at(dQ, row * G);
          storeLanes(at(dq, j), dpz, count);
          storeLanes(at(dq, H + j), dpr, count);
          storeLanes(at(dq, 2 * H + j), f32x4.mul(dph, r), count);
        }
      }
    }
    if (linearBeforeReset) {
      gemm(Bs, H, G, at(dQ, rows * G), G, 1, RP, direct, H, true); // dh ∋ [dpz, dpr, dq]·R
    } else {
      gemm(Bs, H, H, at(dA, rows * G + 2 * H), G, 1, RhP, du, H, false); // du = dph·Rh
      for (let b = 0; b < Bs; b++) {
        const row = rows + b;
        if (!isReal(mask, row)) continue;
        const r0 = at(gates, row * G + H);
        for (let j = 0; j < H; j += 4) {
          const count = min(4, H - j);
          const u = v128.load(at(du, b * H + j));
          const r = v128.load(at(r0, j));
          const dpr = f32x4.mul(f32x4.mul(u, v128.load(at(hs, row * H + j))), f32x4.sub(r, f32x4.mul(r, r))); // (3), (2)
          storeLanes(at(dA, row * G + H + j), dpr, count);
          storeLanes(at(direct, b * H + j), f32x4.add(v128.load(at(direct, b * H + j)), f32x4.mul(u, r)), count);
        }
      }
      gemm(Bs, H, 2 * H, at(dA, rows * G), G, 1, RP, direct, H, true); // dh ∋ [dpz, dpr]·[Rz; Rr]
    }
    for (let b = 0; b < Bs; b++) {
      if (isReal(mask, rows + b)) memory.copy(at(dh, b * H), at(direct, b * H), (<usize>H) << 2);
    }
  }
}
