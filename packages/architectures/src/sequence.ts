import * as tf from '@tensorflow/tfjs-core';
import { inferenceContext, inputSpecOf, isSequenceLayer, stateOf, type BoundNode, type ForwardContext, type SequenceInput, type SequenceOutput } from '@unfold/core';
import { checkSequenceInput } from './input-checks';
import { runRecurrence } from './time-loop';

export interface CellRunOptions {
  readonly reverse?: boolean;
  readonly fused?: boolean;
}

/**
 * Runs a cell over a batch-major input as a forward (or reversed) recurrent layer, switching to
 * time-major for the loop and back. Outputs [B, T, O], zeros at padded steps. Unchecked: layers call it
 * after `runSequence` has checked the whole input.
 */
export function runCell(bound: BoundNode, input: SequenceInput, options: CellRunOptions = {}, context: ForwardContext = inferenceContext()): SequenceOutput {
  const timeMajor = tf.transpose(input.x as tf.Tensor3D, [1, 0, 2]);
  const result = runRecurrence(bound, timeMajor, {
    reverse: options.reverse ?? false,
    fused: options.fused ?? true,
    context,
    ...(input.lengths ? { lengths: input.lengths } : {}),
    ...(input.initialState ? { initialState: input.initialState } : {}),
  });
  return { outputs: tf.transpose(result.outputs, [1, 0, 2]), finalState: result.state };
}

/**
 * The checked entry point for any sequence component: validates shapes, lengths, initial states and
 * finiteness (typed errors naming expected vs got), then runs a layer through its own `forward` or a
 * cell as a forward recurrent layer. Call inside tf.tidy, or dispose the results.
 */
export function runSequence(bound: BoundNode, input: SequenceInput, context: ForwardContext = inferenceContext()): SequenceOutput {
  checkSequenceInput(bound.node.path || 'model', input.x, inputSpecOf(bound.node), input.lengths, input.initialState, stateOf(bound.node));
  return forwardUnchecked(bound, input, context);
}

/** `runSequence` without the checks, for layers composing already-checked inputs. */
export function forwardUnchecked(bound: BoundNode, input: SequenceInput, context: ForwardContext = inferenceContext()): SequenceOutput {
  const plugin = bound.node.plugin;
  return isSequenceLayer(plugin) ? plugin.forward(bound, input, context) : runCell(bound, input, {}, context);
}

/** Splits a flat state list into consecutive groups of the given sizes. */
export function splitStates<T>(states: readonly T[] | undefined, counts: readonly number[]): (readonly T[] | undefined)[] {
  if (!states) return counts.map(() => undefined);
  let offset = 0;
  return counts.map((count) => {
    const group = states.slice(offset, offset + count);
    offset += count;
    return group;
  });
}
