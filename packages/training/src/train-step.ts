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

/** What one update did: the loss before it, and the global gradient norm before any clipping. */
export interface UpdateResult {
  readonly loss: number;
  readonly gradientNorm: number;
}

/**
 * One optimisation step on any differentiable loss of the model's trainable variables: gradients, optional
 * clipping (value, then global norm), the update. Returns the loss before the update and the pre-clip global
 * norm. Leaves no tensors behind; a non-finite loss is a DataError naming `where`.
 */
export function update(model: Model, optimizer: Optimizer, lossOf: () => tf.Scalar, learningRate: number, options: StepOptions, where: string): UpdateResult {
  const [lossTensor, normTensor] = tf.tidy(() => {
    const { value: lossValue, grads } = tf.variableGrads(lossOf, [...model.trainable]);
    let gradients = model.trainable.map((variable) => grads[variable.name] ?? tf.zerosLike(variable));
    const norm = tf.sqrt(tf.addN(gradients.map((g) => tf.sum(tf.square(g)))));
    if (options.clipValue !== undefined) gradients = clipByValue(gradients, options.clipValue);
    if (options.clipNorm !== undefined) gradients = clipByGlobalNorm(gradients, options.clipNorm).gradients;
    optimizer.apply(model.trainable, gradients, learningRate);
    return [lossValue, norm];
  });
  const loss = lossTensor.dataSync()[0] as number;
  const gradientNorm = normTensor.dataSync()[0] as number;
  tf.dispose([lossTensor, normTensor]);
  if (!Number.isFinite(loss)) {
    throw new DataError('the loss is not finite', { where, expected: 'a finite loss', got: String(loss), fix: 'lower the learning rate, clip gradients (clipNorm), or normalise the data' });
  }
  return { loss, gradientNorm };
}

/** One optimisation step on a batch (see `update`). Returns the loss before the update. */
export function trainStep(model: Model, loss: LossPlugin, lossConfig: unknown, optimizer: Optimizer, batch: Batch, learningRate: number, options: StepOptions, where: string, context: ForwardContext): number {
  return update(model, optimizer, () => batchLoss(model, loss, lossConfig, batch, context), learningRate, options, where).loss;
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
