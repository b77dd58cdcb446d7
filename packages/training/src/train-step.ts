import * as tf from '@tensorflow/tfjs-core';
import { DataError, type ForwardContext, type LossPlugin } from '@unfold/core';
import type { Batch } from './data/batches';
import type { Model } from './model';
import { clipByGlobalNorm, clipByValue } from './optimizers/clipping';
import type { Optimizer } from './optimizers/optimizer';

export interface StepOptions {
  readonly clipNorm?: number;
  readonly clipValue?: number;
}

/** The loss of a batch, inside the caller's tidy; `context` defaults to inference (validation). */
export function batchLoss(model: Model, loss: LossPlugin, lossConfig: unknown, batch: Batch, context?: ForwardContext): tf.Scalar {
  const { outputs } = model.forward(batch.x, { lengths: batch.lengths, checked: false, ...(context ? { context } : {}) });
  return loss.compute(outputs, batch.y, batch.mask, lossConfig);
}

/**
 * One optimisation step: loss, gradients of every trainable variable, optional clipping, update.
 * Returns the loss before the update. Leaves no tensors behind.
 */
export function trainStep(model: Model, loss: LossPlugin, lossConfig: unknown, optimizer: Optimizer, batch: Batch, learningRate: number, options: StepOptions, where: string, context: ForwardContext): number {
  const value = tf.tidy(() => {
    const { value: lossValue, grads } = tf.variableGrads(() => batchLoss(model, loss, lossConfig, batch, context), [...model.trainable]);
    let gradients = model.trainable.map((variable) => grads[variable.name] ?? tf.zerosLike(variable));
    if (options.clipValue !== undefined) gradients = clipByValue(gradients, options.clipValue);
    if (options.clipNorm !== undefined) gradients = clipByGlobalNorm(gradients, options.clipNorm).gradients;
    optimizer.apply(model.trainable, gradients, learningRate);
    return lossValue;
  });
  const result = value.dataSync()[0] as number;
  value.dispose();
  if (!Number.isFinite(result)) {
    throw new DataError('the loss is not finite', { where, expected: 'a finite loss', got: String(result), fix: 'lower the learning rate, clip gradients (clipNorm), or normalise the data' });
  }
  return result;
}

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
