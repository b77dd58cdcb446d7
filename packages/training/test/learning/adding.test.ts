import { createRegistry, setupBackend, type ModelSpec } from '@unfold/core';
import { heads, layers } from '@unfold/architectures';
import { cells } from '@unfold/cells/all';
import { useKernels, type KernelMode } from '@unfold/cells';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addingProblem, createModel, fit, losses, predict } from '../../src/index';

beforeAll(() => setupBackend());

const registry = createRegistry([...cells, ...layers, ...heads, ...losses]);

function spec(cell: string, hiddenSize: number): ModelSpec {
  const config: Record<string, number> = cell === 'lstm' ? { inputSize: 2, hiddenSize, forgetBias: 1 } : { inputSize: 2, hiddenSize };
  return { kind: 'sequence-model', config: { readout: 'last' }, children: { body: { kind: cell, config }, output: { kind: 'dense', config: { inputSize: hiddenSize, outputSize: 1 } } } };
}

/**
 * Trains on the adding problem at T = 50 (4,096 sequences, batch 64, Adam 0.01, at most 14 epochs, stopping
 * once the validation MSE is below 0.005) and returns the MSE on a separate test set.
 * Large batches matter here: at this size a step costs about the same for 16 or 64 sequences (op dispatch
 * dominates), and the LSTM needs ~700 updates to leave the predict-the-mean plateau.
 */
async function addingMse(cell: string, seconds: { value: number }): Promise<number> {
  const train = addingProblem({ count: 4096, length: 50, seed: 1 });
  const validation = addingProblem({ count: 300, length: 50, seed: 2 });
  const test = addingProblem({ count: 500, length: 50, seed: 3 });
  const model = createModel(registry, spec(cell, 32), { seed: 3 });
  const started = Date.now();
  await fit(model, train, { epochs: 14, batchSize: 64, loss: 'mse', optimizer: { kind: 'adam', learningRate: 0.01 }, clipNorm: 1, seed: 4, validation, targetLoss: 0.005, progress: 'none' });
  seconds.value = (Date.now() - started) / 1000;
  const predictions = predict(model, test.x);
  model.dispose();
  return predictions.reduce((sum, [p], i) => sum + (p![0]! - (test.y[i] as number[])[0]!) ** 2, 0) / predictions.length;
}

describe('the adding problem at T = 50 (mean predictor: MSE ≈ 0.167)', () => {
  afterEach(() => useKernels('auto'));

  // Both implementations of the cells' fused op learn: the WebAssembly SIMD kernels (the default) and the tfjs path.
  const paths: [string, KernelMode][] = [
    ['lstm', 'auto'],
    ['gru', 'auto'],
    ['lstm', 'off'],
    ['gru', 'off'],
  ];
  it.each(paths)('%s reaches test MSE < 0.01 (kernels: %s)', async (cell, mode) => {
    useKernels(mode);
    const seconds = { value: 0 };
    const error = await addingMse(cell, seconds);
    console.log(`adding problem T=50, ${cell}, kernels ${mode}: test MSE ${error.toExponential(3)} after ${seconds.value.toFixed(1)} s`);
    expect(error).toBeLessThan(0.01);
  }, 120_000);

  it('records the vanilla RNN at the same budget', async () => {
    const seconds = { value: 0 };
    const error = await addingMse('rnn', seconds);
    console.log(`adding problem T=50, rnn: test MSE ${error.toExponential(3)} after ${seconds.value.toFixed(1)} s (recorded, not gated)`);
    expect(Number.isFinite(error)).toBe(true);
  }, 120_000);
});
