import type { Scalar, Tensor, Tensor2D, Tensor3D } from '@tensorflow/tfjs-core';
import type { ConfigSchema } from './config-schema';
import type { ForwardContext } from './context';
import type { Family } from './family';
import type { Initializer } from './initializers';
import type { CellOnnxMapping, CellOnnxStepMapping, HeadOnnxMapping, LayerOnnxMapping } from './onnx-hooks';
import type { ModelExports } from './export-entry';
import type { PortSpec, PortValue } from './ports';
import type { ModelSemantics } from './semantics';
import type { StateDeclaration, StateSpec } from './state';

/**
 * The plugin contracts. A plugin is a frozen plain object made by a family's `define` (`defineCell`,
 * `defineLayer`, `defineHead`, `defineLoss`, or a third party's `defineFamily(...).define`); a registry is
 * a value holding plugins; a model spec names plugins by `kind`. Nothing registers itself on import.
 *
 * Built-in families (see family.ts for what a family is and how a new one plugs in):
 * - cell:  one step of a recurrence (`step`), optionally a fused whole-sequence path (`sequence`).
 * - layer: a sequence architecture that owns the time loop (recurrent, bidirectional, stacked, ...).
 * - head:  a per-position map such as a dense readout or an embedding.
 * - loss:  a masked reduction of predictions against targets to a scalar.
 */
export type BuiltInFamily = 'cell' | 'layer' | 'head' | 'loss';
/** A family name: a built-in one or a third party's (`attention`, `acme/tree-cell`). */
export type PluginFamily = string;

/** Who made a plugin: the npm package and its version (like ESLint's plugin `meta`). */
export interface PluginMeta {
  readonly package: string;
  readonly version: string;
}

/** A trainable (or fixed) parameter. Shapes follow ONNX's layout so export is a copy. */
export interface ParamSpec {
  /** Local name, unique within the plugin: `W`, `R`, `B`, `P`. */
  readonly name: string;
  readonly shape: readonly number[];
  readonly init: Initializer;
  /** False for fixed weights such as an echo state reservoir. Default true. */
  readonly trainable?: boolean;
  /** One line: what the parameter is and its layout. */
  readonly doc?: string;
}

export type ParamTensors = Readonly<Record<string, Tensor>>;

/** What every plugin has, whatever its family. */
export interface Plugin<F extends string = string, K extends string = string, C = any> {
  readonly family: F;
  /** The family's description (required members, role, resolution); set by the family's `define`. */
  readonly familySpec: Family;
  readonly kind: K;
  readonly meta: PluginMeta;
  /** Version of this plugin's config schema; older configs go through `migrate`. */
  readonly schemaVersion: number;
  /** One line for listings and error messages. */
  readonly summary: string;
  readonly config: ConfigSchema<C>;
  /** Fills defaults and checks the config (schema plus cross-option checks); throws ConfigError. */
  validate(config: unknown, where?: string): C;
  /** Upgrades a raw config written with an older `schemaVersion` to the current one. */
  readonly migrate?: (config: Readonly<Record<string, unknown>>, fromVersion: number) => Record<string, unknown>;
}

export interface CellStepResult {
  /** [B, outputSize] */
  readonly output: Tensor2D;
  /** New states in `state(config)` order, each [B, ...shape]. */
  readonly state: readonly Tensor[];
}

export interface CellSequenceOptions {
  /** [T, B]: 1 at real steps, 0 at padding. At padding the state is carried unchanged and the output is 0. */
  readonly mask?: Tensor2D;
  /** The forward context (training flag, rng, step, decoder-input policy); inference when absent. */
  readonly context?: ForwardContext;
}

export interface CellSequenceResult {
  /** [T, B, outputSize], time-major. */
  readonly outputs: Tensor3D;
  readonly state: readonly Tensor[];
}

export interface CellPlugin<K extends string = string, C = any> extends Plugin<'cell', K, C> {
  inputSize(config: C): number;
  outputSize(config: C): number;
  /** The recurrent state tensors, in the order `step` takes and returns them: `{ name, size }` or `{ name, shape }`. */
  state(config: C): readonly StateDeclaration[];
  parameters(config: C): readonly ParamSpec[];
  /**
   * One time step: x [B, I] and the state to the output [B, outputSize] and the next state. Pure: anything
   * stochastic (dropout) draws from `context.rng` and checks `context.training`. The time loop always
   * passes the context; a direct call may leave it out, which means inference.
   */
  step(params: ParamTensors, x: Tensor2D, state: readonly Tensor[], config: C, context?: ForwardContext): CellStepResult;
  /**
   * Optional fused path over a whole time-major sequence x [T, B, I]. Must agree with looping `step`
   * to float32 rounding (1e-5) in outputs, final state and gradients.
   */
  sequence?(params: ParamTensors, x: Tensor3D, state: readonly Tensor[], config: C, options: CellSequenceOptions): CellSequenceResult;
  /** The whole recurrence as ONNX nodes (e.g. a native LSTM op). */
  readonly onnx?: CellOnnxMapping<C>;
  /** One step as ONNX nodes; the exporter's shared Scan emitter runs it over time (padding, reverse, T = 0). */
  readonly onnxStep?: CellOnnxStepMapping<C>;
}

/** A named sub-component slot of a layer: a single child or a list. */
export interface ChildSlot {
  readonly name: string;
  /** Family names allowed in the slot. */
  readonly families: readonly string[];
  readonly list: boolean;
  /** The spec may leave an optional slot out (default false). */
  readonly optional?: boolean;
}

