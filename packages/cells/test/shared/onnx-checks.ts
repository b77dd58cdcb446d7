import { initWeights, resolveModel, createRegistry, type CellPlugin, type HostTensor, type JsonValue } from '@unfold/core';
import { expect } from 'vitest';
import { RecordingGraph, type RecordedNode } from './recording-graph';

/**
 * Runs a cell's ONNX mapping on a recording graph and checks the shape every native recurrent node
 * must have: weights copied bit for bit with a leading num_directions axis of 1, inputs in ONNX order
 * (X, W, R, B, sequence_lens, initial_h, initial_c, P; '' for a missing optional input), initial states
 * unsqueezed on axis 0, Y squeezed on axis 1 and the final states on axis 0, layout 0 and the direction.
 * Returns the recorded node for the cell-specific attribute checks.
 */
export function checkNativeMapping(plugin: CellPlugin, rawConfig: Record<string, JsonValue>, options: { reverse: boolean; sequenceLens: boolean; op: string }): { node: RecordedNode; graph: RecordingGraph } {
  const config = plugin.validate(rawConfig);
  const node = resolveModel(createRegistry([plugin]), { kind: plugin.kind, config: rawConfig });
  const weights: Record<string, HostTensor> = { ...initWeights(node, 3) };
  const states = plugin.state(config).map((s) => `initial_${s.name}`);
  const graph = new RecordingGraph();
  const mapping = plugin.onnx;
  if (!mapping) throw new Error(`${plugin.kind} has no ONNX mapping`);
  const result = mapping({ graph, config, weights, input: 'X', initialState: states, ...(options.sequenceLens ? { sequenceLens: 'lens' } : {}), reverse: options.reverse });

  const rnn = graph.only(options.op);
  expect(rnn.attributes.layout).toBe(0);
  expect(rnn.attributes.direction).toBe(options.reverse ? 'reverse' : 'forward');
  expect(rnn.attributes.hidden_size).toBe(plugin.outputSize(config));
  const [X, W, R, B, lens, ...rest] = rnn.inputs;
  expect(X).toBe('X');
  for (const [name, value] of [['W', W], ['R', R], ['B', B]] as const) {
    const expected = weights[name];
    if (!expected) {
      expect(value ?? '').toBe('');
      continue;
    }
    const constant = graph.constants.get(value as string) as HostTensor;
    expect(constant.shape).toEqual([1, ...expected.shape]);
    expect(constant.data).toEqual(expected.data);
  }
  expect(lens ?? '').toBe(options.sequenceLens ? 'lens' : '');
  const initial = rest.slice(0, states.length);
  initial.forEach((value, k) => {
    const unsqueeze = graph.producer(value);
    expect(unsqueeze.opType).toBe('Unsqueeze');
    expect(unsqueeze.inputs[0]).toBe(states[k]);
    expect(graph.axes(unsqueeze.inputs[1] as string)).toEqual([0]);
  });
  const squeezeY = graph.producer(result.outputs);
  expect(squeezeY.opType).toBe('Squeeze');
  expect(squeezeY.inputs[0]).toBe(rnn.outputs[0]);
  expect(graph.axes(squeezeY.inputs[1] as string)).toEqual([1]);
  expect(result.finalState).toHaveLength(states.length);
  result.finalState.forEach((value, k) => {
    const squeeze = graph.producer(value);
    expect(squeeze.opType).toBe('Squeeze');
    expect(squeeze.inputs[0]).toBe(rnn.outputs[k + 1]);
    expect(graph.axes(squeeze.inputs[1] as string)).toEqual([0]);
  });
  expect(rnn.outputs).toHaveLength(1 + states.length);
  return { node: rnn, graph };
}

