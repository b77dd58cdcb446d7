import { int32Constant, int64Constant, ONNX_INT32, zerosConstant, type StateSpec } from '@unfold/core';
import { BATCH_DIM, BROADCAST_DIM, stateInputName, stateOutputName } from '@unfold/core/interface';
import { isSequencePort, lengthsName, tensorOf, timeDim } from './describe-entry';
import type { EntryInputValue, EntryResult, EntrySequenceOutput, ExportEntry } from './entry';
import type { ModelGraph } from './model-graph';

/**
 * An entry's boundary in the graph: batch-first sequence inputs become the time-major values plugin
 * mappings read (onnxruntime's RNN ops reject layout=1, so time-major inside and Transposes at the edges),
 * lengths are broadcast and clipped, initial states broadcast to [B, ...shape]; the entry's results become
 * the named outputs. For a v1 model's `main` entry this emits exactly the nodes v1 did.
 */
export interface Boundary {
  readonly inputs: Readonly<Record<string, EntryInputValue>>;
  /** [1] int64: the batch size (of the first input port). */
  readonly batch: string;
  /** In the entry's `states` order, each [B, ...shape]. */
  readonly initialState: readonly string[];
}

/** Every graph input and output name of an entry, in declaration order (reserved before mapping). */
export function entryNames(entry: ExportEntry): string[] {
  const withState = entry.stateInputs !== false;
  return [
    ...entry.inputs.flatMap((port) => [tensorOf(port), ...(isSequencePort(port) && port.lengths !== false ? [lengthsName(tensorOf(port))] : [])]),
    ...(withState ? entry.states.map((s) => stateInputName(s.name)) : []),
    ...entry.outputs.map(tensorOf),
    ...entry.states.map((s) => stateOutputName(s.name)),
  ];
}

function sequenceInput(graph: ModelGraph, entry: ExportEntry, index: number, batch: { value?: string }): EntryInputValue {
  const port = entry.inputs[index] as ExportEntry['inputs'][number];
  const stem = tensorOf(port);
  const tokens = port.kind === 'tokens';
  const time = timeDim(entry, port.name);
  const x = graph.input(stem, tokens ? { dtype: 'int32', shape: [BATCH_DIM, time] } : { dtype: 'float32', shape: [BATCH_DIM, time, port.size] });
  const [shape] = graph.node('Shape', [x], {}, { stem: `${stem}_shape` }) as [string];
  batch.value ??= graph.node('Gather', [shape, graph.constant('batch_axis', int64Constant([0]))], { axis: 0 }, { stem: 'batch_size' })[0] as string; // [1] int64
  const steps = stem === 'input' ? 'time_steps' : `${stem}.time_steps`;
  const [timeSteps] = graph.node('Gather', [shape, graph.constant('time_axis', int64Constant([1]))], { axis: 0 }, { stem: steps }) as [string]; // [1] int64
  const [value] = graph.node('Transpose', [x], { perm: tokens ? [1, 0] : [1, 0, 2] }, { stem: `${stem}_time_major` }) as [string];
  const [time32] = graph.node('Cast', [timeSteps], { to: ONNX_INT32 }, { stem: `${steps}_int32` }) as [string];
  const lengthsStem = stem === 'input' ? 'lengths' : `${stem}.lengths`;
  if (port.lengths === false) {
    return { value, lengths: graph.node('Expand', [time32, batch.value], {}, { stem: lengthsStem })[0] as string };
  }
  const given = graph.input(lengthsName(stem), { dtype: 'int32', shape: [BROADCAST_DIM] });
  const [expanded] = graph.node('Expand', [given, batch.value], {}, { stem: `${lengthsStem}_expanded` }) as [string];
  const [atMostT] = graph.node('Min', [expanded, time32], {}, { stem: `${lengthsStem}_at_most_time` }) as [string];
  const [lengths] = graph.node('Max', [atMostT, graph.constant('zero_int32', int32Constant([0]))], {}, { stem: lengthsStem }) as [string];
  return { value, lengths };
}

function vectorInput(graph: ModelGraph, port: ExportEntry['inputs'][number], batch: { value?: string }): EntryInputValue {
  const x = graph.input(tensorOf(port), { dtype: 'float32', shape: [BATCH_DIM, port.size] });
  if (batch.value === undefined) {
    const [shape] = graph.node('Shape', [x], {}, { stem: `${tensorOf(port)}_shape` }) as [string];
    batch.value = graph.node('Gather', [shape, graph.constant('batch_axis', int64Constant([0]))], { axis: 0 }, { stem: 'batch_size' })[0] as string;
  }
  return { value: x };
}

/** A state's initial value broadcast to [B, ...shape]: from `state_in.<path>` ([1 or B, ...shape]) or zeros. */
function initialState(graph: ModelGraph, state: StateSpec, batch: string, fromInput: boolean): string {
  const source = fromInput ? graph.input(stateInputName(state.name), { dtype: 'float32', shape: [BROADCAST_DIM, ...state.shape] }) : graph.constant(`${state.name}.zeros`, zerosConstant([1, ...state.shape]));
  const dims = graph.constant(state.shape.length === 1 ? `${state.name}.size` : `${state.name}.dims`, int64Constant([...state.shape]));
  const [stateShape] = graph.node('Concat', [batch, dims], { axis: 0 }, { stem: `${state.name}.shape` }) as [string];
  return graph.node('Expand', [source, stateShape], {}, { stem: `${state.name}.initial` })[0] as string;
}

export function buildInputs(graph: ModelGraph, entry: ExportEntry): Boundary {
  const batch: { value?: string } = {};
  const inputs: Record<string, EntryInputValue> = {};
  entry.inputs.forEach((port, i) => {
    inputs[port.name] = isSequencePort(port) ? sequenceInput(graph, entry, i, batch) : vectorInput(graph, port, batch);
  });
  const size = batch.value as string;
  return { inputs, batch: size, initialState: entry.states.map((state) => initialState(graph, state, size, entry.stateInputs !== false)) };
}

/** The readout of each output port (vector ports: none). */
export function outputReadouts(entry: ExportEntry, result: EntryResult): Readonly<Record<string, 'sequence' | 'last' | null>> {
  return Object.fromEntries(
    entry.outputs.map((port) => {
      const value = result.outputs[port.name];
      return [port.name, port.kind === 'vector' ? null : typeof value === 'object' ? value.readout : 'sequence'];
    }),
  );
}

/** Makes the entry's results the named graph outputs, with the shapes `described` declares. */
export function buildOutputs(graph: ModelGraph, entry: ExportEntry, described: { readonly outputs: readonly { readonly name: string; readonly shape: readonly (number | string)[] }[] }, result: EntryResult): void {
  const shapeOf = (name: string): readonly (number | string)[] => described.outputs.find((o) => o.name === name)?.shape ?? [];
  for (const port of entry.outputs) {
    const given = result.outputs[port.name] as string | EntrySequenceOutput;
    const value = typeof given === 'object' ? given.value : given;
    const name = tensorOf(port);
    const batchFirst = port.kind === 'vector' ? value : (graph.node('Transpose', [value], { perm: port.kind === 'tokens' ? [1, 0] : [1, 0, 2] }, { stem: `${name}_batch_first` })[0] as string);
    graph.output(name, batchFirst, { dtype: port.kind === 'tokens' ? 'int32' : 'float32', shape: shapeOf(name) });
  }
  entry.states.forEach((state, i) => {
    const name = stateOutputName(state.name);
    graph.output(name, result.finalState[i] as string, { dtype: 'float32', shape: shapeOf(name) });
  });
}
