import * as tf from '@tensorflow/tfjs-core';
import { isUnfoldError, setupBackend } from '@unfold/core';
import { expectClose } from '@unfold/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { createOptimizer, type Optimizer, type OptimizerConfig } from '../src/index';

beforeAll(() => setupBackend());

const c = [1, 4, 0.25];

/** One update of f(θ) = Σ cᵢ (θᵢ − 3)² + sin(θᵢ) (a gradient that changes from step to step) at rate `rate`. */
function update(optimizer: Optimizer, theta: tf.Variable, rate: number): void {
  tf.tidy(() => {
    const { grads } = tf.variableGrads(() => tf.sum(tf.add(tf.mul(tf.tensor1d(c), tf.square(tf.sub(theta, 3))), tf.sin(theta))) as tf.Scalar, [theta]);
    optimizer.apply([theta], [grads[theta.name]!], rate);
  });
}

const rate = (step: number) => 0.1 / (1 + step);

describe('adam restartEvery', () => {
  it('equals a fresh Adam for every block of k updates (the rate schedule running on over the whole run)', () => {
    const steps = 10;
    const k = 4;
    const restarted = tf.variable(tf.zeros([3]));
    const optimizer = createOptimizer({ kind: 'adam', learningRate: rate, restartEvery: k });
    for (let step = 0; step < steps; step++) update(optimizer, restarted, rate(step));
    const fresh = tf.variable(tf.zeros([3]));
    let blockOptimizer: Optimizer | undefined;
    for (let step = 0; step < steps; step++) {
      if (step % k === 0) {
        blockOptimizer?.dispose();
        blockOptimizer = createOptimizer({ kind: 'adam', learningRate: rate });
      }
      update(blockOptimizer as Optimizer, fresh, rate(step));
    }
    expectClose(restarted.dataSync(), fresh.dataSync(), { rtol: 1e-6 });
    // and it is not plain Adam: one Adam over the 10 updates ends elsewhere
    const plain = tf.variable(tf.zeros([3]));
    const plainOptimizer = createOptimizer({ kind: 'adam', learningRate: rate });
    for (let step = 0; step < steps; step++) update(plainOptimizer, plain, rate(step));
    const gap = Math.max(...Array.from(plain.dataSync(), (v, i) => Math.abs(v - (restarted.dataSync()[i] as number))));
    expect(gap).toBeGreaterThan(1e-3);
    for (const disposable of [optimizer, blockOptimizer as Optimizer, plainOptimizer, restarted, fresh, plain]) disposable.dispose();
  });

  it('restarts on schedule after a state export and import (a resumed run)', () => {
    const k = 3;
    const a = tf.variable(tf.zeros([3]));
    const first = createOptimizer({ kind: 'adam', learningRate: 0.05, restartEvery: k });
    for (let step = 0; step < 8; step++) update(first, a, 0.05);
    const b = tf.variable(tf.zeros([3]));
    const second = createOptimizer({ kind: 'adam', learningRate: 0.05, restartEvery: k });
    for (let step = 0; step < 5; step++) update(second, b, 0.05);
    const resumed = createOptimizer({ kind: 'adam', learningRate: 0.05, restartEvery: k });
    resumed.importState(second.exportState());
    for (let step = 5; step < 8; step++) update(resumed, b, 0.05);
    expectClose(b.dataSync(), a.dataSync(), { rtol: 1e-6 });
    for (const disposable of [first, second, resumed, a, b]) disposable.dispose();
  });

  it('rejects a restart period that is not an integer >= 1', () => {
    for (const restartEvery of [0, 2.5, -1, Number.NaN]) {
      try {
        createOptimizer({ kind: 'adam', learningRate: 1e-3, restartEvery } as OptimizerConfig);
        expect.unreachable();
      } catch (error) {
        expect(isUnfoldError(error, 'E_CONFIG')).toBe(true);
        expect((error as Error).message).toContain('restartEvery');
      }
    }
  });
});
