/**
 * The fused forward step of `gru` (equations (1)–(4) in gru.ts); its backward is backward.ts.
 * z and r are one product each of [x, h] [B, I+H] with their folded weights [W_g | R_g]ᵀ plus
 * Wb_g + Rb_g, σ fused in (shared/gates.ts). The candidate h̃ depends on where r applies:
 *   linearBeforeReset true:  q = h · Rhᵀ + Rbh,  h̃ = tanh(x · Whᵀ + Wbh + r ⊙ q)
 *   linearBeforeReset false: h̃ = tanh([x, r ⊙ h] · [Wh | Rh]ᵀ + Wbh + Rbh)
 * tanh is computed as 2σ(2·) − 1 (shared/activations.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor2D } from '@tensorflow/tfjs-core';
import type { ParamTensors } from '@unfold/core';
import { tanh } from '../shared/activations';
import { gruKernel } from './kernel';
import type { FusedRecurrence, FusedStep } from '../shared/fused-sequence';
import { foldGate, foldInputAndRecurrent, gateRows, inputBias, onnxWeights, preActivation, recurrentBias, sigmoidGate, type FoldedGate } from '../shared/gates';
import { gruBackwardWeights, gruGradients, gruStepBackward, type GruBackwardWeights, type GruRows } from './backward';
import type { GruConfig } from './gru';
import { GRU_GATES } from './layout';

export type GruForwardWeights =
  | { readonly linearBeforeReset: true; readonly z: FoldedGate; readonly r: FoldedGate; readonly hx: FoldedGate; readonly hh: FoldedGate }
  | { readonly linearBeforeReset: false; readonly z: FoldedGate; readonly r: FoldedGate; readonly h: FoldedGate };

/** What one step keeps for its backward. */
export type GruSaved = {
  /** [B, H] each: the gates after σ, and the candidate h̃. */
  readonly z: Tensor2D;
  readonly r: Tensor2D;
  readonly hTilde: Tensor2D;
  /** [B, H] the state the step started from (the operand of Rz, Rr, and of Rh when linearBeforeReset). */
  readonly hPrev: Tensor2D;
  /** [B, H] q = Rh h + Rbh, only when linearBeforeReset (dr needs it). */
  readonly q?: Tensor2D;
  /** [B, H] r ⊙ h, only without linearBeforeReset (the operand of Rh). */
  readonly rh?: Tensor2D;
};

function gruForwardWeights(params: ParamTensors, config: GruConfig): GruForwardWeights {
  const w = onnxWeights(params, 3, config.hiddenSize);
  const z = foldInputAndRecurrent(w, GRU_GATES.z);
  const r = foldInputAndRecurrent(w, GRU_GATES.r);
  if (!config.linearBeforeReset) return { linearBeforeReset: false, z, r, h: foldInputAndRecurrent(w, GRU_GATES.h) };
  const hx = foldGate([gateRows(w.W, GRU_GATES.h, w.H)], [inputBias(w, GRU_GATES.h)]);
  const hh = foldGate([gateRows(w.R, GRU_GATES.h, w.H)], [recurrentBias(w, GRU_GATES.h)]);
  return { linearBeforeReset: true, z, r, hx, hh };
}

function gruStep(w: GruForwardWeights, x: Tensor2D, state: readonly Tensor2D[]): FusedStep<GruSaved> {
  const hPrev = state[0] as Tensor2D;
  const xh = tf.concat([x, hPrev], 1); // [B, I+H]
  const z = sigmoidGate(xh, w.z); // (1)
  const r = sigmoidGate(xh, w.r); // (2)
  let hTilde: Tensor2D;
  let extra: { q: Tensor2D } | { rh: Tensor2D };
  if (w.linearBeforeReset) {
    const q = preActivation(hPrev, w.hh); // Rh h + Rbh
    hTilde = tanh(tf.add(preActivation(x, w.hx), tf.mul(r, q))); // (3)
    extra = { q };
  } else {
    const rh: Tensor2D = tf.mul(r, hPrev);
    hTilde = tanh(preActivation(tf.concat([x, rh], 1), w.h)); // (3)
    extra = { rh };
  }
  const hNext: Tensor2D = tf.add(hTilde, tf.mul(z, tf.sub(hPrev, hTilde))); // (4) (1 − z) ⊙ h̃ + z ⊙ h
  return { next: [hNext], saved: { z, r, hTilde, hPrev, ...extra } };
}

export const gruRecurrence: FusedRecurrence<GruConfig, GruForwardWeights, GruBackwardWeights, GruSaved, GruRows> = {
  forwardWeights: gruForwardWeights,
  step: gruStep,
  backwardWeights: gruBackwardWeights,
  stepBackward: gruStepBackward,
  gradients: gruGradients,
  kernel: gruKernel,
};
