/**
 * The end of a training step on the WebAssembly kernels (updates.as.ts in @unfold/cells): the gradients
 * and parameters are copied into the kernels' memory once, the global norm is summed there, clipping and
 * the optimizer's rule run as one pass per parameter (split between the two threads where they run), and
 * the new parameters are assigned back. The optimizer's slots stay in the kernels' memory between steps.
 * Same order and semantics as the tfjs path in train-step.ts: value clipping, then the global norm of the
 * clipped gradients, then the update; a non-finite loss or gradient throws before anything changes.
 */
import * as tf from '@tensorflow/tfjs-core';
import { KernelSession, type Kernels } from '@unfold/cells/kernels';
import type { KernelOptimizer, KernelParameter } from './optimizer';

export interface KernelClipping {
  readonly clipNorm?: number;
  readonly clipValue?: number;
}

/** Called with the loss and the pre-clip global gradient norm before the update; throwing stops it. */
export type BeforeUpdate = (loss: number, gradientNorm: number) => void;

function globalNorm(kernels: Kernels, parameters: readonly KernelParameter[]): number {
  let sum = 0;
  for (const { n, g } of parameters) sum += kernels.exports.sumOfSquares(n, g);
  return Math.sqrt(sum);
}

/** Updates `variables` from `gradients` with the optimizer's kernel rule; returns the pre-clip global gradient norm. */
export function updateInKernels(kernels: Kernels, optimizer: KernelOptimizer, variables: readonly tf.Variable[], gradients: readonly tf.Tensor[], learningRate: number, clipping: KernelClipping, loss: number, before: BeforeUpdate): number {
  optimizer.prepare(kernels, variables.map((v) => v.shape));
  const s = new KernelSession(kernels);
  const parameters = variables.map((variable, i) => ({ n: variable.size, theta: s.put(variable.dataSync() as Float32Array), g: s.put((gradients[i] as tf.Tensor).dataSync() as Float32Array) }));
  const gradientNorm = globalNorm(kernels, parameters);
  before(loss, gradientNorm);
  if (clipping.clipValue !== undefined) for (const { n, g } of parameters) s.call('clipValues', n, g, clipping.clipValue);
  let scale = 1;
  if (clipping.clipNorm !== undefined) {
    // The norm of the gradients as clipped so far; as the tfjs path: min(maxNorm / max(‖g‖, 1e-12), 1) in float32.
    const norm = clipping.clipValue === undefined ? gradientNorm : globalNorm(kernels, parameters);
    scale = Math.min(Math.fround(Math.fround(clipping.clipNorm) / Math.max(Math.fround(norm), 1e-12)), 1);
  }
  optimizer.apply(s, parameters, learningRate, scale);
  variables.forEach((variable, i) => variable.assign(tf.tensor(s.read((parameters[i] as KernelParameter).theta, variable.size), variable.shape)));
  return gradientNorm;
}
