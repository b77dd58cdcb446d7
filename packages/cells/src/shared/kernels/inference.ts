/**
 * The cells' whole-sequence kernels run forward only, from host arrays in ONNX's layout: what an inference
 * engine without tfjs (the compact engine's LSTM, GRU and RNN operators) calls. One direction, time-major,
 * nothing kept for a backward; the training ops run the same kernels (lstm/kernel.ts, gru/kernel.ts,
 * leaky/integrator-steps.ts).
 *
 * Shapes (ONNX, one direction): x [T·B, I]; W [G·H, I]; R [G·H, H]; bias [2·G·H] = [Wb; Rb] or none;
 * h0 (c0) [B, H]; mask [T·B] of 0/1 (1: a real step) or none. At a padded step the state is carried and
 * the output is 0, which is ONNX's `sequence_lens` for a forward direction; a reverse direction is the
 * forward one over each sequence reversed within its length.
 */
import { gruKernel } from '../../gru/kernel';
import type { GruConfig } from '../../gru/gru';
import { integratorSteps } from '../../leaky/integrator-steps';
import { lstmKernel } from '../../lstm/kernel';
import type { LstmConfig } from '../../lstm/lstm';
import type { Kernels } from './module';
import { KernelSession, offset } from './session';

export interface RecurrentForward {
  readonly T: number;
  readonly B: number;
  readonly I: number;
  readonly H: number;
  readonly x: Float32Array;
  readonly W: Float32Array;
  readonly R: Float32Array;
  readonly bias?: Float32Array | undefined;
  readonly h0: Float32Array;
  readonly mask?: Float32Array | undefined;
  /**
   * W and R never change while these arrays live (a served model's weights): they are packed for the
   * products on the first call and kept in the kernels' memory until the arrays are garbage collected.
   * Leave it off when the arrays may be modified between calls.
   */
  readonly cacheWeights?: boolean | undefined;
}

export interface LstmForward extends RecurrentForward {
  readonly c0: Float32Array;
  /** Peepholes [Pi, Po, Pf], [3·H]. */
  readonly P?: Float32Array | undefined;
  /** > 0: every gate pre-activation is clamped to [−clip, clip] (ONNX clip). */
  readonly clip?: number | undefined;
  /** f = 1 − i (ONNX input_forget). */
  readonly inputForget?: boolean | undefined;
}

export interface GruForward extends RecurrentForward {
  /** ONNX linear_before_reset (PyTorch's GRU: true). */
  readonly linearBeforeReset: boolean;
}

export interface RnnForward extends RecurrentForward {
  readonly activation: 'tanh' | 'relu';
}

/** The outputs y [T·B, H] (0 at padded steps) and the final h (and c) [B, H]. */
export interface SequenceOutputs {
  readonly y: Float32Array;
  readonly h: Float32Array;
  readonly c?: Float32Array;
}

function params(run: RecurrentForward, extra: Record<string, Float32Array | undefined> = {}): Record<string, Float32Array> {
  const all: Record<string, Float32Array | undefined> = { W: run.W, R: run.R, B: run.bias, ...extra };
  return Object.fromEntries(Object.entries(all).filter((entry): entry is [string, Float32Array] => entry[1] !== undefined));
}

function common(run: RecurrentForward) {
  return { T: run.T, B: run.B, I: run.I, x: run.x, mask: run.mask, tensors: {}, forBackward: false, cacheWeights: run.cacheWeights ?? false };
}

/** ONNX LSTM (gates i, o, f, c; default activations), one direction. */
export function lstmForward(kernels: Kernels, run: LstmForward): SequenceOutputs {
  const config = { hiddenSize: run.H, clip: run.clip && run.clip > 0 ? run.clip : undefined, inputForget: run.inputForget ?? false, peepholes: run.P !== undefined } as LstmConfig;
  const { outputs, state } = lstmKernel.forward(kernels, { ...common(run), params: params(run, { P: run.P }), state: [run.h0, run.c0], config });
  return { y: outputs, h: state[0] as Float32Array, c: state[1] as Float32Array };
}

/** ONNX GRU (gates z, r, h; default activations), one direction. */
export function gruForward(kernels: Kernels, run: GruForward): SequenceOutputs {
  const config = { hiddenSize: run.H, linearBeforeReset: run.linearBeforeReset } as GruConfig;
  const { outputs, state } = gruKernel.forward(kernels, { ...common(run), params: params(run), state: [run.h0], config });
  return { y: outputs, h: state[0] as Float32Array };
}

/** ONNX RNN (tanh or relu), one direction: the leaky-integrator kernel with α = 1 and b = Wb + Rb. */
export function rnnForward(kernels: Kernels, run: RnnForward): SequenceOutputs {
  const { T, B, H } = run;
  let bias: Float32Array | undefined;
  if (run.bias) {
    bias = run.bias.slice(0, H);
    for (let j = 0; j < H; j++) bias[j] = (bias[j] as number) + (run.bias[H + j] as number);
  }
  const s = new KernelSession(kernels);
  const w = { U: run.W, R: run.R, bias, alpha: new Float32Array(H).fill(1), alphaIsParameter: false, relu: run.activation === 'relu' };
  const { kept, at } = integratorSteps(s, w, { T, B, I: run.I, H, x: run.x, h0: run.h0, mask: run.mask, cacheWeights: run.cacheWeights ?? false });
  return { y: s.read(at.y, T * B * H), h: s.read(offset(kept.hs, T * B * H), B * H) };
}
