import type { HostTensor } from './host-tensor';
import type { ResolvedNode } from './plugins';

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
  | { readonly tensor: OnnxConstant }
  | OnnxSubgraph;

/** Element types a mapping declares for subgraph inputs and outputs. */
export type OnnxDataType = 'float32' | 'int32' | 'int64' | 'bool';

/**
 * The type of a subgraph input or output. A shape entry is a fixed size, a symbolic name (`batch`), or
 * null for a size not known when exporting; leave `shape` out when even the rank is unknown.
 */
export interface OnnxValueType {
  readonly dtype: OnnxDataType;
  readonly shape?: readonly (number | string | null)[];
  /** Stem of the value's name (subgraph inputs); made unique by the builder. */
  readonly stem?: string;
}

/** A subgraph made by `OnnxGraphBuilder.subgraph`; pass it as a GRAPH attribute value (`{ body: handle }` for Scan and Loop). */
export interface OnnxSubgraph {
  /** The subgraph's unique name; the builder that made it resolves it. */
  readonly subgraph: string;
}

/** A subgraph's inputs and outputs, in ONNX order (Scan: N state variables, then the scanned slices). */
export interface OnnxSubgraphSignature {
  readonly inputs: readonly OnnxValueType[];
  readonly outputs: readonly OnnxValueType[];
}

/** A constant tensor: float32 weights, or integer tensors for shapes, axes and indices. */
export type OnnxConstant =
  | HostTensor
  | { readonly dtype: 'int64'; readonly shape: readonly number[]; readonly data: BigInt64Array }
  | { readonly dtype: 'int32'; readonly shape: readonly number[]; readonly data: Int32Array };

/**
 * Attribute values: a `number` is an INT (an integer), a `string` a STRING, a `number[]` INTS (also for an
 * empty list), a `string[]` STRINGS; FLOAT and FLOATS are written `{ float }` and `{ floats }`, a TENSOR
 * `{ tensor }`, and a GRAPH is the handle `subgraph()` returns. Names are unique across the whole model
 * (subgraphs included): the builder derives them from stems (`W`, `W_1`, ...), prefixed with the calling
 * plugin's path.
 */
export interface OnnxGraphBuilder {
  /** Adds a constant (an initializer of the main graph) and returns its value name. */
  constant(stem: string, value: OnnxConstant): string;
  /**
   * Adds a node and returns the names of its outputs (`outputs` of them, default 1). An input may be
   * `''` for an optional input left out; any other input must name a value already visible here.
   */
  node(
    opType: string,
    inputs: readonly string[],
    attributes?: Readonly<Record<string, OnnxAttributeValue>>,
    options?: { readonly outputs?: number; readonly stem?: string; readonly domain?: string },
  ): string[];
  /**
   * Builds a subgraph (the body of a Scan, Loop or If) and returns a handle to pass as a GRAPH attribute.
   * `body` gets a builder for the subgraph and its input names (one per `signature.inputs`) and returns
   * its output names (one per `signature.outputs`). The body may read values of the enclosing graphs by
   * name (ONNX lexical scoping); its constants become initializers of the main graph. An output the body
   * does not compute itself (an input passed through, an outer value, a repeated name) gets an Identity.
   */
  subgraph(stem: string, signature: OnnxSubgraphSignature, body: (graph: OnnxGraphBuilder, inputs: readonly string[]) => readonly string[]): OnnxSubgraph;
}

/** What every plugin mapping receives: the graph (as seen at the plugin's path), its validated config, its own weights, its input. */
export interface OnnxMappingContext<C> {
  readonly graph: OnnxGraphBuilder;
  readonly config: C;
  /** The plugin's own weights by local parameter name (`W`, `R`, `B`). */
  readonly weights: Readonly<Record<string, HostTensor>>;
  /** The input value (its shape: see each context). */
  readonly input: string;
}

/** What a cell's mapping receives; `input` is the sequence, time-major [T, B, I], float32. */
export interface CellOnnxContext<C> extends OnnxMappingContext<C> {
  /** Initial states in the cell's state order, each [B, ...shape]. */
  readonly initialState: readonly string[];
  /**
   * Per-sequence lengths, int32 [B], 0 <= length <= T. `@unfold/onnx` always passes them (T for every
   * sequence when the caller gives none); a mapping should still work without them (all full length).
   */
  readonly sequenceLens?: string;
  readonly reverse: boolean;
}

export interface CellOnnxResult {
  /** All outputs, time-major [T, B, outputSize]; zeros at padded steps. */
  readonly outputs: string;
  /**
   * Final states in the cell's state order, each [B, ...shape]: the state after each sequence's last real
   * step. For a sequence of length 0 the exporter keeps the initial state itself (onnxruntime's RNN, GRU
   * and LSTM ops return zeros there), so a mapping need not handle that case.
   */
  readonly finalState: readonly string[];
}

/** A cell's ONNX mapping: emits the nodes that run the whole sequence. */
export type CellOnnxMapping<C> = (context: CellOnnxContext<C>) => CellOnnxResult;

/** What a per-step mapping's `prepare` receives: `input` is the whole time-major input [T, B, I], before the loop. */
export type CellOnnxPrepareContext<C> = OnnxMappingContext<C>;

/**
 * What a per-step mapping's `step` receives inside the Scan body: `graph` is the body's builder (its
 * constants become initializers of the main graph), `input` this step's [B, I] (or [B, F]: the step of what
 * `prepare` returned).
 */
export interface CellOnnxStepContext<C> extends OnnxMappingContext<C> {
  /** The states before the step, in the cell's state order, each [B, ...shape]. */
  readonly state: readonly string[];
}

