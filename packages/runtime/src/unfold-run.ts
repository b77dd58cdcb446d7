import { RuntimeError } from './errors';
import type { UnfoldInfo } from './info/unfold-info';
import type { PackedSequences } from './sequences';
import type { HostTensor, ModelSession } from './session';
import type { PackedState } from './states';

/**
 * One call of an unfold-exported entry on a packed batch: builds the feeds its interface names (the
 * input port's tensor, its lengths, `state_in.*` of shape [rows, ...shape]), runs, and checks the outputs
 * have the shapes the interface promises. Shared by predict, stream and every rollout step.
 */
export interface ChunkResult {
  /** [batch, steps, O] float32, batch-first; zeros at padded steps. */
  readonly output: Float32Array;
  /** The output's time axis: the chunk's length, or 1 for a one-row readout (last, pooled, a vector port). */
  readonly steps: number;
  /** Each state after each sequence's last real step, [batch × size], in the interface's state order. */
  readonly states: readonly Float32Array[];
}

function internal(what: string, where: string): RuntimeError {
  return new RuntimeError('E_INFERENCE', what, { where });
}

export async function runChunk(session: ModelSession, info: UnfoldInfo, packed: PackedSequences, states: readonly PackedState[], where: string): Promise<ChunkResult> {
  const { batch, time } = packed;
  const feeds: Record<string, HostTensor> = {
    [info.input]: info.inputKind === 'tokens' ? { dtype: 'int32', shape: [batch, time], data: packed.data } : { dtype: 'float32', shape: [batch, time, info.inputSize], data: packed.data },
  };
  if (info.lengths) feeds[info.lengths] = { dtype: 'int32', shape: [batch], data: packed.lengths };
  info.states.forEach((state, i) => {
    const value = states[i];
    if (state.input && value) feeds[state.input] = { dtype: 'float32', shape: [value.rows, ...state.shape], data: value.data };
  });
  const results = await session.run(feeds);
  const output = results[info.output];
  const steps = info.readout === 'sequence' ? time : 1;
  if (!output || !(output.data instanceof Float32Array) || output.data.length !== batch * steps * info.outputSize) {
    throw internal(`the model returned an output of shape [${output?.shape.join(', ') ?? 'none'}]`, where);
  }
  const finalStates = info.states.map((state) => {
    const value = results[state.output];
    if (!value || !(value.data instanceof Float32Array) || value.data.length !== batch * state.size) throw internal(`the model returned no ${state.output} of [${[batch, ...state.shape].join(', ')}]`, where);
    return value.data;
  });
  return { output: output.data, steps, states: finalStates };
}

/**
 * Each sequence's outputs cut to its own length: readout "sequence" gives `length` rows, a one-row
 * readout one row (none for an empty sequence). `map` turns model units into the caller's (denormalisation).
 */
export function cutOutputs(result: ChunkResult, lengths: Int32Array, outputSize: number, map?: (z: number) => number): number[][][] {
  return Array.from(lengths, (length, b) => {
    const rows = Math.min(length, result.steps);
    return Array.from({ length: rows }, (_, t) => {
      const offset = (b * result.steps + t) * outputSize;
      return Array.from(result.output.subarray(offset, offset + outputSize), (z) => (map ? map(z) : z));
    });
  });
}
