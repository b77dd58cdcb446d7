import * as tf from '@tensorflow/tfjs-core';
import { cells } from '@unfold/cells/all';
import { heads, layers } from '@unfold/architectures';
import { createRegistry, Rng, setupBackend } from '@unfold/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchLoss, bucketBoundaries, bucketedOrder, createModel, fit, losses, makeBatch, mse, paddingReport, readExamples, type DataShape } from '../src/index';

beforeAll(() => setupBackend());

const registry = createRegistry([...cells, ...layers, ...heads, ...losses]);
const lengthsUniform = (count: number, seed: number) => {
  const rng = new Rng(seed);
  return Int32Array.from({ length: count }, () => 5 + rng.int(96)); // uniform in 5..100
};

describe('bucketing', () => {
  it('puts every sequence in one batch per epoch, each batch from one bucket, shuffled by seed and epoch', () => {
    const lengths = lengthsUniform(500, 1);
    const boundaries = bucketBoundaries(lengths, 'auto', 16);
    expect(boundaries.length).toBe(6); // 7 buckets (about four batches each) of about 71 sequences
    const order = bucketedOrder(lengths, 16, boundaries, 3, 1);
    expect(Array.from(order.flatMap((b) => Array.from(b))).sort((a, b) => a - b)).toEqual(Array.from({ length: 500 }, (_, i) => i));
    const bucket = (length: number) => boundaries.filter((b) => length >= b).length;
    for (const batch of order) expect(new Set(Array.from(batch, (i) => bucket(lengths[i] as number))).size).toBe(1);
    expect(bucketedOrder(lengths, 16, boundaries, 3, 1)).toEqual(order);
    expect(bucketedOrder(lengths, 16, boundaries, 3, 2)).not.toEqual(order);
    const saved = paddingReport(lengths, order);
    expect(saved.savedFraction).toBeGreaterThan(0.8);
    expect(bucketBoundaries(lengths, [20, 50], 16)).toEqual([20, 50]);
    expect(() => bucketBoundaries(lengths, [50, 20], 16)).toThrow(/increasing integers/);
  });

  it('gives the loss and gradients of the sequences taken one by one', () => {
    const model = createModel(registry, { kind: 'sequence-model', config: { readout: 'sequence' }, children: { body: { kind: 'lstm', config: { inputSize: 2, hiddenSize: 4 } }, output: { kind: 'dense', config: { inputSize: 4, outputSize: 1 } } } }, { seed: 2 });
    const rng = new Rng(4);
    const lengths = [3, 5, 8, 2, 7];
    const data = { x: lengths.map((n) => Array.from({ length: n }, () => [rng.uniformIn(-1, 1), rng.uniformIn(-1, 1)])), y: lengths.map((n) => Array.from({ length: n }, () => [rng.uniformIn(-1, 1)])) };
    const shape: DataShape = { input: model.input, target: { readout: 'sequence', kind: 'values', size: 1 } };
    const examples = readExamples(data, shape);
    const gradientsOf = (lossOf: () => tf.Scalar) => tf.tidy(() => {
      const { value, grads } = tf.variableGrads(lossOf, [...model.trainable]);
      return { loss: value.dataSync()[0] as number, grads: model.trainable.map((v) => Array.from((grads[v.name] as tf.Tensor).dataSync())) };
    });
    const padded = gradientsOf(() => batchLoss(model, mse, {}, makeBatch(examples, Int32Array.from([0, 1, 2, 3, 4]), shape)));
    const total = lengths.reduce((a, b) => a + b, 0);
    const single = gradientsOf(() => tf.addN(lengths.map((n, i) => tf.mul(batchLoss(model, mse, {}, makeBatch(examples, Int32Array.of(i), shape)), n / total))) as tf.Scalar);
    expect(Math.abs(padded.loss - single.loss)).toBeLessThan(1e-6);
    padded.grads.forEach((g, k) => g.forEach((v, i) => expect(Math.abs(v - single.grads[k]![i]!)).toBeLessThan(1e-6 + 1e-5 * Math.abs(v))));
    model.dispose();
  });

  it('fit reports the padding it saved', async () => {
    const model = createModel(registry, { kind: 'sequence-model', config: { readout: 'last' }, children: { body: { kind: 'gru', config: { inputSize: 1, hiddenSize: 3 } }, output: { kind: 'dense', config: { inputSize: 3, outputSize: 1 } } } }, { seed: 1 });
    const lengths = lengthsUniform(128, 2);
    const data = { x: Array.from(lengths, (n) => Array.from({ length: n }, (_, t) => [Math.sin(t)])), y: Array.from(lengths, (n) => [n / 100]) };
    const result = await fit(model, data, { epochs: 1, batchSize: 16, loss: 'mse', buckets: 'auto', progress: 'none' });
    expect(result.buckets?.boundaries.length).toBe(1);
    expect(result.buckets?.savedFraction).toBeGreaterThan(0.3);
    model.dispose();
  });
});
