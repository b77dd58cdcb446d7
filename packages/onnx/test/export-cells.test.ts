import { setupBackend } from '@unfold/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOnnxModel } from '../src/index';
import { elmanCell } from './cells/elman';
import { leakyCounterCell } from './cells/leaky-counter';
import { exportForTest } from './harness';
import { checkParity, checkStreaming, DiffLog } from './parity';

// Third-party cells defined in the tests: one mapped to the native RNN op, one to a Scan of plain ops.
const log = new DiffLog('cells and recurrent layers');
beforeAll(() => setupBackend());
afterAll(() => log.report());

const elman = { kind: 'acme/elman', config: { inputSize: 3, hiddenSize: 5 } };
const leaky = { kind: 'acme/leaky-counter', config: { inputSize: 3, hiddenSize: 4, leak: 0.3 } };
const plugins = [elmanCell, leakyCounterCell];

describe('a cell at the root (run forward)', () => {
  it.each([
    ['elman-root', elman, 'RNN'],
    ['leaky-root', leaky, 'Scan'],
  ] as const)('%s matches unfold at 3 lengths and 2 batch sizes', async (name, spec, op) => {
    const model = await exportForTest(`cells.${name}`, plugins, spec);
    expect(readOnnxModel(model.bytes).ops[op]).toBe(1);
    await checkParity(model, log);
    await model.session.release();
  });
});

describe('recurrent layer', () => {
  it.each([
    ['elman-forward', elman, false],
    ['elman-reverse', elman, true],
    ['leaky-forward', leaky, false],
    ['leaky-reverse', leaky, true],
  ] as const)('%s matches unfold, reversal within each length included', async (name, cell, reverse) => {
    const model = await exportForTest(`cells.recurrent-${name}`, plugins, { kind: 'recurrent', config: { reverse }, children: { cell } });
    await checkParity(model, log);
    await model.session.release();
  });

  it.each([
    ['elman', elman],
    ['leaky', leaky],
  ] as const)('streams %s in chunks through state_in / state_out exactly as one call', async (name, cell) => {
    const model = await exportForTest(`cells.stream-${name}`, plugins, { kind: 'recurrent', children: { cell } });
    for (const chunks of [[4, 5], [1, 3, 2, 3]]) {
      const diff = await checkStreaming(model, log, 3, chunks);
      expect(diff).toBeLessThanOrEqual(1e-5);
    }
    await model.session.release();
  });
});
