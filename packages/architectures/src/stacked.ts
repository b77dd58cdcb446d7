import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, defineConfig, defineLayer, field, type ResolvedNode, type SequenceOutput } from '@unfold/core';
import { ARCHITECTURES_META } from './meta';
import { stackedOnnx } from './onnx/stacked';
import { forwardUnchecked, splitStates } from './sequence';
import { inputSizeOf, outputSizeOf, stateOf } from '@unfold/core';
import { expectInputSize } from './sizes';

/**
 * `stacked`: a deep recurrent network. Each entry of `layers` (a cell, run forward, or any layer such as
 * `bidirectional`) reads the previous entry's outputs (Graves et al. 2013, "Speech recognition with deep
 * recurrent neural networks"):
 *
 *   y⁰ = x,   yˡ = layerₗ(yˡ⁻¹)                      (l = 1..L)
 *   residual: yˡ = layerₗ(yˡ⁻¹) + yˡ⁻¹ for l >= 2   (skip connections; sizes must agree)
 *
 * Layers may mix cells (an LSTM under a GRU). States: every layer's states in order, which for
 * uni- and bidirectional layers is PyTorch's l·D + d order; names are qualified (`layers.1.forward.h`).
 */
export const stacked = defineLayer({
  kind: 'stacked',
  meta: ARCHITECTURES_META,
  schemaVersion: 1,
  summary: 'a deep stack of recurrent layers, each reading the outputs of the one below',
  config: defineConfig({
    residual: field.boolean({ doc: 'add each layer’s input to its output from the second layer on (skip connections)', default: false }),
  }),
  children: () => [{ name: 'layers', families: ['cell', 'layer'], list: true }],
  checkChildren(node) {
    const layers = layersOf(node);
    if (layers.length === 0) {
      throw new ConfigError('a stack needs at least one layer', { where: node.path || 'model', expected: 'children.layers with 1 or more entries', got: '0 layers', fix: 'add a cell or a layer to children.layers' });
    }
    layers.forEach((layer, l) => {
      if (l === 0) return;
      const below = layers[l - 1] as ResolvedNode;
      expectInputSize(layer, outputSizeOf(below), `the output size of ${below.path}`);
      if (node.config.residual && outputSizeOf(layer) !== inputSizeOf(layer)) {
        throw new ConfigError('a residual layer must keep its size', { where: layer.path, expected: `output size ${inputSizeOf(layer)} (= its input size)`, got: String(outputSizeOf(layer)), fix: 'give every layer above the first the same size, or set residual: false' });
      }
    });
  },
  inputSize: (node) => inputSizeOf(layersOf(node)[0] as ResolvedNode),
  outputSize: (node) => outputSizeOf(layersOf(node).at(-1) as ResolvedNode),
  state: (node) => layersOf(node).flatMap((layer) => stateOf(layer)),
  forward(bound, input, context) {
    const layers = bound.list('layers');
    const groups = splitStates(input.initialState, layers.map((layer) => stateOf(layer.node).length));
    let x = input.x as tf.Tensor3D;
    const finalState: tf.Tensor[] = [];
    layers.forEach((layer, l) => {
      const state = groups[l];
      const result: SequenceOutput = forwardUnchecked(layer, { x, ...(input.lengths ? { lengths: input.lengths } : {}), ...(state ? { initialState: state } : {}) }, context);
      x = bound.node.config.residual && l > 0 ? tf.add(result.outputs, x) : result.outputs;
      finalState.push(...result.finalState);
    });
    return { outputs: x, finalState };
  },
  onnx: stackedOnnx,
});

function layersOf(node: ResolvedNode): readonly ResolvedNode[] {
  return node.children.layers as readonly ResolvedNode[];
}
