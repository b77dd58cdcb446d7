import * as tf from '@tensorflow/tfjs-core';
import { checkGradients, randomLossWeights, weightedSum } from '@unfold/testing';
import { hostTensor, Rng, setupBackend, type HostTensor } from '@unfold/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { leakyCell } from '../../src/leaky/leaky';
import { leakyReference } from './reference';

beforeAll(async () => {
  await setupBackend();
});

/** Runs the fused sequence on host data and returns the outputs [T, B, H]. */
function run(config: ReturnType<typeof leakyCell.validate>, weights: Record<string, Float32Array>, x: Float32Array, T: number, B: number): Float32Array {
  return tf.tidy(() => {
    const H = config.hiddenSize;
    const params = Object.fromEntries(leakyCell.parameters(config).map((p) => [p.name, tf.tensor(weights[p.name] as Float32Array, [...p.shape])]));
    const result = leakyCell.sequence?.(params, tf.tensor3d(x, [T, B, config.inputSize]), [tf.zeros([B, H]) as tf.Tensor2D], config, {});
    return (result?.outputs as tf.Tensor).dataSync() as Float32Array;
  });
}

describe('leaky time scales', () => {
  it('integrates at different speeds: the step response of unit j rises as 1 − (1 − αⱼ)^t and decays as (1 − αⱼ)^t', () => {
    // Units with α = 1, 0.3, 0.1, 0.01 all see the same drive g = tanh(1) while the input is on (W = 1,
    // R = 0, no bias) and g = 0 after it is switched off.
    const alphas = [1, 0.3, 0.1, 0.01];
    const H = alphas.length;
    const config = leakyCell.validate({ inputSize: 1, hiddenSize: H, alphas, bias: false });
    const A = leakyCell.parameters(config).find((p) => p.name === 'A')?.init([H], new Rng(0)) as Float32Array;
    const weights = { W: new Float32Array(H).fill(1), R: new Float32Array(H * H), A };
    const on = 40;
    const T = 80;
    const x = Float32Array.from({ length: T }, (_, t) => (t < on ? 1 : 0));
    const h = run(config, weights, x, T, 1);
    const g = Math.tanh(1);
    for (const [j, alpha] of alphas.entries()) {
      for (let t = 0; t < T; t++) {
        const rise = g * (1 - (1 - alpha) ** Math.min(t + 1, on));
        const expected = t < on ? rise : rise * (1 - alpha) ** (t + 1 - on);
        expect(Math.abs((h[t * H + j] as number) - expected)).toBeLessThan(2e-6);
      }
    }
    // Slower units hold more of their past at every step: after 10 steps of input and after 10 steps of silence.
    const at = (t: number) => alphas.map((_, j) => h[t * H + j] as number);
    const rising = at(9);
    const decaying = at(on + 9).map((value, j) => value / (at(on - 1)[j] as number));
    for (let j = 1; j < H; j++) {
      expect(rising[j] as number).toBeLessThan(rising[j - 1] as number);
      expect(decaying[j] as number).toBeGreaterThan(decaying[j - 1] as number);
    }
  });

  it('stores α = 1 so that σ(A) is exactly 1 in float32 on the backend (a plain Elman unit)', () => {
    const config = leakyCell.validate({ inputSize: 1, hiddenSize: 2, alphas: [1, 0.5] });
    const A = leakyCell.parameters(config).find((p) => p.name === 'A')?.init([2], new Rng(0)) as Float32Array;
    const alpha = tf.tidy(() => tf.sigmoid(tf.tensor1d(A)).dataSync());
    expect(Array.from(alpha)).toEqual([1, 0.5]);
  });
});

describe('leaky gradients against float64 finite differences on a long sequence', () => {
  it('matches for W, R, B and the learned rates A over T = 30 with slow units', () => {
    const [T, B, I, H] = [30, 2, 2, 4];
    const config = leakyCell.validate({ inputSize: I, hiddenSize: H, alphaRange: [0.02, 0.9], learnAlpha: true });
    const rng = new Rng(17);
    const point: Record<string, HostTensor> = {};
    for (const p of leakyCell.parameters(config)) {
      const init = p.init(p.shape, rng.fork(p.name));
      point[p.name] = hostTensor(p.shape, init.map((v) => v + rng.uniformIn(-0.2, 0.2)));
    }
    point.x = hostTensor([T, B, I], Float32Array.from({ length: T * B * I }, () => rng.uniformIn(-1, 1)));
    point.h0 = hostTensor([B, H], Float32Array.from({ length: B * H }, () => rng.uniformIn(-0.5, 0.5)));
    const G = randomLossWeights([T, B, H], 3);
    const names = ['W', 'R', 'B', 'A', 'x', 'h0'];
    const result = checkGradients({
      point,
      names,
      samples: 12,
      analytic: (at) =>
        tf.tidy(() => {
          const tensors = names.map((name) => tf.tensor((at[name] as HostTensor).data, [...(at[name] as HostTensor).shape]));
          const loss = (...args: tf.Tensor[]) => {
            const [W, R, Bias, A, x, h0] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor3D, tf.Tensor2D];
            const out = leakyCell.sequence?.({ W, R, B: Bias, A }, x, [h0], config, {});
            return tf.sum(tf.mul(out?.outputs as tf.Tensor, tf.tensor(G, [T, B, H]))) as tf.Scalar;
          };
          const grads = tf.grads(loss)(tensors);
          return Object.fromEntries(names.map((name, k) => [name, (grads[k] as tf.Tensor).dataSync() as Float32Array]));
        }),
      reference: (at) => {
        const { W, R, B: Bias, A, x, h0 } = at as Record<string, Float64Array>;
        const out = leakyReference({ W: W as Float64Array, R: R as Float64Array, B: Bias as Float64Array, A: A as Float64Array }, x as Float64Array, [h0 as Float64Array], config, { T, B });
        return weightedSum(out.outputs, G);
      },
    });
    expect(result.skippedAtKinks).toBe(0); // tanh: smooth everywhere
    expect(result.checked).toBe(names.reduce((sum, name) => sum + Math.min(12, (point[name] as HostTensor).data.length), 0));
    const worst = result.worst as NonNullable<typeof result.worst>;
    expect(Math.abs(worst.analytic - worst.numeric)).toBeLessThan(1e-4);
  });
});
