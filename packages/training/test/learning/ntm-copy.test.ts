import { createRegistry, setupBackend, type ModelSpec } from '@unfold/core';
import { heads, layers } from '@unfold/architectures';
import { cells } from '@unfold/cells/all';
import { beforeAll, describe, expect, it } from 'vitest';
import { bitErrors, copyTask, COPY_TASK_TRAINING, createModel, fit, losses, predict } from '../../src/index';

beforeAll(() => setupBackend());

const registry = createRegistry([...cells, ...layers, ...heads, ...losses]);
const BITS = 4;

/**
 * A small copy task (4-bit vectors, lengths 1–4) learned by a small NTM (memory 12 × 8, one read and one
 * write head, feed-forward controller 64) with the tasks' default training (MSE, gradient norm clipped at 10) and Adam at 0.01, from null (masked) targets before the answer phase. The full-size experiment (8 bits,
 * lengths 1–10, tested at 20 and 30 against an LSTM) is tools/bench/src/experiments/ntm-copy.ts.
 */
describe('the NTM learns to copy (small)', () => {
  it('reaches a bit error under 2% on held-out sequences of lengths 1–4', async () => {
    const spec: ModelSpec = {
      kind: 'sequence-model',
      children: {
        body: { kind: 'recurrent', children: { cell: { kind: 'ntm', config: { inputSize: BITS + 1, outputSize: BITS, controllerSize: 64, memorySlots: 12, memoryWidth: 8 } } } },
        output: { kind: 'dense', config: { inputSize: BITS, outputSize: BITS, activation: 'sigmoid' } },
      },
    };
    const model = createModel(registry, spec, { seed: 1 });
    const test = copyTask({ count: 100, bits: BITS, minLength: 1, maxLength: 4, seed: 77 });
    const started = Date.now();
    let rate = 1;
    for (let round = 0; round < 60 && Date.now() - started < 45_000; round++) {
      const data = copyTask({ count: 256, bits: BITS, minLength: 1, maxLength: 4, seed: round });
      await fit(model, data, { ...COPY_TASK_TRAINING, optimizer: { kind: 'adam', learningRate: 0.01 }, epochs: 1, batchSize: 32, seed: round, progress: 'none' });
      if (round % 2 === 1) {
        rate = bitErrors(predict(model, test.x), test.y).rate;
        if (rate < 0.005) break;
      }
    }
    rate = bitErrors(predict(model, test.x), test.y).rate;
    model.dispose();
    expect(rate).toBeLessThan(0.02);
  }, 60_000);
});
