import * as tf from '@tensorflow/tfjs-core';
import { DataError, formatShape, sameShape, ShapeError, stateTensorShape, type InputSpec, type StateSpec } from '@unfold/core';

/** Checks a batch-major sequence input against the component's sizes before any math runs. */
export function checkSequenceInput(
  where: string,
  x: tf.Tensor,
  input: InputSpec,
  lengths: Int32Array | undefined,
  initialState: readonly tf.Tensor[] | undefined,
  states: readonly StateSpec[],
): void {
  if (input.kind === 'tokens') checkTokens(where, x, input.size);
  else checkFeatures(where, x, input.size);
  checkLengthsAndStates(where, x, lengths, initialState, states);
}

function checkTokens(where: string, x: tf.Tensor, vocabularySize: number): void {
  if (x.rank !== 2 || x.dtype !== 'int32') {
    throw new ShapeError('token input has the wrong shape or dtype', { where, expected: '[batch, time] int32 token ids', got: `${formatShape(x.shape)} ${x.dtype}`, fix: 'pass ids as tf.tensor2d(ids, [batch, time], "int32")' });
  }
  const ids = x.dataSync();
  const bad = ids.findIndex((id) => id < 0 || id >= vocabularySize);
  if (bad >= 0) {
    throw new DataError('token id out of range', { where: `${where}: input[${Math.floor(bad / (x.shape[1] as number))}][${bad % (x.shape[1] as number)}]`, expected: `an id in [0, ${vocabularySize})`, got: String(ids[bad]), fix: 'map unknown tokens to a reserved id' });
  }
}

function checkFeatures(where: string, x: tf.Tensor, inputSize: number): void {
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
}

function checkLengthsAndStates(where: string, x: tf.Tensor, lengths: Int32Array | undefined, initialState: readonly tf.Tensor[] | undefined, states: readonly StateSpec[]): void {
  const [batch, time] = x.shape as [number, number];
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
      const expected = stateTensorShape(spec, batch);
      if (!sameShape(state.shape, expected)) {
        throw new ShapeError(`initial state ${JSON.stringify(spec.name)} has the wrong shape`, { where, expected: formatShape(expected), got: formatShape(state.shape) });
      }
    });
  }
  const checked = x.dtype === 'float32' ? [x, ...(initialState ?? [])] : [tf.zeros([1]), ...(initialState ?? [])];
  const finite = tf.tidy(() => checked.map((t) => tf.all(tf.isFinite(t)).dataSync()[0]));
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
