import * as tf from '@tensorflow/tfjs-core';
import { DataError, formatShape, ShapeError, type StateSpec } from '@unfold/core';

/** Checks a batch-major sequence input against the layer's sizes before any math runs. */
export function checkSequenceInput(
  where: string,
  x: tf.Tensor,
  inputSize: number,
  lengths: Int32Array | undefined,
  initialState: readonly tf.Tensor[] | undefined,
  states: readonly StateSpec[],
): void {
  if (x.rank !== 3 || x.shape[2] !== inputSize) {
    throw new ShapeError('input has the wrong shape', {
      where,
      expected: `[batch, time, ${inputSize}] (batch-major, ${inputSize} features)`,
      got: formatShape(x.shape),
      fix: x.rank === 2 ? 'add a batch axis: a single sequence is [1, time, features]' : 'reshape the input to [batch, time, features]',
    });
  }
  if (x.dtype !== 'float32') {
    throw new ShapeError('input has the wrong dtype', { where, expected: 'float32', got: x.dtype, fix: 'convert inputs with tf.cast(x, "float32")' });
  }
  const [batch, time] = x.shape as [number, number, number];
  if (lengths) {
    if (lengths.length !== batch) {
      throw new ShapeError('lengths do not match the batch', { where, expected: `${batch} lengths`, got: `${lengths.length}` });
    }
    const bad = lengths.findIndex((length) => !(length >= 0 && length <= time));
    if (bad >= 0) {
      throw new DataError('sequence length out of range', { where: `${where}: lengths[${bad}]`, expected: `0 <= length <= ${time}`, got: String(lengths[bad]) });
    }
  }
  if (initialState) {
    if (initialState.length !== states.length) {
      throw new ShapeError('wrong number of initial states', { where, expected: `${states.length} (${states.map((s) => s.name).join(', ')})`, got: String(initialState.length) });
    }
    initialState.forEach((state, i) => {
      const spec = states[i] as StateSpec;
      if (state.rank !== 2 || state.shape[0] !== batch || state.shape[1] !== spec.size) {
        throw new ShapeError(`initial state ${JSON.stringify(spec.name)} has the wrong shape`, { where, expected: formatShape([batch, spec.size]), got: formatShape(state.shape) });
      }
    });
  }
  const finite = tf.tidy(() => [x, ...(initialState ?? [])].map((t) => tf.all(tf.isFinite(t)).dataSync()[0]));
  const bad = finite.findIndex((ok) => !ok);
  if (bad >= 0) {
    throw new DataError(`${bad === 0 ? 'input' : `initial state ${JSON.stringify(states[bad - 1]?.name)}`} holds NaN or Infinity`, {
      where,
      expected: 'finite values',
      got: 'a non-finite value',
      fix: 'clean or normalise the data first (NaN often comes from missing values or division by zero)',
    });
  }
}
