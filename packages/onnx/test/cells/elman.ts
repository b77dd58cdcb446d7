import * as tf from '@tensorflow/tfjs-core';
import { defineCell, uniform, type HostTensor } from '@unfold/core';
import { hiddenVectorCell } from './acme';

/**
 * A third-party cell defined in the tests, mapped to ONNX's native `RNN` op: no change to @unfold/onnx
 * is needed to export it.
 *
 *   h' = tanh(x Wᵀ + h Rᵀ + Wb + Rb)      x [B, I], W [H, I], R [H, H], B = [Wb; Rb] [2H], output h'
 *
 * Weights are in the RNN op's layout (one direction), so the mapping only adds the direction axis.
 */
export const elmanCell = defineCell({
  ...hiddenVectorCell,
  kind: 'acme/elman',
  summary: "test cell: h' = tanh(x Wᵀ + h Rᵀ + Wb + Rb), exported as ONNX RNN",
  parameters(config) {
    const k = 1 / Math.sqrt(config.hiddenSize);
    return [
      { name: 'W', shape: [config.hiddenSize, config.inputSize], init: uniform(-k, k) },
      { name: 'R', shape: [config.hiddenSize, config.hiddenSize], init: uniform(-k, k) },
      { name: 'B', shape: [2 * config.hiddenSize], init: uniform(-k, k) },
    ];
  },
  step(params, x, state, config) {
    return tf.tidy(() => {
      const h = state[0] as tf.Tensor2D;
      const [wb, rb] = tf.split(params.B as tf.Tensor1D, [config.hiddenSize, config.hiddenSize]) as [tf.Tensor1D, tf.Tensor1D];
      const z = tf.add(tf.add(tf.matMul(x, params.W as tf.Tensor2D, false, true), tf.matMul(h, params.R as tf.Tensor2D, false, true)), tf.add(wb, rb));
      const hNext = tf.tanh(z) as tf.Tensor2D;
      return { output: hNext, state: [hNext] };
    });
  },
  onnx({ graph, config, weights, input, initialState, sequenceLens, reverse }) {
    const H = config.hiddenSize;
    const withDirection = (name: string, shape: number[]) => graph.constant(name, { shape, data: (weights[name] as HostTensor).data });
    const axis0 = graph.constant('axis_0', { dtype: 'int64', shape: [1], data: BigInt64Array.of(0n) });
    const axis1 = graph.constant('axis_1', { dtype: 'int64', shape: [1], data: BigInt64Array.of(1n) });
    const [h0] = graph.node('Unsqueeze', [initialState[0] as string, axis0], {}, { stem: 'h0' }) as [string]; // [1, B, H]
    const [y, yH] = graph.node(
      'RNN',
      [input, withDirection('W', [1, H, config.inputSize]), withDirection('R', [1, H, H]), withDirection('B', [1, 2 * H]), sequenceLens ?? '', h0],
      { hidden_size: H, direction: reverse ? 'reverse' : 'forward', activations: ['Tanh'] },
      { outputs: 2, stem: 'rnn' },
    ) as [string, string];
    const [outputs] = graph.node('Squeeze', [y, axis1], {}, { stem: 'outputs' }) as [string]; // [T, 1, B, H] → [T, B, H]
    const [h] = graph.node('Squeeze', [yH, axis0], {}, { stem: 'h' }) as [string];
    return { outputs, finalState: [h] };
  },
});
