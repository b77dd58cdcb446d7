/**
 * The hand-derived backward of the fused `rnn` step (fused.ts), its equations in reverse. Given dhNext,
 * the gradient reaching the step's candidate h':
 *
 *   (2) dPre   = dhNext ⊙ act'(pre)     tanh: dhNext ⊙ (1 − h'²);  relu: dhNext ⊙ 1[h' > 0]
 *   (1) dhPrev = dPre · R               [B, H] · [H, H], R as stored (no transpose)
 *
 * and over all N = T·B rows at once (stacks in time order):
 *   dx = dPre · W,   dW = dPreᵀ · x,   dR = dPreᵀ · hPrev,   dWb = dRb = Σ_rows dPre
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import type { ParamTensors } from '@unfold/core';
import { reluBackward, tanhBackward } from '../shared/activations';
import type { FusedStepGradient, Stacks } from '../shared/fused-sequence';
import { stackedBiasGradient, weightGradient } from '../shared/weight-gradients';
import type { RnnSaved } from './fused';
import type { RnnConfig } from './rnn';

export interface RnnBackwardWeights {
  readonly R: Tensor2D;
  readonly activation: RnnConfig['activation'];
}

export type RnnRows = {
  /** [B, H] dL/dpre of the step. */
  readonly dPre: Tensor2D;
};

export function rnnBackwardWeights(params: ParamTensors, config: RnnConfig): RnnBackwardWeights {
  return { R: params.R as Tensor2D, activation: config.activation };
}

export function rnnStepBackward(w: RnnBackwardWeights, dNext: readonly Tensor2D[], s: RnnSaved): FusedStepGradient<RnnRows> {
  const dhNext = dNext[0] as Tensor2D;
  const dPre = w.activation === 'relu' ? reluBackward(dhNext, s.hNext) : tanhBackward(dhNext, s.hNext); // (2) [B, H]
  const dhPrev: Tensor2D = tf.matMul(dPre, w.R); // (1) [B, H]
  return { dPrev: [dhPrev], rows: { dPre } };
}

export function rnnGradients(params: ParamTensors, stacks: Stacks<RnnSaved, RnnRows>, x: Tensor2D, config: RnnConfig): { x: Tensor2D; params: Record<string, Tensor> } {
  const dPre = stacks.rows('dPre'); // [N, H]
  const hPrev = stacks.saved('hPrev'); // [N, H]
  const grads: Record<string, Tensor> = {
    W: weightGradient(dPre, x), // [H, I]
    R: weightGradient(dPre, hPrev), // [H, H]
  };
  if (config.bias) grads.B = stackedBiasGradient(dPre, dPre); // [2H]
  return { x: tf.matMul(dPre, params.W as Tensor2D), params: grads };
}
