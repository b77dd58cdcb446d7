import * as tf from '@tensorflow/tfjs-core';
import { defineCell, defineConfig, defineHead, defineLayer, field, uniform, zeros } from '../src/index';
import type { Tensor2D } from '@tensorflow/tfjs-core';

/** Small plugins for testing the core machinery (not the math): an Elman-like cell, a loop layer, a dense head. */
export const toyCell = defineCell({
  kind: 'toy-cell',
  meta: { package: '@unfold/core-tests', version: '0.0.0' },
  schemaVersion: 1,
  summary: 'h = tanh(W x + R h + B)',
  config: defineConfig({
    inputSize: field.int({ doc: 'input features I', min: 1 }),
    hiddenSize: field.int({ doc: 'hidden units H', min: 1 }),
    bias: field.boolean({ doc: 'learn a bias', default: true }),
  }),
  inputSize: (c) => c.inputSize,
  outputSize: (c) => c.hiddenSize,
  state: (c) => [{ name: 'h', size: c.hiddenSize }],
  parameters: (c) => [
    { name: 'W', shape: [c.hiddenSize, c.inputSize], init: uniform(-0.5, 0.5) },
    { name: 'R', shape: [c.hiddenSize, c.hiddenSize], init: uniform(-0.5, 0.5) },
    ...(c.bias ? [{ name: 'B', shape: [c.hiddenSize], init: zeros() }] : []),
  ],
  step(params, x, state) {
    const pre = tf.add(tf.matMul(x, params.W as tf.Tensor2D, false, true), tf.matMul(state[0] as Tensor2D, params.R as tf.Tensor2D, false, true));
    const h = tf.tanh(params.B ? tf.add(pre, params.B) : pre) as Tensor2D;
    return { output: h, state: [h] };
  },
});

export const toyLayer = defineLayer({
  kind: 'toy-loop',
  meta: { package: '@unfold/core-tests', version: '0.0.0' },
  schemaVersion: 2,
  summary: 'runs its cell forward',
  config: defineConfig({ label: field.optional(field.oneOf(['a', 'b'], { doc: 'a label' })) }),
  migrate: (config, from) => (from === 1 && 'name' in config ? { label: config.name } : { ...config }),
  children: () => [{ name: 'cell', families: ['cell'], list: false }],
  inputSize: (node) => (node.children.cell as { config: { inputSize: number } }).config.inputSize,
  outputSize: (node) => (node.children.cell as { config: { hiddenSize: number } }).config.hiddenSize,
  state: () => [],
  forward() {
    throw new Error('not used in core tests');
  },
});

export const toyHead = defineHead({
  kind: 'toy-dense',
  meta: { package: '@unfold/core-tests', version: '0.0.0' },
  schemaVersion: 1,
  summary: 'y = x Wᵀ',
  config: defineConfig({ inputSize: field.int({ doc: 'in', min: 1 }), outputSize: field.int({ doc: 'out', min: 1 }) }),
  inputSize: (c) => c.inputSize,
  outputSize: (c) => c.outputSize,
  parameters: (c) => [{ name: 'W', shape: [c.outputSize, c.inputSize], init: uniform(-1, 1) }],
  apply: (params, input) => tf.matMul(input as tf.Tensor2D, params.W as tf.Tensor2D, false, true),
});

export const toySpec = {
  kind: 'toy-loop',
  config: { label: 'a' },
  children: { cell: { kind: 'toy-cell', config: { inputSize: 3, hiddenSize: 4 } } },
  metadata: { vocabulary: ['x', 'y'], mean: 0.5 },
} as const;
