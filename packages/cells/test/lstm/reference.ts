import { matVec, sigmoid, tanh, type CellReference } from '@unfold/testing';
import type { LstmConfig } from '../../src/lstm/lstm';
import { biasAt, referenceLoop } from '../shared/reference-loop';

/**
 * `lstm` in float64 plain JS, written from the spec in src/lstm/lstm.ts and independent of it.
 * params W [4H, I], R [4H, H], B [8H], P [3H] (ONNX gate order i, o, f, c; P = [Pi, Po, Pf]);
 * x [T, B, I]; state [h, c], each [B, H].
 */
export const lstmReference: CellReference<LstmConfig> = (params, x, state0, config, dims) => {
  const { inputSize: I, hiddenSize: H } = config;
  const { W, R, B, P } = params as Record<string, Float64Array>;
  const clip = (v: number): number => (config.clip === undefined ? v : Math.min(config.clip, Math.max(-config.clip, v)));
  const peep = (k: number, c: number): number => (P ? (P[k] as number) * c : 0);
  return referenceLoop(x, state0, dims, I, (xt, [h, c]) => {
    const Wx = matVec(W as Float64Array, 4 * H, I, xt);
    const Rh = matVec(R as Float64Array, 4 * H, H, h as Float64Array);
    // Pre-activation of gate g (0 i, 1 o, 2 f, 3 c) for unit j, without peepholes.
    const pre = (g: number, j: number): number => (Wx[g * H + j] as number) + biasAt(B, g * H + j) + (Rh[g * H + j] as number) + biasAt(B, (4 + g) * H + j);
    const hNext = new Float64Array(H);
    const cNext = new Float64Array(H);
    for (let j = 0; j < H; j++) {
      const cPrev = (c as Float64Array)[j] as number;
      const i = sigmoid(clip(pre(0, j) + peep(j, cPrev)));
      const f = config.inputForget ? 1 - i : sigmoid(clip(pre(2, j) + peep(2 * H + j, cPrev)));
      const g = tanh(clip(pre(3, j)));
      cNext[j] = f * cPrev + i * g;
      const o = sigmoid(clip(pre(1, j) + peep(H + j, cNext[j] as number)));
      hNext[j] = o * tanh(cNext[j] as number);
    }
    return [hNext, cNext];
  });
};