/** A validated spec node: plugin, config and resolved children, with its parameter path. */
export interface ResolvedNode<C = unknown, P extends Plugin = Plugin> {
  /** Dotted path from the root (`''` for the root, `layers.1`), used to name parameters. */
  readonly path: string;
  readonly plugin: P;
  readonly config: C;
  readonly children: Readonly<Record<string, ResolvedNode | readonly ResolvedNode[]>>;
  readonly metadata: Readonly<Record<string, unknown>>;
}

export interface SequenceInput {
  /** The primary input port: [B, T, I] float32 features, batch-major, or [B, T] int32 token ids. */
  readonly x: Tensor;
  /** Real length of each sequence; steps past it are padding. Default: all T. */
  readonly lengths?: Int32Array;
  /** Initial states in `state()` order, each [B, ...shape]; default zeros. */
  readonly initialState?: readonly Tensor[];
  /** Further input ports by name (a decoder's `target`), as the layer's `inputs()` declares them. */
  readonly ports?: Readonly<Record<string, PortValue>>;
}

export interface SequenceOutput {
  /** The primary output port, [B, T, outputSize] ([B, 1, O] for a last-step readout); zeros at padded steps. */
  readonly outputs: Tensor3D;
  /** Final states in `state()` order (the last real step of each sequence). */
  readonly finalState: readonly Tensor[];
  /** Further output ports by name (a bidirectional layer with merge "none": `forward`, `backward`). */
  readonly ports?: Readonly<Record<string, PortValue>>;
}

/** Gives a layer its children's plugins and parameters at run time. */
export interface BoundNode<C = unknown> {
  readonly node: ResolvedNode<C>;
  readonly params: ParamTensors;
  child(slot: string): BoundNode;
  list(slot: string): readonly BoundNode[];
}

export interface LayerPlugin<K extends string = string, C = any> extends Plugin<'layer', K, C> {
  /** The child slots this layer composes (a recurrent layer has one `cell`). */
  children(config: C): readonly ChildSlot[];
  /** Features read by the primary input (or the vocabulary size when `inputKind` is `tokens`). */
  inputSize(node: ResolvedNode<C>): number;
  /** `tokens` when the layer reads int32 ids [B, T] (its first part is an embedding); default `features`. */
  inputKind?(node: ResolvedNode<C>): 'features' | 'tokens';
  outputSize(node: ResolvedNode<C>): number;
  /** Input ports; default one `input` port from `inputKind` and `inputSize`. */
  inputs?(node: ResolvedNode<C>): readonly PortSpec[];
  /** Output ports; default one `output` port of `outputSize` features. */
  outputs?(node: ResolvedNode<C>): readonly PortSpec[];
  /** All recurrent states the layer takes and returns, in a documented order (names qualified by path). */
  state(node: ResolvedNode<C>): readonly StateSpec[];
  /** What the layer's output means (readout, distribution, vocabulary); see semantics.ts. */
  semantics?(node: ResolvedNode<C>): Partial<ModelSemantics>;
  /** Parameters of the layer itself (most own none). */
  parameters?(node: ResolvedNode<C>): readonly ParamSpec[];
  /** Cross-child checks (sizes agree); throws ConfigError naming the child path. */
  checkChildren?(node: ResolvedNode<C>): void;
  forward(bound: BoundNode<C>, input: SequenceInput, context: ForwardContext): SequenceOutput;
  /** Emits the layer as ONNX nodes (see onnx-hooks.ts); without it, models holding the layer cannot be exported. */
  readonly onnx?: LayerOnnxMapping<C>;
  /**
   * At the root: the graphs the model exports when one sequence interface (`main`) cannot describe it, such as
   * a seq2seq model's `encoder` and `decoder_step` (export-entry.ts).
   */
  exports?(node: ResolvedNode<C>): ModelExports;
}

export interface HeadPlugin<K extends string = string, C = any> extends Plugin<'head', K, C> {
  /** What the head reads: float features (default), or int32 token ids in [0, inputSize) (an embedding). */
  readonly inputKind?: 'features' | 'tokens';
  /** Features read, or for `tokens` the vocabulary size. */
  inputSize(config: C): number;
  outputSize(config: C): number;
  parameters(config: C): readonly ParamSpec[];
  /**
   * What the output means: `probabilities` (it ends in a softmax), `affine` (y = W x + b, nothing after:
   * logits over a vocabulary, or values a closed-form readout can fit), or `features` (default).
   */
  emits?(config: C): 'probabilities' | 'affine' | 'features';
  /** Maps the last axis: [..., inputSize] to [..., outputSize] (an embedding maps int ids to vectors). */
  apply(params: ParamTensors, input: Tensor, config: C, context?: ForwardContext): Tensor;
  readonly onnx?: HeadOnnxMapping<C>;
}

export interface LossPlugin<K extends string = string, C = any> extends Plugin<'loss', K, C> {
  /** What the targets are: real `values` (default) or integer `classes` (one id per position). */
  readonly targets?: 'values' | 'classes';
  /**
   * The mean loss over unmasked positions. `mask` has the shape of predictions without the last axis,
   * 1 where a position counts and 0 where it is padding.
   */
  compute(predictions: Tensor, targets: Tensor, mask: Tensor | undefined, config: C): Scalar;
}

/** Any plugin, of a built-in family or a third party's. Narrow with the guards in family.ts. */
export type AnyPlugin = Plugin;
