import * as tf from '@tensorflow/tfjs-core';
import { isUnfoldError, setupBackend } from '@unfold/core';
import { expectClose } from '@unfold/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { clipByGlobalNorm, createOptimizer, learningRateAt, schedules, type OptimizerConfig } from '../src/index';

beforeAll(() => setupBackend());

/** Minimises f(θ) = Σ cᵢ (θᵢ − 3)² from θ = 0 and returns θ. */
function minimise(config: OptimizerConfig, steps: number): number[] {
  const theta = tf.tidy(() => tf.variable(tf.zeros([3])));
  const c = tf.tensor1d([1, 4, 0.25]);
  const optimizer = createOptimizer(config);
  for (let step = 0; step < steps; step++) {
    tf.tidy(() => {
      const { grads } = tf.variableGrads(() => tf.sum(tf.mul(c, tf.square(tf.sub(theta, 3)))) as tf.Scalar, [theta]);
      optimizer.apply([theta], [grads[theta.name]!], learningRateAt(config.learningRate, step));
    });
  }
  const result = Array.from(theta.dataSync());
  optimizer.dispose();
  theta.dispose();
  c.dispose();
  return result;
}

describe('optimizers', () => {
  it('take the textbook first step', () => {
    // g = 2c(θ − 3) = [−6, −24, −1.5] at θ = 0.
    expectClose(minimise({ kind: 'sgd', learningRate: 0.1 }, 1), [0.6, 2.4, 0.15]);
    // Adam's first step is η·sign(g) (m̂/√v̂ = ±1): θ = 0.1 each.
    expectClose(minimise({ kind: 'adam', learningRate: 0.1 }, 1), [0.1, 0.1, 0.1], { rtol: 1e-4 });
    // RMSProp: s = 0.1 g², step η g/√s = η √10 · sign(g).
    expectClose(minimise({ kind: 'rmsprop', learningRate: 0.01 }, 1), [0.01 * Math.sqrt(10), 0.01 * Math.sqrt(10), 0.01 * Math.sqrt(10)], { rtol: 1e-4 });
  });

  it.each([
    [{ kind: 'sgd', learningRate: 0.05, momentum: 0.9 }, 300],
    [{ kind: 'sgd', learningRate: 0.05, momentum: 0.9, nesterov: true }, 300],
    [{ kind: 'adam', learningRate: 0.1 }, 500],
    [{ kind: 'rmsprop', learningRate: 0.01, momentum: 0.5 }, 800],
  ] as [OptimizerConfig, number][])('%o converges on a quadratic', (config, steps) => {
    expectClose(minimise(config, steps), [3, 3, 3], { atol: 2e-2, rtol: 0 });
  });

  it('creates no lasting tensors beyond its slots, and frees them on dispose', () => {
    const before = tf.memory().numTensors;
    minimise({ kind: 'adam', learningRate: 0.1 }, 5);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad hyper-parameters with typed errors', () => {
    for (const bad of [{ kind: 'adam', learningRate: -1 }, { kind: 'adam', learningRate: 1e-3, beta1: 1 }, { kind: 'sgd', learningRate: 0.1, momentum: 2 }, { kind: 'lbfgs', learningRate: 1 }]) {
      try {
        createOptimizer(bad as OptimizerConfig);
        expect.unreachable();
      } catch (error) {
        expect(isUnfoldError(error, 'E_CONFIG')).toBe(true);
      }
    }
    expect(() => learningRateAt(() => Number.NaN, 3)).toThrowError(/step 3: learning-rate schedule returned an invalid rate/);
  });
});

describe('schedules and clipping', () => {
  it('compute the documented rates', () => {
    expect(schedules.exponential(1, 0.5, 10)(25)).toBe(0.25);
    expectClose([schedules.cosine(1, 0, 100)(50)], [0.5]);
    expect(schedules.cosine(1, 0.1, 100)(200)).toBeCloseTo(0.1);
    expect(schedules.warmup(1, 4)(0)).toBe(0.25);
    expect(schedules.warmup(1, 4)(10)).toBe(1);
  });

  it('clip by global norm', () => {
    const [a, b, norm] = tf.tidy(() => {
      const r = clipByGlobalNorm([tf.tensor1d([3, 0]), tf.tensor1d([0, 4])], 1);
      return [Array.from(r.gradients[0]!.dataSync()), Array.from(r.gradients[1]!.dataSync()), r.norm.dataSync()[0]];
    });
    expectClose(a as number[], [0.6, 0]);
    expectClose(b as number[], [0, 0.8]);
    expect(norm).toBe(5);
  });
});
