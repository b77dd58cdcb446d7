/**
 * AssemblyScript (WebAssembly SIMD): the whole-sequence `lstm` forward and backward, equations (1)–(6)
 * of lstm.ts and their reverse as in backward.ts, over host-laid buffers (kernel.ts lays them out).
 *
 * Legend: T steps, B batch, I input, H hidden; rows are time-major (row t·B + b); gate blocks of a
 * [·, 4H] row in ONNX order i, o, f, c. Buffers (f32):
 *   x [T·B, I]; W [4H, I], R [4H, H], bias [8H] = [Wb; Rb] or 0, P [3H] = [Pi, Po, Pf] or 0
 *   mask [T·B] of 0/1 or 0 (all real); clip > 0 clamps every gate pre-activation, ≤ 0 does not
 *   hs, cs [(T+1)·B, H]: the states, hs[0], cs[0] the initial ones (set by the host), hs[t+1] after step t
 *   gates [T·B, 4H]: the gates after their activations (i, o, f = 1 − i with inputForget, ĉ)
 *   inRange [T·B, 4H]: 1 where a pre-activation lay inside [−clip, clip] (only when clip > 0)
 *   tanhC [T·B, H]: tanh(c'), y [T·B, H]: the outputs, 0 at padded steps
 *
 * Forward: gates = 1·(Wb + Rb) + x·Wᵀ for all steps in one product (`project`, shared/kernels), then
 * per step gates[t] += h·Rᵀ and the activations, in place (lstmSteps). Padding (m = 0 for a row): the
 * state is carried, y = 0.
 * Backward (lstmBackSteps): per step, from the carried dh, dc (+ dy_t), the pre-activation gradients
 * dPre [B, 4H] (rows of padded steps 0, their carry passes through), then dh = dPre_t · R; the host
 * then takes dx = dPre·W, dW = dPreᵀ·x, dR = dPreᵀ·h_prev and dbias = Σ_rows dPre (gradients.as.ts).
 *
 * The step functions work on a slice of the batch: B is the batch (the row stride between steps), Bs
 * the slice's rows, and every per-row pointer (mask, hs, cs, gates, inRange, tanhC, y, dy, dh, dc, dPre,
 * tmp) points at the slice's first row, so two threads can run the two halves of a batch at once.
 * RP is R packed by packB for the step's product: [H, 4H] (B(k = j, n = g) = R[g, j]) forward,
 * [4H, H] (R as stored) backward.
 */
import { gemm } from '../shared/kernels/gemm.as';
import { fillRows } from '../shared/kernels/rows.as';
import { at, clipv, inRangev, isReal, madd, sigmoidv, storeLanes, tanhv } from '../shared/kernels/simd.as';

@inline
function peep(pre: v128, P: usize, offset: i32, c: v128): v128 {
  return P ? madd(v128.load(at(P, offset)), c, pre) : pre;
}

/** The recurrence over all T steps for Bs rows of the batch, after `project` filled gates with Wb + Rb + x·Wᵀ. */
export function lstmSteps(
  T: i32, B: i32, Bs: i32, H: i32,
  RP: usize, P: usize, mask: usize, clip: f32, inputForget: bool,
  hs: usize, cs: usize, gates: usize, inRange: usize, tanhC: usize, y: usize,
): void {
  const G = 4 * H;
  const one = f32x4.splat(1.0);
  for (let t = 0; t < T; t++) {
    const rows = t * B;
    gemm(Bs, G, H, at(hs, rows * H), H, 1, RP, at(gates, rows * G), G, true);
    for (let b = 0; b < Bs; b++) {
      const row = rows + b;
      const real = isReal(mask, row);
      const g = at(gates, row * G);
      const flags = at(inRange, row * G);
      const hPrev = at(hs, row * H), cPrev = at(cs, row * H);
      const hNext = at(hs, (row + B) * H), cNext = at(cs, (row + B) * H);
      for (let j = 0; j < H; j += 4) {
        const count = min(4, H - j);
        const cp = v128.load(at(cPrev, j));
        const pi = peep(v128.load(at(g, j)), P, j, cp);
        const iv = sigmoidv(clipv(pi, clip)); // (1)
        let fv: v128;
        let pf = f32x4.splat(0);
        if (inputForget) fv = f32x4.sub(one, iv);
        else {
          pf = peep(v128.load(at(g, 2 * H + j)), P, 2 * H + j, cp);
          fv = sigmoidv(clipv(pf, clip)); // (2)
        }
        const pc = v128.load(at(g, 3 * H + j));
        const cv = tanhv(clipv(pc, clip)); // (3)
        const cn = madd(fv, cp, f32x4.mul(iv, cv)); // (4)
        const po = peep(v128.load(at(g, H + j)), P, H + j, cn);
        const ov = sigmoidv(clipv(po, clip)); // (5)
        const th = tanhv(cn);
        const hn = f32x4.mul(ov, th); // (6)
        if (clip > 0) {
          storeLanes(at(flags, j), inRangev(pi, clip), count);
          storeLanes(at(flags, H + j), inRangev(po, clip), count);
          storeLanes(at(flags, 2 * H + j), inRangev(pf, clip), count);
          storeLanes(at(flags, 3 * H + j), inRangev(pc, clip), count);
        }
        storeLanes(at(g, j), iv, count);
        storeLanes(at(g, H + j), ov, count);
        storeLanes(at(g, 2 * H + j), fv, count);
        storeLanes(at(g, 3 * H + j), cv, count);
        storeLanes(at(tanhC, row * H + j), th, count);
        storeLanes(at(cNext, j), real ? cn : cp, count);
        storeLanes(at(hNext, j), real ? hn : v128.load(at(hPrev, j)), count);
        storeLanes(at(y, row * H + j), real ? hn : f32x4.splat(0), count);
      }
    }
  }
}

