import * as tf from '@tensorflow/tfjs-core';
import { bindNode, createRegistry, initWeights, resolveModel, type AnyPlugin, type BoundNode, type ModelSpec, type SequenceOutput } from '@unfold/core';
import { fakeCell } from '@unfold/testing';
import { heads, layers, runSequence } from '../src/index';

let variableCount = 0;

/** Builds a model from a spec with the given plugins, weights initialised from `seed`, as tensors. */
export function build(spec: ModelSpec, plugins: readonly AnyPlugin[] = [fakeCell], seed = 1): { bound: BoundNode; tensors: Record<string, tf.Variable>; dispose(): void } {
  const registry = createRegistry([...plugins, ...layers, ...heads]);
  const root = resolveModel(registry, spec);
  const weights = initWeights(root, seed);
  const tensors: Record<string, tf.Variable> = {};
  for (const [name, w] of Object.entries(weights)) tensors[name] = tf.tidy(() => tf.variable(tf.tensor(w.data, [...w.shape]), true, `${name}#${variableCount++}`));
  return { bound: bindNode(root, tensors), tensors, dispose: () => Object.values(tensors).forEach((t) => t.dispose()) };
}

export interface HostOutput {
  outputs: number[][][];
  finalState: number[][][];
}

/** Reads a 2-D state back as rows (the fake cell's states are [B, size]). */
function rows(state: tf.Tensor): number[][] {
  return state.arraySync() as number[][];
}

/** Runs a model and reads everything back as nested arrays (nothing left allocated). */
export function run(bound: BoundNode, x: number[][][], lengths?: number[], initialState?: number[][][]): HostOutput {
  return tf.tidy(() => {
    const result: SequenceOutput = runSequence(bound, {
      x: tf.tensor3d(x),
      ...(lengths ? { lengths: Int32Array.from(lengths) } : {}),
      ...(initialState ? { initialState: initialState.map((s) => tf.tensor2d(s)) } : {}),
    });
    return { outputs: result.outputs.arraySync(), finalState: result.finalState.map(rows) };
  });
}

export const fake = (inputSize: number, hiddenSize: number): ModelSpec => ({ kind: 'fake-accumulator', config: { inputSize, hiddenSize } });

/** Gradients of sum(outputs ⊙ 1) + sum(final states) w.r.t. every weight, as plain arrays by name. */
export function gradients(bound: BoundNode, tensors: Record<string, tf.Variable>, x: number[][][], lengths?: number[]): Record<string, number[]> {
  return tf.tidy(() => {
    const { grads } = tf.variableGrads(() => {
      const result = runSequence(bound, { x: tf.tensor3d(x), ...(lengths ? { lengths: Int32Array.from(lengths) } : {}) });
      const terms = [tf.sum(result.outputs), ...result.finalState.map((s) => tf.sum(tf.mul(s, s)))];
      return tf.addN(terms) as tf.Scalar;
    }, Object.values(tensors));
    const byName: Record<string, number[]> = {};
    for (const [name, variable] of Object.entries(tensors)) byName[name] = Array.from((grads[variable.name] as tf.Tensor).dataSync());
    return byName;
  });
}
