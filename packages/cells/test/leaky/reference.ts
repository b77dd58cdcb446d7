import { matVec, relu, sigmoid, tanh, type CellReference } from '@unfold/testing';
import type { LeakyConfig } from '../../src/leaky/config';

/**
 * `leaky` in float64 plain JS, written from the spec in src/leaky/leaky.ts and independent of it:
 *   g  = act(W x + Wb + R h + Rb)
 *   h' = (1 − α) ⊙ h + α ⊙ g,   α = σ(A)
 * params W [H, I], R [H, H], B [2H] (optional), A [H]; x [T, B, I]; state [h [B, H]]. No mask.
 */
export const leakyReference: CellReference<LeakyConfig> = (params, x, state0, config, { T, B }) => {
  const { inputSize: I, hiddenSize: H } = config;
  const act = config.activation === 'relu' ? relu : tanh;
  const W = params.W as Float64Array;
  const R = params.R as Float64Array;
  const bias = params.B;
  const alpha = Float64Array.from(params.A as Float64Array, sigmoid);
  const h = Float64Array.from(state0[0] as Float64Array);
  const outputs = new Float64Array(T * B * H);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const hb = h.slice(b * H, (b + 1) * H);
      const Wx = matVec(W, H, I, x.subarray((t * B + b) * I, (t * B + b + 1) * I));
      const Rh = matVec(R, H, H, hb);
      for (let j = 0; j < H; j++) {
        const g = act((Wx[j] as number) + (Rh[j] as number) + (bias ? (bias[j] as number) + (bias[H + j] as number) : 0));
        const a = alpha[j] as number;
        const value = (1 - a) * (hb[j] as number) + a * g;
        h[b * H + j] = value;
        outputs[(t * B + b) * H + j] = value;
      }
    }
  }
  return { outputs, state: [h] };
};
