import * as tf from '@tensorflow/tfjs-core';
import { deserializeModel, int64Constant, resolveModel, Rng, serializeModel, setupBackend, stateOf, type HostTensor, type ModelSpec, type WeightMap } from '@unfold/core';
import { createModel, fit, type Model, type SequenceData } from '@unfold/training';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOnnxModel } from '../src/index';
import { mguCell } from './cells/mgu';
import { shapedMemoryCell, shapedMemoryModel } from './cells/shaped-memory';
import { exportForTest, registryWith, type ExportedModel } from './harness';
import { checkEmptyTime, checkParity, checkStreaming, DiffLog } from './parity';

// Cells defined in test files with only a `step` (tfjs) and a per-step ONNX mapping (`onnxStep`): they
// train with `fit`, and export through the shared Scan emitter (src/step-scan.ts) with no other code,
// matching onnxruntime at T = 0, 1, 4, 9 and batches 1 and 3 (random lengths, an empty sequence), forward,
// reversed and bidirectional; the toy cell with a [2, 3] state also saves, loads and streams.
const log = new DiffLog('per-step mapped cells');
beforeAll(() => setupBackend());
afterAll(() => log.report());

/**
 * The [2, 3] toy cell with its state carried in another form (`carry`): the loop carries m̃ = m ⊙ A, so the
 * step reads the decayed memory as it is (m' = tanh(m̃ + u), m̃' = m' ⊙ A, output flatten(m'), not a state).
 * The emitter encodes the initial [B, 2, 3] state before the loop and decodes the final one (⊘ A) after it.
 */
const carriedMemoryStep: NonNullable<typeof shapedMemoryCell.onnxStep> = {
  prepare: shapedMemoryCell.onnxStep?.prepare,
  carry: {
    encode: ({ graph, weights, value }) => graph.node('Mul', [value, graph.constant('A', weights.A as HostTensor)], {}, { stem: 'm_carried' })[0] as string,
    decode: ({ graph, weights, value }) => graph.node('Div', [value, graph.constant('A', weights.A as HostTensor)], {}, { stem: 'm' })[0] as string,
  },
  step({ graph, weights, input, state }) {
    const [u] = graph.node('Reshape', [input, graph.constant('memory_shape', int64Constant([-1, 2, 3]))], {}, { stem: 'u' }) as [string];
    const [next] = graph.node('Tanh', [graph.node('Add', [state[0] as string, u], {}, { stem: 'pre' })[0] as string], {}, { stem: 'm_next' }) as [string];
    const [carried] = graph.node('Mul', [next, graph.constant('A', weights.A as HostTensor)], {}, { stem: 'm_next_carried' }) as [string];
    const [output] = graph.node('Reshape', [next, graph.constant('output_shape', int64Constant([-1, 6]))], {}, { stem: 'output' }) as [string];
    return { output, state: [carried] };
  },
};
const carriedMemoryCell = { ...shapedMemoryCell, kind: 'acme/shaped-memory-carried', onnxStep: carriedMemoryStep };
const plugins = [mguCell, shapedMemoryCell, carriedMemoryCell];
const registry = registryWith(plugins);
const mgu = (inputSize: number, hiddenSize: number): ModelSpec => ({ kind: 'acme/mgu', config: { inputSize, hiddenSize } });

/** N sequences of 3 to 8 steps of I features; per-step targets of O values: a running mean and a product of neighbours. */
function toyData(seed: string, count: number, inputSize: number, outputSize: number): SequenceData {
  const rng = new Rng(seed);
  const x: number[][][] = [];
  const y: number[][][] = [];
  for (let n = 0; n < count; n++) {
    const steps = 3 + rng.int(6);
    const xs = Array.from({ length: steps }, () => Array.from({ length: inputSize }, () => rng.uniformIn(-1, 1)));
    let sum = 0;
    x.push(xs);
    y.push(xs.map((row, t) => {
      sum += row[0] as number;
      const previous = xs[t - 1]?.[1] ?? 0;
      return Array.from({ length: outputSize }, (_, o) => (o === 0 ? sum / (t + 1) : 0.5 * (row[0] as number) * previous));
    }));
  }
  return { x, y };
}

/** Trains a few epochs with fit; the loss of the last epoch must be below the first one's. */
async function trainBriefly(model: Model, data: SequenceData): Promise<void> {
  const result = await fit(model, data, { epochs: 6, batchSize: 8, loss: 'mse', optimizer: { kind: 'adam', learningRate: 0.02 }, progress: 'none', seed: 3 });
  const losses = result.history.map((h) => h.loss);
  expect(losses.every(Number.isFinite)).toBe(true);
  expect(losses[losses.length - 1]).toBeLessThan(0.9 * (losses[0] as number));
}

/** Exports (trained weights when given) and checks parity at T = 0, 1, 4, 9 and batches 1 and 3. */
async function exportAndCheck(name: string, spec: ModelSpec, weights?: WeightMap): Promise<ExportedModel> {
  const model = await exportForTest(`step-cells.${name}`, plugins, spec, {}, 5, weights);
  const ops = readOnnxModel(model.bytes).ops;
  expect([ops.RNN, ops.GRU, ops.LSTM]).toEqual([undefined, undefined, undefined]);
  await checkParity(model, log);
  for (const batch of [1, 3]) await checkEmptyTime(model, log, batch);
  return model;
}

