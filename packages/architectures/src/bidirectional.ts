import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, DEFAULT_OUTPUT_PORT, defineConfig, defineLayer, field, type ResolvedNode } from '@unfold/core';
import { ARCHITECTURES_META } from './meta';
import { bidirectionalOnnx } from './onnx/bidirectional';
import { runCell, splitStates } from './sequence';
import { inputSizeOf, outputSizeOf, stateOf } from '@unfold/core';
import { expectInputSize } from './sizes';

export const MERGE_MODES = ['concat', 'sum', 'mean', 'product', 'none'] as const;
export type MergeMode = (typeof MERGE_MODES)[number];

/**
 * `bidirectional`: a `forward` cell reads each sequence from its first step, a `backward` cell from its
 * last real step (Schuster & Paliwal 1997); their outputs are merged per time step:
 *
 *   concat  y = [y→ ; y←]      size O→ + O←   (PyTorch's bidirectional output, ONNX direction=bidirectional)
 *   sum     y = y→ + y←        sizes must agree
 *   mean    y = (y→ + y←) / 2
 *   product y = y→ ⊙ y←
 *   none    y = [y→ ; y←], and the output ports `forward` and `backward` hold y→ and y← (Keras merge_mode=None)
 *
 * The two cells have their own weights (`forward.W`, `backward.W`); they usually share a spec.
 * States: the forward cell's states, then the backward cell's (PyTorch's d = 0, 1 order).
 */
export const bidirectional = defineLayer({
  kind: 'bidirectional',
  meta: ARCHITECTURES_META,
  schemaVersion: 1,
  summary: 'runs a forward and a backward cell and merges their outputs',
  config: defineConfig({
    merge: field.oneOf(MERGE_MODES, { doc: 'how the two directions are combined at each step', default: 'concat' }),
  }),
  children: () => [
    { name: 'forward', families: ['cell'], list: false },
    { name: 'backward', families: ['cell'], list: false },
  ],
  checkChildren(node) {
    const { forward, backward } = directions(node);
    expectInputSize(backward, inputSizeOf(forward), `the forward cell's inputSize`);
    if (node.config.merge !== 'concat' && node.config.merge !== 'none' && outputSizeOf(forward) !== outputSizeOf(backward)) {
      throw new ConfigError(`merge "${node.config.merge}" needs equal output sizes`, { where: node.path || 'model', expected: `backward output size ${outputSizeOf(forward)}`, got: String(outputSizeOf(backward)), fix: 'give both cells the same hiddenSize, or use merge "concat"' });
    }
  },
  inputSize: (node) => inputSizeOf(directions(node).forward),
  outputSize: mergedSize,
  outputs(node) {
    const { forward, backward } = directions(node);
    const merged = { name: DEFAULT_OUTPUT_PORT, kind: 'features', size: mergedSize(node) } as const;
    if (node.config.merge !== 'none') return [merged];
    return [merged, { name: 'forward', kind: 'features', size: outputSizeOf(forward) }, { name: 'backward', kind: 'features', size: outputSizeOf(backward) }];
  },
  state: (node) => [...stateOf(directions(node).forward), ...stateOf(directions(node).backward)],
  forward(bound, input, context) {
    const forwardCell = bound.child('forward');
    const backwardCell = bound.child('backward');
    const [forwardState, backwardState] = splitStates(input.initialState, [stateOf(forwardCell.node).length, stateOf(backwardCell.node).length]);
    const withState = (state: readonly tf.Tensor[] | undefined) => ({ x: input.x, ...(input.lengths ? { lengths: input.lengths } : {}), ...(state ? { initialState: state } : {}) });
    const ahead = runCell(forwardCell, withState(forwardState), {}, context);
    const behind = runCell(backwardCell, withState(backwardState), { reverse: true }, context);
    const outputs = mergeOutputs(bound.node.config.merge, ahead.outputs, behind.outputs);
    const lengths = input.lengths ? { lengths: input.lengths } : {};
    return {
      outputs,
      finalState: [...ahead.finalState, ...behind.finalState],
      ...(bound.node.config.merge === 'none' ? { ports: { forward: { x: ahead.outputs, ...lengths }, backward: { x: behind.outputs, ...lengths } } } : {}),
    };
  },
  onnx: bidirectionalOnnx,
});

function mergedSize(node: ResolvedNode<{ readonly merge: MergeMode }>): number {
  const { forward, backward } = directions(node);
  const merge = node.config.merge;
  return merge === 'concat' || merge === 'none' ? outputSizeOf(forward) + outputSizeOf(backward) : outputSizeOf(forward);
}

function mergeOutputs(merge: MergeMode, ahead: tf.Tensor3D, behind: tf.Tensor3D): tf.Tensor3D {
  switch (merge) {
    case 'concat':
    case 'none':
      return tf.concat([ahead, behind], 2);
    case 'sum':
      return tf.add(ahead, behind);
    case 'mean':
      return tf.mul(tf.add(ahead, behind), 0.5);
    case 'product':
      return tf.mul(ahead, behind);
  }
}

function directions(node: ResolvedNode): { forward: ResolvedNode; backward: ResolvedNode } {
  return { forward: node.children.forward as ResolvedNode, backward: node.children.backward as ResolvedNode };
}
