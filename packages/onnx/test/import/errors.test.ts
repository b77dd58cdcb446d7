import { isUnfoldError } from '@unfold/core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createModelBuilder, importOnnx } from '../../src/index';
import { finish, floats, int64s, recurrentGraph } from './graphs';
import { FIXTURE_DIR } from './helpers';

// Files the importer must refuse, each with a typed error (E_SERIALIZATION) that says where (file, node,
// attribute), what was expected, what was got and the fix.
function importError(bytes: Uint8Array, where = 'model.onnx'): string {
  try {
    importOnnx(bytes, { where });
  } catch (error) {
    return isUnfoldError(error) ? `${error.code} ${error.message}` : `not an unfold error: ${String(error)}`;
  }
  return 'no error';
}

const lstmFixture = () => new Uint8Array(readFileSync(join(FIXTURE_DIR, 'lstm.onnx')));

describe('files that are not ONNX models', () => {
  it('truncated bytes', () => {
    const bytes = lstmFixture();
    for (const length of [bytes.length - 7, Math.floor(bytes.length / 2), 3]) {
      expect(importError(bytes.subarray(0, length))).toMatch(/^E_SERIALIZATION model\.onnx: (not an ONNX model|no usable ONNX opset).*Fix: check the file is a complete \.onnx file/);
    }
  });

  it('JSON text', () => {
    const text = new TextEncoder().encode(JSON.stringify({ x: { shape: [1, 2, 3], data: [1, 2, 3, 4, 5, 6] } }));
    expect(importError(text, 'inputs.json')).toMatch(/^E_SERIALIZATION inputs\.json: not an ONNX model; expected an ONNX ModelProto .*Fix: check the file is a complete \.onnx file/);
  });

  it('empty bytes', () => {
    expect(importError(new Uint8Array())).toMatch(/^E_SERIALIZATION model\.onnx: not an ONNX model; expected an ONNX ModelProto with ir_version and a graph; got ir_version 0, no graph/);
  });
});

describe('unsupported ops', () => {
  it('lists every unsupported node with its op type and name', () => {
    const { graph, outputs } = recurrentGraph('LSTM', { I: 3, H: 4, outputs: ['y'] });
    const [squeezed] = graph.node('Squeeze', [outputs[0] as string, graph.constant('axis', int64s([1]))], {}, { stem: 'squeeze' }) as [string];
    const [sine] = graph.node('Sin', [squeezed], {}, { stem: 'wave' }) as [string];
    const [scaled] = graph.node('Mul', [sine, graph.constant('two', floats([1], 3))], {}, { stem: 'scale' }) as [string];
    graph.output('y', scaled, { dtype: 'float32' });
    expect(importError(finish(graph))).toBe(
      'E_SERIALIZATION model.onnx: 2 nodes of unsupported op types; expected only recurrent nodes (RNN, GRU, LSTM), their glue and dense heads: Add, Cast, Concat, Constant, ConstantOfShape, Expand, GRU, Gather, Gemm, Greater, Identity, LSTM, Less, MatMul, Max, Min, RNN, Range, ReduceProd, Relu, Reshape, ScatterElements, Shape, Sigmoid, Slice, Softmax, Squeeze, Tanh, TopK, Transpose, Unsqueeze, Where; got node "wave" (Sin), node "scale" (Mul). Fix: export only the recurrent part of the model (and a linear head), or rebuild the model from unfold plugins',
    );
  });

  it('names ops of other domains', () => {
    const { graph, outputs } = recurrentGraph('GRU', { I: 2, H: 3, outputs: ['y'], attributes: { linear_before_reset: 1 } });
    const [custom] = graph.node('FusedThing', [outputs[0] as string], {}, { stem: 'fused', domain: 'com.example' }) as [string];
    graph.output('y', custom, { dtype: 'float32' });
    expect(importError(finish(graph))).toMatch(/got node "fused" \(com\.example\.FusedThing\)\. Fix:/);
  });
});