describe('a third-party cell with only step and onnxStep (minimal gated unit)', () => {
  it('trains with fit, and the trained bidirectional model exports and matches onnxruntime', async () => {
    const spec: ModelSpec = { kind: 'sequence-model', children: { body: { kind: 'bidirectional', children: { forward: mgu(2, 4), backward: mgu(2, 3) } }, output: { kind: 'dense', config: { inputSize: 7, outputSize: 2 } } } };
    const model = createModel(registry, spec, { seed: 1 });
    await trainBriefly(model, toyData('mgu', 48, 2, 2));
    const exported = await exportAndCheck('mgu-bidirectional-trained', spec, model.toModelData().weights);
    expect(readOnnxModel(exported.bytes).ops.Scan).toBe(2);
    model.dispose();
    await exported.session.release();
  });

  it.each([
    ['forward', false],
    ['reversed', true],
  ] as const)('inside recurrent, %s, at the root of the export', async (name, reverse) => {
    const model = await exportAndCheck(`mgu-recurrent-${name}`, { kind: 'recurrent', config: { reverse }, children: { cell: mgu(3, 5) } });
    expect(readOnnxModel(model.bytes).ops.ReverseSequence).toBe(reverse ? 2 : undefined);
    await model.session.release();
  });

  it('the cell alone at the root, and streamed in chunks', async () => {
    const model = await exportAndCheck('mgu-root', mgu(3, 4));
    for (const chunks of [[3, 2, 4], [1, 0, 8]]) expect(await checkStreaming(model, log, 3, chunks)).toBeLessThanOrEqual(1e-5);
    await model.session.release();
  });
});

describe('a toy cell with a [2, 3] state', () => {
  const spec = shapedMemoryModel(3);

  it('declares the state [B, 2, 3] and trains with fit', async () => {
    expect(stateOf(resolveModel(registry, spec)).map((s) => [s.name, s.shape])).toEqual([['body.cell.m', [2, 3]]]);
    const model = createModel(registry, spec, { seed: 2 });
    await trainBriefly(model, toyData('shaped', 48, 3, 2));
    model.dispose();
  });

  it('saves and loads bit-exact: weights, bytes and forward outputs', async () => {
    const model = createModel(registry, spec, { seed: 4 });
    await trainBriefly(model, toyData('shaped-save', 32, 3, 2));
    const data = model.toModelData();
    const bytes = serializeModel(registry, data);
    const loaded = deserializeModel(registry, bytes);
    expect(Object.keys(loaded.weights).sort()).toEqual(Object.keys(data.weights).sort());
    for (const [name, w] of Object.entries(data.weights)) expect([loaded.weights[name]?.shape, loaded.weights[name]?.data]).toEqual([w.shape, w.data]);
    expect(serializeModel(registry, loaded)).toEqual(bytes);
    const again = createModel(registry, loaded.spec, { weights: loaded.weights });
    const x = tf.randomUniform([2, 5, 3], -1, 1, 'float32', 9);
    const initialState = [tf.randomUniform([2, 2, 3], -1, 1, 'float32', 10)];
    const before = model.forward(x, { lengths: Int32Array.of(5, 3), initialState });
    const after = again.forward(x, { lengths: Int32Array.of(5, 3), initialState });
    expect(after.outputs.dataSync()).toEqual(before.outputs.dataSync());
    expect(after.finalState[0]?.shape).toEqual([2, 2, 3]);
    expect(after.finalState[0]?.dataSync()).toEqual(before.finalState[0]?.dataSync());
    tf.dispose([x, ...initialState, before.outputs, ...before.finalState, after.outputs, ...after.finalState]);
    model.dispose();
    again.dispose();
  });

  it('exports with state_in / state_out [batch_or_1 | batch, 2, 3], matches onnxruntime, and streams in 3 chunks as one call', async () => {
    const trained = createModel(registry, spec, { seed: 6 });
    await trainBriefly(trained, toyData('shaped-export', 32, 3, 2));
    const model = await exportAndCheck('shaped-trained', spec, trained.toModelData().weights);
    trained.dispose();
    const summary = readOnnxModel(model.bytes);
    expect(summary.inputs.find((i) => i.name === 'state_in.body.cell.m')?.shape?.slice(1)).toEqual([2, 3]);
    expect(summary.outputs.find((o) => o.name === 'state_out.body.cell.m')?.shape?.slice(1)).toEqual([2, 3]);
    for (const chunks of [[3, 2, 4], [1, 0, 8]]) expect(await checkStreaming(model, log, 3, chunks)).toBeLessThanOrEqual(1e-5);
    await model.session.release();
  });

  it('reversed inside recurrent and in both directions of bidirectional', async () => {
    const cell = { kind: 'acme/shaped-memory', config: { inputSize: 2 } };
    for (const [name, body] of [
      ['reversed', { kind: 'recurrent', config: { reverse: true }, children: { cell } }],
      ['bidirectional', { kind: 'bidirectional', config: { merge: 'sum' }, children: { forward: cell, backward: cell } }],
    ] as const) {
      const model = await exportAndCheck(`shaped-${name}`, body as ModelSpec);
      await model.session.release();
    }
  });
});

describe('a step mapping that carries its state in another form (carry)', () => {
  it('encodes the [B, 2, 3] state before the loop and decodes the final one: parity, reversed, bidirectional, streamed', async () => {
    const cell = { kind: 'acme/shaped-memory-carried', config: { inputSize: 3 } };
    for (const [name, body] of [
      ['forward', { kind: 'recurrent', children: { cell } }],
      ['reversed', { kind: 'recurrent', config: { reverse: true }, children: { cell } }],
      ['bidirectional', { kind: 'bidirectional', config: { merge: 'sum' }, children: { forward: cell, backward: cell } }],
    ] as const) {
      const model = await exportAndCheck(`carried-${name}`, body as ModelSpec);
      if (name === 'forward') for (const chunks of [[3, 2, 4], [1, 0, 8]]) expect(await checkStreaming(model, log, 3, chunks)).toBeLessThanOrEqual(1e-5);
      await model.session.release();
    }
  });
});
