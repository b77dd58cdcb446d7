import { createRegistry, setupBackend, type ModelSpec } from '@unfold/core';
import { heads, layers } from '@unfold/architectures';
import { cells } from '@unfold/cells/all';
import { beforeAll, describe, expect, it } from 'vitest';
import { bitErrors, copyTask, COPY_TASK_TRAINING, createModel, fit, losses, predict } from '../../src/index';

beforeAll(() => setupBackend());

const registry = createRegistry([...cells, ...layers, ...heads, ...losses]);
const BITS = 4;
const STEPS = 300;
const BATCH = 32;

/**
 * A small copy task (4-bit vectors, lengths 1–4) learned by a small NTM (memory 12 × 8, one read and one
 * write head, feed-forward controller 64) with the tasks' default loss and clipping (COPY_TASK_TRAINING:
 * binary cross-entropy, gradient norm clipped at 10) and Adam with restarts as there, but faster for the
 * small model (a constant 0.01, the moments restarted every 8 updates), in one fit call over a stream of
 * fresh sequences whose targets are null (masked) before the answer phase. The full-size experiment (8
 * bits, lengths 1–10, tested at 20 and 30 against an LSTM, COPY_TASK_TRAINING's rate with a cosine decay)
 * is tools/bench/src/experiments/ntm-copy.ts.
 */
describe('the NTM learns to copy (small)', () => {
  it(`reaches a bit error under 2% on held-out sequences of lengths 1–4 in ${STEPS} steps`, async () => {
    const spec: ModelSpec = {
      kind: 'sequence-model',
      children: {
        body: { kind: 'recurrent', children: { cell: { kind: 'ntm', config: { inputSize: BITS + 1, outputSize: BITS, controllerSize: 64, memorySlots: 12, memoryWidth: 8 } } } },
        output: { kind: 'dense', config: { inputSize: BITS, outputSize: BITS, activation: 'sigmoid' } },
      },
    };
    const model = createModel(registry, spec, { seed: 1 });
    const test = copyTask({ count: 100, bits: BITS, minLength: 1, maxLength: 4, seed: 77 });
    const before = bitErrors(predict(model, test.x), test.y).rate;
    const stream = copyTask({ count: STEPS * BATCH, bits: BITS, minLength: 1, maxLength: 4, seed: 1 });
    const optimizer = { kind: 'adam' as const, learningRate: 0.01, restartEvery: 8 };
    const result = await fit(model, stream, { ...COPY_TASK_TRAINING, optimizer, epochs: 1, batchSize: BATCH, shuffle: false, seed: 1, progress: 'none' });
    const rate = bitErrors(predict(model, test.x), test.y).rate;
    model.dispose();
    expect(result.steps).toBe(STEPS);
    expect(before).toBeGreaterThan(0.3); // untrained: about chance
    expect(rate).toBeLessThan(0.02);
  }, 60_000);
});
