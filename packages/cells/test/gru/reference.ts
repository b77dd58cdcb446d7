import { matVec, sigmoid, tanh, type CellReference } from '@unfold/testing';
import type { GruConfig } from '../../src/gru/gru';
import { biasAt, referenceLoop } from '../shared/reference-loop';

/**
 * `gru` in float64 plain JS, written from the spec in src/gru/gru.ts and independent of it.
 * params W [3H, I], R [3H, H], B [6H] (ONNX gate order z, r, h); x [T, B, I]; state [h [B, H]].
 */
export const gruReference: CellReference<GruConfig> = (params, x, state0, config, dims) => {
  const { inputSize: I, hiddenSize: H } = config;
  const { W, R, B } = params as Record<string, Float64Array>;
  const Rh = (R as Float64Array).subarray(2 * H * H, 3 * H * H);
  return referenceLoop(x, state0, dims, I, (xt, [hPrev]) => {
    const h = hPrev as Float64Array;
    const Wx = matVec(W as Float64Array, 3 * H, I, xt);
    const Rx = matVec(R as Float64Array, 3 * H, H, h);
    // Gate g (0 z, 1 r, 2 h) for unit j: input and recurrent pre-activations with their biases.
    const input = (g: number, j: number): number => (Wx[g * H + j] as number) + biasAt(B, g * H + j);
    const recurrent = (g: number, j: number): number => (Rx[g * H + j] as number) + biasAt(B, (3 + g) * H + j);
    const z = Array.from({ length: H }, (_, j) => sigmoid(input(0, j) + recurrent(0, j)));
    const r = Array.from({ length: H }, (_, j) => sigmoid(input(1, j) + recurrent(1, j)));
    const Rrh = matVec(Rh, H, H, h.map((v, j) => v * (r[j] as number)));
    return [
      Float64Array.from({ length: H }, (_, j) => {
        const reset = config.linearBeforeReset ? (r[j] as number) * recurrent(2, j) : (Rrh[j] as number) + biasAt(B, 5 * H + j);
        const hTilde = tanh(input(2, j) + reset);
        return (1 - (z[j] as number)) * hTilde + (z[j] as number) * (h[j] as number);
      }),
    ];
  });
};
