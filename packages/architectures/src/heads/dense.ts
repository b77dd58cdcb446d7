import * as tf from '@tensorflow/tfjs-core';
import { defineConfig, defineHead, field, uniform } from '@unfold/core';
import { ARCHITECTURES_META } from '../meta';
import { denseOnnx } from '../onnx/dense';
import { affine } from './affine';

export const DENSE_ACTIVATIONS = ['linear', 'tanh', 'sigmoid', 'relu', 'softmax'] as const;
export type DenseActivation = (typeof DENSE_ACTIVATIONS)[number];

/**
 * `dense`: a fully connected readout applied at every position of the last axis.
 *
 *   y = act(x Wᵀ + b)        x [..., I], W [O, I], b [O], y [..., O]
 *
 * act: linear (default), tanh, sigmoid, relu, or softmax over the O outputs (for class probabilities;
 * train with the cross-entropy loss on `linear` logits instead, which is numerically safer).
 * Layout: W is [O, I] as PyTorch's nn.Linear and ONNX Gemm with transB = 1, so import/export is a copy.
 * Init: PyTorch's nn.Linear default, W and b ~ U(−1/√I, 1/√I).
 */
export const dense = defineHead({
  kind: 'dense',
  meta: ARCHITECTURES_META,
  schemaVersion: 1,
  summary: 'fully connected readout y = act(x Wᵀ + b)',
  config: defineConfig({
    inputSize: field.int({ doc: 'input features I', min: 1 }),
    outputSize: field.int({ doc: 'outputs O', min: 1 }),
    bias: field.boolean({ doc: 'learn a bias b', default: true }),
    activation: field.oneOf(DENSE_ACTIVATIONS, { doc: 'output activation', default: 'linear' }),
  }),
  inputSize: (config) => config.inputSize,
  outputSize: (config) => config.outputSize,
  parameters(config) {
    const k = 1 / Math.sqrt(config.inputSize);
    return [
      { name: 'W', shape: [config.outputSize, config.inputSize], init: uniform(-k, k), doc: 'weights [O, I]' },
      ...(config.bias ? [{ name: 'b', shape: [config.outputSize], init: uniform(-k, k), doc: 'bias [O]' }] : []),
    ];
  },
  emits: (config) => (config.activation === 'softmax' ? 'probabilities' : config.activation === 'linear' ? 'affine' : 'features'),
  apply(params, input, config) {
    return tf.tidy(() => {
      const leading = input.shape.slice(0, -1);
      const x = tf.reshape(input, [-1, config.inputSize]); // [N, I]
      const z = affine(x as tf.Tensor2D, params.W as tf.Tensor2D, params.b as tf.Tensor1D | undefined); // [N, O]
      return tf.reshape(activate(z, config.activation), [...leading, config.outputSize]);
    });
  },
  onnx: denseOnnx,
});

function activate(z: tf.Tensor, activation: DenseActivation): tf.Tensor {
  switch (activation) {
    case 'linear':
      return z;
    case 'tanh':
      return tf.tanh(z);
    case 'sigmoid':
      return tf.sigmoid(z);
    case 'relu':
      return tf.relu(z);
    case 'softmax':
      return tf.softmax(z);
  }
}
