import * as tf from '@tensorflow/tfjs-core';
import { isUnfoldError, setupBackend } from '@unfold/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { fit, predict, type ProgressEvent } from '../src/index';
import { summingData, summingModel } from './helpers';

beforeAll(() => setupBackend());

describe('fit', () => {
  it('learns, reports progress, and predicts', async () => {
    const model = summingModel();
    const data = summingData(64);
    const events: ProgressEvent['type'][] = [];
    const result = await fit(model, data, { epochs: 30, batchSize: 16, loss: 'mse', optimizer: { kind: 'adam', learningRate: 0.02 }, validation: summingData(16, 9), progress: (e) => events.push(e.type) });
    expect(result.history[0]!.loss).toBeGreaterThan(10 * result.finalLoss);
    expect(result.finalValidationLoss).toBeLessThan(1e-3);
    expect(events[0]).toBe('start');
    expect(events.at(-1)).toBe('end');
    expect(events.filter((e) => e === 'epoch')).toHaveLength(30);
    const predictions = predict(model, [[[1, 0], [1, 0]]]);
    expect(predictions).toHaveLength(1);
    expect(predictions[0]).toHaveLength(1); // one row for a last-step readout, as the runtime answers
    expect(predictions[0]![0]![0]).toBeCloseTo(0.2, 1);
    model.dispose();
  });

  it('is deterministic from a seed', async () => {
    const run = async (seed: number) => {
      const model = summingModel(seed);
      const { stepLosses } = await fit(model, summingData(40), { epochs: 2, batchSize: 8, loss: 'mse', seed: 5, progress: 'none' });
      model.dispose();
      return stepLosses;
    };
    const first = await run(3);
    expect(await run(3)).toEqual(first);
    expect(await run(4)).not.toEqual(first);
  });

  it('keeps the number of tensors flat across training steps', async () => {
    const model = summingModel();
    const data = summingData(32);
    const counts: number[] = [];
    await fit(model, data, { epochs: 3, batchSize: 8, loss: 'mse', progress: (e) => e.type === 'step' && counts.push(tf.memory().numTensors) });
    expect(new Set(counts.slice(1)).size).toBe(1);
    model.dispose();
  });

  it('stops early and restores the weights of the best epoch', async () => {
    const model = summingModel();
    // Validation targets are the negated training targets: validation loss falls while the fit is crude,
    // then rises as the model learns the training targets, so patience must end training.
    const train = summingData(32);
    const validation = { x: train.x, y: train.y.map(([v]) => [-v! * 0.2]) };
    const byEpoch = new Map<number, Record<string, number[]>>();
    const result = await fit(model, train, {
      epochs: 60,
      batchSize: 8,
      loss: 'mse',
      optimizer: { kind: 'adam', learningRate: 0.01 },
      validation,
      earlyStopping: { patience: 3, restoreBest: true },
      progress: 'none',
      onEpochEnd: (epoch, m) => void byEpoch.set(epoch, Object.fromEntries(Object.entries(m.toModelData().weights).map(([k, w]) => [k, Array.from(w.data)]))),
    });
    expect(result.stopReason).toBe('patience');
    const losses = result.history.map((h) => h.validationLoss as number);
    const bestEpoch = losses.indexOf(Math.min(...losses)) + 1;
    expect(bestEpoch).toBeLessThan(result.epochs);
    expect(result.bestValidationLoss).toBe(losses[bestEpoch - 1]);
    const restored = Object.fromEntries(Object.entries(model.toModelData().weights).map(([k, w]) => [k, Array.from(w.data)]));
    expect(restored).toEqual(byEpoch.get(bestEpoch));
    expect(restored).not.toEqual(byEpoch.get(result.epochs));
    model.dispose();
  });

  it('stops a diverging run with E_DIVERGED naming the step, before the bad update', async () => {
    const model = summingModel();
    let lastGood: Record<string, number[]> = {};
    const error = await fit(model, summingData(64), {
      epochs: 20,
      batchSize: 8,
      loss: 'mse',
      optimizer: { kind: 'adam', learningRate: 1e6 },
      progress: (event) => {
        if (event.type === 'step') lastGood = Object.fromEntries(Object.entries(model.toModelData().weights).map(([k, w]) => [k, Array.from(w.data)]));
      },
    }).then(() => undefined, (e: unknown) => e);
    expect(isUnfoldError(error, 'E_DIVERGED')).toBe(true);
    expect(String(error)).toMatch(/^DivergenceError: epoch \d+, step \d+: training diverged/);
    const now = Object.fromEntries(Object.entries(model.toModelData().weights).map(([k, w]) => [k, Array.from(w.data)]));
    expect(Object.values(now).flat().every(Number.isFinite)).toBe(true);
    expect(now).toEqual(lastGood);
    model.dispose();
  });

  it('stops once the target loss is reached', async () => {
    const model = summingModel();
    const result = await fit(model, summingData(64), { epochs: 100, batchSize: 16, loss: 'mse', optimizer: { kind: 'adam', learningRate: 0.02 }, validation: summingData(16, 9), targetLoss: 1e-3, progress: 'none' });
    expect(result.stopReason).toBe('target');
    expect(result.epochs).toBeLessThan(100);
    expect(result.history.at(-1)!.validationLoss).toBeLessThanOrEqual(1e-3);
    model.dispose();
  });

  it.each([
    ['a ragged row', { x: [[[1, 2], [3]]], y: [[1]] }, 'data.x[0][1]: ragged input; expected 2 values; got 1'],
    ['a non-finite input', { x: [[[1, Number.NaN]]], y: [[1]] }, 'data.x[0][0][1]: non-finite input value; expected a finite number; got NaN'],
    ['an empty sequence', { x: [[[1, 2]], []], y: [[1], [2]] }, 'data.x[1]: empty sequence; expected at least one step; got 0 steps'],
    ['an infinite target', { x: [[[1, 2]]], y: [[Infinity]] }, 'data.y[0][0]: non-finite target value'],
    ['mismatched counts', { x: [[[1, 2]]], y: [] }, 'x and y have different lengths'],
  ])('rejects %s with an error naming where', async (_name, data, message) => {
    const model = summingModel();
    await expect(fit(model, data as never, { epochs: 1, loss: 'mse', progress: 'none' })).rejects.toSatisfy((error: unknown) => isUnfoldError(error, 'E_DATA') && (error as Error).message.includes(message));
    model.dispose();
  });
});
