import * as tf from '@tensorflow/tfjs-core';
import { optimizerOf, Slots, type KernelForm, type Optimizer } from './optimizer';

/**
 * Adam (Kingma & Ba 2015), with bias correction:
 *
 *   m ← β₁ m + (1 − β₁) g          v ← β₂ v + (1 − β₂) g²
 *   θ ← θ − η · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)
 *
 * Defaults β₁ 0.9, β₂ 0.999, ε 1e-8 (the paper's and PyTorch's).
 *
 * `restartEvery` k (optional): a warm restart of the moments every k updates. Updates 1, k + 1, 2k + 1, …
 * start from m = v = 0 and t counts from 1 again, so each block of k updates is exactly a fresh Adam on
 * the same weights (the learning rate, a schedule over the whole run, is unaffected). The first update
 * after a restart moves every weight by about η (m̂/√v̂ = ±1), a kick out of a flat region that a long-run
 * Adam, whose √v̂ has grown over the run, no longer gives: on the NTM copy task, with binary cross-entropy,
 * it took the two seeds a long-run Adam left on a partial solution (3.8% and 5.3% bit error) under 1%
 * (tools/bench/results/ntm-copy.md).
 */
export function adam(beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, restartEvery?: number): Optimizer {
  const slots = new Slots();
  /** The update's t (from 1 again after a restart), the moments' keep factor (0 at a restart) and the bias corrections. */
  const scalars = (step: number) => {
    const t = restartEvery === undefined ? step : ((step - 1) % restartEvery) + 1;
    return { keep: t === 1 ? 0 : 1, correction1: 1 - beta1 ** t, correction2: 1 - beta2 ** t };
  };
  const kernel: KernelForm = {
    slots: ['m', 'v'],
    rule: (p, learningRate, step, scale) => {
      const { keep, correction1, correction2 } = scalars(step);
      return { fn: 'adamUpdate', args: [p.n, p.theta, p.g, p.slot('m'), p.slot('v'), scale, learningRate, beta1 * keep, 1 - beta1, beta2 * keep, 1 - beta2, correction1, correction2, epsilon] };
    },
  };
  return optimizerOf('adam', slots, (variables, gradients, learningRate, step) => {
    const { keep, correction1, correction2 } = scalars(step);
    variables.forEach((theta, i) => {
      const g = gradients[i] as tf.Tensor;
      const m = slots.get('m', i, theta);
      const v = slots.get('v', i, theta);
      m.assign(tf.add(tf.mul(m, beta1 * keep), tf.mul(g, 1 - beta1)));
      v.assign(tf.add(tf.mul(v, beta2 * keep), tf.mul(tf.square(g), 1 - beta2)));
      const mHat = tf.div(m, correction1);
      const vHat = tf.div(v, correction2);
      theta.assign(tf.sub(theta, tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), epsilon)), learningRate)));
    });
  }, kernel);
}
