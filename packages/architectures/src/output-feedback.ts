import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, defineConfig, defineLayer, feedsTruth, inputSizeOf, outputSizeOf, stateOf, type BoundNode, type CellPlugin, type ForwardContext, type HeadPlugin, type ResolvedNode } from '@unfold/core';
import { ARCHITECTURES_META } from './meta';
import { sequenceModelOnnx } from './onnx/sequence-model';
import { forwardUnchecked } from './sequence';
import { maskFromLengths } from './time-loop';

/**
 * `output-feedback`: a forecaster that reads its own prediction as its next input (autoregressive), trained
 * with teacher forcing or scheduled sampling (Bengio et al. 2015), so that it learns from the inputs it will
 * see when it runs free.
 *
 *   hₜ = cell(uₜ, hₜ₋₁),   ŷₜ = output(hₜ)          the prediction of the next input xₜ₊₁ (so O = I)
 *   u₀ = x₀;  uₜ = xₜ (the ground truth) or ŷₜ₋₁ (the model's prediction, no gradient through it)
 *
 * Which one is the context's decoder-input policy: teacher forcing (always xₜ; inference, and training by
 * default), free running (always ŷₜ₋₁), or scheduled sampling (xₜ with probability ε, drawn per sequence
 * and step from `context.rng`). Under teacher forcing the layer is exactly a `sequence-model` with readout
 * "sequence" (the fused path runs), and that is what it exports: feeding back is the runtime's `rollout`.
 * Padding as everywhere: past a sequence's length the output is 0 and the state is carried.
 */
export const outputFeedback = defineLayer({
  kind: 'output-feedback',
  meta: ARCHITECTURES_META,
  schemaVersion: 1,
  summary: 'a forecaster fed its own predictions (teacher forcing or scheduled sampling in training)',
  config: defineConfig({}),
  children: () => [
    { name: 'body', families: ['cell'], list: false },
    { name: 'output', families: ['head'], list: false },
  ],
  checkChildren(node) {
    const { body, output } = partsOf(node);
    const head = output.plugin as HeadPlugin;
    if (head.inputSize(output.config) !== outputSizeOf(body)) {
      throw new ConfigError('output head input size does not match the body', { where: output.path, expected: `inputSize ${outputSizeOf(body)}`, got: `inputSize ${head.inputSize(output.config)}`, fix: `set inputSize: ${outputSizeOf(body)} in ${output.path}` });
    }
    if (head.outputSize(output.config) !== inputSizeOf(body)) {
      throw new ConfigError('a fed-back prediction must have the input’s size', { where: output.path, expected: `outputSize ${inputSizeOf(body)} (the body's inputSize)`, got: `outputSize ${head.outputSize(output.config)}`, fix: `set outputSize: ${inputSizeOf(body)} in ${output.path}` });
    }
  },
  inputSize: (node) => inputSizeOf(partsOf(node).body),
  outputSize: (node) => inputSizeOf(partsOf(node).body),
  state: (node) => stateOf(partsOf(node).body),
  semantics: () => ({ readout: 'sequence', emits: 'features' }),
  forward(bound, input, context) {
    const x = input.x as tf.Tensor3D;
    const [batch, time] = x.shape;
    const lengths = input.lengths ?? (time === 0 ? new Int32Array(batch) : undefined);
    if (context.decoderInputs.kind === 'teacher-forcing' || time === 0) {
      const body = forwardUnchecked(bound.child('body'), input, context);
      const outputs = predict(bound.child('output'), body.outputs) as tf.Tensor3D;
      return { outputs: lengths ? tf.mul(outputs, tf.expandDims(tf.transpose(maskFromLengths(lengths, time) ?? tf.ones([time, batch])), 2)) : outputs, finalState: body.finalState };
    }
    return feedBack(bound, x, lengths, input.initialState, context);
  },
  onnx: (context) => sequenceModelOnnx({ ...context, node: { ...context.node, config: { readout: 'sequence' } } }),
});

/** The output head over [..., H]. */
function predict(output: BoundNode, h: tf.Tensor): tf.Tensor {
  return (output.node.plugin as HeadPlugin).apply(output.params, h, output.node.config);
}

/** The identity with no gradient: a fed-back prediction is an input, not a path for the loss. */
const noGradient = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({ value: tf.clone(args[0] as tf.Tensor), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) }));

/** The step loop, each input chosen by the policy; padded steps give 0 and carry the state. */
function feedBack(bound: BoundNode, x: tf.Tensor3D, lengths: Int32Array | undefined, initialState: readonly tf.Tensor[] | undefined, context: ForwardContext): { outputs: tf.Tensor3D; finalState: tf.Tensor[] } {
  const body = bound.child('body');
  const cell = body.node.plugin as CellPlugin;
  const [batch, time] = x.shape;
  const truth = tf.unstack(tf.transpose(x, [1, 0, 2])) as tf.Tensor2D[]; // T × [B, I]
  let state: tf.Tensor[] = initialState ? [...initialState] : stateOf(body.node).map((s) => tf.zeros([batch, ...s.shape]));
  const outputs: tf.Tensor2D[] = [];
  for (let t = 0; t < time; t++) {
    const fed = t === 0 ? undefined : (noGradient(outputs[t - 1] as tf.Tensor2D) as tf.Tensor2D);
    const useTruth = fed ? tf.tensor2d(Array.from({ length: batch }, () => (feedsTruth(context) ? 1 : 0)), [batch, 1]) : undefined;
    const u = fed && useTruth ? tf.add(tf.mul(truth[t] as tf.Tensor2D, useTruth), tf.mul(fed, tf.sub(1, useTruth))) : (truth[t] as tf.Tensor2D);
    const next = cell.step(body.params, u as tf.Tensor2D, state, body.node.config, context);
    const y = predict(bound.child('output'), next.output) as tf.Tensor2D;
    const real = lengths ? tf.tensor2d(Array.from(lengths, (length) => (t < length ? 1 : 0)), [batch, 1]) : undefined;
    outputs.push(real ? (tf.mul(y, real) as tf.Tensor2D) : y);
    state = real ? next.state.map((s, i) => tf.where(tf.reshape(tf.cast(real, 'bool'), [batch, ...new Array<number>(s.rank - 1).fill(1)]), s, state[i] as tf.Tensor)) : [...next.state];
  }
  return { outputs: tf.transpose(tf.stack(outputs), [1, 0, 2]) as tf.Tensor3D, finalState: state };
}

function partsOf(node: ResolvedNode): { body: ResolvedNode; output: ResolvedNode } {
  return { body: node.children.body as ResolvedNode, output: node.children.output as ResolvedNode };
}
