import * as tf from '@tensorflow/tfjs-core';
import { initWeights, isUnfoldError, resolveModel, createRegistry, setupBackend, type CellPlugin, type ErrorCode, type JsonValue } from '@unfold/core';
import { weightsToTensors } from '@unfold/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { gruCell } from '../../src/gru/gru';
import { lstmCell } from '../../src/lstm/lstm';
import { rnnCell } from '../../src/rnn/rnn';

/** Runs fn and returns the thrown unfold error (code and message); fails when nothing or a foreign error is thrown. */
function caught(fn: () => unknown): { code: ErrorCode; message: string } {
  try {
    fn();
  } catch (error) {
    if (!isUnfoldError(error)) throw new Error(`expected an unfold error, got ${String(error)}`);
    return { code: error.code, message: error.message };
  }
  throw new Error('expected an error, nothing was thrown');
}

const I = 3;
const H = 4;
const B = 2;
const T = 5;

const cells: readonly { plugin: CellPlugin; config: Record<string, JsonValue> }[] = [
  { plugin: rnnCell, config: { inputSize: I, hiddenSize: H } },
  { plugin: lstmCell, config: { inputSize: I, hiddenSize: H, peepholes: true } },
  { plugin: gruCell, config: { inputSize: I, hiddenSize: H } },
];

beforeAll(async () => {
  await setupBackend();
});

for (const { plugin, config: raw } of cells) {
  describe(`${plugin.kind}: typed errors for bad input`, () => {
    const config = plugin.validate(raw);
    const stateCount = plugin.state(config).length;
    const node = resolveModel(createRegistry([plugin]), { kind: plugin.kind, config: raw });
    const weights = initWeights(node, 1);

    /** Calls fn with fresh params and well-formed inputs; checks that nothing leaks even when fn throws. */
    function withInputs(fn: (inputs: { params: Record<string, tf.Tensor>; x: tf.Tensor3D; xt: tf.Tensor2D; state: tf.Tensor2D[] }) => unknown): () => unknown {
      return () => {
        const params = weightsToTensors(weights);
        const x = tf.randomNormal<tf.Rank.R3>([T, B, I]);
        const xt = tf.randomNormal<tf.Rank.R2>([B, I]);
        const state = Array.from({ length: stateCount }, () => tf.zeros<tf.Rank.R2>([B, H]));
        const before = tf.memory().numTensors;
        try {
          return fn({ params, x, xt, state });
        } finally {
          expect(tf.memory().numTensors).toBe(before);
          tf.dispose([...Object.values(params), x, xt, ...state]);
        }
      };
    }

    it('step: x of the wrong rank or size is a ShapeError naming the expected shape', () => {
      const rank = caught(withInputs(({ params, x, state }) => plugin.step(params, x as unknown as tf.Tensor2D, state, config)));
      expect(rank.code).toBe('E_SHAPE');
      expect(rank.message).toContain(`${plugin.kind}.step: step input has the wrong shape; expected [B, ${I}]`);
      expect(rank.message).toContain('use sequence()');
      const size = caught(withInputs(({ params, state }) => tf.tidy(() => void plugin.step(params, tf.zeros([B, I + 1]), state, config))));
      expect(size.code).toBe('E_SHAPE');
      expect(size.message).toContain(`got [${B}, ${I + 1}]`);
    });

    it('step: a wrong state count or state shape is a ShapeError', () => {
      const count = caught(withInputs(({ params, xt, state }) => plugin.step(params, xt, [...state, state[0] as tf.Tensor2D], config)));
      expect(count.code).toBe('E_SHAPE');
      expect(count.message).toContain(`got ${stateCount + 1} state tensor(s)`);
      const shape = caught(withInputs(({ params, xt, state }) => tf.tidy(() => void plugin.step(params, xt, [tf.zeros([B + 1, H]), ...state.slice(1)], config))));
      expect(shape.code).toBe('E_SHAPE');
      expect(shape.message).toContain(`state h has the wrong shape; expected [B, ${H}] = [${B}, ${H}]`);
    });

    it('step: a missing parameter is a ConfigError, a misshapen one a ShapeError', () => {
      const missing = caught(withInputs(({ params, xt, state }) => plugin.step({ ...params, R: undefined as unknown as tf.Tensor }, xt, state, config)));
      expect(missing.code).toBe('E_CONFIG');
      expect(missing.message).toContain('parameter "R" is missing');
      const shaped = caught(withInputs(({ params, xt, state }) => tf.tidy(() => void plugin.step({ ...params, W: tf.transpose(params.W as tf.Tensor2D) }, xt, state, config))));
      expect(shaped.code).toBe('E_SHAPE');
      expect(shaped.message).toContain('parameter W has the wrong shape');
    });

    it('step: an integer input is a DataError', () => {
      const dtype = caught(withInputs(({ params, xt, state }) => tf.tidy(() => void plugin.step(params, tf.cast(xt, 'int32'), state, config))));
      expect(dtype.code).toBe('E_DATA');
      expect(dtype.message).toContain("tf.cast(x, 'float32')");
    });

    it('sequence: a 2-D input or a misshapen mask is a ShapeError', () => {
      const rank = caught(withInputs(({ params, xt, state }) => plugin.sequence?.(params, xt as unknown as tf.Tensor3D, state, config, {})));
      expect(rank.code).toBe('E_SHAPE');
      expect(rank.message).toContain(`${plugin.kind}.sequence: sequence input has the wrong shape; expected [T, B, ${I}]`);
      const mask = caught(withInputs(({ params, x, state }) => tf.tidy(() => void plugin.sequence?.(params, x, state, config, { mask: tf.ones([B, T]) }))));
      expect(mask.code).toBe('E_SHAPE');
      expect(mask.message).toContain(`mask has the wrong shape; expected [T, B] = [${T}, ${B}]`);
    });

    it('sequence: NaN in x, Infinity in the initial state and a non-0/1 mask are DataErrors', () => {
      const nan = caught(withInputs(({ params, state }) => tf.tidy(() => void plugin.sequence?.(params, tf.fill([T, B, I], Number.NaN), state, config, {}))));
      expect(nan.code).toBe('E_DATA');
      expect(nan.message).toContain('x holds a non-finite value; expected finite values; got NaN at flat index 0');
      const inf = caught(withInputs(({ params, x, state }) => tf.tidy(() => void plugin.sequence?.(params, x, [tf.fill([B, H], Infinity), ...state.slice(1)], config, {}))));
      expect(inf.code).toBe('E_DATA');
      expect(inf.message).toContain('initial state h holds a non-finite value');
      const half = caught(withInputs(({ params, x, state }) => tf.tidy(() => void plugin.sequence?.(params, x, state, config, { mask: tf.fill([T, B], 0.5) }))));
      expect(half.code).toBe('E_DATA');
      expect(half.message).toContain('mask holds a value other than 0 or 1');
    });
  });
}

