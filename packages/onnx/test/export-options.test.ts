import { setupBackend, Rng, type ModelSpec } from '@unfold/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOnnxModel, readUnfoldMetadata } from '../src/index';
import { elmanCell } from './cells/elman';
import { leakyCounterCell } from './cells/leaky-counter';
import { exportForTest, onnxForward, randomFloats, unfoldForward } from './harness';
import { BATCHES, DiffLog, expectRunsClose, TIMES } from './parity';

const log = new DiffLog('interface options and length semantics');
beforeAll(() => setupBackend());
afterAll(() => log.report());

const plugins = [elmanCell, leakyCounterCell];
const spec: ModelSpec = {
  kind: 'stacked',
  children: { layers: [{ kind: 'acme/elman', config: { inputSize: 3, hiddenSize: 4 } }, { kind: 'acme/leaky-counter', config: { inputSize: 4, hiddenSize: 2 } }] },
};

describe('exporting without the optional inputs', () => {
  it('takes only `input`, starts from zeros at full length, and still returns the final states', async () => {
    const model = await exportForTest('options.no-optional-inputs', plugins, spec, { sequenceLens: false, initialStates: false });
    expect(model.session.inputNames).toEqual(['input']);
    expect(model.session.outputNames).toEqual(['output', 'state_out.layers.0.h', 'state_out.layers.1.h', 'state_out.layers.1.count']);
    expect(readUnfoldMetadata(readOnnxModel(model.bytes)).interface.states.map((s) => s.input)).toEqual([null, null, null]);
    for (const time of TIMES) {
      for (const batch of BATCHES) {
        const x = randomFloats(new Rng(`options/${time}/${batch}`), [batch, time, 3]);
        log.record(expectRunsClose(`T=${time} B=${batch}`, await onnxForward(model, { x }), unfoldForward(model, { x }), undefined, 'sequence'));
      }
    }
    await model.session.release();
  });
});

describe('sequence_lens', () => {
  it('clips lengths to [0, time]: above time is full length, below 0 is empty', async () => {
    const model = await exportForTest('options.length-clipping', plugins, spec);
    const x = randomFloats(new Rng('clip'), [3, 5, 3]);
    const zeros = [{ shape: [1, 4], data: new Float32Array(4) }, { shape: [1, 2], data: new Float32Array(2) }, { shape: [1, 1], data: new Float32Array(1) }];
    const clipped = await onnxForward(model, { x, lengths: { shape: [3], data: Int32Array.of(9, -3, 2) }, initialState: zeros });
    const exact = await onnxForward(model, { x, lengths: { shape: [3], data: Int32Array.of(5, 0, 2) }, initialState: zeros });
    expect(clipped).toEqual(exact);
    log.record(expectRunsClose('clipped lengths', clipped, unfoldForward(model, { x, lengths: Int32Array.of(5, 0, 2) }), Int32Array.of(5, 0, 2), 'sequence'));
    // The empty sequence keeps its initial state (zeros here); its step count stays 0.
    expect(Array.from(exact.finalState[2]?.data ?? [])).toEqual([5, 0, 2]);
    await model.session.release();
  });
});
