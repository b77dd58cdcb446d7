import * as tf from '@tensorflow/tfjs-core';
import { isUnfoldError, setupBackend } from '@unfold/core';
import { expectClose } from '@unfold/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { crossEntropy, mse } from '../src/index';

beforeAll(() => setupBackend());

describe('mse', () => {
  it('averages over features and unmasked positions only', () => {
    const value = tf.tidy(() => {
      const predictions = tf.tensor3d([[[1, 2], [3, 4]], [[0, 0], [9, 9]]]); // [B 2, T 2, O 2]
      const targets = tf.tensor3d([[[0, 2], [3, 0]], [[1, 1], [0, 0]]]);
      const mask = tf.tensor2d([[1, 1], [1, 0]]);
      return mse.compute(predictions, targets, mask, {}).dataSync()[0];
    });
    // per position: (1+0)/2 = 0.5, (0+16)/2 = 8, (1+1)/2 = 1; the masked (81+81)/2 is ignored.
    expectClose([value!], [(0.5 + 8 + 1) / 3]);
  });

  it('gives padded positions zero gradient', () => {
    const grad = tf.tidy(() => tf.grad((p: tf.Tensor) => mse.compute(p, tf.zeros([1, 2, 1]), tf.tensor2d([[1, 0]]), {}))(tf.tensor3d([[[1], [5]]])).arraySync());
    expect(grad).toEqual([[[2], [0]]]);
  });

  it('rejects mismatched targets', () => {
    try {
      tf.tidy(() => mse.compute(tf.zeros([1, 2, 1]), tf.zeros([1, 2, 2]), undefined, {}));
      expect.unreachable();
    } catch (error) {
      expect(isUnfoldError(error, 'E_SHAPE')).toBe(true);
      expect((error as Error).message).toContain('expected [1, 2, 1]; got [1, 2, 2]');
    }
  });
});

describe('cross-entropy', () => {
  it('equals −log softmax at the target class, over unmasked positions', () => {
    const logits = [[[2, 0, -1], [0.5, 0.5, 3]]];
    const value = tf.tidy(() => crossEntropy.compute(tf.tensor3d(logits), tf.tensor2d([[0, 2]], [1, 2], 'int32'), tf.tensor2d([[1, 1]]), {}).dataSync()[0]);
    const nll = (z: number[], k: number) => -(z[k]! - Math.log(z.reduce((s, v) => s + Math.exp(v), 0)));
    expectClose([value!], [(nll(logits[0]![0]!, 0) + nll(logits[0]![1]!, 2)) / 2]);
    const masked = tf.tidy(() => crossEntropy.compute(tf.tensor3d(logits), tf.tensor2d([[0, 2]], [1, 2], 'int32'), tf.tensor2d([[1, 0]]), {}).dataSync()[0]);
    expectClose([masked!], [nll(logits[0]![0]!, 0)]);
  });

  it('rejects float targets', () => {
    expect(() => tf.tidy(() => crossEntropy.compute(tf.zeros([1, 2, 3]), tf.zeros([1, 2]), undefined, {}))).toThrowError(/expected int32 class ids of shape \[1, 2\]; got float32 \[1, 2\]/);
  });
});
