import * as tf from '@tensorflow/tfjs-core';
import { createRegistry, initWeights, resolveModel, setupBackend, type WeightMap } from '@unfold/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { eigenvalues, largestModulus } from '../../src/esn/eigenvalues';
import { esnCell } from '../../src/esn/esn';

const registry = createRegistry([esnCell]);

function weightsOf(config: Readonly<Record<string, number>>, seed: number): WeightMap {
  return initWeights(resolveModel(registry, { kind: 'esn', config }), seed);
}

/** ρ of the float32 reservoir the user gets, from the exact dense QR (not the code under test's path choice). */
function exactRadius(weights: WeightMap, H: number): number {
  return largestModulus(eigenvalues(Float64Array.from((weights.W as { data: Float32Array }).data), H));
}

describe('esn reservoir initialisation', () => {
  it('scales W to the requested spectral radius (checked by an exact eigenvalue computation)', () => {
    const cases: { hiddenSize: number; spectralRadius: number; connectivity?: number }[] = [
      { hiddenSize: 1, spectralRadius: 0.9 },
      { hiddenSize: 2, spectralRadius: 0.5, connectivity: 0.5 },
      { hiddenSize: 10, spectralRadius: 0.9 },
      { hiddenSize: 50, spectralRadius: 1.25, connectivity: 0.05 },
      { hiddenSize: 100, spectralRadius: 0.95 },
      { hiddenSize: 120, spectralRadius: 0.8, connectivity: 1 },
      { hiddenSize: 200, spectralRadius: 0.99, connectivity: 0.02 },
    ];
    let worst = 0;
    for (const [k, c] of cases.entries()) {
      const rho = exactRadius(weightsOf({ inputSize: 2, ...c }, 11 + k), c.hiddenSize);
      worst = Math.max(worst, Math.abs(rho - c.spectralRadius) / c.spectralRadius);
    }
    // The contract is 1%; float32 rounding of the scaled weights is all that is left.
    expect(worst).toBeLessThan(1e-5);
  });

  it('scales large reservoirs (Arnoldi path, H > 256) as exactly', () => {
    const H = 300;
    const rho = exactRadius(weightsOf({ inputSize: 1, hiddenSize: H, spectralRadius: 0.9 }, 3), H);
    expect(Math.abs(rho - 0.9) / 0.9).toBeLessThan(1e-5);
  });

  it('puts round(connectivity · H) non-zeros in every row (default: about 10 per unit)', () => {
    for (const [config, perRow] of [
      [{ hiddenSize: 40 }, 10],
      [{ hiddenSize: 8 }, 8],
      [{ hiddenSize: 40, connectivity: 0.1 }, 4],
      [{ hiddenSize: 40, connectivity: 0.001 }, 1],
    ] as const) {
      const H = config.hiddenSize;
      const W = (weightsOf({ inputSize: 1, ...config }, 5).W as { data: Float32Array }).data;
      for (let i = 0; i < H; i++) expect(W.subarray(i * H, (i + 1) * H).filter((v) => v !== 0).length).toBe(perRow);
    }
  });

  it('is a deterministic function of the seed', () => {
    const config = { inputSize: 2, hiddenSize: 30, feedbackSize: 1 };
    const a = weightsOf(config, 42);
    const b = weightsOf(config, 42);
    const c = weightsOf(config, 43);
    for (const name of ['Win', 'W', 'B', 'Wfb']) {
      expect((a[name] as { data: Float32Array }).data).toEqual((b[name] as { data: Float32Array }).data);
      expect((a[name] as { data: Float32Array }).data).not.toEqual((c[name] as { data: Float32Array }).data);
    }
  });

  it('draws Win, B and Wfb uniformly within their scalings, and keeps every weight fixed', () => {
    const weights = weightsOf({ inputSize: 20, hiddenSize: 50, inputScaling: 0.4, biasScaling: 0.2, feedbackSize: 10, feedbackScaling: 2 }, 9);
    for (const [name, scale] of [['Win', 0.4], ['B', 0.2], ['Wfb', 2]] as const) {
      const data = (weights[name] as { data: Float32Array }).data;
      const extreme = Math.max(...Array.from(data, Math.abs));
      expect(extreme).toBeLessThanOrEqual(scale);
      expect(extreme).toBeGreaterThan(0.9 * scale);
    }
    const zeroBias = weightsOf({ inputSize: 1, hiddenSize: 5, biasScaling: 0 }, 1);
    expect(Array.from((zeroBias.B as { data: Float32Array }).data)).toEqual([0, 0, 0, 0, 0]);
    const config = esnCell.validate({ inputSize: 2, hiddenSize: 5, feedbackSize: 1 });
    expect(esnCell.parameters(config).map((p) => [p.name, p.shape, p.trainable])).toEqual([
      ['Win', [5, 2], false],
      ['W', [5, 5], false],
      ['B', [5], false],
      ['Wfb', [5, 1], false],
    ]);
    expect(esnCell.inputSize(config)).toBe(3);
  });
});

describe('esn dynamics', () => {
  beforeAll(async () => {
    await setupBackend();
  });

  it('has the echo state property: two initial states forget their difference under the same drive', () => {
    const H = 50;
    const config = esnCell.validate({ inputSize: 1, hiddenSize: H, spectralRadius: 0.9, leakRate: 0.5 });
    const weights = weightsOf(config, 21);
    const [start, end] = tf.tidy(() => {
      const params = Object.fromEntries(Object.entries(weights).map(([name, w]) => [name, tf.tensor(w.data, [...w.shape])]));
      const T = 150;
      const drive = tf.tile(tf.randomUniform([T, 1, 1], -1, 1, 'float32', 1), [1, 2, 1]) as tf.Tensor3D; // same u for both rows
      const x0 = tf.concat([tf.fill([1, H], 0.8), tf.fill([1, H], -0.8)]) as tf.Tensor2D;
      const result = esnCell.sequence?.(params, drive, [x0], config, {});
      const final = result?.state[0] as tf.Tensor2D;
      const gap = (s: tf.Tensor2D) => tf.norm(tf.sub(tf.slice(s, [0, 0], [1, H]), tf.slice(s, [1, 0], [1, H]))).dataSync()[0] as number;
      return [gap(x0), gap(final)];
    });
    expect(start).toBeGreaterThan(10);
    expect(end).toBeLessThan(1e-4 * start);
  });
});
