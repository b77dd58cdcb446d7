import type { Scalar, Tensor, Tensor2D, Tensor3D } from '@tensorflow/tfjs-core';
import type { ConfigSchema } from './config-schema';
import type { Initializer } from './initializers';
import type { CellOnnxMapping, HeadOnnxMapping, LayerOnnxMapping } from './onnx-hooks';

/**
 * The plugin contracts. A plugin is a frozen plain object made by `defineCell`, `defineLayer`,
 * `defineHead` or `defineLoss`; a registry is a value holding plugins; a model spec names plugins by
 * `kind`. Nothing registers itself on import.
 *
 * Families:
 * - cell:  one step of a recurrence (`step`), optionally a fused whole-sequence path (`sequence`).
 * - layer: a sequence architecture that owns the time loop (recurrent, bidirectional, stacked, ...).
 * - head:  a per-position map such as a dense readout or an embedding.
 * - loss:  a masked reduction of predictions against targets to a scalar.
 */
export type PluginFamily = 'cell' | 'layer' | 'head' | 'loss';

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

/** One recurrent state tensor of a cell, [B, size]. */
export interface StateSpec {
  readonly name: string;
  readonly size: number;
}

export type ParamTensors = Readonly<Record<string, Tensor>>;

interface PluginCommon<F extends PluginFamily, K extends string, C> {
  readonly family: F;
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
  /** New states in `state(config)` order, each [B, size]. */
  readonly state: readonly Tensor2D[];
}

export interface CellSequenceOptions {
  /** [T, B]: 1 at real steps, 0 at padding. At padding the state is carried unchanged and the output is 0. */
  readonly mask?: Tensor2D;
}

export interface CellSequenceResult {
  /** [T, B, outputSize], time-major. */
  readonly outputs: Tensor3D;
  readonly state: readonly Tensor2D[];
}

export interface CellPlugin<K extends string = string, C = any> extends PluginCommon<'cell', K, C> {
  inputSize(config: C): number;
  outputSize(config: C): number;
  /** The recurrent state tensors, in the order `step` takes and returns them. */
  state(config: C): readonly StateSpec[];
  parameters(config: C): readonly ParamSpec[];
  /** One time step: x [B, I] and the state to the output [B, outputSize] and the next state. Pure. */
  step(params: ParamTensors, x: Tensor2D, state: readonly Tensor2D[], config: C): CellStepResult;
  /**
   * Optional fused path over a whole time-major sequence x [T, B, I]. Must agree with looping `step`
   * to float32 rounding (1e-5) in outputs, final state and gradients.
   */
  sequence?(params: ParamTensors, x: Tensor3D, state: readonly Tensor2D[], config: C, options: CellSequenceOptions): CellSequenceResult;
  readonly onnx?: CellOnnxMapping<C>;
}

/** A named sub-component slot of a layer: a single child or a list. */
export interface ChildSlot {
  readonly name: string;
  readonly families: readonly PluginFamily[];
  readonly list: boolean;
  /** The spec may leave an optional slot out (default false). */
  readonly optional?: boolean;
}

/** A validated spec node: plugin, config and resolved children, with its parameter path. */
export interface ResolvedNode<C = unknown, P extends AnyPlugin = AnyPlugin> {
  /** Dotted path from the root (`''` for the root, `layers.1`), used to name parameters. */
  readonly path: string;
  readonly plugin: P;
  readonly config: C;
  readonly children: Readonly<Record<string, ResolvedNode | readonly ResolvedNode[]>>;
  readonly metadata: Readonly<Record<string, unknown>>;
}

export interface SequenceInput {
  /** [B, T, I] float32, batch-major as users hold data; [B, T] int32 token ids for a model whose input is an embedding. */
  readonly x: Tensor3D;
  /** Real length of each sequence; steps past it are padding. Default: all T. */
  readonly lengths?: Int32Array;
  /** Initial states in `state()` order, each [B, size]; default zeros. */
  readonly initialState?: readonly Tensor2D[];
}

export interface SequenceOutput {
  /** [B, T, outputSize]; zeros at padded steps. */
  readonly outputs: Tensor3D;
  /** Final states in `state()` order (the last real step of each sequence). */
  readonly finalState: readonly Tensor2D[];
  /** Per-direction outputs of a bidirectional layer with merge "none" (forward, backward). */
  readonly directions?: readonly Tensor3D[];
}

/** Gives a layer its children's plugins and parameters at run time. */
export interface BoundNode<C = unknown> {
  readonly node: ResolvedNode<C>;
  readonly params: ParamTensors;
  child(slot: string): BoundNode;
  list(slot: string): readonly BoundNode[];
}

export interface LayerPlugin<K extends string = string, C = any> extends PluginCommon<'layer', K, C> {
  /** The child slots this layer composes (a recurrent layer has one `cell`). */
  children(config: C): readonly ChildSlot[];
  /** Features read (or the vocabulary size when `inputKind` is `tokens`). */
  inputSize(node: ResolvedNode<C>): number;
  /** `tokens` when the layer reads int32 ids [B, T] (its first part is an embedding); default `features`. */
  inputKind?(node: ResolvedNode<C>): 'features' | 'tokens';
  outputSize(node: ResolvedNode<C>): number;
  /** All recurrent states the layer takes and returns, in a documented order. */
  state(node: ResolvedNode<C>): readonly StateSpec[];
  /** Parameters of the layer itself (most own none). */
  parameters?(node: ResolvedNode<C>): readonly ParamSpec[];
  /** Cross-child checks (sizes agree); throws ConfigError naming the child path. */
  checkChildren?(node: ResolvedNode<C>): void;
  forward(bound: BoundNode<C>, input: SequenceInput): SequenceOutput;
  /** Emits the layer as ONNX nodes (see onnx-hooks.ts); without it, models holding the layer cannot be exported. */
  readonly onnx?: LayerOnnxMapping<C>;
}

export interface HeadPlugin<K extends string = string, C = any> extends PluginCommon<'head', K, C> {
  /** What the head reads: float features (default), or int32 token ids in [0, inputSize) (an embedding). */
  readonly inputKind?: 'features' | 'tokens';
  /** Features read, or for `tokens` the vocabulary size. */
  inputSize(config: C): number;
  outputSize(config: C): number;
  parameters(config: C): readonly ParamSpec[];
  /** Maps the last axis: [..., inputSize] to [..., outputSize] (an embedding maps int ids to vectors). */
  apply(params: ParamTensors, input: Tensor, config: C): Tensor;
  readonly onnx?: HeadOnnxMapping<C>;
}

export interface LossPlugin<K extends string = string, C = any> extends PluginCommon<'loss', K, C> {
  /**
   * The mean loss over unmasked positions. `mask` has the shape of predictions without the last axis,
   * 1 where a position counts and 0 where it is padding.
   */
  compute(predictions: Tensor, targets: Tensor, mask: Tensor | undefined, config: C): Scalar;
}

export type AnyPlugin = CellPlugin | LayerPlugin | HeadPlugin | LossPlugin;
