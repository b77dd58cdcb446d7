import * as tf from '@tensorflow/tfjs-core';
import { hostTensor, isUnfoldError, setupBackend } from '@unfold/core';
import { checkGradients, expectClose } from '@unfold/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { dense, embedding } from '../src/index';

beforeAll(() => setupBackend());

const W = [[1, 2, 3], [-1, 0, 1]]; // [O=2, I=3]
const b = [0.5, -0.5];

describe('dense head', () => {
  const config = dense.validate({ inputSize: 3, outputSize: 2 });
  const params = () => ({ W: tf.tensor2d(W), b: tf.tensor1d(b) });

  it('maps the last axis of any rank: y = x Wᵀ + b', () => {
    const y = tf.tidy(() => dense.apply(params(), tf.tensor3d([[[1, 0, 0], [0, 1, 1]]]), config).arraySync());
    expect(y).toEqual([[[1.5, -1.5], [5.5, 0.5]]]);
  });

  it('applies softmax over the outputs when asked', () => {
    const soft = dense.validate({ inputSize: 3, outputSize: 2, activation: 'softmax' });
    const y = tf.tidy(() => Array.from(dense.apply(params(), tf.tensor2d([[1, 0, 0]]), soft).dataSync()));
    expectClose(y, [Math.exp(1.5) / (Math.exp(1.5) + Math.exp(-1.5)), Math.exp(-1.5) / (Math.exp(1.5) + Math.exp(-1.5))]);
  });

  it('has gradients that agree with float64 finite differences', () => {
    const x = [0.3, -0.2, 0.9, 1.1, 0.4, -0.7]; // [2, 3]
    const G = [0.2, -1, 0.5, 0.7]; // loss weights [2, 2]
    const tanhConfig = dense.validate({ inputSize: 3, outputSize: 2, activation: 'tanh' });
    const result = checkGradients({
      point: { W: hostTensor([2, 3], W.flat()), b: hostTensor([2], b), x: hostTensor([2, 3], x) },
      analytic: (p) =>
        tf.tidy(() => {
          const [gW, gb, gx] = tf.grads((w: tf.Tensor, bias: tf.Tensor, input: tf.Tensor) => tf.sum(tf.mul(dense.apply({ W: w, b: bias }, input, tanhConfig), tf.tensor2d(G, [2, 2]))))([
            tf.tensor(p.W!.data, [2, 3]),
            tf.tensor(p.b!.data, [2]),
            tf.tensor(p.x!.data, [2, 3]),
          ]);
          return { W: gW!.dataSync() as Float32Array, b: gb!.dataSync() as Float32Array, x: gx!.dataSync() as Float32Array };
        }),
      reference: (p) => {
        let loss = 0;
        for (let n = 0; n < 2; n++) {
          for (let o = 0; o < 2; o++) {
            let z = p.b![o]!;
            for (let i = 0; i < 3; i++) z += p.x![n * 3 + i]! * p.W![o * 3 + i]!;
            loss += Math.tanh(z) * G[n * 2 + o]!;
          }
        }
        return loss;
      },
    });
    expect(result.checked).toBeGreaterThan(8);
  });
});

describe('embedding head', () => {
  const config = embedding.validate({ vocabularySize: 3, embeddingSize: 2 });
  const E = () => ({ E: tf.tensor2d([[0, 1], [2, 3], [4, 5]]) });

  it('looks up rows by id for any shape of ids', () => {
    const y = tf.tidy(() => embedding.apply(E(), tf.tensor2d([[2, 0], [1, 1]], [2, 2], 'int32'), config).arraySync());
    expect(y).toEqual([[[4, 5], [0, 1]], [[2, 3], [2, 3]]]);
  });

  it('rejects ids out of range and non-integer ids with typed errors', () => {
    const codeOf = (ids: tf.Tensor) => {
      try {
        tf.tidy(() => embedding.apply(E(), ids, config));
      } catch (error) {
        return isUnfoldError(error) ? `${error.code}: ${error.message}` : 'not unfold';
      }
      return 'no error';
    };
    expect(codeOf(tf.tensor1d([0, 3], 'int32'))).toContain('E_DATA: embedding: flat index 1: token id out of range; expected an id in [0, 3); got 3');
    expect(codeOf(tf.tensor1d([-1], 'int32'))).toContain('E_DATA');
    expect(codeOf(tf.tensor1d([0.5]))).toContain('E_SHAPE');
  });
});
