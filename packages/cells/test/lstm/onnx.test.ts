import { describe, expect, it } from 'vitest';
import { lstmCell } from '../../src/lstm/lstm';
import { checkNativeMapping } from '../shared/onnx-checks';

describe('lstm ONNX mapping', () => {
  it('emits an LSTM node with σ, tanh, tanh, input_forget 0, no clip and no P by default', () => {
    const { node } = checkNativeMapping(lstmCell, { inputSize: 3, hiddenSize: 4 }, { reverse: false, sequenceLens: false, op: 'LSTM' });
    expect(node.attributes.activations).toEqual(['Sigmoid', 'Tanh', 'Tanh']);
    expect(node.attributes.input_forget).toBe(0);
    expect(node.attributes.clip).toBeUndefined();
    expect(node.inputs).toHaveLength(7);
  });

  it('passes peepholes as P [1, 3H], clip as a float and input_forget 1, in reverse with sequence_lens', () => {
    const { node, graph } = checkNativeMapping(lstmCell, { inputSize: 3, hiddenSize: 4, peepholes: true, inputForget: true, clip: 2.5, bias: false }, { reverse: true, sequenceLens: true, op: 'LSTM' });
    expect(node.attributes.clip).toEqual({ float: 2.5 });
    expect(node.attributes.input_forget).toBe(1);
    expect(node.inputs[3]).toBe('');
    const P = graph.constants.get(node.inputs[7] as string);
    expect(P?.shape).toEqual([1, 12]);
  });
});
