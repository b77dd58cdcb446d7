import * as tf from '@tensorflow/tfjs-core';

/**
 * Mean of per-position losses [..] over the positions where mask is 1. With no mask, the plain mean.
 * An all-zero mask gives 0 (nothing to learn from), not NaN.
 */
export function maskedMean(perPosition: tf.Tensor, mask: tf.Tensor | undefined): tf.Scalar {
  if (!mask) return tf.mean(perPosition);
  const weighted = tf.sum(tf.mul(perPosition, mask));
  return tf.div(weighted, tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
}
