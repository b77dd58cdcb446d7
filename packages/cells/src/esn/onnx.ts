import type { CellOnnxMapping, HostTensor } from '@unfold/core';
import { emitIntegratorScan } from '../leaky/onnx';
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
 * `esn` → the leaky-integrator Scan (../leaky/onnx.ts, where the graph is spelled out), since the reservoir
 * is an integrator with fixed weights and one rate:
 *
 *   x̃ = tanh([u, y_prev] · [Win | Wfb]ᵀ + W x + b),   x' = (1 − a) x + a x̃
 *
 * U = [Win | Wfb] over the whole cell input (Win alone without feedback), R = W, b = B, α = a for every
 * unit, activation tanh. With the default a = 1 the Scan body is MatMul, Add, Tanh (x' = x̃).
 */
export const esnOnnx: CellOnnxMapping<EsnConfig> = (context) => {
  const { weights, config } = context;
  return emitIntegratorScan(context, {
    input: inputWeights(weights.Win as HostTensor, weights.Wfb),
    recurrent: weights.W as HostTensor,
    bias: weights.B as HostTensor,
    alpha: new Float64Array(config.hiddenSize).fill(config.leakRate),
    activation: 'tanh',
  });
};