describe('attributes unfold cannot compute exactly', () => {
  const squeezedOutput = (op: 'RNN' | 'GRU' | 'LSTM', attributes: Record<string, string[] | number | { float: number } | { floats: number[] }>) => {
    const { graph, outputs } = recurrentGraph(op, { I: 3, H: 4, outputs: ['y'], attributes });
    const [y] = graph.node('Squeeze', [outputs[0] as string, graph.constant('axis', int64s([1]))], {}, { stem: 'squeeze' }) as [string];
    graph.output('y', y, { dtype: 'float32' });
    return importError(finish(graph));
  };

  it('an LSTM activation list other than [Sigmoid, Tanh, Tanh]', () => {
    expect(squeezedOutput('LSTM', { activations: ['Sigmoid', 'Tanh', 'Relu'] })).toBe(
      'E_SERIALIZATION model.onnx: node "lstm" (LSTM) attribute "activations": LSTM activations [Sigmoid, Tanh, Relu] cannot be represented; expected activations [Sigmoid, Tanh, Tanh]; got [Sigmoid, Tanh, Relu]. Fix: unfold’s lstm cell computes [Sigmoid, Tanh, Tanh]; retrain with those',
    );
  });

  it('an RNN activation other than Tanh or Relu', () => {
    expect(squeezedOutput('RNN', { activations: ['Sigmoid'] })).toMatch(/node "rnn" \(RNN\) attribute "activations": RNN activations \[Sigmoid\] cannot be represented; .*Fix: unfold’s rnn cell computes tanh or relu/);
  });

  it('activation parameters', () => {
    expect(squeezedOutput('RNN', { activations: ['Tanh'], activation_alpha: { floats: [0.5] } })).toMatch(/node "rnn" \(RNN\) attribute "activation_alpha": attribute "activation_alpha" is not supported;.* Fix: remove it/);
  });

  it('clip on a GRU', () => {
    expect(squeezedOutput('GRU', { clip: { float: 2 } })).toMatch(/node "gru" \(GRU\) attribute "clip": GRU clip 2 cannot be represented;.* Fix: remove clip/);
  });

  it('an activation list of the wrong length', () => {
    expect(squeezedOutput('GRU', { activations: ['Sigmoid', 'Tanh', 'Sigmoid', 'Tanh'] })).toMatch(/node "gru" \(GRU\) attribute "activations": activations has the wrong length; expected 2 names \(2 per direction\)/);
  });
});

describe('glue that is not an unfold model', () => {
  it('a residual Add of two computed values', () => {
    const { graph, outputs } = recurrentGraph('RNN', { I: 4, H: 4, outputs: ['y'] });
    const [y] = graph.node('Squeeze', [outputs[0] as string, graph.constant('axis', int64s([1]))], {}, { stem: 'squeeze' }) as [string];
    graph.output('y', graph.node('Add', [y, 'x'], {}, { stem: 'residual' })[0] as string, { dtype: 'float32' });
    expect(importError(finish(graph))).toMatch(/node "residual" \(Add\): Add that is not a head bias; expected Add\(head output, constant bias\).*Fix: residual connections/);
  });

  it('a step of the time axis other than the last', () => {
    const { graph, outputs } = recurrentGraph('GRU', { I: 2, H: 3, outputs: ['y'] });
    const [first] = graph.node('Slice', [outputs[0] as string, graph.constant('start', int64s([0])), graph.constant('end', int64s([1])), graph.constant('axes', int64s([0]))], {}, { stem: 'first_step' }) as [string];
    graph.output('y', first, { dtype: 'float32' });
    expect(importError(finish(graph))).toBe(
      'E_SERIALIZATION model.onnx: node "first_step" (Slice): time steps other than the last are picked; expected the whole time axis, or its last step (index -1 or slice [-1:]); got [0:1:1]. Fix: read every step, or the last one (unfold’s readout "last")',
    );
  });

  it('the last time step of padded sequences', () => {
    const graph = createModelBuilder(['x', 'lengths', 'y']);
    const x = graph.input('x', { dtype: 'float32', shape: ['time', 'batch', 2] });
    const lengths = graph.input('lengths', { dtype: 'int32', shape: ['batch'] });
    const [Y] = graph.node('RNN', [x, graph.constant('W', floats([1, 3, 2], 1)), graph.constant('R', floats([1, 3, 3], 2)), '', lengths], { hidden_size: 3 }, { outputs: 1, stem: 'rnn' }) as [string];
    const [last] = graph.node('Gather', [Y, graph.constant('last', { dtype: 'int64', shape: [], data: BigInt64Array.of(-1n) })], { axis: 0 }, { stem: 'last_step' }) as [string];
    graph.output('y', last, { dtype: 'float32' });
    expect(importError(finish(graph))).toBe(
      'E_SERIALIZATION model.onnx: the last time step is read from padded sequences; expected y[:, -1] only when every sequence is full length (no lengths input); got a lengths input: step T − 1 is padding for shorter sequences. Fix: read the final state h_n instead, which is each sequence’s last real step',
    );
  });

  it('a head on the first layer of a stack', () => {
    const { graph, outputs } = recurrentGraph('RNN', { I: 3, H: 4, outputs: ['y', 'z'] });
    const [y] = graph.node('Squeeze', [outputs[0] as string, graph.constant('axis', int64s([1]))], {}, { stem: 'squeeze' }) as [string];
    const [second] = graph.node('RNN', [y, graph.constant('W2', floats([1, 4, 4], 5)), graph.constant('R2', floats([1, 4, 4], 6))], { hidden_size: 4 }, { outputs: 2, stem: 'rnn2' }) as [string, string];
    graph.output('y', second, { dtype: 'float32' });
    graph.output('z', graph.node('MatMul', [y, graph.constant('head', floats([4, 2], 7))], {}, { stem: 'side_head' })[0] as string, { dtype: 'float32' });
    expect(importError(finish(graph))).toMatch(/node "side_head" \(MatMul\): a dense head that reads neither the input nor the top layer’s outputs/);
  });
});
