import { setupBackend } from '@unfold/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importOnnx, type FeedTensor } from '../../src/index';
import { finish, floats, int64s, recurrentGraph } from './graphs';
import { expectWithin, fullRegistry, MaxDiffs, runImported, runOrt } from './helpers';

// The importer evaluates glue; it does not match PyTorch's node sequences. Hand-built graphs with other
// glue than PyTorch's (ONNX layout 1, a Gemm head over merged time·batch rows, Y's direction axis read
// as separate outputs) import to the same unfold layers and match onnxruntime.
const diffs = new MaxDiffs();
beforeAll(() => setupBackend());
afterAll(() => diffs.report('hand-built glue'));

const SHAPES = [
  [2, 5],
  [3, 2],
] as const;

/** Runs the import of `bytes` and onnxruntime on `reference` (the same network) at both shapes. */
async function expectMatchesOrt(label: string, bytes: Uint8Array, reference: Uint8Array, xShape: (batch: number, time: number) => number[]): Promise<void> {
  const model = importOnnx(bytes, { where: `${label}.onnx`, registry: fullRegistry() });
  for (const [batch, time] of SHAPES) {
    const feeds: Record<string, FeedTensor> = { x: { shape: xShape(batch, time), data: floats(xShape(batch, time), batch * 10 + time).data } };
    const ours = runImported(model, feeds);
    const ort = await runOrt(reference, feeds);
    for (const output of model.interface.outputs) {
      expect(ours[output.name]?.shape, `${label} ${output.name}`).toEqual(ort[output.name]?.shape);
      diffs.record(label, expectWithin(`${label} B=${batch} T=${time} ${output.name}`, ours[output.name]!.data, ort[output.name]!.data));
    }
  }
}

describe('glue other exporters write', () => {
  it('ONNX layout 1 (batch-first inside the node) imports as layout 0 behind Transposes does', async () => {
    const attributes = { direction: 'bidirectional' };
    const inside = recurrentGraph('LSTM', { I: 3, H: 4, D: 2, outputs: ['y', 'h_n'], layout: 1, attributes });
    inside.graph.output('y', inside.outputs[0] as string, { dtype: 'float32' }); // [B, T, D, H]
    inside.graph.output('h_n', inside.outputs[1] as string, { dtype: 'float32' }); // [B, D, H]
    const layout1 = finish(inside.graph);
    // The same network at layout 0 with Transposes at the edges, which onnxruntime runs (it rejects layout 1).
    const outside = recurrentGraph('LSTM', { I: 3, H: 4, D: 2, outputs: ['y', 'h_n'], batchFirst: true, attributes });
    outside.graph.output('y', outside.graph.node('Transpose', [outside.outputs[0] as string], { perm: [2, 0, 1, 3] }, { stem: 'y_batch_first' })[0] as string, { dtype: 'float32' });
    outside.graph.output('h_n', outside.graph.node('Transpose', [outside.outputs[1] as string], { perm: [1, 0, 2] }, { stem: 'h_batch_first' })[0] as string, { dtype: 'float32' });
    const layout0 = finish(outside.graph);

    const [a, b] = [importOnnx(layout1, { registry: fullRegistry() }), importOnnx(layout0, { registry: fullRegistry() })];
    expect(a.spec.kind).toBe('bidirectional');
    expect({ ...a.spec, metadata: {} }).toEqual({ ...b.spec, metadata: {} });
    expect(a.interface.inputs[0]?.axes).toEqual([['batch'], ['time'], ['feature']]);
    expect(a.interface.outputs.map((o) => o.axes)).toEqual([
      [['batch'], ['time'], ['entry'], ['feature']],
      [['batch'], ['entry'], ['feature']],
    ]);
    await expectMatchesOrt('layout 1', layout1, layout0, (batch, time) => [batch, time, 3]);
  });

  it('a Gemm head over time·batch rows, reshaped back with a symbolic shape', async () => {
    const { graph, outputs } = recurrentGraph('GRU', { I: 3, H: 4, outputs: ['y'], attributes: { linear_before_reset: 1 } });
    const [y] = graph.node('Squeeze', [outputs[0] as string, graph.constant('axis', int64s([1]))], {}, { stem: 'squeeze' }) as [string]; // [T, B, H]
    const [rows] = graph.node('Reshape', [y, graph.constant('rows', int64s([-1, 4]))], {}, { stem: 'rows' }) as [string]; // [T·B, H]
    const [scores] = graph.node('Gemm', [rows, graph.constant('W', floats([2, 4], 9)), graph.constant('b', floats([2], 10))], { transB: 1 }, { stem: 'head' }) as [string]; // [T·B, 2]
    const [shape] = graph.node('Shape', ['x'], {}, { stem: 'x_shape' }) as [string];
    const [timeBatch] = graph.node('Slice', [shape, graph.constant('from', int64s([0])), graph.constant('to', int64s([2]))], {}, { stem: 'time_batch' }) as [string];
    const [target] = graph.node('Concat', [timeBatch, graph.constant('outputs', int64s([2]))], { axis: 0 }, { stem: 'target' }) as [string];
    graph.output('y', graph.node('Reshape', [scores, target], {}, { stem: 'y' })[0] as string, { dtype: 'float32' }); // [T, B, 2]
    const bytes = finish(graph);
    const model = importOnnx(bytes, { registry: fullRegistry() });
    expect(model.spec.kind).toBe('sequence-model');
    expect(model.spec.children?.output).toEqual({ kind: 'dense', config: { inputSize: 4, outputSize: 2, bias: true, activation: 'linear' } });
    expect(model.interface.outputs[0]?.axes).toEqual([['time'], ['batch'], ['feature']]);
    await expectMatchesOrt('gemm head', bytes, bytes, (batch, time) => [time, batch, 3]);
  });

  it('Y’s direction axis read as two outputs, and h_n with its batch axis first', async () => {
    const { graph, outputs } = recurrentGraph('RNN', { I: 2, H: 3, D: 2, outputs: ['backward', 'forward', 'h_n'], attributes: { activations: ['Relu', 'Tanh'] } });
    const pick = (d: number, stem: string) => graph.node('Gather', [outputs[0] as string, graph.constant(`d${d}`, { dtype: 'int64', shape: [], data: BigInt64Array.of(BigInt(d)) })], { axis: 1 }, { stem })[0] as string;
    graph.output('backward', pick(1, 'backward_outputs'), { dtype: 'float32' }); // [T, B, H]
    graph.output('forward', pick(0, 'forward_outputs'), { dtype: 'float32' });
    graph.output('h_n', graph.node('Transpose', [outputs[1] as string], { perm: [1, 0, 2] }, { stem: 'states_batch_first' })[0] as string, { dtype: 'float32' }); // [B, D, H]
    const bytes = finish(graph);
    const model = importOnnx(bytes, { registry: fullRegistry() });
    expect(model.spec.children?.forward).toEqual({ kind: 'rnn', config: { inputSize: 2, hiddenSize: 3, bias: true, activation: 'relu' } });
    expect(model.spec.children?.backward).toEqual({ kind: 'rnn', config: { inputSize: 2, hiddenSize: 3, bias: true, activation: 'tanh' } });
    expect(model.interface.outputs.map((o) => o.blocks ?? o.states)).toEqual([[{ offset: 3, size: 3 }], [{ offset: 0, size: 3 }], ['forward.h', 'backward.h']]);
    await expectMatchesOrt('direction outputs', bytes, bytes, (batch, time) => [time, batch, 2]);
  });
});
