import * as tf from '@tensorflow/tfjs-core';
import { defineConfig, defineLoss, field, formatShape, sameShape, ShapeError } from '@unfold/core';
import { TRAINING_META } from '../meta';
import { maskedMean } from './masked-mean';

/** Probabilities are clamped to [ε, 1 − ε] before the log (`inputs: 'probabilities'`). */
export const BCE_EPSILON = 1e-7;

/**
 * `binary-cross-entropy`: independent Bernoulli cross-entropy per output feature (bit targets), averaged
 * over the features and over unmasked positions: the loss of Graves et al.'s NTM tasks.
 *
 *   inputs 'probabilities' (default; a sigmoid output head), p clamped to [ε, 1 − ε], ε = 1e-7:
 *     ℓ(p, y) = −(y log p + (1 − y) log(1 − p))
 *   inputs 'logits' (a linear output head; z the logit of the bit being 1), computed stably:
 *     ℓ(z, y) = max(z, 0) − z·y + log(1 + e^(−|z|))
 *   L = Σₚ mₚ · mean_o ℓₚₒ / Σₚ mₚ        predictions, targets [..., O], targets in [0, 1]; mask m [...]
 *
 * Against a sigmoid output, d L / d logit = (p − y) / (O·Σm) per bit: a confidently wrong bit keeps a
 * gradient near 1 where MSE's, (p − y)·p(1 − p), vanishes. With 'probabilities' the gradient is cut only
 * where the clamp bites (a logit beyond about ±16); 'logits' has no such cut, but the model then outputs
 * logits (read a bit as 1 when its logit is > 0).
 */
export const binaryCrossEntropy = defineLoss({
  kind: 'binary-cross-entropy',
  meta: TRAINING_META,
  schemaVersion: 1,
  summary: 'Bernoulli cross-entropy per output feature (bit targets in [0, 1]) over unmasked positions',
  config: defineConfig({
    inputs: field.oneOf(['probabilities', 'logits'] as const, { doc: "what the model outputs: 'probabilities' (a sigmoid head) or 'logits' (a linear head)", default: 'probabilities' }),
  }),
  compute(predictions, targets, mask, config) {
    if (!sameShape(predictions.shape, targets.shape)) {
      throw new ShapeError('targets do not match the predictions', { where: 'binary-cross-entropy', expected: formatShape(predictions.shape), got: formatShape(targets.shape), fix: 'give one target bit (0 to 1) per model output' });
    }
    return tf.tidy(() => {
      let perBit: tf.Tensor;
      if (config.inputs === 'logits') {
        perBit = tf.add(tf.sub(tf.relu(predictions), tf.mul(predictions, targets)), tf.log1p(tf.exp(tf.neg(tf.abs(predictions)))));
      } else {
        const p = tf.clipByValue(predictions, BCE_EPSILON, 1 - BCE_EPSILON);
        perBit = tf.neg(tf.add(tf.mul(targets, tf.log(p)), tf.mul(tf.sub(1, targets), tf.log(tf.sub(1, p)))));
      }
      return maskedMean(tf.mean(perBit, -1), mask);
    });
  },
});
