import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from '@unfold/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { runSequence } from '../src/index';
import { build, fake, gradients, run } from './helpers';

beforeAll(() => setupBackend());

// With the fake cell (W = ones) each output unit is the running sum of every input feature so far,
// and the `count` state counts real steps: padding, reversal and chunking can be checked by hand.
const x = [
  [[1, 2], [3, 4], [5, 6]],
  [[1, 1], [2, 2], [100, 100]],
];

describe('recurrent layer with a hand-computable cell', () => {
  it('accumulates forward and stops at each sequence’s length', () => {
    const { bound, dispose } = build({ kind: 'recurrent', children: { cell: fake(2, 2) } });
    const { outputs, finalState } = run(bound, x, [3, 2]);
    expect(outputs).toEqual([
      [[3, 3], [10, 10], [21, 21]],
      [[2, 2], [6, 6], [0, 0]],
    ]);
    expect(finalState).toEqual([[[21, 21], [6, 6]], [[3], [2]]]);
    dispose();
  });

  it('reverses within each sequence’s length and leaves padding in place', () => {
    const { bound, dispose } = build({ kind: 'recurrent', config: { reverse: true }, children: { cell: fake(2, 2) } });
    const { outputs, finalState } = run(bound, x, [3, 2]);
    expect(outputs).toEqual([
      [[21, 21], [18, 18], [11, 11]],
      [[6, 6], [4, 4], [0, 0]],
    ]);
    expect(finalState).toEqual([[[21, 21], [6, 6]], [[3], [2]]]);
    dispose();
  });

  it('starts from the given initial state', () => {
    const { bound, dispose } = build({ kind: 'recurrent', children: { cell: fake(2, 1) } });
    const { outputs, finalState } = run(bound, [[[1, 1]]], undefined, [[[10]], [[5]]]);
    expect(outputs).toEqual([[[12]]]);
    expect(finalState).toEqual([[[12]], [[6]]]);
    dispose();
  });

  it('running in chunks with the state carried equals one call', () => {
    const { bound, dispose } = build({ kind: 'recurrent', children: { cell: fake(2, 2) } });
    const whole = run(bound, x, [3, 2]);
    const first = run(bound, x.map((seq) => seq.slice(0, 2)), [2, 2]);
    const second = run(bound, x.map((seq) => seq.slice(2)), [1, 0], first.finalState);
    expect(second.finalState).toEqual(whole.finalState);
    expect(first.outputs.map((seq, b) => [...seq, ...(second.outputs[b] as number[][])])).toEqual(whole.outputs);
    dispose();
  });

  it('handles T = 0 and length-0 sequences', () => {
    const { bound, dispose } = build({ kind: 'recurrent', children: { cell: fake(2, 2) } });
    const empty = tf.tidy(() => {
      const r = runSequence(bound, { x: tf.zeros([2, 0, 2]) as tf.Tensor3D });
      return { shape: r.outputs.shape, state: r.finalState.map((s) => s.arraySync()) };
    });
    expect(empty.shape).toEqual([2, 0, 2]);
    expect(empty.state).toEqual([[[0, 0], [0, 0]], [[0], [0]]]);
    expect(run(bound, x, [0, 1]).finalState).toEqual([[[0, 0], [2, 2]], [[0], [1]]]);
    dispose();
  });

  it('padding changes neither final states nor gradients', () => {
    const model = build({ kind: 'recurrent', children: { cell: fake(2, 2) } });
    const padded = [[[1, 2], [3, 4], [7, -7], [1e3, 5]]];
    const unpadded = [[[1, 2], [3, 4]]];
    expect(run(model.bound, padded, [2]).finalState).toEqual(run(model.bound, unpadded).finalState);
    const withPadding = gradients(model.bound, model.tensors, padded, [2]);
    expect(withPadding).toEqual(gradients(model.bound, model.tensors, unpadded));
    expect(withPadding['cell.W']?.some((g) => g !== 0)).toBe(true);
    model.dispose();
  });
});
