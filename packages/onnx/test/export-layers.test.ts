import { setupBackend, type ModelSpec } from '@unfold/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOnnxModel } from '../src/index';
import { elmanCell } from './cells/elman';
import { leakyCounterCell } from './cells/leaky-counter';
import { exportForTest } from './harness';
import { checkParity, checkStreaming, DiffLog } from './parity';

const log = new DiffLog('bidirectional and stacked layers');
beforeAll(() => setupBackend());
afterAll(() => log.report());

const plugins = [elmanCell, leakyCounterCell];
const elman = (inputSize: number, hiddenSize: number): ModelSpec => ({ kind: 'acme/elman', config: { inputSize, hiddenSize } });
const leaky = (inputSize: number, hiddenSize: number): ModelSpec => ({ kind: 'acme/leaky-counter', config: { inputSize, hiddenSize } });

describe('bidirectional', () => {
  it.each(['concat', 'sum', 'mean', 'product', 'none'] as const)('merges with %s and matches unfold', async (merge) => {
    const model = await exportForTest(`layers.bidirectional-${merge}`, plugins, { kind: 'bidirectional', config: { merge }, children: { forward: elman(3, 4), backward: elman(3, 4) } });
    await checkParity(model, log);
    await model.session.release();
  });

  it('mixes a native-op cell and a Scan cell of different sizes', async () => {
    const model = await exportForTest('layers.bidirectional-mixed', plugins, { kind: 'bidirectional', children: { forward: elman(3, 4), backward: leaky(3, 2) } });
    expect(model.session.outputNames).toEqual(['output', 'state_out.forward.h', 'state_out.backward.h', 'state_out.backward.count']);
    await checkParity(model, log);
    await model.session.release();
  });
});

describe('stacked', () => {
  const deep: ModelSpec = {
    kind: 'stacked',
    children: { layers: [elman(3, 4), { kind: 'bidirectional', children: { forward: leaky(4, 3), backward: elman(4, 3) } }, { kind: 'recurrent', config: { reverse: true }, children: { cell: leaky(6, 5) } }] },
  };

  it('chains cells and layers, states layer by layer, and matches unfold', async () => {
    const model = await exportForTest('layers.stacked-deep', plugins, deep);
    expect(model.session.inputNames).toEqual([
      'input',
      'sequence_lens',
      'state_in.layers.0.h',
      'state_in.layers.1.forward.h',
      'state_in.layers.1.forward.count',
      'state_in.layers.1.backward.h',
      'state_in.layers.2.cell.h',
      'state_in.layers.2.cell.count',
    ]);
    await checkParity(model, log);
    await model.session.release();
  });

  it('adds residual connections from the second layer on', async () => {
    const model = await exportForTest('layers.stacked-residual', plugins, { kind: 'stacked', config: { residual: true }, children: { layers: [elman(3, 4), leaky(4, 4), elman(4, 4)] } });
    expect(readOnnxModel(model.bytes).ops.Add).toBeGreaterThanOrEqual(2);
    await checkParity(model, log);
    await model.session.release();
  });

  it('streams a forward stack in chunks exactly as one call', async () => {
    const model = await exportForTest('layers.stacked-stream', plugins, { kind: 'stacked', config: { residual: true }, children: { layers: [leaky(3, 4), elman(4, 4)] } });
    for (const chunks of [[2, 7], [3, 3, 3]]) expect(await checkStreaming(model, log, 2, chunks)).toBeLessThanOrEqual(1e-5);
    await model.session.release();
  });
});
