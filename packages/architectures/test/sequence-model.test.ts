import * as tf from '@tensorflow/tfjs-core';
import { isUnfoldError, setupBackend, type ModelSpec } from '@unfold/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { runSequence } from '../src/index';
import { build, fake, run } from './helpers';

beforeAll(() => setupBackend());

const denseHead = (inputSize: number, outputSize: number) => ({ kind: 'dense', config: { inputSize, outputSize } });
const x = [
  [[1, 2], [3, 4], [5, 6]],
  [[1, 1], [2, 2], [100, 100]],
];

/** Sets the dense head to y = 2·h₀ − h₁ + 1 (weights W [1, 2], b [1]). */
function setHead(tensors: Record<string, tf.Variable>): void {
  tensors['output.W']!.assign(tf.tensor2d([[2, -1]]));
  tensors['output.b']!.assign(tf.tensor1d([1]));
}

describe('sequence-model', () => {
  it('reads out at every step', () => {
    const model = build({ kind: 'sequence-model', children: { body: fake(2, 2), output: denseHead(2, 1) } });
    setHead(model.tensors);
    // body outputs are running sums (both units equal): y = 2s − s + 1 = s + 1.
    expect(run(model.bound, x, [3, 2]).outputs).toEqual([[[4], [11], [22]], [[3], [7], [0]]]); // padding stays 0
    model.dispose();
  });

  it('reads out at each sequence’s last real step', () => {
    const model = build({ kind: 'sequence-model', config: { readout: 'last' }, children: { body: fake(2, 2), output: denseHead(2, 1) } });
    setHead(model.tensors);
    const { outputs, finalState } = run(model.bound, x, [3, 2]);
    expect(outputs).toEqual([[[22]], [[7]]]);
    expect(finalState[0]).toEqual([[21, 21], [6, 6]]);
    expect(run(model.bound, x, [0, 1]).outputs).toEqual([[[0]], [[3]]]); // an empty sequence has no last step: 0
    model.dispose();
  });

  it('reads token ids through an embedding input', () => {
    const model = build({ kind: 'sequence-model', children: { input: { kind: 'embedding', config: { vocabularySize: 3, embeddingSize: 2 } }, body: fake(2, 1) } });
    model.tensors['input.E']!.assign(tf.tensor2d([[0, 0], [1, 0], [0, 10]]));
    const outputs = tf.tidy(() => runSequence(model.bound, { x: tf.tensor2d([[1, 2, 2]], [1, 3], 'int32') as unknown as tf.Tensor3D }).outputs.arraySync());
    expect(outputs).toEqual([[[1], [11], [21]]]);
    const error = (() => {
      try {
        tf.tidy(() => runSequence(model.bound, { x: tf.tensor2d([[1, 3]], [1, 2], 'int32') as unknown as tf.Tensor3D }).outputs);
      } catch (e) {
        return isUnfoldError(e) ? e.message : 'not unfold';
      }
      return 'no error';
    })();
    expect(error).toBe('model: input[0][1]: token id out of range; expected an id in [0, 3); got 3. Fix: map unknown tokens to a reserved id');
    model.dispose();
  });

  it('checks the sizes of its parts', () => {
    const bad: ModelSpec = { kind: 'sequence-model', children: { body: fake(2, 2), output: denseHead(3, 1) } };
    expect(() => build(bad)).toThrowError(/output: output head input size does not match the body; expected inputSize 2 \(the output size of body\); got inputSize 3/);
    const badInput: ModelSpec = { kind: 'sequence-model', children: { input: { kind: 'embedding', config: { vocabularySize: 3, embeddingSize: 4 } }, body: fake(2, 2) } };
    expect(() => build(badInput)).toThrowError(/body: body input size does not match the input head; expected inputSize 4/);
  });
});
