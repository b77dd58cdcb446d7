/**
 * The exported-file interface, shared by the exporter (@unfold/onnx, which writes it) and the runtime
 * (@unfold/runtime, which reads it). An entry of its own (`@unfold/core/interface`, no other imports), so
 * an edge server loads it without tfjs. packages/onnx/README.md documents the format for users.
 *
 * A model exports one or more **entries**: graphs with their own ports, states and declared tasks. A model
 * with one entry (`main`) is one `.onnx` file, as in v1. A model with several (`encoder` + `decoder_step`)
 * is one folder holding `<entry>.onnx` per entry; every file carries the same manifest
 * (`unfold.entries`) and its own interface (`unfold.interface`), so the folder is the artefact to copy.
 */

/** `metadata_props` keys of an exported file; each value is a string, JSON where structured. */
export const METADATA_KEYS = Object.freeze({
  /** `unfold-onnx/2` (v1 files: `unfold-onnx/1`): the layout of these keys. */
  format: 'unfold.format',
  /** `@unfold/onnx@<version>` (also in the model's producer_name / producer_version). */
  producer: 'unfold.producer',
  /** The unfold model spec, JSON: `{ kind, config, children, metadata }`. */
  spec: 'unfold.spec',
  /** JSON `{ kind: { package, version, schemaVersion } }` for every plugin the model uses. */
  plugins: 'unfold.plugins',
  /** JSON EntryInterface (v2) or the v1 interface: names, dtypes, shapes and meanings of every input and output. */
  interface: 'unfold.interface',
  /** JSON of the root spec's `metadata` (vocabulary, normalisation constants, ...); `{}` when none. */
  metadata: 'unfold.metadata',
  /** v2, multi-entry models only: JSON EntryManifest, the same in every file of the model. */
  entries: 'unfold.entries',
});

export const METADATA_FORMAT_V1 = 'unfold-onnx/1';
export const METADATA_FORMAT = 'unfold-onnx/2';
export const INTERFACE_VERSION = 2;

/** Fixed value names of a sequence entry. */
export const INPUT_NAME = 'input';
export const SEQUENCE_LENS_NAME = 'sequence_lens';
export const OUTPUT_NAME = 'output';
/** The entry of a single-graph model. */
export const MAIN_ENTRY = 'main';
/** Symbolic dimensions of inputs and outputs. */
export const BATCH_DIM = 'batch';
export const TIME_DIM = 'time';
/** The leading dimension of `sequence_lens` and `state_in.*`: the batch size, or 1 to broadcast one row. */
export const BROADCAST_DIM = 'batch_or_1';
/** Lengths are clipped to [0, time]: this value (2³¹ − 1) as a [1] tensor means "every sequence is full length". */
export const FULL_LENGTH = 2147483647;

/**
 * The graph values of a tree model's file (a forest in one call; packages/onnx/src/export-tree.ts): the
 * inputs nodes [nodes] ids or [nodes, I] features, children [nodes, K] (−1 none), order [nodes] (nodes by
 * height), level_offsets [levels + 1], roots [trees]; the outputs output [trees, O], node_outputs [nodes, O].
 */
export const FOREST_TENSORS = Object.freeze({
  nodes: 'nodes',
  children: 'children',
  order: 'order',
  levelOffsets: 'level_offsets',
  roots: 'roots',
  output: OUTPUT_NAME,
  nodeOutputs: 'node_outputs',
} as const);

export function stateInputName(path: string): string {
  return `state_in.${path}`;
}

export function stateOutputName(path: string): string {
  return `state_out.${path}`;
}

/** The tasks the runtime knows today; a file may declare others (a newer runtime's operations). */
export type KnownTask = 'predict' | 'stream' | 'rollout' | 'generate';

export interface InterfaceTensor {
  readonly name: string;
  readonly dtype: 'float32' | 'int32' | 'int64' | 'bool';
  readonly shape: readonly (number | string)[];
  readonly doc: string;
}

export interface InterfaceState {
  /** The state's path in the model (`layers.1.forward.h`). */
  readonly path: string;
  /** Per-sequence shape: the tensor is [batch, ...shape]. */
  readonly shape: readonly number[];
  /** Elements per sequence (the product of `shape`); for a 1-D state its size, as v1 wrote it. */
  readonly size: number;
  /** Graph input for the initial value, or null when exported without state inputs. */
  readonly input: string | null;
  readonly output: string;
}

export interface InterfacePort {
  readonly name: string;
  readonly kind: 'features' | 'tokens' | 'vector' | 'tree';
  /** Features per step, or the vocabulary size of a token port. */
  readonly size: number;
  /** The graph value carrying the port. */
  readonly tensor: string;
  /** Sequence ports: the graph input with the lengths, or null when exported without. */
  readonly lengths?: string | null;
}

export interface InterfaceSemantics {
  readonly readout: 'sequence' | 'last' | 'pooled';
  readonly emits: 'features' | 'probabilities' | 'logits';
  readonly vocabulary: { readonly size: number; readonly tokens?: readonly string[] } | null;
  readonly tokenizer: Readonly<Record<string, unknown>> | null;
}

/** `unfold.interface` of one file in v2. */
export interface EntryInterface {
  readonly version: 2;
  readonly entry: string;
  /** What the runtime may do with this entry (predict, stream, rollout, generate, ...). */
  readonly tasks: readonly string[];
  readonly ports: { readonly inputs: readonly InterfacePort[]; readonly outputs: readonly InterfacePort[] };
  readonly semantics: InterfaceSemantics;
  readonly inputs: readonly InterfaceTensor[];
  readonly outputs: readonly InterfaceTensor[];
  readonly states: readonly InterfaceState[];
}

/** `unfold.entries`: every entry of a multi-entry model and the file that holds it. */
export interface EntryManifest {
  readonly version: 2;
  /** The entries, in export order; `file` is relative to the model's folder. */
  readonly entries: readonly { readonly name: string; readonly file: string; readonly tasks: readonly string[] }[];
  /** Tasks that span entries (a seq2seq model's `generate` runs `encoder` then `decoder_step`). */
  readonly tasks: readonly { readonly name: string; readonly entries: readonly string[] }[];
}

/**
 * The tasks a sequence entry supports from its interface: `predict` always; `stream` when every state has
 * an input; `rollout` when an output can become the next input (a forecaster with O = I, or a token model
 * whose outputs score its vocabulary); `generate` (text in, text out) when such a token model carries a tokenizer.
 */
export function sequenceTasks(entry: { readonly states: readonly InterfaceState[]; readonly semantics: InterfaceSemantics; readonly inputKind: 'features' | 'tokens'; readonly inputSize: number; readonly outputSize: number }): string[] {
  const streamable = entry.states.length > 0 && entry.states.every((s) => s.input !== null);
  const feedsBack = entry.semantics.emits !== 'features' || (entry.inputKind === 'features' && entry.outputSize === entry.inputSize);
  return ['predict', ...(streamable ? ['stream'] : []), ...(feedsBack ? ['rollout'] : []), ...(entry.semantics.tokenizer && entry.semantics.emits !== 'features' && entry.inputKind === 'tokens' ? ['generate'] : [])];
}
