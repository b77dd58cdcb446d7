import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import type { ParamTensors } from '@unfold/core';
import { reluBackward, tanh, tanhBackward } from '../shared/activations';
import type { FusedRecurrence, FusedStep, FusedStepGradient, Stacks } from '../shared/fused-sequence';
import { foldGate, preActivation, reluGate, type FoldedGate } from '../shared/gates';
import { biasGradient, weightGradient } from '../shared/weight-gradients';
import { integratorKernel } from './integrator-kernel';

/**
 * The fused step of a leaky integrator, shared by `leaky` and `esn` (an echo state reservoir is a leaky
 * integrator with fixed weights and one rate for all units). Run by shared/fused-sequence.ts, which owns
 * time, masks and the customGrad; this file is one step forward and its hand-derived backward.
 *
 * Forward, with U [H, I] the input weights, R [H, H] the recurrent ones, b [H] the summed bias:
 *   (1) pre = [x, h] · [U | R]ᵀ + b          [B, I+H] · [I+H, H]; [U | R]ᵀ made once per call
 *   (2) g   = act(pre)                        tanh = 2σ(2·) − 1, or relu fused into the product
 *   (3) h'  = (1 − α) ⊙ h + α ⊙ g             α [H] per unit (or one number)
 *
 * Backward, given dh' (what reaches the step's h'):
 *   (3) dg = dh' ⊙ α,   dh = dh' ⊙ (1 − α) + dpre · R,   dα = Σ_rows dh' ⊙ (g − h)
 *   (2) dpre = dg ⊙ act'(pre)                 tanh: 1 − g²;  relu: 1[g > 0]
 * and over all N = T·B rows at once (stacks in time order), each one plain matMul:
 *   dx = dpre · U,   dU = dpreᵀ · x,   dR = dpreᵀ · h,   db = Σ_rows dpre
 */
export type Activation = 'tanh' | 'relu';

/** A cell's view of its own parameters as an integrator. */
export interface IntegratorWeights {
  /** U [H, I]: every input column, in input order. */
  readonly input: Tensor2D;
  /** R [H, H]. */
  readonly recurrent: Tensor2D;
  /** b [H], or undefined without bias. */
  readonly bias: Tensor1D | undefined;
  /** α: [H] per unit, or one number for all units. */
  readonly alpha: Tensor1D | number;
  readonly activation: Activation;
}

/** Gradients w.r.t. the integrator's view; `alpha` only when α is a tensor. */
export interface IntegratorGradients {
  readonly input: Tensor2D;
  readonly recurrent: Tensor2D;
  readonly bias: Tensor1D;
  readonly alpha: Tensor1D | undefined;
}

/** How a cell maps its parameters to the integrator and the integrator's gradients back. */
export interface IntegratorLayout<C> {
  weights(params: ParamTensors, config: C): IntegratorWeights;
  /** dL/dparam for every parameter of the cell. */
  parameterGradients(params: ParamTensors, gradients: IntegratorGradients, config: C): Record<string, Tensor>;
}

/** A cell in the Elman layout (W [H, I], R [H, H], B [2H] = [Wb; Rb]) as an integrator: U = W, b = Wb + Rb. */
export function elmanIntegrator(params: ParamTensors, hiddenSize: number, activation: Activation, alpha: Tensor1D | number): IntegratorWeights {
  const B = params.B as Tensor1D | undefined;
  return {
    input: params.W as Tensor2D,
    recurrent: params.R as Tensor2D,
    bias: B && tf.add(tf.slice(B, [0], [hiddenSize]), tf.slice(B, [hiddenSize], [hiddenSize])),
    alpha,
    activation,
  };
}

/** The Elman layout's gradients from the integrator's: dW = dU, dR, and dB = [db; db] when the cell has a bias. */
export function elmanGradients(gradients: IntegratorGradients, bias: boolean): Record<string, Tensor> {
  return { W: gradients.input, R: gradients.recurrent, ...(bias ? { B: tf.concat([gradients.bias, gradients.bias]) } : {}) };
}

interface ForwardWeights {
  /** [U | R]ᵀ [I+H, H] and b. */
  readonly gate: FoldedGate;
  readonly alpha: Tensor1D | number;
  /** 1 − α. */
  readonly keep: Tensor1D | number;
  readonly activation: Activation;
}

