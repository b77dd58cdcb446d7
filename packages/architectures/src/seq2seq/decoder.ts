/**
 * The seq2seq computation in tfjs: encoding, the bridge, attention and the decoder step. The equations
 * are in layer.ts; this file is their one implementation, used by training (all steps at once under
 * teacher forcing, or step by step) and by every decoding strategy (decode.ts), step by step.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor1D, Tensor2D, Tensor3D } from '@tensorflow/tfjs-core';
import { BOS_ID, feedsTruth, stateOf, type BoundNode, type CellPlugin, type ForwardContext, type HeadPlugin } from '@unfold/core';
import { forwardUnchecked, runCell } from '../sequence';
import { maskFromLengths } from '../time-loop';
import { partsOf, sizesOf, type Seq2seqConfig } from './parts';

/** What the decoder attends over: the encoder outputs, the source mask and the scorer's keys. */
export interface Memory {
  /** [B, S, E], zeros at padded source steps. */
  readonly outputs: Tensor3D;
  /** [B, S], 1 at real source steps, 0 at padding. */
  readonly mask: Tensor2D;
  /** [B, S, K], the attention scorer's per-source work (absent without attention). */
  readonly keys?: Tensor3D;
}

/** The decoder's recurrent state: the cells' states in `decoderStates` order, and h̃ₜ₋₁ with input feeding. */
export interface DecoderState {
  readonly cells: readonly Tensor[];
  readonly feed?: Tensor2D;
}

/** What encoding a batch of sources gives the decoder. */
export interface Encoded {
  readonly memory: Memory;
  readonly state: DecoderState;
}

function apply(bound: BoundNode, x: Tensor, context?: ForwardContext): Tensor {
  return (bound.node.plugin as HeadPlugin).apply(bound.params, x, bound.node.config, context);
}

/** [B, S] of 1 at real steps (all 1 without lengths). */
function sourceMask(lengths: Int32Array | undefined, batch: number, steps: number): Tensor2D {
  const timeMajor = maskFromLengths(lengths, steps);
  return timeMajor ? (tf.transpose(tf.reshape(timeMajor, [steps, batch])) as Tensor2D) : tf.ones([batch, steps]);
}

/** Runs the source through its head and the encoder; the bridge maps the encoder's final states to the decoder's. */
export function encode(bound: BoundNode, source: Tensor, lengths: Int32Array | undefined, context: ForwardContext): Encoded {
  const { source: head, attention } = partsOf(bound.node);
  const [batch = 0, steps = 0] = source.shape;
  const x = head ? apply(bound.child('source'), source, context) : source;
  const encoded = forwardUnchecked(bound.child('encoder'), { x: x as Tensor3D, ...(lengths ? { lengths } : {}) }, context);
  const memory: Memory = {
    outputs: encoded.outputs,
    mask: sourceMask(lengths, batch, steps),
    ...(attention ? { keys: attention.plugin.keys(bound.child('attention').params, encoded.outputs, attention.config) } : {}),
  };
  return { memory, state: bridge(bound, encoded.finalState, batch) };
}

/**
 * The decoder's initial state from the encoder's final states s¹…sᴷ:
 *   projection  [d¹ … dᴸ] = tanh(W_b [s¹; …; sᴷ] + b_b)   W_b [Σ|d|, Σ|s|], split into the decoder's states
 *               (without the tanh with bridgeActivation "linear")
 *   copy        dˡ = sˡ (same count and sizes)
 *   zeros       dˡ = 0
 * and h̃₀ = 0 with input feeding.
 */
export function bridge(bound: BoundNode, encoderFinal: readonly Tensor[], batch: number): DecoderState {
  const config = bound.node.config as Seq2seqConfig;
  const specs = partsOf(bound.node).decoder.flatMap((cell) => stateOf(cell));
  const sizes = sizesOf(bound.node);
  const feed = sizes.attentional > 0 && config.inputFeeding ? { feed: tf.zeros([batch, sizes.attentional]) as Tensor2D } : {};
  if (config.bridge === 'zeros') return { cells: specs.map((s) => tf.zeros([batch, ...s.shape])), ...feed };
  if (config.bridge === 'copy') return { cells: encoderFinal.map((s, i) => tf.reshape(s, [batch, ...(specs[i]?.shape ?? [])])), ...feed };
  const joined = tf.concat(encoderFinal.map((s) => tf.reshape(s, [batch, -1])), 1); // [B, Σ|s|]
  const linear = tf.add(tf.matMul(joined, tf.transpose(bound.params.bridgeW as Tensor2D)), bound.params.bridgeB as Tensor1D);
  const projected = config.bridgeActivation === 'linear' ? linear : tf.tanh(linear);
  let offset = 0;
  const cells = specs.map((s) => {
    const part = tf.reshape(tf.slice(projected, [0, offset], [batch, s.size]), [batch, ...s.shape]);
    offset += s.size;
    return part;
  });
  return { cells, ...feed };
}

