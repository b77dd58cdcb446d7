import * as tf from '@tensorflow/tfjs-core';
import { optimizerOf, Slots, type Optimizer } from './optimizer';

/**
 * Adam (Kingma & Ba 2015), with bias correction:
 *
 *   m ← β₁ m + (1 − β₁) g          v ← β₂ v + (1 − β₂) g²
 *   θ ← θ − η · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)
 *
 * Defaults β₁ 0.9, β₂ 0.999, ε 1e-8 (the paper's and PyTorch's).
 */
export function adam(beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8): Optimizer {
  const slots = new Slots();
  return optimizerOf('adam', slots, (variables, gradients, learningRate, t) => {
    const correction1 = 1 - beta1 ** t;
    const correction2 = 1 - beta2 ** t;
    variables.forEach((theta, i) => {
      const g = gradients[i] as tf.Tensor;
      const m = slots.get('m', i, theta);
      const v = slots.get('v', i, theta);
      m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
      v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2)));
      const mHat = tf.div(m, correction1);
      const vHat = tf.div(v, correction2);
      theta.assign(tf.sub(theta, tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), epsilon)), learningRate)));
    });
  });
}
