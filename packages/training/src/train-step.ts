import * as tf from '@tensorflow/tfjs-core';
import { activeKernels } from '@unfold/cells/kernels';
import { DivergenceError, type ForwardContext, type LossPlugin } from '@unfold/core';
import type { Batch } from './data/batches';
import type { TrainStep } from './loop/callbacks';
import type { Model } from './model';
import { clipByGlobalNorm, clipByValue } from './optimizers/clipping';
import { updateInKernels } from './optimizers/kernel-step';
import type { Optimizer } from './optimizers/optimizer';

export interface StepOptions {
  readonly clipNorm?: number;
  readonly clipValue?: number;
}

/** The loss of a batch, inside the caller's tidy; `context` defaults to inference (validation). */
export function batchLoss(model: Model, loss: LossPlugin, lossConfig: unknown, batch: Batch, context?: ForwardContext): tf.Scalar {
  const { outputs } = model.forward(batch.x, { lengths: batch.lengths, checked: false, ...(batch.ports ? { ports: batch.ports } : {}), ...(context ? { context } : {}) });
  return loss.compute(outputs, batch.y, batch.mask, lossConfig);
}

/** What one update did: the loss before it, and the global gradient norm before any clipping. */
export interface UpdateResult {
  readonly loss: number;
  readonly gradientNorm: number;
}

/**
 * One optimisation step on any differentiable loss of the model's trainable variables: gradients, optional
 * clipping (value, then global norm), the update. Returns the loss before the update and the pre-clip global
 * norm. Leaves no tensors behind. A non-finite loss or gradient is a DivergenceError naming `where`, thrown
 * before the update, so the weights stay those of the last good step; so is whatever `guard` throws.
 */
/** Called with the loss (and the pre-clip gradient norm) before an update; throwing keeps the update from happening. */
export type UpdateGuard = (loss: number, where: string, gradientNorm: number) => void;

/** Throws the DivergenceError of a non-finite loss or gradient norm (the weights are not touched yet). */
function checkFinite(loss: number, gradientNorm: number, where: string): void {
  if (Number.isFinite(loss) && Number.isFinite(gradientNorm)) return;
  const what = Number.isFinite(loss) ? 'gradient' : 'loss';
  throw new DivergenceError(`training diverged: the ${what} is not finite`, { where, expected: `a finite ${what}`, got: String(Number.isFinite(loss) ? gradientNorm : loss), fix: 'lower the learning rate, clip gradients (clipNorm), or normalise the data; the weights of the last good step were kept' });
}

/**
 * The update runs on the WebAssembly kernels (optimizers/kernel-step.ts) where they run and the optimizer
 * has a kernel rule (the built-in ones), else on tfjs; both compute the same thing (tests compare them).
 */
export function update(model: Model, optimizer: Optimizer, lossOf: () => tf.Scalar, learningRate: number, options: StepOptions, where: string, guard?: UpdateGuard): UpdateResult {
  return tf.tidy(() => {
    const { value: lossValue, grads } = tf.variableGrads(lossOf, [...model.trainable]);
    let gradients = model.trainable.map((variable) => grads[variable.name] ?? tf.zerosLike(variable));
    const kernels = optimizer.inKernels && activeKernels();
    if (kernels && optimizer.inKernels) {
      const loss = lossValue.dataSync()[0] as number;
      const before = (value: number, norm: number) => {
        checkFinite(value, norm, where);
        guard?.(value, where, norm);
      };
      return { loss, gradientNorm: updateInKernels(kernels, optimizer.inKernels, model.trainable, gradients, learningRate, options, loss, before) };
    }
    // One read from the backend for both: the loss and the global gradient norm before clipping.
    const norm = tf.sqrt(tf.addN(gradients.map((g) => tf.sum(tf.square(g)))));
    const [loss, gradientNorm] = tf.stack([tf.reshape(lossValue, []), tf.reshape(norm, [])]).dataSync() as unknown as [number, number];
    checkFinite(loss, gradientNorm, where);
    guard?.(loss, where, gradientNorm);
    if (options.clipValue !== undefined) gradients = clipByValue(gradients, options.clipValue);
    if (options.clipNorm !== undefined) gradients = clipByGlobalNorm(gradients, options.clipNorm).gradients;
    optimizer.apply(model.trainable, gradients, learningRate);
    return { loss, gradientNorm };
  });
}

/** One optimisation step on a batch (see `update`). */
export function trainStep(model: Model, loss: LossPlugin, lossConfig: unknown, optimizer: Optimizer, batch: Batch, learningRate: number, options: StepOptions, where: string, context: ForwardContext, guard?: UpdateGuard): UpdateResult {
  return update(model, optimizer, () => batchLoss(model, loss, lossConfig, batch, context), learningRate, options, where, guard);
}

/** fit's default train step: full backpropagation through time over the padded batch (see `update`). */
export const fullBpttStep: TrainStep = (model, batch, c) => trainStep(model, c.loss, c.lossConfig, c.optimizer, batch, c.learningRate, c.clip, c.where, c.forward, c.guard);

/** Mean loss over data, weighted by the number of counted positions in each batch. */
export function evaluateLoss(model: Model, loss: LossPlugin, lossConfig: unknown, batches: Iterable<Batch>): number {
  let total = 0;
  let weight = 0;
  for (const batch of batches) {
    const [value, count] = tf.tidy(() => [batchLoss(model, loss, lossConfig, batch).dataSync()[0] as number, tf.sum(batch.mask).dataSync()[0] as number]);
    total += value * count;
    weight += count;
  }
  return weight > 0 ? total / weight : 0;
}
