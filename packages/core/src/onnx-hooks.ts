import type { HostTensor } from './host-tensor';

/**
 * The surface a plugin's ONNX mapping writes to. `@unfold/onnx` implements it (graph assembly, naming,
 * protobuf, validation); plugins only describe their nodes, so a third-party cell exports with no change
 * to the export package. Values are referred to by name.
 */
export type OnnxAttributeValue =
  | number
  | string
  | readonly number[]
  | readonly string[]
  | { readonly float: number }
  | { readonly floats: readonly number[] }
  | { readonly tensor: OnnxConstant };

/** A constant tensor: float32 weights, or integer tensors for shapes, axes and indices. */
export type OnnxConstant =
  | HostTensor
  | { readonly dtype: 'int64'; readonly shape: readonly number[]; readonly data: BigInt64Array }
  | { readonly dtype: 'int32'; readonly shape: readonly number[]; readonly data: Int32Array };

export interface OnnxGraphBuilder {
  /** Adds a constant (an initializer) and returns its value name. */
  constant(stem: string, value: OnnxConstant): string;
  /** Adds a node and returns the names of its outputs (`outputs` of them, default 1). */
  node(
    opType: string,
    inputs: readonly string[],
    attributes?: Readonly<Record<string, OnnxAttributeValue>>,
    options?: { readonly outputs?: number; readonly stem?: string; readonly domain?: string },
  ): string[];
}

/** What a cell's mapping receives: the graph, its validated config and weights, and value names. */
export interface CellOnnxContext<C> {
  readonly graph: OnnxGraphBuilder;
  readonly config: C;
  /** The cell's own weights by local parameter name (`W`, `R`, `B`). */
  readonly weights: Readonly<Record<string, HostTensor>>;
  /** Input sequence, time-major [T, B, I], float32. */
  readonly input: string;
  /** Initial states in the cell's state order, each [B, size]. */
  readonly initialState: readonly string[];
  /** Per-sequence lengths, int32 [B], when the model takes them. */
  readonly sequenceLens?: string;
  readonly reverse: boolean;
}

export interface CellOnnxResult {
  /** All outputs, time-major [T, B, outputSize]; zeros at padded steps. */
  readonly outputs: string;
  /** Final states in the cell's state order, each [B, size]. */
  readonly finalState: readonly string[];
}

/** A cell's ONNX mapping: emits the nodes that run the whole sequence. */
export type CellOnnxMapping<C> = (context: CellOnnxContext<C>) => CellOnnxResult;

/** A head's ONNX mapping: `input` has the head's input size as its last axis. */
export type HeadOnnxMapping<C> = (context: {
  readonly graph: OnnxGraphBuilder;
  readonly config: C;
  readonly weights: Readonly<Record<string, HostTensor>>;
  readonly input: string;
}) => string;
