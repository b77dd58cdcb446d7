import * as tf from '@tensorflow/tfjs-core';
import type { Tensor2D } from '@tensorflow/tfjs-core';

/**
 * Activations and their derivatives for the fused paths, written in terms of the activation's own
 * output (what the forward pass saves).
 */

/**
 * tanh(x) = 2σ(2x) − 1. tfjs-wasm's Tanh kernel is scalar libm, its Sigmoid is XNNPACK's vectorised
 * one: on [32, 128] these four ops took 25–35 µs against 65–80 µs for tf.tanh (medians of 30 runs).
 * Absolute error ≲ 2.5e-7 (two ulps of σ near ½), far inside the 1e-5 agreement with `step`.
 */
export function tanh(x: Tensor2D): Tensor2D {
  const s = tf.sigmoid(tf.add(x, x));
  return tf.sub(tf.add(s, s), 1);
}

/** dL/dpre for s = σ(pre): ds ⊙ s ⊙ (1 − s). */
export function sigmoidBackward(ds: Tensor2D, s: Tensor2D): Tensor2D {
  return tf.mul(ds, tf.sub(s, tf.square(s)));
}

/** dL/dpre for y = tanh(pre): dy ⊙ (1 − y²). */
export function tanhBackward(dy: Tensor2D, y: Tensor2D): Tensor2D {
  return tf.mul(dy, tf.sub(1, tf.square(y)));
}

/** dL/dpre for y = relu(pre): dy ⊙ 1[y > 0] (pre > 0 exactly where y > 0; tfjs's own relu gradient). */
export function reluBackward(dy: Tensor2D, y: Tensor2D): Tensor2D {
  return tf.mul(dy, tf.step(y));
}
