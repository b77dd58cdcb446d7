import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, defineConfig, defineLayer, field, type BoundNode, type HeadPlugin, type ResolvedNode } from '@unfold/core';
import { ARCHITECTURES_META } from './meta';
import { sequenceModelOnnx } from './onnx/sequence-model';
import { forwardUnchecked } from './sequence';
import { inputSizeOf, outputSizeOf, stateOf } from '@unfold/core';

/**
 * `sequence-model`: a complete model, an optional input head, a recurrent body and an optional output head.
 *
 *   e = input(x)          embedding of token ids [B, T] → [B, T, D], or a dense projection; or e = x
 *   h = body(e)           any cell or layer: [B, T, H], final states
 *   y = output(h)         readout "sequence": at every step, [B, T, O]   (taggers, language models)
 *                         readout "last":     at each sequence's last real step, [B, 1, O]  (forecasters, classifiers)
 *
 * States are the body's. Parameter names: `input.E`, `body.…`, `output.W`.
 */
export const sequenceModel = defineLayer({
  kind: 'sequence-model',
  meta: ARCHITECTURES_META,
  schemaVersion: 1,
  summary: 'input head, recurrent body and output head, read out per step or at the last step',
  config: defineConfig({
    readout: field.oneOf(['sequence', 'last'] as const, { doc: 'apply the output at every step, or only at each sequence’s last real step', default: 'sequence' }),
  }),
  children: () => [
    { name: 'input', families: ['head'], list: false, optional: true },
    { name: 'body', families: ['cell', 'layer'], list: false },
    { name: 'output', families: ['head'], list: false, optional: true },
  ],
  checkChildren(node) {
    const { input, body, output } = partsOf(node);
    if (input) {
      const head = input.plugin as HeadPlugin;
      const size = head.outputSize(input.config);
      if (size !== inputSizeOf(body)) {
        throw new ConfigError('body input size does not match the input head', { where: body.path, expected: `inputSize ${size} (the output size of ${input.path})`, got: `inputSize ${inputSizeOf(body)}`, fix: `set inputSize: ${size} in ${body.path}` });
      }
    }
    if (output) {
      const head = output.plugin as HeadPlugin;
      if (head.inputKind === 'tokens') {
        throw new ConfigError('an output head cannot read token ids', { where: output.path, expected: 'a head that reads features, such as dense', got: head.kind });
      }
      if (head.inputSize(output.config) !== outputSizeOf(body)) {
        throw new ConfigError('output head input size does not match the body', { where: output.path, expected: `inputSize ${outputSizeOf(body)} (the output size of ${body.path})`, got: `inputSize ${head.inputSize(output.config)}`, fix: `set inputSize: ${outputSizeOf(body)} in ${output.path}` });
      }
    }
  },
  inputSize(node) {
    const { input, body } = partsOf(node);
    return input ? (input.plugin as HeadPlugin).inputSize(input.config) : inputSizeOf(body);
  },
  inputKind(node) {
    const { input } = partsOf(node);
    return input && (input.plugin as HeadPlugin).inputKind === 'tokens' ? 'tokens' : 'features';
  },
  outputSize(node) {
    const { body, output } = partsOf(node);
    return output ? (output.plugin as HeadPlugin).outputSize(output.config) : outputSizeOf(body);
  },
  state: (node) => stateOf(partsOf(node).body),
  semantics(node) {
    const { input, body, output } = partsOf(node);
    const readout = node.config.readout;
    const head = output ? (output.plugin as HeadPlugin) : undefined;
    const emits = head?.emits?.(output?.config) ?? 'features';
    const vocabulary = input && (input.plugin as HeadPlugin).inputKind === 'tokens' ? (input.plugin as HeadPlugin).inputSize(input.config) : undefined;
    // A token model whose outputs score its own vocabulary emits a distribution over the next token.
    const scoresVocabulary = vocabulary !== undefined && output !== undefined && head?.outputSize(output.config) === vocabulary;
    return {
      readout,
      emits: scoresVocabulary ? (emits === 'probabilities' ? 'probabilities' : 'logits') : 'features',
      head: output && emits === 'affine' ? { slot: 'output', body: 'body' } : null,
    };
  },
  forward(bound, input, context) {
    const { input: inputNode, output: outputNode } = partsOf(bound.node);
    const x = inputNode ? applyHead(bound.child('input'), input.x) : input.x;
    const body = forwardUnchecked(bound.child('body'), { ...input, x: x as tf.Tensor3D }, context);
    const read = bound.node.config.readout === 'last' ? lastStep(body.outputs, input.lengths) : body.outputs;
    const headed = outputNode ? (applyHead(bound.child('output'), read) as tf.Tensor3D) : read;
    // A head maps padding's zeros to act(b): zero padded positions again, as SequenceOutput promises
    // (with T = 0 every sequence is empty, lengths or not).
    const [batch = 0, time = 0] = input.x.shape;
    const lengths = input.lengths ?? (time === 0 ? new Int32Array(batch) : undefined);
    const outputs = outputNode && lengths ? zeroPadding(headed, lengths, bound.node.config.readout) : headed;
    return { outputs, finalState: body.finalState };
  },
  onnx: sequenceModelOnnx,
});

function applyHead(bound: BoundNode, x: tf.Tensor): tf.Tensor {
  const head = bound.node.plugin as HeadPlugin;
  return head.apply(bound.params, x, bound.node.config);
}

/** The output at each sequence's last real step, [B, 1, H]; zeros for an empty sequence. */
export function lastStep(outputs: tf.Tensor3D, lengths: Int32Array | undefined): tf.Tensor3D {
  const [batch, time, size] = outputs.shape;
  if (time === 0) return tf.zeros([batch, 1, size]);
  if (!lengths) return tf.slice(outputs, [0, time - 1, 0], [batch, 1, size]);
  return tf.tidy(() => {
    // Rows b·T + (length_b − 1) of the flattened [B·T, H] outputs (plain gather: batchDims gathers are unreliable on wasm).
    const rows = tf.tensor1d(Array.from(lengths, (length, b) => b * time + Math.max(length - 1, 0)), 'int32');
    const picked = tf.reshape(tf.gather(tf.reshape(outputs, [batch * time, size]), rows), [batch, 1, size]); // [B, 1, H]
    const nonEmpty = tf.tensor3d(Array.from(lengths, (length) => (length > 0 ? 1 : 0)), [batch, 1, 1]);
    return tf.mul(picked, nonEmpty);
  });
}

/** Multiplies [B, T', O] outputs by 1 at real positions and 0 at padding (T' = T, or 1 for readout last). */
function zeroPadding(outputs: tf.Tensor3D, lengths: Int32Array, readout: 'sequence' | 'last'): tf.Tensor3D {
  const [batch, steps] = outputs.shape;
  const mask = new Float32Array(batch * steps);
  lengths.forEach((length, b) => mask.fill(1, b * steps, b * steps + (readout === 'last' ? Math.min(length, 1) : Math.min(length, steps))));
  return tf.mul(outputs, tf.tensor3d(mask, [batch, steps, 1]));
}

function partsOf(node: ResolvedNode): { input: ResolvedNode | undefined; body: ResolvedNode; output: ResolvedNode | undefined } {
  return {
    input: node.children.input as ResolvedNode | undefined,
    body: node.children.body as ResolvedNode,
    output: node.children.output as ResolvedNode | undefined,
  };
}