/** What attention gives for decoder outputs h [B, T, Q]: the readout (h̃, or h without attention) and the weights. */
export interface Attended {
  /** [B, T, R]: h̃ₜ = tanh(W_c [cₜ; hₜ] + b_c) with attention, else hₜ. */
  readonly readout: Tensor3D;
  /** [B, T, S] (absent without attention). */
  readonly weights?: Tensor3D;
}

/**
 * Attention for any number of decoder steps at once:
 *   eₜ = score(hₜ, keys)                [B, T, S]
 *   aₜ = softmax_s(eₜ + (mask − 1)·10⁹)   padded source steps get weight 0 (an empty source: uniform over zeros)
 *   cₜ = Σ_s aₜ,ₛ mₛ                     [B, T, E]
 *   h̃ₜ = tanh(W_c [cₜ; hₜ] + b_c)        [B, T, A]
 */
export function attend(bound: BoundNode, h: Tensor3D, memory: Memory): Attended {
  const { attention } = partsOf(bound.node);
  if (!attention || !memory.keys) return { readout: h };
  const [batch, steps] = h.shape;
  const scores = attention.plugin.score(bound.child('attention').params, h, memory.keys, attention.config);
  const masked = tf.add(scores, tf.mul(tf.sub(tf.expandDims(memory.mask, 1), 1), 1e9));
  const weights = tf.softmax(masked) as Tensor3D; // [B, T, S]
  const context = tf.matMul(weights, memory.outputs); // [B, T, E]
  const joined = tf.reshape(tf.concat([context, h], 2), [batch * steps, -1]);
  const combined = tf.tanh(tf.add(tf.matMul(joined, tf.transpose(bound.params.combineW as Tensor2D)), bound.params.combineB as Tensor1D));
  return { readout: tf.reshape(combined, [batch, steps, -1]) as Tensor3D, weights };
}

/** One decoder step's result. */
export interface StepResult {
  /** [B, V] scores of the next token (the output head's logits). */
  readonly logits: Tensor2D;
  readonly state: DecoderState;
  /** [B, S] attention weights (absent without attention). */
  readonly attention?: Tensor2D;
}

/**
 * The decoder step, the one function every decoding strategy and step-by-step training calls:
 *   uₜ = [E_y(yₜ₋₁); h̃ₜ₋₁]  (input feeding) or E_y(yₜ₋₁)
 *   hₜ = cells(uₜ, stateₜ₋₁)  (the stack, bottom first)
 *   h̃ₜ, aₜ = attend(hₜ)       logits = output(h̃ₜ)
 * `previous` holds yₜ₋₁ as int32 [B] ids, or already embedded [B, D].
 */
export function decoderStep(bound: BoundNode, previous: Tensor, state: DecoderState, memory: Memory, context: ForwardContext): StepResult {
  const { decoder } = partsOf(bound.node);
  const embedded = (previous.rank === 1 ? apply(bound.child('target'), previous, context) : previous) as Tensor2D;
  let u = state.feed ? (tf.concat([embedded, state.feed], 1) as Tensor2D) : embedded;
  const next: Tensor[] = [];
  let offset = 0;
  decoder.forEach((cell, k) => {
    const count = stateOf(cell).length;
    const result = (cell.plugin as CellPlugin).step((bound.list('decoder')[k] as BoundNode).params, u, state.cells.slice(offset, offset + count), cell.config, context);
    offset += count;
    next.push(...result.state);
    u = result.output;
  });
  const attended = attend(bound, tf.expandDims(u, 1) as Tensor3D, memory);
  const readout = tf.squeeze(attended.readout, [1]) as Tensor2D;
  const logits = apply(bound.child('output'), readout, context) as Tensor2D;
  return {
    logits,
    state: { cells: next, ...(state.feed ? { feed: readout } : {}) },
    ...(attended.weights ? { attention: tf.squeeze(attended.weights, [1]) as Tensor2D } : {}),
  };
}

/** Scores of every target step, [B, T, V], and the attention weights [B, T, S]. */
export interface Decoded {
  readonly logits: Tensor3D;
  readonly attention?: Tensor3D;
}

