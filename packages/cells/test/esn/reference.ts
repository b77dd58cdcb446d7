import { matVec, tanh, type CellReference } from '@unfold/testing';
import type { EsnConfig } from '../../src/esn/config';

/**
 * `esn` in float64 plain JS, written from the spec in src/esn/esn.ts and independent of it:
 *   x' = (1 − a) x + a tanh(W_in u + W x + b + W_fb y_prev),   input row = [u (K), y_prev (L)]
 * params Win [H, K], W [H, H], B [H], Wfb [H, L] (L > 0); x [T, B, K + L]; state [x [B, H]]. No mask.
 */
export const esnReference: CellReference<EsnConfig> = (params, input, state0, config, { T, B }) => {
  const { inputSize: K, hiddenSize: H, feedbackSize: L, leakRate: a } = config;
  const width = K + L;
  const x = Float64Array.from(state0[0] as Float64Array);
  const outputs = new Float64Array(T * B * H);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const row = input.subarray((t * B + b) * width, (t * B + b + 1) * width);
      const xb = x.slice(b * H, (b + 1) * H);
      const Wu = matVec(params.Win as Float64Array, H, K, row.subarray(0, K));
      const Wx = matVec(params.W as Float64Array, H, H, xb);
      const Wy = L > 0 ? matVec(params.Wfb as Float64Array, H, L, row.subarray(K)) : new Float64Array(H);
      for (let j = 0; j < H; j++) {
        const xTilde = tanh((Wu[j] as number) + (Wx[j] as number) + ((params.B as Float64Array)[j] as number) + (Wy[j] as number));
        const value = (1 - a) * (xb[j] as number) + a * xTilde;
        x[b * H + j] = value;
        outputs[(t * B + b) * H + j] = value;
      }
    }
  }
  return { outputs, state: [x] };
};
