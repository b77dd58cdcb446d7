import * as tf from '@tensorflow/tfjs-core';
import {
  bindNode,
  checkWeights,
  hostTensor,
  initWeights,
  modelParameters,
  resolveModel,
  semanticsOf,
  type BoundNode,
  type ForwardContext,
  type ModelData,
  type ModelSemantics,
  type ModelSpec,
  type PortValue,
  type Registry,
  type ResolvedNode,
  type WeightMap,
} from '@unfold/core';
import { inputSpecOf, outputSizeOf, type InputSpec } from '@unfold/core';
import { forwardUnchecked, runSequence } from '@unfold/architectures';

/**
 * A model with its weights as tfjs variables: what training updates and inference runs.
 * Build one from a spec (fresh weights from a seed) or from saved model data.
 */
export interface Model {
  readonly registry: Registry;
  readonly spec: ModelSpec;
  readonly root: ResolvedNode;
  /** Variables by parameter path (`body.cell.W`). */
  readonly variables: ReadonlyMap<string, tf.Variable>;
  /** The variables training updates (parameters not declared `trainable: false`). */
  readonly trainable: readonly tf.Variable[];
  readonly bound: BoundNode;
  readonly input: InputSpec;
  readonly outputSize: number;
  /** What the model reads and emits, as its plugins declare it. */
  readonly semantics: ModelSemantics;
  /** `sequence`: an output per step; `last`: one per sequence (a last-step or pooled readout). */
  readonly readout: 'sequence' | 'last';
  /**
   * Forward pass on a batch. `checked` (default true) validates shapes and values first; `context` is the
   * forward context (default: inference); `ports` the further inputs (a seq2seq model's decoder inputs).
   */
  forward(x: tf.Tensor, options?: { lengths?: Int32Array; initialState?: readonly tf.Tensor[]; ports?: Readonly<Record<string, PortValue>>; checked?: boolean; context?: ForwardContext }): { outputs: tf.Tensor3D; finalState: readonly tf.Tensor[] };
  /** The spec and current weights, copied to host memory (for checkpoints and export). */
  toModelData(): ModelData;
  /** Replaces the weights (checked against the spec) without creating new variables. */
  setWeights(weights: WeightMap): void;
  dispose(): void;
}

let modelCount = 0;

export interface CreateModelOptions {
  /** Seed for fresh weights (default 0). Ignored when `weights` is given. */
  readonly seed?: number | string;
  readonly weights?: WeightMap;
}

export function createModel(registry: Registry, spec: ModelSpec, options: CreateModelOptions = {}): Model {
  const root = resolveModel(registry, spec);
  const weights = options.weights ?? initWeights(root, options.seed ?? 0);
  checkWeights(root, weights, 'createModel');
  const id = modelCount++;
  const variables = new Map<string, tf.Variable>();
  const trainable: tf.Variable[] = [];
  for (const { name, spec: param } of modelParameters(root)) {
    const w = weights[name]!;
    const isTrainable = param.trainable ?? true;
    const variable = tf.tidy(() => tf.variable(tf.tensor(w.data, [...w.shape]), isTrainable, `unfold${id}/${name}`));
    variables.set(name, variable);
    if (isTrainable) trainable.push(variable);
  }
  const bound = bindNode(root, Object.fromEntries(variables));
  const semantics = semanticsOf(root);
  return {
    registry,
    spec,
    root,
    variables,
    trainable,
    bound,
    input: inputSpecOf(root),
    outputSize: outputSizeOf(root),
    semantics,
    readout: semantics.readout === 'sequence' ? 'sequence' : 'last',
    forward(x, forwardOptions = {}) {
      const input = {
        x,
        ...(forwardOptions.lengths ? { lengths: forwardOptions.lengths } : {}),
        ...(forwardOptions.initialState ? { initialState: forwardOptions.initialState } : {}),
        ...(forwardOptions.ports ? { ports: forwardOptions.ports } : {}),
      };
      const context = forwardOptions.context;
      const result = forwardOptions.checked === false ? forwardUnchecked(bound, input, context) : runSequence(bound, input, context);
      return { outputs: result.outputs, finalState: result.finalState };
    },
    toModelData() {
      const copy: Record<string, ReturnType<typeof hostTensor>> = {};
      for (const [name, variable] of variables) copy[name] = hostTensor(variable.shape, variable.dataSync() as Float32Array, name);
      return { spec, weights: copy };
    },
    setWeights(next) {
      checkWeights(root, next, 'setWeights');
      tf.tidy(() => {
        for (const [name, variable] of variables) variable.assign(tf.tensor(next[name]!.data, variable.shape));
      });
    },
    dispose() {
      for (const variable of variables.values()) variable.dispose();
    },
  };
}
