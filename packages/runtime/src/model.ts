import type { RuntimeLimits } from './limits';
import type { GraphValue } from './proto/model-info';
import type { PredictRequest, RolloutRequest, StreamRequest } from './requests';
import type { StateMap } from './states';
import type { Normalisation, OutputKind } from './unfold-info';

/** The public shape of a loaded model: an unfold export (self-describing) or any other ONNX graph. */
export type Operation = 'predict' | 'stream' | 'rollout';

/** What `GET /models` shows: enough for a client to build requests without reading the file. */
export interface ModelDescription {
  readonly name: string;
  /** `unfold`: exported by @unfold/onnx, sequences in and out; `onnx`: any other graph, named tensors in and out. */
  readonly format: 'unfold' | 'onnx';
  readonly operations: readonly Operation[];
  readonly producer: string;
  /** The graph's inputs (initializers left out) and outputs, dims as numbers or symbolic names. */
  readonly inputs: readonly GraphValue[];
  readonly outputs: readonly GraphValue[];
  /** unfold models: the spec's `metadata` (task, window, normalisation, …); others: the file's metadata_props. */
  readonly metadata: Readonly<Record<string, unknown>>;
  /** unfold models only: how sequences map onto the graph. */
  readonly sequence?: {
    readonly inputKind: 'features' | 'tokens';
    /** Features per step, or the vocabulary size of a token model. */
    readonly inputSize: number;
    readonly outputSize: number;
    readonly outputKind: OutputKind;
    readonly readout: 'sequence' | 'last';
    readonly states: readonly { readonly path: string; readonly size: number }[];
    readonly normalisation: Normalisation | null;
    readonly window: number | null;
    readonly spec: Readonly<Record<string, unknown>>;
  };
}

/** Per-call options: caps for this call (defaults: DEFAULT_LIMITS). */
export interface CallOptions {
  readonly limits?: Partial<RuntimeLimits>;
}

export interface PredictResult {
  /** [batch][steps][O]: each sequence's outputs cut to its length (one row for readout "last"). */
  readonly outputs: number[][][];
}

export interface StreamResult extends PredictResult {
  /** Each state after each sequence's last real step: pass it as the next call's `state`. */
  readonly state: Record<string, number[][]>;
}

export type RolloutResult =
  | {
      readonly kind: 'features';
      /** [batch][steps][O] generated values, in the caller's units. */
      readonly outputs: number[][][];
      /** feedback "state": the state after the context and the first steps − 1 outputs; continue with `inputs` = the last output. */
      readonly state?: Record<string, number[][]>;
    }
  | {
      readonly kind: 'tokens';
      /** [batch][steps] generated token ids. */
      readonly tokens: number[][];
      readonly state?: Record<string, number[][]>;
    };

interface LoadedBase {
  readonly name: string;
  describe(): ModelDescription;
  /** Frees onnxruntime's session; the model must not be used afterwards. */
  release(): Promise<void>;
}

export interface UnfoldModel extends LoadedBase {
  readonly format: 'unfold';
  predict(request: PredictRequest, options?: CallOptions): Promise<PredictResult>;
  stream(request: StreamRequest, options?: CallOptions): Promise<StreamResult>;
  rollout(request: RolloutRequest, options?: CallOptions): Promise<RolloutResult>;
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
