import * as tf from '@tensorflow/tfjs-core';
import { createRegistry, isUnfoldError, setupBackend } from '@unfold/core';
import { expectClose } from '@unfold/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { binaryCrossEntropy, losses, resolveLoss } from '../src/index';

beforeAll(() => setupBackend());

const bce = (p: number, y: number) => -(y * Math.log(p) + (1 - y) * Math.log(1 - p));
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const probabilities = binaryCrossEntropy.validate({}, 'test');
const logits = binaryCrossEntropy.validate({ inputs: 'logits' }, 'test');

describe('binary-cross-entropy', () => {
  it('on probabilities: averages −(y log p + (1 − y) log(1 − p)) over features and unmasked positions', () => {
    const p = [[[0.9, 0.2], [0.6, 0.5]], [[0.3, 0.99], [0.5, 0.5]]]; // [B 2, T 2, O 2]
    const y = [[[1, 0], [0, 1]], [[1, 1], [0, 0]]];
    const value = tf.tidy(() => binaryCrossEntropy.compute(tf.tensor3d(p), tf.tensor3d(y), tf.tensor2d([[1, 1], [1, 0]]), probabilities).dataSync()[0]);
    const position = (b: number, t: number) => (bce(p[b]![t]![0]!, y[b]![t]![0]!) + bce(p[b]![t]![1]!, y[b]![t]![1]!)) / 2;
    expectClose([value!], [(position(0, 0) + position(0, 1) + position(1, 0)) / 3]);
  });

  it('on logits equals the loss on their sigmoids, and stays finite at logits of ±100', () => {
    const z = [[[2, -1, 0.5], [-3, 0, 4]]];
    const y = [[[1, 0, 0], [1, 1, 0]]];
    const [fromLogits, fromProbabilities] = tf.tidy(() => [
      binaryCrossEntropy.compute(tf.tensor3d(z), tf.tensor3d(y), undefined, logits).dataSync()[0]!,
      binaryCrossEntropy.compute(tf.sigmoid(tf.tensor3d(z)), tf.tensor3d(y), undefined, probabilities).dataSync()[0]!,
    ]);
    expectClose([fromLogits], [fromProbabilities], { rtol: 1e-5 });
    const extreme = tf.tidy(() => binaryCrossEntropy.compute(tf.tensor3d([[[100, -100]]]), tf.tensor3d([[[0, 0]]]), undefined, logits).dataSync()[0]!);
    expectClose([extreme], [50]); // (100 + 0) / 2: the wrong bit costs its logit, the right one nothing
  });

  it('gives d L / d logit = (σ(z) − y) / count on logits, and the same through a sigmoid on probabilities', () => {
    const z = [[[1.5, -0.5], [3, -2]]];
    const y = [[[0, 0], [1, 1]]];
    const mask = [[1, 0]];
    const expected = z.map((row, b) => row.map((bits, t) => bits.map((zi, o) => (mask[b]![t]! * (sigmoid(zi) - y[b]![t]![o]!)) / 2)));
    const viaLogits = tf.tidy(() => tf.grad((v: tf.Tensor) => binaryCrossEntropy.compute(v, tf.tensor3d(y), tf.tensor2d(mask), logits))(tf.tensor3d(z)).arraySync() as number[][][]);
    const viaSigmoid = tf.tidy(() => tf.grad((v: tf.Tensor) => binaryCrossEntropy.compute(tf.sigmoid(v), tf.tensor3d(y), tf.tensor2d(mask), probabilities))(tf.tensor3d(z)).arraySync() as number[][][]);
    expectClose(viaLogits.flat(2), expected.flat(2), { rtol: 1e-5 });
    expectClose(viaSigmoid.flat(2), expected.flat(2), { rtol: 1e-4 });
  });

  it('clamps probabilities of exactly 0 and 1 (finite loss)', () => {
    const value = tf.tidy(() => binaryCrossEntropy.compute(tf.tensor2d([[0, 1]]), tf.tensor2d([[1, 0]]), undefined, probabilities).dataSync()[0]!);
    expect(Number.isFinite(value)).toBe(true);
    // the float32 clamp: p = 1e-7 for the 0, and 1 − 1e-7 rounds to 1 − 2⁻²³ for the 1
    expectClose([value], [(-Math.log(Math.fround(1e-7)) - Math.log(1 - Math.fround(1 - 1e-7))) / 2], { rtol: 1e-4 });
  });

  it('rejects mismatched targets and an unknown inputs option', () => {
    try {
      tf.tidy(() => binaryCrossEntropy.compute(tf.zeros([1, 2, 3]), tf.zeros([1, 2, 2]), undefined, probabilities));
      expect.unreachable();
    } catch (error) {
      expect(isUnfoldError(error, 'E_SHAPE')).toBe(true);
      expect((error as Error).message).toContain('expected [1, 2, 3]; got [1, 2, 2]');
    }
    expect(() => binaryCrossEntropy.validate({ inputs: 'odds' }, 'loss')).toThrowError(/inputs/);
  });

  it('is a built-in loss for fit by name, with its config, and in the package registry', () => {
    const registry = createRegistry([...losses]);
    expect(resolveLoss('binary-cross-entropy', registry)).toMatchObject({ loss: binaryCrossEntropy, config: { inputs: 'probabilities' } });
    expect(resolveLoss({ kind: 'binary-cross-entropy', config: { inputs: 'logits' } }, registry).config).toEqual({ inputs: 'logits' });
    expect(registry.has('binary-cross-entropy')).toBe(true);
  });
});
