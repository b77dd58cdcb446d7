import { createRegistry, setupBackend, type ModelSpec } from '@unfold/core';
import { heads, layers } from '@unfold/architectures';
import { cells } from '@unfold/cells/all';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel, fit, losses, predict, twoTimescale } from '../../src/index';

beforeAll(() => setupBackend());

const registry = createRegistry([...cells, ...layers, ...heads, ...losses]);

function spec(cell: 'rnn' | 'leaky', hiddenSize: number): ModelSpec {
  return { kind: 'sequence-model', children: { body: { kind: cell, config: { inputSize: 1, hiddenSize } }, output: { kind: 'dense', config: { inputSize: hiddenSize, outputSize: 2 } } } };
}

async function testMse(cell: 'rnn' | 'leaky'): Promise<{ mse: number; fast: number; slow: number }> {
  const train = twoTimescale({ count: 200, length: 200, seed: 1 });
  const test = twoTimescale({ count: 40, length: 200, seed: 2 });
  const model = createModel(registry, spec(cell, 16), { seed: 3 });
  await fit(model, train, { epochs: 10, batchSize: 20, loss: 'mse', optimizer: { kind: 'adam', learningRate: 0.01 }, clipNorm: 1, seed: 4, progress: 'none' });
  const predictions = predict(model, test.x);
  model.dispose();
  let fast = 0;
  let slow = 0;
  let count = 0;
  predictions.forEach((sequence, n) =>
    sequence.forEach((step, t) => {
      const target = (test.y[n] as number[][])[t] as number[];
      fast += (step[0]! - target[0]!) ** 2;
      slow += (step[1]! - target[1]!) ** 2;
      count++;
    }),
  );
  return { mse: (fast + slow) / (2 * count), fast: fast / count, slow: slow / count };
}

describe('two time scales (targets: the previous input, and a ~50-step average)', () => {
  it('leaky units with a spectrum of time scales beat a plain RNN of equal size', async () => {
    const rnn = await testMse('rnn');
    const leaky = await testMse('leaky');
    const show = (r: typeof rnn) => `MSE ${r.mse.toFixed(4)} (fast ${r.fast.toFixed(4)}, slow ${r.slow.toFixed(4)})`;
    console.log(`two-timescale, 16 units, equal budget: rnn ${show(rnn)}; leaky ${show(leaky)} (target variance 0.333)`);
    expect(leaky.mse).toBeLessThan(rnn.mse);
  }, 120_000);
});
