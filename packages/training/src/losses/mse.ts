import * as tf from '@tensorflow/tfjs-core';
import { defineConfig, defineLoss, formatShape, sameShape, ShapeError } from '@unfold/core';
import { TRAINING_META } from '../meta';
import { maskedMean } from './masked-mean';

/**
 * `mse`: mean squared error, averaged over the output features and over unmasked positions.
 *
 *   L = Σₚ mₚ · mean_o (ŷₚₒ − yₚₒ)² / Σₚ mₚ        predictions, targets [..., O]; mask m [...]
 *
 * Padded steps (m = 0) contribute nothing to the loss or its gradient.
 */
export const mse = defineLoss({
  kind: 'mse',
  meta: TRAINING_META,
  schemaVersion: 1,
  summary: 'mean squared error over unmasked positions',
  config: defineConfig({}),
  compute(predictions, targets, mask) {
    if (!sameShape(predictions.shape, targets.shape)) {
      throw new ShapeError('targets do not match the predictions', { where: 'mse', expected: formatShape(predictions.shape), got: formatShape(targets.shape), fix: 'give one target value per model output' });
    }
    return tf.tidy(() => maskedMean(tf.mean(tf.squaredDifference(predictions, targets), -1), mask));
  },
});
