import * as tf from '@tensorflow/tfjs-core';
import { useKernels } from '@unfold/cells/kernels';
import { Rng, setupBackend } from '@unfold/core';
import { expectClose } from '@unfold/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { affine } from '../src/heads/affine';

/**
 * The dense head's affine map on the WebAssembly kernels against the tfjs matMul, forced one after the
 * other on the same values: z and the gradients of Σ z ⊙ G with respect to x, W and b within 1e-5 +
 * 1e-5·|b|. Shapes leave partial row blocks (N mod 4), partial 8-column panels (O mod 8), a K block
 * boundary (I > 256) and an empty batch.
 */
const TOLERANCE = { atol: 1e-5, rtol: 1e-5 };
const SHAPES = [
  { N: 1, I: 1, O: 1 },
  { N: 7, I: 5, O: 3 },
  { N: 66, I: 300, O: 19 },
  { N: 0, I: 4, O: 2 },
];

function random(rng: Rng, n: number): Float32Array {
  return Float32Array.from({ length: n }, () => rng.uniformIn(-1, 1));
}

function run(mode: 'auto' | 'off', values: { x: Float32Array; W: Float32Array; b: Float32Array | undefined; G: Float32Array }, { N, I, O }: { N: number; I: number; O: number }) {
  useKernels(mode);
  return tf.tidy(() => {
    const x = tf.tensor2d(values.x, [N, I]);
    const W = tf.tensor2d(values.W, [O, I]);
    const b = values.b && tf.tensor1d(values.b);
    const G = tf.tensor2d(values.G, [N, O]);
    const f = (xs: tf.Tensor2D, Ws: tf.Tensor2D, bs?: tf.Tensor1D) => tf.sum(tf.mul(affine(xs, Ws, bs), G));
    const z = affine(x, W, b).dataSync() as Float32Array;
    const grads = (b ? tf.grads((xs, Ws, bs) => f(xs as tf.Tensor2D, Ws as tf.Tensor2D, bs as tf.Tensor1D))([x, W, b]) : tf.grads((xs, Ws) => f(xs as tf.Tensor2D, Ws as tf.Tensor2D))([x, W])).map((g) => g.dataSync() as Float32Array);
    return { z, grads };
  });
}

describe('dense affine map on the kernels', () => {
  beforeAll(() => setupBackend());
  afterAll(() => useKernels('auto'));

  for (const shape of SHAPES) {
    for (const withBias of [true, false]) {
      it(`N ${shape.N}, I ${shape.I}, O ${shape.O}${withBias ? '' : ', no bias'}: equals the tfjs matMul, forward and gradients`, () => {
        const rng = new Rng(shape.N * 100 + shape.O);
        const values = { x: random(rng, shape.N * shape.I), W: random(rng, shape.O * shape.I), b: withBias ? random(rng, shape.O) : undefined, G: random(rng, shape.N * shape.O) };
        const kernel = run('auto', values, shape);
        const tfjs = run('off', values, shape);
        expect(kernel.z.length).toBe(shape.N * shape.O);
        expectClose(kernel.z, tfjs.z, { ...TOLERANCE, label: 'z' });
        expect(kernel.grads.length).toBe(withBias ? 3 : 2);
        kernel.grads.forEach((g, k) => expectClose(g, tfjs.grads[k] as Float32Array, { ...TOLERANCE, label: `d/d${['x', 'W', 'b'][k]}` }));
      });
    }
  }
});
