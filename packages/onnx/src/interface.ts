import type { EntryInterface, InterfaceState, InterfaceTensor } from '@unfold/core/interface';

/**
 * The interface of an exported file: stable names, dtypes, shapes and meanings of its inputs and outputs,
 * its ports, declared semantics and tasks. The format (`EntryInterface`, the `unfold.*` keys, the value
 * names) is defined in `@unfold/core/interface`, shared with the runtime; this package's index re-exports it.
 *
 * onnxruntime's JavaScript packages cannot leave a graph input out (onnxruntime-node silently ignores a
 * fed initializer-backed input and onnxruntime-web rejects it; optional-typed inputs must be fed too), so
 * the optional parts of the interface are made cheap instead: `sequence_lens` and every `state_in.*`
 * accept a batch of 1 that is broadcast to every sequence, and lengths above the time axis mean "full
 * length". Exporting with `sequenceLens: false` or `initialStates: false` leaves those inputs out.
 */

/** Which optional inputs the exported graph takes (both by default). */
export interface InterfaceOptions {
  /** Take `sequence_lens` (default true); false: every sequence is full length and the input is left out. */
  readonly sequenceLens?: boolean;
  /** Take `state_in.*` (default true); false: every sequence starts from zeros and the inputs are left out. */
  readonly initialStates?: boolean;
}

/** The interface of the current format (v2): one entry's. */
export type OnnxInterface = EntryInterface;
export type OnnxTensorSpec = InterfaceTensor;
export type OnnxStateSpec = InterfaceState;

/** `unfold.interface` as files in format `unfold-onnx/1` wrote it (one sequence entry, 1-D states). */
export interface OnnxInterfaceV1 {
  readonly version: 1;
  readonly inputKind: 'features' | 'tokens';
  readonly readout: 'sequence' | 'last';
  readonly inputs: readonly { readonly name: string; readonly dtype: 'float32' | 'int32'; readonly shape: readonly (number | string)[]; readonly doc: string }[];
  readonly outputs: readonly { readonly name: string; readonly dtype: 'float32' | 'int32'; readonly shape: readonly (number | string)[]; readonly doc: string }[];
  readonly states: readonly { readonly path: string; readonly size: number; readonly input: string | null; readonly output: string }[];
}
