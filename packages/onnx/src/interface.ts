import type { ResolvedNode } from '@unfold/core';
import { inputSpecOf, outputSizeOf, stateOf } from '@unfold/core';

/**
 * The interface of an exported model: stable names, dtypes, shapes and meanings of its inputs and outputs.
 * It is written into the file (`metadata_props["unfold.interface"]`) so a server needs nothing else.
 *
 * onnxruntime's JavaScript packages cannot leave a graph input out (onnxruntime-node silently ignores a
 * fed initializer-backed input and onnxruntime-web rejects it; optional-typed inputs must be fed too), so
 * the optional parts of the interface are made cheap instead: `sequence_lens` and every `state_in.*`
 * accept a batch of 1 that is broadcast to every sequence, and lengths above the time axis mean "full
 * length". Exporting with `sequenceLens: false` or `initialStates: false` leaves those inputs out.
 */
export const INPUT_NAME = 'input';
export const SEQUENCE_LENS_NAME = 'sequence_lens';
export const OUTPUT_NAME = 'output';
/** Symbolic dimensions of the inputs and outputs. */
export const BATCH_DIM = 'batch';
export const TIME_DIM = 'time';
/** The leading dimension of `sequence_lens` and `state_in.*`: the batch size, or 1 to broadcast one row. */
export const BROADCAST_DIM = 'batch_or_1';
/** Lengths are clipped to [0, time]: this value (2³¹ − 1) as a [1] tensor means "every sequence is full length". */
export const FULL_LENGTH = 2147483647;

export function stateInputName(path: string): string {
  return `state_in.${path}`;
}

export function stateOutputName(path: string): string {
  return `state_out.${path}`;
}

/** Which optional inputs the exported graph takes (both by default). */
export interface InterfaceOptions {
  /** Take `sequence_lens` (default true); false: every sequence is full length and the input is left out. */
  readonly sequenceLens?: boolean;
  /** Take `state_in.*` (default true); false: every sequence starts from zeros and the inputs are left out. */
  readonly initialStates?: boolean;
}

export interface OnnxTensorSpec {
  readonly name: string;
  readonly dtype: 'float32' | 'int32';
  readonly shape: readonly (number | string)[];
  readonly doc: string;
}

export interface OnnxStateSpec {
  /** The state's path in the model (`layers.1.forward.h`), as `stateOf(root)` names it. */
  readonly path: string;
  readonly size: number;
  /** Graph input for the initial value, or null when exported without state inputs. */
  readonly input: string | null;
  readonly output: string;
}

export interface OnnxInterface {
  readonly version: 1;
  /** `features`: float32 [batch, time, I]; `tokens`: int32 ids [batch, time] in [0, vocabulary). */
  readonly inputKind: 'features' | 'tokens';
  /** `sequence`: an output at every step; `last`: one output per sequence at its last real step. */
  readonly readout: 'sequence' | 'last';
  readonly inputs: readonly OnnxTensorSpec[];
  readonly outputs: readonly OnnxTensorSpec[];
  readonly states: readonly OnnxStateSpec[];
}

/** Every graph input and output name of the interface (reserved in the graph before mapping). */
export function interfaceNames(root: ResolvedNode, options: InterfaceOptions): string[] {
  const states = stateOf(root);
  return [
    INPUT_NAME,
    ...(options.sequenceLens === false ? [] : [SEQUENCE_LENS_NAME]),
    ...(options.initialStates === false ? [] : states.map((s) => stateInputName(s.name))),
    OUTPUT_NAME,
    ...states.map((s) => stateOutputName(s.name)),
  ];
}

export function describeInterface(root: ResolvedNode, options: InterfaceOptions, readout: 'sequence' | 'last'): OnnxInterface {
  const input = inputSpecOf(root);
  const outputSize = outputSizeOf(root);
  const states: OnnxStateSpec[] = stateOf(root).map((s) => ({ path: s.name, size: s.size, input: options.initialStates === false ? null : stateInputName(s.name), output: stateOutputName(s.name) }));
  const inputs: OnnxTensorSpec[] = [
    input.kind === 'tokens'
      ? { name: INPUT_NAME, dtype: 'int32', shape: [BATCH_DIM, TIME_DIM], doc: `token ids in [0, ${input.size}), batch-first` }
      : { name: INPUT_NAME, dtype: 'float32', shape: [BATCH_DIM, TIME_DIM, input.size], doc: 'input features, batch-first' },
  ];
  if (options.sequenceLens !== false) {
    inputs.push({ name: SEQUENCE_LENS_NAME, dtype: 'int32', shape: [BROADCAST_DIM], doc: `real length of each sequence (steps after it are padding); values are clipped to [0, time], so [${FULL_LENGTH}] means all full length; a [1] tensor applies to every sequence` });
  }
  for (const state of states) {
    if (state.input) inputs.push({ name: state.input, dtype: 'float32', shape: [BROADCAST_DIM, state.size], doc: `initial state ${state.path}; zeros [1, ${state.size}] start every sequence fresh; a [1, ${state.size}] row applies to every sequence` });
  }
  const outputs: OnnxTensorSpec[] = [
    readout === 'last'
      ? { name: OUTPUT_NAME, dtype: 'float32', shape: [BATCH_DIM, 1, outputSize], doc: "the output at each sequence's last real step (zeros read for an empty sequence)" }
      : { name: OUTPUT_NAME, dtype: 'float32', shape: [BATCH_DIM, TIME_DIM, outputSize], doc: 'the output at every step, batch-first; zeros at padded steps' },
    ...states.map((s): OnnxTensorSpec => ({ name: s.output, dtype: 'float32', shape: [BATCH_DIM, s.size], doc: `final state ${s.path} at each sequence's last real step; feed it to ${s.input ?? 'the next call'} to continue the sequence` })),
  ];
  return { version: 1, inputKind: input.kind, readout, inputs, outputs, states };
}
