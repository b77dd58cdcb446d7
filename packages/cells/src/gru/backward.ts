/**
 * The hand-derived backward of the fused `gru` step (fused.ts), equations (4) to (1) of gru.ts in
 * reverse, in the code's names (dp· the gradient of a gate's pre-activation). Given dhNext, the
 * gradient reaching the step's candidate h':
 *
 *   (4) dhTilde = dhNext ⊙ (1 − z),   dz = dhNext ⊙ (hPrev − h̃),   dhPrev ∋ dhNext ⊙ z
 *   (3) dph = dhTilde ⊙ (1 − h̃²)                                       pre-activation of h̃
 *       linearBeforeReset true,  q = Rh hPrev + Rbh:   dq = dph ⊙ r,   dr = dph ⊙ q
 *       linearBeforeReset false, u = r ⊙ hPrev:         du = dph · Rh,  dr = du ⊙ hPrev,  dhPrev ∋ du ⊙ r
 *   (2) dpr = dr ⊙ r(1 − r)
 *   (1) dpz = dz ⊙ z(1 − z)
 *       true:  dhPrev ∋ [dpz, dpr, dq] · R         [B, 3H] · [3H, H]
 *       false: dhPrev ∋ [dpz, dpr] · [Rz; Rr]      [B, 2H] · [2H, H]
 *
 * and over all N = T·B rows at once (stacks in time order), with dA = [dpz, dpr, dph] the gradient of
 * the input pre-activations W x + Wb:
 *   dx = dA · W,  dW = dAᵀ · x,  dWb = Σ dA
 *   true:  dR = [dpz, dpr, dq]ᵀ · hPrev,  dRb = Σ [dpz, dpr, dq]
 *   false: d[Rz; Rr] = [dpz, dpr]ᵀ · hPrev,  dRh = dphᵀ · (r ⊙ hPrev),  dRb = Σ dA
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import type { ParamTensors } from '@unfold/core';
import { sigmoidBackward, tanhBackward } from '../shared/activations';
import type { FusedStepGradient, Stacks } from '../shared/fused-sequence';
import { gateRows } from '../shared/gates';
import { stackedBiasGradient, weightGradient } from '../shared/weight-gradients';
import type { GruSaved } from './fused';
import type { GruConfig } from './gru';
import { GRU_GATES } from './layout';

export type GruBackwardWeights =
  | { readonly linearBeforeReset: true; readonly R: Tensor2D }
  | { readonly linearBeforeReset: false; readonly Rzr: Tensor2D; readonly Rh: Tensor2D };

export type GruRows = {
  /** [B, 3H] [dpz, dpr, dph], only when linearBeforeReset. */
  readonly dA?: Tensor2D;
  /** [B, 3H] [dpz, dpr, dq], only when linearBeforeReset. */
  readonly dQ?: Tensor2D;
  /** [B, 2H] [dpz, dpr] and [B, H] dph, only without linearBeforeReset. */
  readonly dZR?: Tensor2D;
  readonly dph?: Tensor2D;
};

export function gruBackwardWeights(params: ParamTensors, config: GruConfig): GruBackwardWeights {
  const R = params.R as Tensor2D;
  const H = config.hiddenSize;
  if (config.linearBeforeReset) return { linearBeforeReset: true, R };
  return { linearBeforeReset: false, Rzr: gateRows(R, GRU_GATES.z, H, 2), Rh: gateRows(R, GRU_GATES.h, H) };
}

export function gruStepBackward(w: GruBackwardWeights, dNext: readonly Tensor2D[], s: GruSaved): FusedStepGradient<GruRows> {
  const dhNext = dNext[0] as Tensor2D;
  const dhTilde: Tensor2D = tf.mul(dhNext, tf.sub(1, s.z)); // (4)
  const dz: Tensor2D = tf.mul(dhNext, tf.sub(s.hPrev, s.hTilde)); // (4)
  const dhThroughZ: Tensor2D = tf.mul(dhNext, s.z); // (4)
  const dph = tanhBackward(dhTilde, s.hTilde); // (3)
  const dpz = sigmoidBackward(dz, s.z); // (1)
  if (w.linearBeforeReset) {
    const dq: Tensor2D = tf.mul(dph, s.r); // (3)
    const dpr = sigmoidBackward(tf.mul(dph, s.q as Tensor2D), s.r); // (3), (2)
    const dQ = tf.concat([dpz, dpr, dq], 1); // [B, 3H]
    const dhPrev: Tensor2D = tf.add(tf.matMul(dQ, w.R), dhThroughZ);
    return { dPrev: [dhPrev], rows: { dA: tf.concat([dpz, dpr, dph], 1), dQ } };
  }
  const du: Tensor2D = tf.matMul(dph, w.Rh); // (3) u = r ⊙ h
  const dpr = sigmoidBackward(tf.mul(du, s.hPrev), s.r); // (3), (2)
  const dZR = tf.concat([dpz, dpr], 1); // [B, 2H]
  const dhPrev: Tensor2D = tf.addN([tf.matMul(dZR, w.Rzr), tf.mul(du, s.r), dhThroughZ]);
  return { dPrev: [dhPrev], rows: { dZR, dph } };
}

export function gruGradients(params: ParamTensors, stacks: Stacks<GruSaved, GruRows>, x: Tensor2D, config: GruConfig): { x: Tensor2D; params: Record<string, Tensor> } {
  const hPrev = stacks.saved('hPrev'); // [N, H]
  let dA: Tensor2D; // [N, 3H]
  let dR: Tensor2D; // [3H, H]
  let dRecurrent: Tensor2D; // [N, 3H] gradient of the recurrent pre-activations R h + Rb
  if (config.linearBeforeReset) {
    dA = stacks.rows('dA');
    dRecurrent = stacks.rows('dQ');
    dR = weightGradient(dRecurrent, hPrev);
  } else {
    const dZR = stacks.rows('dZR'); // [N, 2H]
    const dph = stacks.rows('dph'); // [N, H]
    dA = tf.concat([dZR, dph], 1);
    dRecurrent = dA;
    dR = tf.concat([weightGradient(dZR, hPrev), weightGradient(dph, stacks.saved('rh'))], 0);
  }
  const grads: Record<string, Tensor> = { W: weightGradient(dA, x), R: dR };
  if (config.bias) grads.B = stackedBiasGradient(dA, dRecurrent); // [6H]
  return { x: tf.matMul(dA, params.W as Tensor2D), params: grads };
}
