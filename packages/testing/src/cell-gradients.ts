import * as tf from '@tensorflow/tfjs-core';
import type { CellSequenceResult, HostTensor } from '@unfold/core';
import { casePoint, differentiableNames, weightsToTensors, type CellCase, type CellReference } from './cell-case';
import { runCellPath, type CellPath } from './cell-run';
import { weightedSum } from './float64';

/**
 * The scalar loss every gradient check of a cell uses, in tfjs (float32) and in float64:
 *   L = Σ outputs ⊙ G_out + Σ_k finalState_k ⊙ G_k
 * with the case's fixed random weights G, so every output and final-state element reaches the loss
 * with its own weight (a plain sum could hide a transposed or permuted gradient).
 */
export function cellLoss(result: CellSequenceResult, lossWeights: CellCase['lossWeights']): tf.Scalar {
  return tf.tidy(() => {
    let loss = tf.sum(tf.mul(result.outputs, tf.tensor(lossWeights.outputs, result.outputs.shape)));
    result.state.forEach((state, k) => {
      loss = tf.add(loss, tf.sum(tf.mul(state, tf.tensor(lossWeights.state[k] as Float32Array, state.shape))));
    });
    return loss as tf.Scalar;
  });
}

/** The same loss on a float64 reference result. */
export function referenceCellLoss(result: { readonly outputs: ArrayLike<number>; readonly state: readonly ArrayLike<number>[] }, lossWeights: CellCase['lossWeights']): number {
  if (result.state.length !== lossWeights.state.length) {
    throw new Error(`reference returned ${result.state.length} states; the cell declares ${lossWeights.state.length}`);
  }
  let loss = weightedSum(result.outputs, lossWeights.outputs);
  result.state.forEach((state, k) => (loss += weightedSum(state, lossWeights.state[k] as Float32Array)));
  return loss;
}

/** Runs a float64 reference at a point (parameters, `x`, `state.<name>`) and returns the loss. */
export function referenceLossAt(c: CellCase, reference: CellReference, point: Readonly<Record<string, Float64Array>>): number {
  const params: Record<string, Float64Array> = {};
  for (const name of Object.keys(c.weights)) params[name] = point[name] as Float64Array;
  const state0 = c.states.map((state) => point[`state.${state.name}`] as Float64Array);
  const result = reference(params, point.x as Float64Array, state0, c.config, { T: c.dims.T, B: c.dims.B });
  return referenceCellLoss(result, c.lossWeights);
}

export interface CellGradientOptions {
  /** Where to evaluate (all parameters, `x`, `state.<name>`); default the case's own point. */
  readonly point?: Readonly<Record<string, HostTensor>>;
  /** Which tensors to differentiate; default trainable parameters, initial states and x. */
  readonly names?: readonly string[];
  /** Apply the case's padding mask. Default false. */
  readonly masked?: boolean;
}

/**
 * Gradients of `cellLoss` w.r.t. the named tensors on one path (tf.valueAndGrads), read back to host
 * memory. Parameters not named (such as fixed reservoir weights) enter as constants. No tensor outlives the call.
 */
export function cellGradients(c: CellCase, path: CellPath, options: CellGradientOptions = {}): { loss: number; gradients: Record<string, Float32Array> } {
  const names = options.names ?? differentiableNames(c);
  const point = options.point ?? casePoint(c);
  const unknown = names.find((name) => !point[name]);
  if (unknown !== undefined) throw new Error(`cellGradients: nothing named ${JSON.stringify(unknown)} (have ${Object.keys(point).join(', ')})`);
  const tensors = weightsToTensors(point);
  const mask = options.masked ? tf.tensor2d(c.mask.data, c.mask.shape as [number, number]) : undefined;
  const inputs = names.map((name) => tensors[name] as tf.Tensor);
  const loss = (...args: tf.Tensor[]): tf.Scalar => {
    const at: Record<string, tf.Tensor> = { ...tensors };
    names.forEach((name, i) => (at[name] = args[i] as tf.Tensor));
    const params: Record<string, tf.Tensor> = {};
    for (const name of Object.keys(c.weights)) params[name] = at[name] as tf.Tensor;
    const state0 = c.states.map((state) => at[`state.${state.name}`] as tf.Tensor2D);
    const result = runCellPath(c.plugin, path, params, at.x as tf.Tensor3D, state0, c.config, mask);
    return cellLoss(result, c.lossWeights);
  };
  try {
    let computed: { value: tf.Scalar; grads: tf.Tensor[] };
    try {
      computed = tf.tidy(() => tf.valueAndGrads(loss)(inputs));
    } catch (cause) {
      throw new Error(`cellGradients (${c.plugin.kind}, ${path}): the forward or backward pass failed w.r.t. ${names.join(', ')}: ${(cause as Error).message}`, { cause });
    }
    try {
      const gradients: Record<string, Float32Array> = {};
      names.forEach((name, i) => (gradients[name] = Float32Array.from((computed.grads[i] as tf.Tensor).dataSync())));
      return { loss: computed.value.dataSync()[0] as number, gradients };
    } finally {
      tf.dispose([computed.value, ...computed.grads]);
    }
  } finally {
    tf.dispose([...Object.values(tensors), ...(mask ? [mask] : [])]);
  }
}
