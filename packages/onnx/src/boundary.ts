import type { ResolvedNode, SequenceOnnxResult } from '@unfold/core';
import { inputSpecOf, stateOf } from '@unfold/core';
import { CAST_TO_INT32, int32Vector, int64Vector, zeros } from './constants';
import { BATCH_DIM, BROADCAST_DIM, INPUT_NAME, OUTPUT_NAME, SEQUENCE_LENS_NAME, TIME_DIM, stateInputName, type InterfaceOptions, type OnnxInterface } from './interface';
import type { ModelGraph } from './model-graph';

/**
 * The model's boundary in the graph: batch-first inputs become the time-major values plugin mappings read
 * (onnxruntime's RNN ops reject layout=1, so time-major inside and Transposes at the edges), lengths are
 * broadcast and clipped, initial states broadcast to [B, size]; the mapped outputs become the named outputs.
 */
export interface Boundary {
  /** Time-major input: [T, B, I] float32, or [T, B] int32 token ids. */
  readonly input: string;
  /** int32 [B], each in [0, T]. */
  readonly sequenceLens: string;
  /** In `stateOf(root)` order, each [B, size]. */
  readonly initialState: readonly string[];
}

export function buildInputs(graph: ModelGraph, root: ResolvedNode, options: InterfaceOptions): Boundary {
  const spec = inputSpecOf(root);
  const tokens = spec.kind === 'tokens';
  const x = graph.input(INPUT_NAME, tokens ? { dtype: 'int32', shape: [BATCH_DIM, TIME_DIM] } : { dtype: 'float32', shape: [BATCH_DIM, TIME_DIM, spec.size] });
  const [shape] = graph.node('Shape', [x], {}, { stem: 'input_shape' }) as [string];
  const [batch] = graph.node('Gather', [shape, graph.constant('batch_axis', int64Vector([0]))], { axis: 0 }, { stem: 'batch_size' }) as [string]; // [1] int64
  const [time] = graph.node('Gather', [shape, graph.constant('time_axis', int64Vector([1]))], { axis: 0 }, { stem: 'time_steps' }) as [string]; // [1] int64
  const [input] = graph.node('Transpose', [x], { perm: tokens ? [1, 0] : [1, 0, 2] }, { stem: 'input_time_major' }) as [string];
  const [time32] = graph.node('Cast', [time], { to: CAST_TO_INT32 }, { stem: 'time_steps_int32' }) as [string];
  let sequenceLens: string;
  if (options.sequenceLens === false) {
    [sequenceLens] = graph.node('Expand', [time32, batch], {}, { stem: 'lengths' }) as [string];
  } else {
    const given = graph.input(SEQUENCE_LENS_NAME, { dtype: 'int32', shape: [BROADCAST_DIM] });
    const [expanded] = graph.node('Expand', [given, batch], {}, { stem: 'lengths_expanded' }) as [string];
    const [atMostT] = graph.node('Min', [expanded, time32], {}, { stem: 'lengths_at_most_time' }) as [string];
    [sequenceLens] = graph.node('Max', [atMostT, graph.constant('zero_int32', int32Vector([0]))], {}, { stem: 'lengths' }) as [string];
  }
  const initialState = stateOf(root).map((state) => {
    const source = options.initialStates === false ? graph.constant(`${state.name}.zeros`, zeros([1, state.size])) : graph.input(stateInputName(state.name), { dtype: 'float32', shape: [BROADCAST_DIM, state.size] });
    const [stateShape] = graph.node('Concat', [batch, graph.constant(`${state.name}.size`, int64Vector([state.size]))], { axis: 0 }, { stem: `${state.name}.shape` }) as [string];
    return graph.node('Expand', [source, stateShape], {}, { stem: `${state.name}.initial` })[0] as string;
  });
  return { input, sequenceLens, initialState };
}

export function buildOutputs(graph: ModelGraph, described: OnnxInterface, result: SequenceOnnxResult): void {
  const [batchFirst] = graph.node('Transpose', [result.outputs], { perm: [1, 0, 2] }, { stem: 'output_batch_first' }) as [string];
  const [outputSpec, ...stateSpecs] = described.outputs;
  graph.output(OUTPUT_NAME, batchFirst, { dtype: 'float32', shape: outputSpec?.shape ?? [] });
  described.states.forEach((state, i) => {
    graph.output(state.output, result.finalState[i] as string, { dtype: 'float32', shape: stateSpecs[i]?.shape ?? [] });
  });
}
