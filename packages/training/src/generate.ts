import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '@unfold/core';
import type { Model } from './model';

/**
 * Free-running (generative) prediction: the model reads a priming sequence, then runs on its own
 * predictions for `steps` more steps, carrying its state one step at a time.
 *
 * `nextInput(prediction)` turns a prediction into the next input row (default: the prediction itself,
 * for an autoregressive forecaster whose input is the previous value; an ESN with output feedback returns
 * [u_t, prediction]). Needs readout "sequence". Returns the `steps` predictions, [steps][O].
 */
export function freeRun(model: Model, prime: readonly (readonly number[])[], steps: number, nextInput: (prediction: readonly number[], step: number) => readonly number[] = (p) => p): number[][] {
  if (model.readout !== 'sequence') throw new ConfigError('free-running needs per-step outputs', { where: 'freeRun', expected: 'a model with readout "sequence"', got: 'readout "last"' });
  if (prime.length === 0) throw new ConfigError('free-running needs a priming sequence', { where: 'freeRun', expected: 'at least one input step', got: '0' });
  const inputSize = model.input.size;
  const run = (rows: readonly (readonly number[])[], state: readonly tf.Tensor[] | undefined) =>
    tf.tidy(() => {
      const x = tf.tensor3d([rows.map((r) => [...r])], [1, rows.length, inputSize]);
      const result = model.forward(x, { ...(state ? { initialState: state } : {}) });
      const last = tf.slice(result.outputs, [0, rows.length - 1, 0], [1, 1, model.outputSize]);
      return { prediction: Array.from(last.dataSync()), state: result.finalState.map((s) => tf.keep(s)) };
    });
  let { prediction, state } = run(prime, undefined);
  const out: number[][] = [];
  try {
    for (let step = 0; step < steps; step++) {
      out.push(prediction);
      if (step === steps - 1) break;
      const next = run([nextInput(prediction, step)], state);
      tf.dispose(state as tf.Tensor[]);
      ({ prediction, state } = next);
    }
  } finally {
    tf.dispose(state as tf.Tensor[]);
  }
  return out;
}