/**
 * Decodes given decoder inputs (`inputs` [B, T] int32: <bos> y₁ … yₙ₋₁, padded past `lengths`) under the
 * context's decoder-input policy. Teacher forcing without input feeding runs each decoder cell over the
 * whole sequence (fused where the cell has a fused path) and attends for all steps at once; otherwise the
 * decoder step runs T times, and where the policy says so (free running, scheduled sampling with
 * probability 1 − ε per sequence and step, drawn step-major from `context.rng`) the step reads the model's
 * own previous choice (argmax of its logits: an input, no gradient) instead of the given token.
 * Padded steps give zero logits.
 */
export function decodeSequence(bound: BoundNode, memory: Memory, initial: DecoderState, inputs: Tensor, lengths: Int32Array | undefined, context: ForwardContext): Decoded {
  const [batch = 0, steps = 0] = inputs.shape;
  const teacherForcing = context.decoderInputs.kind === 'teacher-forcing';
  const decoded = teacherForcing && !initial.feed ? decodeAllSteps(bound, memory, initial, inputs, lengths, context) : decodeStepwise(bound, memory, initial, inputs, context);
  if (!lengths) return decoded;
  const real = tf.expandDims(tf.transpose(tf.reshape(maskFromLengths(lengths, steps) ?? tf.ones([steps, batch]), [steps, batch])), 2); // [B, T, 1]
  return { logits: tf.mul(decoded.logits, real), ...(decoded.attention ? { attention: tf.mul(decoded.attention, real) } : {}) };
}

/** Teacher forcing, no input feeding: each decoder cell over all T steps, then attention for all steps. */
function decodeAllSteps(bound: BoundNode, memory: Memory, initial: DecoderState, inputs: Tensor, lengths: Int32Array | undefined, context: ForwardContext): Decoded {
  const { decoder } = partsOf(bound.node);
  let x = apply(bound.child('target'), inputs, context) as Tensor3D; // [B, T, D]
  let offset = 0;
  decoder.forEach((cell, k) => {
    const count = stateOf(cell).length;
    x = runCell((bound.list('decoder')[k] as BoundNode), { x, ...(lengths ? { lengths } : {}), initialState: initial.cells.slice(offset, offset + count) }, {}, context).outputs;
    offset += count;
  });
  const attended = attend(bound, x, memory);
  return { logits: apply(bound.child('output'), attended.readout, context) as Tensor3D, ...(attended.weights ? { attention: attended.weights } : {}) };
}

/** The decoder step T times, each input chosen by the context's policy. */
function decodeStepwise(bound: BoundNode, memory: Memory, initial: DecoderState, inputs: Tensor, context: ForwardContext): Decoded {
  const [batch = 0, steps = 0] = inputs.shape;
  const given = tf.unstack(inputs, 1) as Tensor1D[]; // T × [B]
  const mixes = context.decoderInputs.kind !== 'teacher-forcing';
  const ids = mixes ? inputs.dataSync() : undefined; // the given tokens on the host, only when some steps read the model's own
  let state = initial;
  const logits: Tensor2D[] = [];
  const weights: Tensor2D[] = [];
  for (let t = 0; t < steps; t++) {
    let previous = given[t] as Tensor1D;
    if (t > 0 && ids) {
      // Chosen on the host: a token id read back is an input, off the gradient tape.
      const own = tf.argMax(logits[t - 1] as Tensor2D, 1).dataSync();
      previous = tf.tensor1d(Array.from({ length: batch }, (_, b) => (feedsTruth(context) ? (ids[b * steps + t] as number) : (own[b] as number))), 'int32');
    }
    const step = decoderStep(bound, previous, state, memory, context);
    logits.push(step.logits);
    if (step.attention) weights.push(step.attention);
    state = step.state;
  }
  if (steps === 0) {
    const sizes = sizesOf(bound.node);
    return { logits: tf.zeros([batch, 0, sizes.targetVocabulary]), ...(memory.keys ? { attention: tf.zeros([batch, 0, memory.outputs.shape[1]]) } : {}) };
  }
  return { logits: tf.stack(logits, 1) as Tensor3D, ...(weights.length > 0 ? { attention: tf.stack(weights, 1) as Tensor3D } : {}) };
}

/** Decoder inputs for targets: <bos> followed by each target but its last token, [B, T]. */
export function shiftRight(targets: Int32Array, batch: number, steps: number): Int32Array {
  const inputs = new Int32Array(batch * steps);
  for (let b = 0; b < batch; b++) {
    if (steps > 0) inputs[b * steps] = BOS_ID;
    inputs.set(targets.subarray(b * steps, b * steps + steps - 1), b * steps + 1);
  }
  return inputs;
}
