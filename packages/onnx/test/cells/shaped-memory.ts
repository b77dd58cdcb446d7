import * as tf from '@tensorflow/tfjs-core';
import { defineCell, defineConfig, field, int64Constant, uniform, type HostTensor, type ModelSpec } from '@unfold/core';
import { ACME } from './acme';

/**
 * A toy cell with a shaped state, defined in the tests (and imported by the runtime and edge tests): its
 * memory m is a [2, 3] matrix per sequence, state tensor [B, 2, 3], declared `{ name: 'm', shape: [2, 3] }`.
 *
 *   u  = reshape(x Wᵀ + b, [2, 3])          W [6, I], b [6]
 *   m' = tanh(m ⊙ A + u)                    A [2, 3], element-wise decay per memory slot
 *   output = flatten(m')                    [B, 6]
 *
 * It has a `step` (tfjs ops) and a per-step ONNX mapping (`onnxStep`), nothing else; the exporter's
 * shared Scan emitter carries the [B, 2, 3] state.
 */
export const SHAPED_MEMORY_STATE = Object.freeze({ name: 'm', shape: Object.freeze([2, 3]) as readonly number[] });
const SLOTS = 6;

export const shapedMemoryCell = defineCell({
  ...ACME,
  kind: 'acme/shaped-memory',
  summary: "test cell with a [2, 3] state: m' = tanh(m ⊙ A + reshape(x Wᵀ + b)), output flatten(m')",
  config: defineConfig({ inputSize: field.int({ doc: 'input features I', min: 1 }) }),
  inputSize: (config) => config.inputSize,
  outputSize: () => SLOTS,
  state: () => [SHAPED_MEMORY_STATE],
  parameters(config) {
    const k = 1 / Math.sqrt(config.inputSize);
    return [
      { name: 'W', shape: [SLOTS, config.inputSize], init: uniform(-k, k), doc: 'input weights [6, I], one row per memory slot (row-major [2, 3])' },
      { name: 'b', shape: [SLOTS], init: uniform(-0.1, 0.1), doc: 'bias [6]' },
      { name: 'A', shape: [...SHAPED_MEMORY_STATE.shape], init: uniform(0.3, 0.9), doc: 'decay per memory slot [2, 3]' },
    ];
  },
  step(params, x, state) {
    return tf.tidy(() => {
      const batch = x.shape[0];
      const m = state[0] as tf.Tensor3D; // [B, 2, 3]
      const u = tf.reshape(tf.add(tf.matMul(x, params.W as tf.Tensor2D, false, true), params.b as tf.Tensor1D), [batch, 2, 3]);
      const next = tf.tanh(tf.add(tf.mul(m, params.A as tf.Tensor2D), u)) as tf.Tensor3D;
      return { output: tf.reshape(next, [batch, SLOTS]) as tf.Tensor2D, state: [next] };
    });
  },
  onnxStep: {
    prepare({ graph, weights, input }) {
      const W = weights.W as HostTensor;
      const I = W.shape[1] as number;
      const Wt = Float32Array.from({ length: SLOTS * I }, (_, i) => W.data[(i % SLOTS) * I + Math.floor(i / SLOTS)] as number); // Wᵀ [I, 6]
      const [product] = graph.node('MatMul', [input, graph.constant('W_t', { shape: [I, SLOTS], data: Wt })], {}, { stem: 'input_projection' }) as [string];
      return { input: graph.node('Add', [product, graph.constant('b', weights.b as HostTensor)], {}, { stem: 'projected' })[0] as string, size: SLOTS };
    },
    step({ graph, weights, input, state }) {
      const [u] = graph.node('Reshape', [input, graph.constant('memory_shape', int64Constant([-1, ...SHAPED_MEMORY_STATE.shape]))], {}, { stem: 'u' }) as [string]; // [B, 2, 3]
      const [decayed] = graph.node('Mul', [state[0] as string, graph.constant('A', weights.A as HostTensor)], {}, { stem: 'decayed' }) as [string];
      const [next] = graph.node('Tanh', [graph.node('Add', [decayed, u], {}, { stem: 'pre' })[0] as string], {}, { stem: 'm_next' }) as [string];
      const [output] = graph.node('Reshape', [next, graph.constant('output_shape', int64Constant([-1, SLOTS]))], {}, { stem: 'output' }) as [string];
      return { output, state: [next] };
    },
  },
});

/** A model around the cell: its outputs through a dense readout per step (output size 2). */
export function shapedMemoryModel(inputSize: number): ModelSpec {
  return {
    kind: 'sequence-model',
    children: { body: { kind: 'recurrent', children: { cell: { kind: 'acme/shaped-memory', config: { inputSize } } } }, output: { kind: 'dense', config: { inputSize: SLOTS, outputSize: 2 } } },
  };
}
