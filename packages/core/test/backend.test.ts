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
