import * as tf from '@tensorflow/tfjs-core';
import { ntmCell } from '@unfold/cells/ntm';
import { resolveModel, setupBackend, stateOf, type ModelSpec } from '@unfold/core';
import { createModel, fit, type SequenceData } from '@unfold/training';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOnnxModel } from '../src/index';
import { exportForTest, registryWith } from './harness';
import { checkEmptyTime, checkParity, checkStreaming, DiffLog } from './parity';

// The Neural Turing Machine (@unfold/cells/ntm) exports through its per-step mapping (a Scan): parity with
// unfold in onnxruntime-node at T = 0, 1, 4, 9 and batches 1 and 3 (random lengths, an empty sequence,
// random and broadcast initial states), its memory [B, N, M] and head weightings as state_in / state_out,
// and chunked streaming equal to one call; with the feed-forward and the LSTM controller (whose h, c stream too). Trained weights too (sharper heads than at initialisation).
const log = new DiffLog('ntm');
beforeAll(() => setupBackend());
afterAll(() => log.report());
const plugins = [ntmCell];

const ntm = (config: Record<string, number | string>): ModelSpec => ({ kind: 'ntm', config: { inputSize: 3, outputSize: 2, controllerSize: 6, memorySlots: 8, memoryWidth: 4, ...config } });

describe('ntm export (Scan) in onnxruntime-node', () => {
  it.each<[string, Record<string, number | string>]>([
    ['one head each, shifts ±1', {}],
    ['two read and two write heads, shifts ±2', { readHeads: 2, writeHeads: 2, shiftRange: 2 }],
    ['no shift', { shiftRange: 0, memorySlots: 3 }],
    ['LSTM controller, one head each, shifts ±1', { controller: 'lstm' }],
    ['LSTM controller, two read heads, shifts ±2', { controller: 'lstm', readHeads: 2, shiftRange: 2 }],
  ])('%s: matches unfold at several lengths and batches, T = 0, and streams in chunks', async (name, config) => {
    const spec = ntm(config);
    const model = await exportForTest(`ntm.${name.replace(/\W+/g, '-')}`, plugins, spec, {}, 3);
    const summary = readOnnxModel(model.bytes);
    expect(summary.ops.Scan).toBe(1);
    const states = stateOf(resolveModel(registryWith(plugins), spec));
    expect(states.map((s) => s.shape)).toEqual([
      [spec.config?.memorySlots, spec.config?.memoryWidth],
      [config.readHeads ?? 1, spec.config?.memorySlots],
      [config.writeHeads ?? 1, spec.config?.memorySlots],
      [((config.readHeads as number | undefined) ?? 1) * (spec.config?.memoryWidth as number)],
      ...(config.controller === 'lstm' ? [[6], [6]] : []), // controller_h, controller_c
    ]);
    expect(summary.inputs.find((i) => i.name === 'state_in.memory')?.shape?.slice(1)).toEqual([spec.config?.memorySlots, 4]);
    expect(summary.outputs.find((o) => o.name === 'state_out.memory')?.shape?.slice(1)).toEqual([spec.config?.memorySlots, 4]);
    await checkParity(model, log);
    for (const batch of [1, 3]) await checkEmptyTime(model, log, batch);
    for (const chunks of [[3, 2, 4], [1, 0, 8], [5, 5, 5]]) expect(await checkStreaming(model, log, 3, chunks)).toBeLessThanOrEqual(1e-5);
    await model.session.release();
  });

  it('trained inside a sequence model (dense readout) exports and matches, and streams a long input in chunks', async () => {
    const spec: ModelSpec = { kind: 'sequence-model', children: { body: { kind: 'recurrent', children: { cell: ntm({ outputSize: 5 }) } }, output: { kind: 'dense', config: { inputSize: 5, outputSize: 2 } } } };
    const registry = registryWith(plugins);
    const trained = createModel(registry, spec, { seed: 2 });
    const rng = tf.randomUniform([24, 7, 3], -1, 1, 'float32', 5);
    const xs = (await rng.array()) as number[][][];
    rng.dispose();
    const data: SequenceData = { x: xs, y: xs.map((seq) => seq.map((row, t) => [row[0] as number, (seq[Math.max(t - 2, 0)] as number[])[1] as number])) };
    const result = await fit(trained, data, { epochs: 4, batchSize: 8, loss: 'mse', optimizer: { kind: 'adam', learningRate: 0.02 }, progress: 'none', seed: 3 });
    expect(result.history.every((h) => Number.isFinite(h.loss))).toBe(true);
    const model = await exportForTest('ntm.sequence-model-trained', plugins, spec, {}, 3, trained.toModelData().weights);
    trained.dispose();
    await checkParity(model, log);
    expect(await checkStreaming(model, log, 2, [10, 10, 10, 10])).toBeLessThanOrEqual(1e-5);
    await model.session.release();
  });
});