describe('typed config errors', () => {
  it('rejects a zero hidden size, an unknown activation and a misspelt option', () => {
    expect(caught(() => rnnCell.validate({ inputSize: 3, hiddenSize: 0 })).message).toMatch(/invalid option "hiddenSize".*expected an integer >= 1; got 0/);
    expect(caught(() => rnnCell.validate({ inputSize: 3, hiddenSize: 2, activation: 'sigmoid' })).message).toContain('expected one of "tanh", "relu"');
    expect(caught(() => gruCell.validate({ inputSize: 3, hidenSize: 2 })).message).toContain('unknown option "hidenSize" (did you mean "hiddenSize"?)');
    expect(caught(() => gruCell.validate({ inputSize: 3, hiddenSize: 2, linearBeforeReset: 1 })).code).toBe('E_CONFIG');
  });

  it('rejects a non-positive clip and a forget bias without bias', () => {
    expect(caught(() => lstmCell.validate({ inputSize: 3, hiddenSize: 2, clip: 0 })).message).toContain('expected a finite number > 0');
    const forget = caught(() => lstmCell.validate({ inputSize: 3, hiddenSize: 2, bias: false, forgetBias: 1 }));
    expect(forget.code).toBe('E_CONFIG');
    expect(forget.message).toContain('forgetBias needs a bias to add to; expected bias: true, or forgetBias: 0; got bias: false, forgetBias: 1');
  });
});
