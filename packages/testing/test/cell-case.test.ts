import * as tf from '@tensorflow/tfjs-core';
import { defineCell, setupBackend, uniform } from '@unfold/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { casePoint, cellGradients, defaultLengths, differentiableNames, fakeCell, makeCellCase, paddingMask, runCellHost, runStepLoop, sliceTime, weightsToTensors } from '../src/index';
import { elmanCell, elmanDefinition } from './elman-cell';

describe('makeCellCase', () => {
  it('draws seeded inputs, a right-padded mask and noisy weights', () => {
    const c = makeCellCase(elmanCell, { inputSize: 3, hiddenSize: 4, fixedRecurrent: true }, { seed: 5 });
    expect(c.dims).toEqual({ T: 5, B: 3, I: 3, O: 4 });
    expect(c.lengths).toEqual([5, 3, 0]);
    expect(c.x.shape).toEqual([5, 3, 3]);
    expect(c.state0.map((s) => s.shape)).toEqual([[3, 4]]);
    expect(c.trainable).toEqual(['W', 'B']);
    expect(differentiableNames(c)).toEqual(['W', 'B', 'state.h', 'x']);
    expect(Object.keys(casePoint(c)).sort()).toEqual(['B', 'R', 'W', 'state.h', 'x']);
    expect(c.lossWeights.outputs).toHaveLength(5 * 3 * 4);
    for (const [name, tensor] of Object.entries(c.weights)) {
      const initial = c.initialWeights[name]!.data;
      const noise = tensor.data.map((v, i) => Math.abs(v - initial[i]!));
      expect(Math.max(...noise)).toBeLessThanOrEqual(0.1 + 1e-6);
      expect(Math.max(...noise)).toBeGreaterThan(0);
    }
    const same = makeCellCase(elmanCell, { inputSize: 3, hiddenSize: 4, fixedRecurrent: true }, { seed: 5 });
    expect(Array.from(same.x.data)).toEqual(Array.from(c.x.data));
    const plain = makeCellCase(elmanCell, { inputSize: 3, hiddenSize: 4 }, { weightNoise: 0 });
    expect(Array.from(plain.weights.W!.data)).toEqual(Array.from(plain.initialWeights.W!.data));
  });

  it('rejects invalid configs, lengths and parameter names that collide with inputs', () => {
    expect(() => makeCellCase(elmanCell, { inputSize: 3 })).toThrow(/missing required option "hiddenSize"/);
    expect(() => makeCellCase(elmanCell, { inputSize: 3, hiddenSize: 4 }, { T: 2, lengths: [2, 3, 0] })).toThrow(/lengths must hold 3 integers in \[0, 2\]/);
    const clash = defineCell({ ...elmanDefinition, kind: 'clash', parameters: () => [{ name: 'x', shape: [1], init: uniform(0, 1) }] });
    expect(() => makeCellCase(clash, { inputSize: 1, hiddenSize: 1 })).toThrow(/parameter name "x" collides/);
  });

  it('paddingMask, defaultLengths and sliceTime', () => {
    expect(defaultLengths(5, 3)).toEqual([5, 3, 0]);
    expect(defaultLengths(4, 1)).toEqual([4]);
    expect(defaultLengths(6, 4)).toEqual([6, 4, 2, 0]);
    expect(Array.from(paddingMask([3, 1], 3).data)).toEqual([1, 1, 1, 0, 1, 0]);
    const x = makeCellCase(fakeCell, { inputSize: 2, hiddenSize: 1 }).x;
    expect(sliceTime(x, 1)).toEqual({ shape: [1, 3, 2], data: x.data.slice(0, 6) });
    expect(sliceTime(x, 0).shape).toEqual([0, 3, 2]);
    expect(() => sliceTime(x, 6)).toThrow(/asked for 6 steps of a tensor with 5/);
  });
});

describe('the step-loop oracle', () => {
  beforeAll(async () => {
    await setupBackend();
  });

  it('at T=0 returns empty outputs and copies of the state, so disposing the result spares the inputs', () => {
    const c = makeCellCase(fakeCell, { inputSize: 2, hiddenSize: 3 });
    const params = weightsToTensors(c.weights);
    const x = tf.zeros([0, 3, 2]) as tf.Tensor3D;
    const state = c.state0.map((s) => tf.tensor2d(s.data, [3, s.shape[1]!]));
    const result = runStepLoop(fakeCell, params, x, state, c.config);
    expect(result.outputs.shape).toEqual([0, 3, 3]);
    expect(result.state.every((s, k) => s !== state[k])).toBe(true);
    tf.dispose([result.outputs, ...result.state]);
    expect(Array.from(state[0]!.dataSync())).toEqual(Array.from(c.state0[0]!.data));
    tf.dispose([...Object.values(params), x, ...state]);
  });

  it('leaves no tensors behind and refuses a fused path the cell lacks', () => {
    const c = makeCellCase(elmanCell, { inputSize: 3, hiddenSize: 4 });
    const before = tf.memory().numTensors;
    runCellHost(c, 'step-loop', { mask: c.mask });
    runCellHost(c, 'sequence');
    expect(tf.memory().numTensors).toBe(before);
    const fake = makeCellCase(fakeCell, { inputSize: 2, hiddenSize: 3 });
    expect(() => runCellHost(fake, 'sequence')).toThrow(/cell "fake-accumulator" has no fused sequence path; use 'step-loop'/);
    expect(() => cellGradients(fake, 'step-loop', { names: ['W', 'R'] })).toThrow(/nothing named "R" \(have W, x, state.h, state.count\)/);
    expect(cellGradients(fake, 'step-loop', { names: ['W'] }).gradients.W).toHaveLength(6);
    expect(tf.memory().numTensors).toBe(before);
  });
});
