import * as tf from '@tensorflow/tfjs-core';
import { inferenceContext, stateOf, type BoundNode, type CellPlugin, type ForwardContext } from '@unfold/core';
type Tensor = tf.Tensor;
type Tensor2D = tf.Tensor2D;
type Tensor3D = tf.Tensor3D;

/**
 * The time loop: runs one cell over a time-major batch [T, B, I], forward or reversed, with
 * per-sequence lengths and an initial state. Cells compute one step; this loop owns time, masks,
 * direction and state carry, so every cell works in every architecture.
 *
 * Padding semantics (those of onnxruntime and PyTorch's packed sequences): at steps t >= lengths[b] the
 * state of sequence b is carried unchanged and its output is 0, so padding never changes a final state or
 * a gradient. Reversal is within each sequence's own length: step t of a reversed sequence of length L
 * reads position L−1−t, and padded positions stay where they are.
 */
export interface RecurrenceOptions {
  readonly reverse?: boolean;
  /** Real length of each sequence (default: all T). */
  readonly lengths?: Int32Array;
  /** Initial states in the cell's state order, each [B, ...shape]; default zeros. */
  readonly initialState?: readonly Tensor[];
  /** Use the cell's fused `sequence` path when it has one (default true). */
  readonly fused?: boolean;
  /** Passed to every step (default: the inference context). */
  readonly context?: ForwardContext;
}

export interface RecurrenceResult {
  /** [T, B, O], zeros at padded steps. */
  readonly outputs: Tensor3D;
  readonly state: readonly Tensor[];
}

/** [T, B] float mask, 1 at real steps; undefined when no sequence is padded. */
export function maskFromLengths(lengths: Int32Array | undefined, time: number): Tensor2D | undefined {
  if (!lengths || lengths.every((length) => length === time)) return undefined;
  const batch = lengths.length;
  const mask = new Float32Array(time * batch);
  for (let t = 0; t < time; t++) for (let b = 0; b < batch; b++) mask[t * batch + b] = t < (lengths[b] as number) ? 1 : 0;
  return tf.tensor2d(mask, [time, batch]);
}

/** Reverses each sequence of a time-major [T, B, F] tensor within its length (an involution). */
export function reverseWithinLengths(x: Tensor3D, lengths: Int32Array | undefined): Tensor3D {
  const [time, batch, features] = x.shape;
  if (!lengths) return tf.reverse(x, 0);
  const index = new Int32Array(time * batch);
  for (let t = 0; t < time; t++) {
    for (let b = 0; b < batch; b++) {
      const length = lengths[b] as number;
      index[t * batch + b] = (t < length ? length - 1 - t : t) * batch + b;
    }
  }
  return tf.tidy(() => tf.reshape(tf.gather(tf.reshape(x, [time * batch, features]), tf.tensor1d(index, 'int32')), [time, batch, features]));
}

function zerosState(bound: BoundNode, batch: number): Tensor[] {
  return stateOf(bound.node).map((spec) => tf.zeros([batch, ...spec.shape]));
}

/** `condition` [B, 1] reshaped to [B, 1, …, 1] for a state of `rank` (tf.where broadcasts numpy-style). */
function conditionFor(condition: Tensor2D, rank: number): Tensor {
  return rank === 2 ? condition : tf.reshape(condition, [condition.shape[0], ...new Array<number>(rank - 1).fill(1)]);
}

/** Loops `step` over time, carrying the state through padded steps. */
function stepLoop(bound: BoundNode, x: Tensor3D, state0: readonly Tensor[], mask: Tensor2D | undefined, context: ForwardContext): RecurrenceResult {
  const cell = bound.node.plugin as CellPlugin;
  const config = bound.node.config;
  const [time, batch] = x.shape;
  let state = state0;
  const outputs: Tensor2D[] = [];
  const steps = time === 0 ? [] : (tf.unstack(x) as Tensor2D[]);
  // [B, 1] per step: tf.where broadcasts numpy-style, so a rank-1 condition would select columns.
  const real = mask ? (tf.unstack(tf.expandDims(tf.greater(mask, 0), 2)) as Tensor2D[]) : [];
  steps.forEach((xt, t) => {
    const { output, state: next } = cell.step(bound.params, xt, state, config, context);
    const isReal = real[t];
    if (isReal) {
      outputs.push(tf.where(isReal, output, tf.zerosLike(output)));
      state = next.map((s, i) => tf.where(conditionFor(isReal, s.rank), s, state[i] as Tensor));
    } else {
      outputs.push(output);
      state = next;
    }
  });
  const outputSize = cell.outputSize(config);
  return { outputs: time === 0 ? tf.zeros([0, batch, outputSize]) : (tf.stack(outputs) as Tensor3D), state };
}

/** Runs `bound` (a cell) over time-major x [T, B, I]. Call inside tf.tidy (or keep the results). */
export function runRecurrence(bound: BoundNode, x: Tensor3D, options: RecurrenceOptions = {}): RecurrenceResult {
  const cell = bound.node.plugin as CellPlugin;
  const [time, batch] = x.shape;
  const state0 = options.initialState ?? zerosState(bound, batch);
  const context = options.context ?? inferenceContext();
  const mask = maskFromLengths(options.lengths, time);
  const input = options.reverse ? reverseWithinLengths(x, options.lengths) : x;
  const useFused = (options.fused ?? true) && typeof cell.sequence === 'function';
  const result = useFused
    ? (cell.sequence as NonNullable<CellPlugin['sequence']>)(bound.params, input, state0, bound.node.config, mask ? { mask, context } : { context })
    : stepLoop(bound, input, state0, mask, context);
  return options.reverse ? { outputs: reverseWithinLengths(result.outputs, options.lengths), state: result.state } : { outputs: result.outputs, state: result.state };
}
