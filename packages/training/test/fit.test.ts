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
    const predictions = predict(model, [[[1, 0], [1, 0]]]) as number[][];
    expect(predictions[0]![0]).toBeCloseTo(0.2, 1);
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

  it('stops early and restores the best weights', async () => {
    const model = summingModel();
    const result = await fit(model, summingData(32), { epochs: 50, loss: 'mse', optimizer: { kind: 'sgd', learningRate: 0.5 }, earlyStopping: { patience: 2, restoreBest: true }, progress: 'none' });
    expect(result.stoppedEarly || result.epochs === 50).toBe(true);
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
