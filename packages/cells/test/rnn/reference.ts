import { matVec, relu, tanh, type CellReference } from '@unfold/testing';
import type { RnnConfig } from '../../src/rnn/rnn';
import { biasAt, referenceLoop } from '../shared/reference-loop';

/**
 * `rnn` in float64 plain JS, written from the spec in src/rnn/rnn.ts and independent of it:
 *   h' = act(W x + Wb + R h + Rb)
 * params W [H, I], R [H, H], B [2H] = [Wb; Rb]; x [T, B, I]; state [h [B, H]].
 */
export const rnnReference: CellReference<RnnConfig> = (params, x, state0, config, dims) => {
  const { inputSize: I, hiddenSize: H } = config;
  const act = config.activation === 'relu' ? relu : tanh;
  const { W, R, B } = params as Record<string, Float64Array>;
  return referenceLoop(x, state0, dims, I, (xt, [h]) => {
    const Wx = matVec(W as Float64Array, H, I, xt);
    const Rh = matVec(R as Float64Array, H, H, h as Float64Array);
    return [Float64Array.from({ length: H }, (_, j) => act((Wx[j] as number) + biasAt(B, j) + (Rh[j] as number) + biasAt(B, H + j)))];
  });
};
