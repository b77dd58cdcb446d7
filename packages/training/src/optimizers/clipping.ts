import * as tf from '@tensorflow/tfjs-core';

/**
 * Gradient clipping by global norm (Pascanu et al. 2013): if ‖g‖₂ over all gradients exceeds `maxNorm`,
 * every gradient is scaled by maxNorm / ‖g‖₂. Returns the clipped gradients and the norm before clipping.
 */
export function clipByGlobalNorm(gradients: readonly tf.Tensor[], maxNorm: number): { gradients: tf.Tensor[]; norm: tf.Scalar } {
  const norm = tf.sqrt(tf.addN(gradients.map((g) => tf.sum(tf.square(g))))) as tf.Scalar;
  const scale = tf.minimum(tf.div(maxNorm, tf.maximum(norm, 1e-12)), 1);
  return { gradients: gradients.map((g) => tf.mul(g, scale)), norm };
}

/** Clips every gradient element to [−limit, limit]. */
export function clipByValue(gradients: readonly tf.Tensor[], limit: number): tf.Tensor[] {
  return gradients.map((g) => tf.clipByValue(g, -limit, limit));
}