interface BackwardWeights {
  readonly recurrent: Tensor2D;
  readonly alpha: Tensor1D | number;
  readonly keep: Tensor1D | number;
  readonly activation: Activation;
}

type Saved = {
  /** [B, H] the state the step started from. */
  readonly hPrev: Tensor2D;
  /** [B, H] act(pre). */
  readonly g: Tensor2D;
};

type Rows = {
  /** [B, H] dL/dpre. */
  readonly dPre: Tensor2D;
  /** [B, H] dL/dh' of the step (for dα). */
  readonly dNext: Tensor2D;
};

function complement(alpha: Tensor1D | number): Tensor1D | number {
  return typeof alpha === 'number' ? 1 - alpha : tf.sub(1, alpha);
}

/** (1 − α) ⊙ h + α ⊙ g; just g when α is the number 1. */
function integrate(h: Tensor2D, g: Tensor2D, alpha: Tensor1D | number, keep: Tensor1D | number): Tensor2D {
  if (alpha === 1) return g;
  return tf.add(tf.mul(keep, h), tf.mul(alpha, g));
}

/** The FusedRecurrence of a leaky integrator for a cell with the given parameter layout. */
export function integratorRecurrence<C extends { readonly hiddenSize: number }>(layout: IntegratorLayout<C>): FusedRecurrence<C, ForwardWeights, BackwardWeights, Saved, Rows> {
  return {
    kernel: integratorKernel(layout, (config) => config.hiddenSize),
    forwardWeights(params, config) {
      const w = layout.weights(params, config);
      return { gate: foldGate([w.input, w.recurrent], [w.bias]), alpha: w.alpha, keep: complement(w.alpha), activation: w.activation };
    },

    step(w, x, state): FusedStep<Saved> {
      const hPrev = state[0] as Tensor2D;
      const xh = tf.concat([x, hPrev], 1); // [B, I+H]
      const g = w.activation === 'relu' ? reluGate(xh, w.gate) : tanh(preActivation(xh, w.gate)); // (1), (2) [B, H]
      const hNext = integrate(hPrev, g, w.alpha, w.keep); // (3) [B, H]
      return { next: [hNext], saved: { hPrev, g } };
    },

    backwardWeights(params, config) {
      const w = layout.weights(params, config);
      return { recurrent: w.recurrent, alpha: w.alpha, keep: complement(w.alpha), activation: w.activation };
    },

    stepBackward(w, dNext, saved): FusedStepGradient<Rows> {
      const dh = dNext[0] as Tensor2D; // dL/dh' [B, H]
      const dg: Tensor2D = w.alpha === 1 ? dh : tf.mul(dh, w.alpha); // (3)
      const dPre = w.activation === 'relu' ? reluBackward(dg, saved.g) : tanhBackward(dg, saved.g); // (2) [B, H]
      const recurrentPart: Tensor2D = tf.matMul(dPre, w.recurrent); // [B, H] · [H, H]
      const dhPrev: Tensor2D = w.alpha === 1 ? recurrentPart : tf.add(tf.mul(dh, w.keep), recurrentPart); // (3) [B, H]
      return { dPrev: [dhPrev], rows: { dPre, dNext: dh } };
    },

    gradients(params, stacks: Stacks<Saved, Rows>, x, config) {
      const w = layout.weights(params, config);
      const dPre = stacks.rows('dPre'); // [N, H]
      const hPrev = stacks.saved('hPrev'); // [N, H]
      const alpha = typeof w.alpha === 'number' ? undefined : (tf.sum(tf.mul(stacks.rows('dNext'), tf.sub(stacks.saved('g'), hPrev)), 0) as Tensor1D); // [H]
      const gradients: IntegratorGradients = {
        input: weightGradient(dPre, x), // [H, I]
        recurrent: weightGradient(dPre, hPrev), // [H, H]
        bias: biasGradient(dPre), // [H]
        alpha,
      };
      return { x: tf.matMul(dPre, w.input), params: layout.parameterGradients(params, gradients, config) }; // dx [N, I]
    },
  };
}
