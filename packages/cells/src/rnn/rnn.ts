/**
 * `rnn`: the Elman recurrent cell, ONNX's `RNN` operator for one direction.
 *
 *   h' = act(W x + Wb + R h + Rb)        act = tanh (default) or relu
 *   output = h'
 *
 * Legend: B batch, T time, I input size, H hidden size; x [B, I], h [B, H]; products act on each row.
 * State: [h] ([B, H]). One gate, so no gate order.
 *
 * Weights, ONNX layout without the num_directions axis:
 *   W [H, I]     input weights          (PyTorch weight_ih_l0)
 *   R [H, H]     recurrent weights      (PyTorch weight_hh_l0)
 *   B [2H]       [Wb; Rb], only with `bias` (PyTorch [bias_ih_l0; bias_hh_l0])
 * Initialisation: every weight and bias U(−1/√H, 1/√H), PyTorch's default.
 *
 * Options (defaults): inputSize, hiddenSize, activation 'tanh' | 'relu' ('tanh'), bias (true).
 * ONNX: RNN, hidden_size = H, activations = ['Tanh'] or ['Relu'], B omitted without bias.
 * Paper: J. L. Elman, "Finding structure in time", Cognitive Science 14 (1990).
 *
 * `step` is plain tfjs ops (autodiff); `sequence` is the fused path (fused.ts, backward.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor2D } from '@tensorflow/tfjs-core';
import { defineConfig, field, type ConfigInput, type ConfigOf } from '@unfold/core';
import { defineRecurrentCell } from '../shared/define';
import { recurrentFields } from '../shared/fields';
import { inputProjection, onnxParameters, recurrentProjection } from '../shared/layout';
import { rnnRecurrence } from './fused';
import { rnnOnnx } from './onnx';

const rnnFields = {
  ...recurrentFields,
  activation: field.oneOf(['tanh', 'relu'], { doc: 'the nonlinearity act', default: 'tanh' }),
};

/** A validated `rnn` config (defaults filled in). */
export type RnnConfig = ConfigOf<typeof rnnFields>;
/** An `rnn` config as a user writes it (options with defaults may be left out). */
export type RnnConfigInput = ConfigInput<typeof rnnFields>;

export const rnnConfig = defineConfig(rnnFields);

const states = (config: RnnConfig) => [{ name: 'h', size: config.hiddenSize }];
const parameters = (config: RnnConfig) => onnxParameters(1, config.inputSize, config.hiddenSize, { bias: config.bias, gates: 'h' });

/** The `rnn` cell plugin, h' = act(W x + Wb + R h + Rb); its specification opens this file. */
export const rnnCell = defineRecurrentCell({
  kind: 'rnn',
  summary: "Elman RNN: h' = act(W x + Wb + R h + Rb), act tanh or relu (ONNX RNN)",
  config: rnnConfig,
  states,
  parameters,
  step(params, x, state, config) {
    const h = state[0] as Tensor2D;
    const pre: Tensor2D = tf.add(inputProjection(x, params), recurrentProjection(h, params)); // [B, H]
    const hNext: Tensor2D = config.activation === 'relu' ? tf.relu(pre) : tf.tanh(pre); // [B, H]
    return { output: hNext, state: [hNext] };
  },
  recurrence: rnnRecurrence,
  onnx: rnnOnnx,
});
