/**
 * The fused forward step of `rnn` (equations in rnn.ts); its backward is backward.ts.
 *
 *   (1) pre = [x, h] · [W | R]ᵀ + Wb + Rb        [B, I+H] · [I+H, H]
 *   (2) h'  = act(pre)                            relu fused into the product; tanh = 2σ(2·) − 1
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor2D } from '@tensorflow/tfjs-core';
import type { ParamTensors } from '@unfold/core';
import { tanh } from '../shared/activations';
import { rnnKernel } from './kernel';
import type { FusedRecurrence, FusedStep } from '../shared/fused-sequence';
import { foldInputAndRecurrent, onnxWeights, preActivation, reluGate, type FoldedGate } from '../shared/gates';
import { rnnBackwardWeights, rnnGradients, rnnStepBackward, type RnnBackwardWeights, type RnnRows } from './backward';
import type { RnnConfig } from './rnn';

export interface RnnForwardWeights {
  /** [W | R]ᵀ [I+H, H] and Wb + Rb [H]. */
  readonly gate: FoldedGate;
  readonly activation: RnnConfig['activation'];
}

/** What one step keeps for its backward. */
export type RnnSaved = {
  /** [B, H] the state the step started from (the operand of R). */
  readonly hPrev: Tensor2D;
  /** [B, H] the step's candidate h' (act' is written in terms of it). */
  readonly hNext: Tensor2D;
};

function rnnForwardWeights(params: ParamTensors, config: RnnConfig): RnnForwardWeights {
  return { gate: foldInputAndRecurrent(onnxWeights(params, 1, config.hiddenSize), 0), activation: config.activation };
}

function rnnStep(w: RnnForwardWeights, x: Tensor2D, state: readonly Tensor2D[]): FusedStep<RnnSaved> {
  const hPrev = state[0] as Tensor2D;
  const xh = tf.concat([x, hPrev], 1); // [B, I+H]
  const hNext = w.activation === 'relu' ? reluGate(xh, w.gate) : tanh(preActivation(xh, w.gate)); // (1), (2) [B, H]
  return { next: [hNext], saved: { hPrev, hNext } };
}

export const rnnRecurrence: FusedRecurrence<RnnConfig, RnnForwardWeights, RnnBackwardWeights, RnnSaved, RnnRows> = {
  forwardWeights: rnnForwardWeights,
  step: rnnStep,
  backwardWeights: rnnBackwardWeights,
  stepBackward: rnnStepBackward,
  gradients: rnnGradients,
  kernel: rnnKernel,
};
