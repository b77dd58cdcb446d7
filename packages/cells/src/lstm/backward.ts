/**
 * The hand-derived backward of the fused `lstm` step (fused.ts), equations (6) to (1) of lstm.ts in
 * reverse, in the code's names (c the candidate ĉ; cPrev, cNext the states; dp· the gradient of a gate's
 * pre-activation). Given dhNext and dcNext, the gradients reaching the step's candidate h' and c', and
 * 1ₖ the clip mask of gate k (1 where its pre-activation lay inside [−clip, clip]; all ones without clip):
 *
 *   (6)   dO  = dhNext ⊙ tanh(cNext)
 *   (5)   dpo = dO ⊙ o(1 − o) ⊙ 1ₒ
 *   (6,5) dc  = dcNext + dhNext ⊙ o ⊙ (1 − tanh²(cNext)) + Po ⊙ dpo       all that reaches cNext
 *   (4)   dI  = dc ⊙ c,   dF = dc ⊙ cPrev,   dC = dc ⊙ i
 *   (3)   dpc = dC ⊙ (1 − c²) ⊙ 1_c
 *   (2)   dpf = dF ⊙ f(1 − f) ⊙ 1_f          with inputForget (f = 1 − i): dpf = 0 and dI −= dF
 *   (1)   dpi = dI ⊙ i(1 − i) ⊙ 1ᵢ
 *         dPre   = [dpi, dpo, dpf, dpc]      [B, 4H], ONNX gate order
 *         dhPrev = dPre · R                  [B, 4H] · [4H, H], R as stored
 *         dcPrev = dc ⊙ f + Pi ⊙ dpi + Pf ⊙ dpf
 *
 * and over all N = T·B rows at once (stacks in time order):
 *   dx = dPre · W,  dW = dPreᵀ · x,  dR = dPreᵀ · hPrev,  dB = [Σ dPre; Σ dPre],
 *   dP = Σ_rows [dpi ⊙ cPrev, dpo ⊙ cNext, dpf ⊙ cPrev]
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import type { ParamTensors } from '@unfold/core';
import { sigmoidBackward, tanhBackward } from '../shared/activations';
import type { FusedStepGradient, Stacks } from '../shared/fused-sequence';
import { biasGradient, stackedBiasGradient, weightGradient } from '../shared/weight-gradients';
import type { LstmSaved } from './fused';
import { peepholes, type Peepholes } from './layout';
import type { LstmConfig } from './lstm';

export interface LstmBackwardWeights extends Peepholes {
  readonly R: Tensor2D;
  readonly inputForget: boolean;
}

export type LstmRows = {
  /** [B, 4H] dL/d(pre-activations), gates i, o, f, c. */
  readonly dPre: Tensor2D;
  /** [B, 3H] the peephole terms' gradients, only with peepholes. */
  readonly dP?: Tensor2D;
};

export function lstmBackwardWeights(params: ParamTensors, config: LstmConfig): LstmBackwardWeights {
  return { R: params.R as Tensor2D, ...peepholes(params), inputForget: config.inputForget };
}

/** dL/dpre through a clip: the clip mask, or nothing to do without clip. */
function throughClip(dPre: Tensor2D, inRange: Tensor2D | undefined): Tensor2D {
  return inRange ? tf.mul(dPre, inRange) : dPre;
}

/** a + P ⊙ d, or a without peepholes. */
function plusPeep(a: Tensor2D, P: Tensor1D | undefined, d: Tensor2D): Tensor2D {
  return P ? tf.add(a, tf.mul(P, d)) : a;
}

export function lstmStepBackward(w: LstmBackwardWeights, dNext: readonly Tensor2D[], s: LstmSaved): FusedStepGradient<LstmRows> {
  const dhNext = dNext[0] as Tensor2D;
  const dcNext = dNext[1] as Tensor2D;
  const dO: Tensor2D = tf.mul(dhNext, s.tanhC); // (6)
  const dpo = throughClip(sigmoidBackward(dO, s.o), s.oInRange); // (5)
  const dc = plusPeep(tf.add(dcNext, tanhBackward(tf.mul(dhNext, s.o), s.tanhC)), w.Po, dpo); // (6), (5)
  const dI: Tensor2D = tf.mul(dc, s.c); // (4)
  const dF: Tensor2D = tf.mul(dc, s.cPrev); // (4)
  const dC: Tensor2D = tf.mul(dc, s.i); // (4)
  const dpc = throughClip(tanhBackward(dC, s.c), s.cInRange); // (3)
  const dpf = w.inputForget ? tf.zerosLike(dF) : throughClip(sigmoidBackward(dF, s.f), s.fInRange); // (2)
  const dpi = throughClip(sigmoidBackward(w.inputForget ? tf.sub(dI, dF) : dI, s.i), s.iInRange); // (1), (2)
  const dPre = tf.concat([dpi, dpo, dpf, dpc], 1); // [B, 4H]
  const dhPrev: Tensor2D = tf.matMul(dPre, w.R); // [B, H]
  const dcPrev = plusPeep(plusPeep(tf.mul(dc, s.f), w.Pi, dpi), w.Pf, dpf); // [B, H]
  const dP = w.Po ? tf.concat<Tensor2D>([tf.mul(dpi, s.cPrev), tf.mul(dpo, s.cNext as Tensor2D), tf.mul(dpf, s.cPrev)], 1) : undefined; // [B, 3H]
  return { dPrev: [dhPrev, dcPrev], rows: dP ? { dPre, dP } : { dPre } };
}

export function lstmGradients(params: ParamTensors, stacks: Stacks<LstmSaved, LstmRows>, x: Tensor2D, config: LstmConfig): { x: Tensor2D; params: Record<string, Tensor> } {
  const dPre = stacks.rows('dPre'); // [N, 4H]
  const hPrev = stacks.saved('hPrev'); // [N, H]
  const grads: Record<string, Tensor> = {
    W: weightGradient(dPre, x), // [4H, I]
    R: weightGradient(dPre, hPrev), // [4H, H]
  };
  if (config.bias) grads.B = stackedBiasGradient(dPre, dPre); // [8H]
  if (config.peepholes) grads.P = biasGradient(stacks.rows('dP')); // [3H]
  return { x: tf.matMul(dPre, params.W as Tensor2D), params: grads };
}
