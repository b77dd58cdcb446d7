/**
 * The fused forward step of `lstm` (equations (1)–(6) in lstm.ts); its backward is backward.ts.
 * Each gate is one product of [x, h] [B, I+H] with its folded weights [W_g | R_g]ᵀ [I+H, H] plus
 * Wb_g + Rb_g (shared/gates.ts); σ is fused into the product when the gate adds no peephole term and
 * nothing is clipped. tanh is computed as 2σ(2·) − 1 (shared/activations.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import type { ParamTensors } from '@unfold/core';
import { tanh } from '../shared/activations';
import type { FusedRecurrence, FusedStep } from '../shared/fused-sequence';
import { foldInputAndRecurrent, onnxWeights, preActivation, sigmoidGate, type FoldedGate } from '../shared/gates';
import { lstmKernel } from './kernel';
import { lstmBackwardWeights, lstmGradients, lstmStepBackward, type LstmBackwardWeights, type LstmRows } from './backward';
import { LSTM_GATES, peepholes, type Peepholes } from './layout';
import type { LstmConfig } from './lstm';

export interface LstmForwardWeights extends Peepholes {
  readonly i: FoldedGate;
  readonly o: FoldedGate;
  /** Undefined with inputForget (f = 1 − i). */
  readonly f: FoldedGate | undefined;
  readonly c: FoldedGate;
  readonly clip: number | undefined;
}

/** What one step keeps for its backward: gate values, states, and the clip masks when clipping. */
export type LstmSaved = {
  /** [B, H] each: the gates after their activations. */
  readonly i: Tensor2D;
  readonly o: Tensor2D;
  readonly f: Tensor2D;
  readonly c: Tensor2D;
  /** [B, H] the state the step started from (hPrev is the operand of R). */
  readonly hPrev: Tensor2D;
  readonly cPrev: Tensor2D;
  /** [B, H] tanh(c'). */
  readonly tanhC: Tensor2D;
  /** [B, H] the candidate c', kept only with peepholes (o peeps at it). */
  readonly cNext?: Tensor2D;
  /** [B, H] 1 where the gate's pre-activation lay inside [−clip, clip], kept only with clip. */
  readonly iInRange?: Tensor2D;
  readonly oInRange?: Tensor2D;
  readonly fInRange?: Tensor2D;
  readonly cInRange?: Tensor2D;
};

function lstmForwardWeights(params: ParamTensors, config: LstmConfig): LstmForwardWeights {
  const w = onnxWeights(params, 4, config.hiddenSize);
  return {
    i: foldInputAndRecurrent(w, LSTM_GATES.i),
    o: foldInputAndRecurrent(w, LSTM_GATES.o),
    f: config.inputForget ? undefined : foldInputAndRecurrent(w, LSTM_GATES.f),
    c: foldInputAndRecurrent(w, LSTM_GATES.c),
    ...peepholes(params),
    clip: config.clip,
  };
}

interface Activated {
  /** The gate's value [B, H]. */
  readonly y: Tensor2D;
  /** 1[|pre| ≤ clip] [B, H] when clipping (clipByValue's own gradient mask), else undefined. */
  readonly inRange: Tensor2D | undefined;
}

/** act(clip(xh · gate + peephole)), one fused op when there is neither a peephole term nor a clip. */
function activate(xh: Tensor2D, gate: FoldedGate, act: 'sigmoid' | 'tanh', peephole: Tensor2D | undefined, clip: number | undefined): Activated {
  if (act === 'sigmoid' && !peephole && clip === undefined) return { y: sigmoidGate(xh, gate), inRange: undefined };
  const pre: Tensor2D = peephole ? tf.add(preActivation(xh, gate), peephole) : preActivation(xh, gate); // [B, H]
  const clipped = clip === undefined ? pre : tf.clipByValue(pre, -clip, clip);
  const inRange = clip === undefined ? undefined : tf.cast<Tensor2D>(tf.equal(pre, clipped), 'float32');
  return { y: act === 'sigmoid' ? tf.sigmoid(clipped) : tanh(clipped), inRange };
}

/** P ⊙ c, or undefined without peepholes. */
function peep(P: Tensor1D | undefined, c: Tensor2D): Tensor2D | undefined {
  return P && tf.mul(P, c);
}

function lstmStep(w: LstmForwardWeights, x: Tensor2D, state: readonly Tensor2D[]): FusedStep<LstmSaved> {
  const hPrev = state[0] as Tensor2D;
  const cPrev = state[1] as Tensor2D;
  const xh = tf.concat([x, hPrev], 1); // [B, I+H]
  const { y: i, inRange: iInRange } = activate(xh, w.i, 'sigmoid', peep(w.Pi, cPrev), w.clip); // (1)
  const { y: f, inRange: fInRange } = w.f ? activate(xh, w.f, 'sigmoid', peep(w.Pf, cPrev), w.clip) : { y: tf.sub<Tensor2D>(1, i), inRange: undefined }; // (2)
  const { y: c, inRange: cInRange } = activate(xh, w.c, 'tanh', undefined, w.clip); // (3)
  const cNext: Tensor2D = tf.add(tf.mul(f, cPrev), tf.mul(i, c)); // (4)
  const { y: o, inRange: oInRange } = activate(xh, w.o, 'sigmoid', peep(w.Po, cNext), w.clip); // (5)
  const tanhC = tanh(cNext);
  const hNext: Tensor2D = tf.mul(o, tanhC); // (6)
  // Without peepholes cNext is not needed; without clip the inRange masks are undefined and not saved.
  const saved: LstmSaved = { i, o, f, c, hPrev, cPrev, tanhC, ...(w.Po ? { cNext } : {}), iInRange, oInRange, fInRange, cInRange };
  return { next: [hNext, cNext], saved };
}

export const lstmRecurrence: FusedRecurrence<LstmConfig, LstmForwardWeights, LstmBackwardWeights, LstmSaved, LstmRows> = {
  forwardWeights: lstmForwardWeights,
  step: lstmStep,
  backwardWeights: lstmBackwardWeights,
  stepBackward: lstmStepBackward,
  gradients: lstmGradients,
  kernel: lstmKernel,
};
