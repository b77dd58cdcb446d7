import type { InterfacePort, InterfaceSemantics } from '@unfold/core/interface';
import type { Normalisation, OutputKind } from './info/unfold-info';
import type { RuntimeLimits } from './limits';
import type { GraphValue } from './proto/model-info';
import type { PredictRequest, RolloutRequest, StreamRequest } from './requests';
import type { StateMap, StateTensor } from './states';

/**
 * The public shape of a loaded model: an unfold export (self-describing) or any other ONNX graph.
 *
 * An operation's name: `predict`, `stream`, `rollout`, or any task a registered operation module serves
 * (operations/registry.ts). A model offers the ones its entries declare.
 */
export type Operation = string;

/** One entry of an unfold model, as `GET /models` shows it. */
export interface EntryDescription {
  readonly name: string;
  /** What the file declares this entry can do (a task without a module in this runtime is listed, not offered). */
  readonly tasks: readonly string[];
  /** The declared tasks this runtime runs on this entry. */
  readonly operations: readonly Operation[];
  readonly ports: { readonly inputs: readonly InterfacePort[]; readonly outputs: readonly InterfacePort[] };
  readonly semantics: InterfaceSemantics;
  /** Each state's per-sequence shape: a request or answer carries it as nested arrays [batch][...shape]. */
  readonly states: readonly { readonly path: string; readonly shape: readonly number[]; readonly size: number }[];
  /** Multi-entry models only: the entry graph's inputs and outputs (single-entry models show them at the top). */
  readonly inputs?: readonly GraphValue[];
  readonly outputs?: readonly GraphValue[];
}

/** What `GET /models` shows: enough for a client to build requests without reading the file. */
export interface ModelDescription {
  readonly name: string;
  /** `unfold`: exported by @unfold/onnx, sequences in and out; `onnx`: any other graph, named tensors in and out. */
  readonly format: 'unfold' | 'onnx';
  readonly operations: readonly Operation[];
  readonly producer: string;
  /** The graph's inputs (initializers left out) and outputs, dims as numbers or symbolic names (the default entry's). */
  readonly inputs: readonly GraphValue[];
  readonly outputs: readonly GraphValue[];
  /** unfold models: the spec's `metadata` (task, window, normalisation, …); others: the file's metadata_props. */
  readonly metadata: Readonly<Record<string, unknown>>;
  /** unfold models whose default (first) entry is a sequence model: how sequences map onto the graph. */
  readonly sequence?: {
    readonly inputKind: 'features' | 'tokens';
    /** Features per step, or the vocabulary size of a token model. */
    readonly inputSize: number;
    readonly outputSize: number;
    readonly outputKind: OutputKind;
    readonly readout: 'sequence' | 'last' | 'pooled';
    readonly states: readonly { readonly path: string; readonly size: number }[];
    readonly normalisation: Normalisation | null;
    readonly window: number | null;
    readonly spec: Readonly<Record<string, unknown>>;
  };
  /** unfold models whose default entry is a tree model: `POST /models/:name/predict` takes `{"trees": [...]}`. */
  readonly tree?: {
    /** Node inputs: `tokens` (JSON `token` or bracketed words) or `features` (JSON `features`). */
    readonly nodes: 'tokens' | 'features';
    /** The vocabulary size, or the features per node. */
    readonly inputSize: number;
    readonly outputSize: number;
    readonly outputKind: OutputKind;
    /** An N-ary model's N (at most N children per node), or null for any number of children. */
    readonly arity: number | null;
    /** True when the file carries a tokenizer (tokens are words); false: tokens are ids. */
    readonly tokenizer: boolean;
  };
  /** unfold models: every entry (one, `main`, for a single-file model), the default first. */
  readonly entries?: readonly EntryDescription[];
  /** Multi-entry models: the manifest's tasks that span entries (`generate` over `encoder` and `decoder_step`). */
  readonly tasks?: readonly { readonly name: string; readonly entries: readonly string[] }[];
}

/** Per-call options: caps for this call (defaults: DEFAULT_LIMITS). */
export interface CallOptions {
  readonly limits?: Partial<RuntimeLimits>;
  /**
   * Progress an operation reports while it runs: `generate` calls it once per decoded token
   * (`{ index, token, text? }`, text when the model carries a tokenizer), before it answers. The edge turns
   * these into server-sent events for `"stream": true`.
   */
  readonly onEvent?: (event: OperationEvent) => void;
}

/** One token a generate call decoded: the source (or prompt) index, the token id and its text. */
export interface OperationEvent {
  readonly index: number;
  readonly token: number;
  readonly text?: string;
}

export interface PredictResult {
  /** [batch][steps][O]: each sequence's outputs cut to its length (one row for readout "last"). */
  readonly outputs: number[][][];
}

export interface StreamResult extends PredictResult {
  /** Each state after each sequence's last real step, [batch][...shape]: pass it as the next call's `state`. */
  readonly state: Record<string, StateTensor>;
}

export type RolloutResult =
  | {
      readonly kind: 'features';
      /** [batch][steps][O] generated values, in the caller's units. */
      readonly outputs: number[][][];
      /** feedback "state": the state after the context and the first steps − 1 outputs; continue with `inputs` = the last output. */
      readonly state?: Record<string, StateTensor>;
    }
  | {
      readonly kind: 'tokens';
      /** [batch][steps] generated token ids. */
      readonly tokens: number[][];
      readonly state?: Record<string, StateTensor>;
    };

interface LoadedBase {
  readonly name: string;
  describe(): ModelDescription;
  /**
   * Runs an operation by name on an untrusted request (what the edge does for `POST /models/:name/:operation`):
   * E_UNSUPPORTED for an operation the model does not offer.
   */
  run(operation: Operation, request: unknown, options?: CallOptions): Promise<Readonly<Record<string, unknown>>>;
  /** Frees onnxruntime's sessions; the model must not be used afterwards. */
  release(): Promise<void>;
}

/** A request to an entry-level operation of a multi-entry model may name its entry; default: the first entry declaring it. */
export interface EntrySelection {
  readonly entry?: string;
}

export interface UnfoldModel extends LoadedBase {
  readonly format: 'unfold';
  /** The entries' names, the default first (`["main"]` for a single-file model). */
  readonly entries: readonly string[];
  predict(request: PredictRequest & EntrySelection, options?: CallOptions): Promise<PredictResult>;
  stream(request: StreamRequest & EntrySelection, options?: CallOptions): Promise<StreamResult>;
  rollout(request: RolloutRequest & EntrySelection, options?: CallOptions): Promise<RolloutResult>;
}

/** Named tensors as nested arrays: `{ "x": [[[0.1, …]]], "lengths": [5, 3] }`. */
export type NamedTensors = Readonly<Record<string, unknown>>;

export interface GraphPredictRequest {
  readonly inputs: NamedTensors;
}

export interface GraphModel extends LoadedBase {
  readonly format: 'onnx';
  /** Runs the graph on every input it declares; returns every output as nested arrays (int64 as numbers). */
  predict(request: GraphPredictRequest, options?: CallOptions): Promise<{ readonly outputs: Record<string, unknown> }>;
}

export type LoadedModel = UnfoldModel | GraphModel;

export type { StateMap };