/** What a per-step mapping's `step` returns. */
export interface CellOnnxStepResult {
  /** This step's output [B, outputSize]. */
  readonly output: string;
  /** The states after the step, in the cell's state order (carried form: see `CellOnnxStepMapping.carry`). */
  readonly state: readonly string[];
  /**
   * Optional: values whose sum is `output` (the operands of its last Add, say), each [B, outputSize]. The
   * emitter then scans out these terms and adds them once after the loop instead of scanning out `output`,
   * which spares the Identity a Scan body needs when `output` is also a state (h' = κ ⊙ h + g: terms
   * κ ⊙ h and g). The sum must equal `output` bit for bit: the per-step states are read from it.
   */
  readonly outputTerms?: readonly string[];
}

/** What `carry.encode` and `carry.decode` receive: one state, outside the loop. */
export interface CellOnnxCarryContext<C> {
  /** The main graph (before or after the Scan). */
  readonly graph: OnnxGraphBuilder;
  readonly config: C;
  readonly weights: Readonly<Record<string, HostTensor>>;
  /** Which state (its index in the cell's state order). */
  readonly index: number;
  /** The state, [B, ...shape] or with leading axes ([N, B, ...shape]: its value at every step). */
  readonly value: string;
}

/**
 * A cell's step as ONNX nodes. The exporter's shared emitter runs it as a `Scan` over time and owns
 * everything around the step: padding (outputs 0 and the state carried past each sequence's length),
 * reversal within lengths, T = 0, and the final state at each sequence's last real step. So a cell with
 * only a `step` and this mapping exports, streams and serves with no other code.
 *
 * `prepare` (optional) runs once over the whole sequence before the loop: hoist work that does not depend
 * on the state, such as the input projection x·Uᵀ + b as one MatMul over all steps; `step` then reads that
 * step's slice ([B, size]) instead of xₜ.
 *
 * `carry` (optional) lets the loop carry states in another form than the cell's, when that saves nodes in
 * the step (a leaky integrator carries v = h ⊘ α, so α folds into its recurrent weights). `encode` maps a
 * state from the cell's form to the carried one, `decode` back; the emitter encodes the initial states
 * before the loop and decodes after it: the final states, and the outputs at every step when the step's
 * `output` is one of its states. `step` then reads and returns carried states. Both must be element-wise
 * (or act on the state's own axes only) so they apply alike with leading axes, and may return `value`
 * unchanged (no node) when this export carries states as they are.
 */
export interface CellOnnxStepMapping<C> {
  prepare?(context: CellOnnxPrepareContext<C>): { readonly input: string; readonly size: number };
  readonly carry?: {
    encode(context: CellOnnxCarryContext<C>): string;
    decode(context: CellOnnxCarryContext<C>): string;
  };
  step(context: CellOnnxStepContext<C>): CellOnnxStepResult;
}

/** A head's ONNX mapping: `input` has the head's input size as its last axis. */
export type HeadOnnxMapping<C> = (context: OnnxMappingContext<C>) => string;

/** What a layer's mapping returns (a cell's result is one too). */
export interface SequenceOnnxResult extends CellOnnxResult {
  /**
   * `last` when `outputs` holds one step per sequence, [1, B, O] (a readout at each sequence's last real
   * step); default `sequence`, [T, B, O]. The exporter declares the model's output shape from it.
   */
  readonly readout?: 'sequence' | 'last';
}

/**
 * What a layer's mapping receives. The exporter owns the model's boundary (batch-first inputs, lengths,
 * states); a layer sees time-major values and emits its children through `sequence` and `head`, which
 * call the children's own mappings (and fail with an ExportError when a child has none).
 */
export interface LayerOnnxContext<C> {
  readonly graph: OnnxGraphBuilder;
  /** The resolved layer: config (`node.config`), children and path. */
  readonly node: ResolvedNode<C>;
  /** The layer's own weights by local parameter name (most layers own none). */
  readonly weights: Readonly<Record<string, HostTensor>>;
  /** Input sequence, time-major: [T, B, I] float32, or [T, B] int32 token ids when the layer reads tokens. */
  readonly input: string;
  /** Initial states in the layer's `state(node)` order, each [B, ...shape]. */
  readonly initialState: readonly string[];
  /** Real length of each sequence, int32 [B], 0 <= length <= T (T for every sequence unless the caller says otherwise). */
  readonly sequenceLens: string;
  /**
   * Emits a child cell or layer over a time-major input. A cell runs as a recurrence, reversed within each
   * sequence's length when `reverse` is true (only cells can be reversed); `initialState` is in the
   * child's state order. Returns time-major outputs, zeros at padded steps, and the final states.
   */
  sequence(child: ResolvedNode, input: { readonly input: string; readonly initialState: readonly string[]; readonly reverse?: boolean }): SequenceOnnxResult;
  /** Emits a child head over `input` (any leading axes; the head's input size last) and returns its output. */
  head(child: ResolvedNode, input: string): string;
  /**
   * What a child of a `component` family (an attention scorer, a tree cell, a third party's part) needs to
   * emit itself through its own family's mapping contract, which the layer knows: the graph as seen at the
   * child's path, its config and its own weights.
   */
  component(child: ResolvedNode): ComponentOnnxContext;
}

/** See `LayerOnnxContext.component`. */
export interface ComponentOnnxContext {
  readonly graph: OnnxGraphBuilder;
  readonly config: unknown;
  readonly weights: Readonly<Record<string, HostTensor>>;
}

/**
 * A layer's ONNX mapping: emits the nodes of the whole layer and returns time-major outputs ([T, B, O],
 * or [1, B, O] for a layer that reads out one step) with zeros at padded steps, and its final states in
 * `state(node)` order, each [B, ...shape].
 */
export type LayerOnnxMapping<C> = (context: LayerOnnxContext<C>) => SequenceOnnxResult;
