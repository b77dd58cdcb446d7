import { describe, expect, it } from 'vitest';
import { rnnCell } from '../../src/rnn/rnn';
import { checkNativeMapping } from '../shared/onnx-checks';

describe('rnn ONNX mapping', () => {
  it('emits a forward RNN node with [Tanh], W, R, B copied and the initial state unsqueezed', () => {
    const { node } = checkNativeMapping(rnnCell, { inputSize: 3, hiddenSize: 4 }, { reverse: false, sequenceLens: false, op: 'RNN' });
    expect(node.attributes.activations).toEqual(['Tanh']);
    expect(node.inputs).toHaveLength(6);
  });

  it('emits a reverse relu RNN without B, with sequence_lens', () => {
    const { node } = checkNativeMapping(rnnCell, { inputSize: 3, hiddenSize: 4, activation: 'relu', bias: false }, { reverse: true, sequenceLens: true, op: 'RNN' });
    expect(node.attributes.activations).toEqual(['Relu']);
    expect(node.inputs[3]).toBe('');
  });
});