/**
 * dh, dc [Bs, H]: the gradients reaching the final states on entry, the initial states' on return.
 * Writes dPre [T·B, 4H] (this slice's rows); tmp [Bs, H] is work space; dP [3H] (with P) receives this
 * slice's peephole gradients (the host adds the slices').
 */
export function lstmBackSteps(
  T: i32, B: i32, Bs: i32, H: i32,
  RP: usize, P: usize, mask: usize, clip: f32, inputForget: bool,
  hs: usize, cs: usize, gates: usize, inRange: usize, tanhC: usize, dy: usize,
  dh: usize, dc: usize, dPre: usize, tmp: usize, dP: usize,
): void {
  const G = 4 * H;
  const one = f32x4.splat(1.0);
  const zero = f32x4.splat(0);
  if (P) fillRows(1, 3 * H, 0, 0, dP);
  for (let t = T - 1; t >= 0; t--) {
    const rows = t * B;
    for (let b = 0; b < Bs; b++) {
      const row = rows + b;
      const real = isReal(mask, row);
      const d = at(dPre, row * G);
      const dhRow = at(dh, b * H), dcRow = at(dc, b * H);
      if (!real) {
        fillRows(1, G, 0, 0, d);
        continue;
      }
      const g = at(gates, row * G);
      const flags = at(inRange, row * G);
      const cPrev = at(cs, row * H), cNext = at(cs, (row + B) * H);
      for (let j = 0; j < H; j += 4) {
        const count = min(4, H - j);
        const dhN = f32x4.add(v128.load(at(dhRow, j)), v128.load(at(dy, row * H + j)));
        const dcN = v128.load(at(dcRow, j));
        const iv = v128.load(at(g, j)), ov = v128.load(at(g, H + j)), fv = v128.load(at(g, 2 * H + j)), cv = v128.load(at(g, 3 * H + j));
        const th = v128.load(at(tanhC, row * H + j));
        const cp = v128.load(at(cPrev, j));
        let dpo = f32x4.mul(f32x4.mul(dhN, th), f32x4.sub(ov, f32x4.mul(ov, ov))); // (6), (5)
        if (clip > 0) dpo = f32x4.mul(dpo, v128.load(at(flags, H + j)));
        let dcc = madd(f32x4.mul(dhN, ov), f32x4.sub(one, f32x4.mul(th, th)), dcN); // (6)
        if (P) dcc = madd(v128.load(at(P, H + j)), dpo, dcc); // (5) peephole
        const dI = f32x4.mul(dcc, cv), dF = f32x4.mul(dcc, cp), dC = f32x4.mul(dcc, iv); // (4)
        let dpc = f32x4.mul(dC, f32x4.sub(one, f32x4.mul(cv, cv))); // (3)
        let dpf = zero;
        if (!inputForget) dpf = f32x4.mul(dF, f32x4.sub(fv, f32x4.mul(fv, fv))); // (2)
        let dpi = f32x4.mul(inputForget ? f32x4.sub(dI, dF) : dI, f32x4.sub(iv, f32x4.mul(iv, iv))); // (1)
        if (clip > 0) {
          dpc = f32x4.mul(dpc, v128.load(at(flags, 3 * H + j)));
          dpf = f32x4.mul(dpf, v128.load(at(flags, 2 * H + j)));
          dpi = f32x4.mul(dpi, v128.load(at(flags, j)));
        }
        storeLanes(at(d, j), dpi, count);
        storeLanes(at(d, H + j), dpo, count);
        storeLanes(at(d, 2 * H + j), dpf, count);
        storeLanes(at(d, 3 * H + j), dpc, count);
        let dcPrev = f32x4.mul(dcc, fv);
        if (P) {
          dcPrev = madd(v128.load(at(P, j)), dpi, madd(v128.load(at(P, 2 * H + j)), dpf, dcPrev));
          storeLanes(at(dP, j), madd(dpi, cp, v128.load(at(dP, j))), count);
          storeLanes(at(dP, H + j), madd(dpo, v128.load(at(cNext, j)), v128.load(at(dP, H + j))), count);
          storeLanes(at(dP, 2 * H + j), madd(dpf, cp, v128.load(at(dP, 2 * H + j))), count);
        }
        storeLanes(at(dcRow, j), dcPrev, count);
      }
    }
    gemm(Bs, H, G, at(dPre, rows * G), G, 1, RP, tmp, H, false); // dh_prev = dPre_t · R
    for (let b = 0; b < Bs; b++) {
      const real = isReal(mask, rows + b);
      if (real) memory.copy(at(dh, b * H), at(tmp, b * H), (<usize>H) << 2);
    }
  }
}
