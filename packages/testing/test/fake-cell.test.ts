import * as tf from '@tensorflow/tfjs-core';
import { createRegistry, initWeights, isUnfoldError, resolveModel, setupBackend } from '@unfold/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { fakeCell, fakeCellReference, runStepLoop, weightsToTensors } from '../src/index';

// x[t][b] = [t + 1, 10·(b + 1)]: with W = ones every output unit is the running sum of both features.
const T = 3;
const B = 2;
const xData = Array.from({ length: T }, (_, t) => Array.from({ length: B }, (_, b) => [t + 1, 10 * (b + 1)]));

function run(mask?: number[][]) {
  const root = resolveModel(createRegistry([fakeCell]), { kind: 'fake-accumulator', config: { inputSize: 2, hiddenSize: 3 } });
  const params = weightsToTensors(initWeights(root, 1));
  const x = tf.tensor3d(xData);
  const state = [tf.zeros([B, 3]) as tf.Tensor2D, tf.zeros([B, 1]) as tf.Tensor2D];
  const m = mask ? tf.tensor2d(mask) : undefined;
  const result = runStepLoop(fakeCell, params, x, state, fakeCell.validate(root.config), m);
  const out = { outputs: result.outputs.arraySync(), h: result.state[0]!.arraySync(), count: result.state[1]!.arraySync() };
  tf.dispose([result.outputs, ...result.state, ...Object.values(params), x, ...state, ...(m ? [m] : [])]);
  return out;
}

describe('fakeCell', () => {
  beforeAll(async () => {
    await setupBackend();
  });

  it('is a valid plugin with a ones-initialised W and two states', () => {
    expect(fakeCell).toMatchObject({ family: 'cell', kind: 'fake-accumulator', meta: { package: '@unfold/testing', version: '0.1.0' } });
    expect(fakeCell.sequence).toBeUndefined();
    const config = fakeCell.validate({ inputSize: 2, hiddenSize: 3 });
    expect(fakeCell.state(config)).toEqual([{ name: 'h', size: 3 }, { name: 'count', size: 1 }]);
    const weights = initWeights(resolveModel(createRegistry([fakeCell]), { kind: 'fake-accumulator', config: { inputSize: 2, hiddenSize: 3 } }), 99);
    expect(weights.W?.shape).toEqual([3, 2]);
    expect(Array.from(weights.W?.data ?? [])).toEqual([1, 1, 1, 1, 1, 1]);
    const codeOf = (raw: unknown): string => {
      try {
        fakeCell.validate(raw);
        return 'valid';
      } catch (error) {
        return isUnfoldError(error) ? error.code : String(error);
      }
    };
    expect([{ inputSize: 2 }, { inputSize: 0, hiddenSize: 1 }, { inputSize: 1.5, hiddenSize: 1 }].map(codeOf)).toEqual(['E_CONFIG', 'E_CONFIG', 'E_CONFIG']);
  });

  it('outputs running sums of all inputs and counts the steps', () => {
    const { outputs, h, count } = run();
    // Batch 0 adds 1+10, 2+10, 3+10; batch 1 adds 1+20, 2+20, 3+20.
    expect(outputs.map((step) => step.map((row) => row[0]))).toEqual([
      [11, 21],
      [23, 43],
      [36, 66],
    ]);
    expect(outputs[2]).toEqual([
      [36, 36, 36],
      [66, 66, 66],
    ]);
    expect(h).toEqual(outputs[2]);
    expect(count).toEqual([[3], [3]]);
  });

  it('under a mask, padded steps output 0 and leave h and count unchanged', () => {
    const { outputs, h, count } = run([
      [1, 1],
      [1, 0],
      [1, 0],
    ]);
    expect(outputs.map((step) => step.map((row) => row[0]))).toEqual([
      [11, 21],
      [23, 0],
      [36, 0],
    ]);
    expect(h).toEqual([
      [36, 36, 36],
      [21, 21, 21],
    ]);
    expect(count).toEqual([[3], [1]]);
  });

  it('fakeCellReference computes the same sums in float64', () => {
    const x = Float64Array.from(xData.flat(2));
    const { outputs, state } = fakeCellReference({ W: new Float64Array(6).fill(1) }, x, [new Float64Array(6), new Float64Array([5, 7])], { inputSize: 2, hiddenSize: 3 }, { T, B });
    expect(Array.from(outputs.subarray(0, 6))).toEqual([11, 11, 11, 21, 21, 21]);
    expect(Array.from(state[0] ?? [])).toEqual([36, 36, 36, 66, 66, 66]);
    expect(Array.from(state[1] ?? [])).toEqual([8, 10]);
  });
});
