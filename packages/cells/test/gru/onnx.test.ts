import { describe, expect, it } from 'vitest';
import { gruCell } from '../../src/gru/gru';
import { checkNativeMapping } from '../shared/onnx-checks';

describe('gru ONNX mapping', () => {
  it('sets linear_before_reset 1 for the default (PyTorch) form', () => {
    const { node } = checkNativeMapping(gruCell, { inputSize: 3, hiddenSize: 4 }, { reverse: false, sequenceLens: true, op: 'GRU' });
    expect(node.attributes.activations).toEqual(['Sigmoid', 'Tanh']);
    expect(node.attributes.linear_before_reset).toBe(1);
  });

  it('sets linear_before_reset 0 for the reset-before form, reverse, without bias', () => {
    const { node } = checkNativeMapping(gruCell, { inputSize: 3, hiddenSize: 4, linearBeforeReset: false, bias: false }, { reverse: true, sequenceLens: false, op: 'GRU' });
    expect(node.attributes.linear_before_reset).toBe(0);
    expect(node.inputs[3]).toBe('');
  });
});
