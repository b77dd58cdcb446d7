import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isUnfoldError, setupBackend } from '../src/index';

describe('setupBackend', () => {
  afterEach(() => vi.restoreAllMocks());

  it('uses wasm by default and computes in float32', async () => {
    expect(await setupBackend()).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    const product = tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]]));
    expect(await product.data()).toEqual(new Float32Array([11]));
  });

  it('switches to cpu on request without printing the tfjs-node banner', async () => {
    const warn = vi.spyOn(console, 'warn');
    const log = vi.spyOn(console, 'log');
    expect(await setupBackend({ backend: 'cpu' })).toBe('cpu');
    tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)).dataSync());
    expect(warn).not.toHaveBeenCalled();
    expect(log).not.toHaveBeenCalled();
    expect(await setupBackend({ backend: 'wasm' })).toBe('wasm');
  });

  it('rejects unknown backends with a typed error', async () => {
    await expect(setupBackend({ backend: 'webgl' as never })).rejects.toSatisfy((error: unknown) => isUnfoldError(error, 'E_BACKEND'));
  });
});

describe('wasm fallback kernels', () => {
  it('differentiates gather (UnsortedSegmentSum) on wasm exactly as on cpu', async () => {
    const gatherGradient = () =>
      tf.tidy(() => {
        const table = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
        const ids = tf.tensor1d([2, 0, 2, -1 + 1], 'int32');
        const weights = tf.tensor2d([[1, 10], [100, 1000], [2, 20], [3, 30]]);
        return Array.from(tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, ids), weights)))(table).dataSync());
      });
    await setupBackend({ backend: 'cpu' });
    const onCpu = gatherGradient();
    await setupBackend({ backend: 'wasm' });
    expect(gatherGradient()).toEqual(onCpu);
    expect(onCpu).toEqual([103, 1030, 0, 0, 3, 30]);
  });
});
