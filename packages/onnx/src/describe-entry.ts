import type { PortSpec } from '@unfold/core';
import {
  BATCH_DIM,
  BROADCAST_DIM,
  FULL_LENGTH,
  INPUT_NAME,
  INTERFACE_VERSION,
  SEQUENCE_LENS_NAME,
  stateInputName,
  stateOutputName,
  TIME_DIM,
  type EntryInterface,
  type InterfacePort,
  type InterfaceSemantics,
  type InterfaceState,
  type InterfaceTensor,
} from '@unfold/core/interface';
import type { ExportEntry } from './entry';

/**
 * The `unfold.interface` (v2) of an entry, from its declaration and the readouts its build returned.
 * Value names: a port's tensor is named as the port (unless it says `tensor`); the lengths of the sequence port `input` are
 * `sequence_lens` (as in v1), of any other sequence port `p` `sequence_lens.p`; the first sequence input's
 * time axis is `time`, another's `time.p`. States are `state_in.<path>` / `state_out.<path>`.
 */
export function isSequencePort(port: PortSpec): boolean {
  return port.kind === 'features' || port.kind === 'tokens';
}

/** The graph value carrying a port: its `tensor`, or its name. */
export function tensorOf(port: { readonly name: string; readonly tensor?: string }): string {
  return port.tensor ?? port.name;
}

/** The lengths input of a sequence input carried by the tensor `tensor`. */
export function lengthsName(tensor: string): string {
  return tensor === INPUT_NAME ? SEQUENCE_LENS_NAME : `${SEQUENCE_LENS_NAME}.${tensor}`;
}

/** The symbolic time axis of a sequence input port. */
export function timeDim(entry: ExportEntry, port: string): string {
  const first = entry.inputs.find(isSequencePort);
  return !first || first.name === port ? TIME_DIM : `${TIME_DIM}.${port}`;
}

function formatDims(shape: readonly number[]): string {
  return shape.join(', ');
}

function inputTensors(entry: ExportEntry, states: readonly InterfaceState[]): InterfaceTensor[] {
  const tensors: InterfaceTensor[] = [];
  for (const port of entry.inputs) {
    const name = tensorOf(port);
    const time = timeDim(entry, port.name);
    if (port.kind === 'tokens') tensors.push({ name, dtype: 'int32', shape: [BATCH_DIM, time], doc: port.doc ?? `token ids in [0, ${port.size}), batch-first` });
    else if (port.kind === 'features') tensors.push({ name, dtype: 'float32', shape: [BATCH_DIM, time, port.size], doc: port.doc ?? 'input features, batch-first' });
    else tensors.push({ name, dtype: 'float32', shape: [BATCH_DIM, port.size], doc: port.doc ?? 'one vector per sequence' });
    if (isSequencePort(port) && port.lengths !== false) {
      tensors.push({ name: lengthsName(name), dtype: 'int32', shape: [BROADCAST_DIM], doc: `real length of each sequence (steps after it are padding); values are clipped to [0, ${time}], so [${FULL_LENGTH}] means all full length; a [1] tensor applies to every sequence` });
    }
  }
  for (const state of states) {
    const dims = formatDims(state.shape);
    if (state.input) tensors.push({ name: state.input, dtype: 'float32', shape: [BROADCAST_DIM, ...state.shape], doc: `initial state ${state.path}; zeros [1, ${dims}] start every sequence fresh; a [1, ${dims}] row applies to every sequence` });
  }
  return tensors;
}

function outputTensors(entry: ExportEntry, states: readonly InterfaceState[], readouts: Readonly<Record<string, 'sequence' | 'last' | null>>): InterfaceTensor[] {
  const sequenceInputs = entry.inputs.some(isSequencePort);
  const ports = entry.outputs.map((port): InterfaceTensor => {
    const name = tensorOf(port);
    const time = sequenceInputs ? TIME_DIM : `${TIME_DIM}.${port.name}`;
    if (port.kind === 'vector') return { name, dtype: 'float32', shape: [BATCH_DIM, port.size], doc: port.doc ?? 'one vector per sequence' };
    if (port.kind === 'tokens') return { name, dtype: 'int32', shape: [BATCH_DIM, `${TIME_DIM}.${port.name}`], doc: port.doc ?? `token ids in [0, ${port.size}) at every step, batch-first` };
    return readouts[port.name] === 'last'
      ? { name, dtype: 'float32', shape: [BATCH_DIM, 1, port.size], doc: port.doc ?? "the output at each sequence's last real step (zeros read for an empty sequence)" }
      : { name, dtype: 'float32', shape: [BATCH_DIM, time, port.size], doc: port.doc ?? 'the output at every step, batch-first; zeros at padded steps' };
  });
  return [...ports, ...states.map((s): InterfaceTensor => ({ name: s.output, dtype: 'float32', shape: [BATCH_DIM, ...s.shape], doc: `final state ${s.path} at each sequence's last real step; feed it to ${s.input ?? 'the next call'} to continue the sequence` }))];
}

function interfacePort(port: PortSpec, tensor: string, lengths: string | null | undefined): InterfacePort {
  return { name: port.name, kind: port.kind, size: port.size, tensor, ...(lengths !== undefined ? { lengths } : {}) };
}

/** The states of an entry as the interface lists them. */
export function interfaceStates(entry: ExportEntry): InterfaceState[] {
  return entry.states.map((s) => ({ path: s.name, shape: [...s.shape], size: s.size, input: entry.stateInputs === false ? null : stateInputName(s.name), output: stateOutputName(s.name) }));
}

/**
 * The file's interface. `semantics` is the model's (semanticsOf the root, minus what only training
 * reads) under the entry's overrides; a primary output read at the last step makes the readout `last`.
 */
export function describeEntry(entry: ExportEntry, semantics: InterfaceSemantics, readouts: Readonly<Record<string, 'sequence' | 'last' | null>>): EntryInterface {
  const states = interfaceStates(entry);
  const primary = entry.outputs[0];
  const declared = { ...semantics, ...entry.semantics };
  const readout = primary && readouts[primary.name] === 'last' && declared.readout === 'sequence' ? 'last' : declared.readout;
  return {
    version: INTERFACE_VERSION as 2,
    entry: entry.name,
    tasks: [...entry.tasks],
    ports: {
      inputs: entry.inputs.map((port) => interfacePort(port, tensorOf(port), isSequencePort(port) ? (port.lengths === false ? null : lengthsName(tensorOf(port))) : undefined)),
      outputs: entry.outputs.map((port) => interfacePort(port, tensorOf(port), undefined)),
    },
    semantics: { readout, emits: declared.emits, vocabulary: declared.vocabulary, tokenizer: declared.tokenizer },
    inputs: inputTensors(entry, states),
    outputs: outputTensors(entry, states, readouts),
    states,
  };
}
