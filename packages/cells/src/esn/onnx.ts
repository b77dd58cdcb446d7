import type { CellOnnxStepMapping, HostTensor } from '@unfold/core';
import { integratorStep } from '../leaky/onnx';
import type { EsnConfig } from './config';

/** [Win | Wfb] [H, K + L]: the weights of the cell input [u, y_prev], column blocks side by side. */
function inputWeights(Win: HostTensor, Wfb: HostTensor | undefined): HostTensor {
  if (!Wfb) return Win;
  const [H, K] = Win.shape as [number, number];
  const L = Wfb.shape[1] as number;
  const data = new Float32Array(H * (K + L));
  for (let i = 0; i < H; i++) {
    data.set(Win.data.subarray(i * K, (i + 1) * K), i * (K + L));
    data.set(Wfb.data.subarray(i * L, (i + 1) * L), i * (K + L) + K);
  }
  return { shape: [H, K + L], data };
}

/**
 * `esn` → the leaky-integrator step (../leaky/onnx.ts, where the mapping is spelled out), since the
 * reservoir is an integrator with fixed weights and one rate:
 *
 *   x̃ = tanh([u, y_prev] · [Win | Wfb]ᵀ + W x + b),   x' = (1 − a) x + a x̃
 *
 * prepare P = [u, y_prev] · [Win | Wfb]ᵀ + b over the whole cell input (Win alone without feedback); the
 * step x' = (1 − a) x + a tanh(x Wᵀ + Pₜ), with R = W and α = a for every unit. With the default a = 1 the
 * step is MatMul, Add, Tanh (x' = x̃).
 */
export const esnOnnxStep: CellOnnxStepMapping<EsnConfig> = integratorStep((weights, config) => ({
  input: inputWeights(weights.Win as HostTensor, weights.Wfb),
  recurrent: weights.W as HostTensor,
  bias: weights.B as HostTensor,
  alpha: new Float64Array(config.hiddenSize).fill(config.leakRate),
  activation: 'tanh',
}));
