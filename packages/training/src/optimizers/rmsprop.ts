import * as tf from '@tensorflow/tfjs-core';
import { optimizerOf, Slots, stepWithMomentum, type KernelForm, type Optimizer } from './optimizer';

/**
 * RMSProp (Tieleman & Hinton 2012), as PyTorch's torch.optim.RMSprop:
 *
 *   s ← ρ s + (1 − ρ) g²
 *   b ← μ b + g / (√s + ε)          (μ = 0: no momentum buffer)
 *   θ ← θ − η b
 *
 * Defaults ρ 0.9, μ 0, ε 1e-8.
 */
export function rmsprop(decay = 0.9, momentum = 0, epsilon = 1e-8): Optimizer {
  const slots = new Slots();
  const kernel: KernelForm = {
    slots: momentum > 0 ? ['square', 'momentum'] : ['square'],
    rule: (p, learningRate, _step, scale) => ({ fn: 'rmspropUpdate', args: [p.n, p.theta, p.g, p.slot('square'), momentum > 0 ? p.slot('momentum') : 0, scale, learningRate, decay, 1 - decay, epsilon, momentum] }),
  };
  return optimizerOf('rmsprop', slots, (variables, gradients, learningRate) => {
    variables.forEach((theta, i) => {
      const g = gradients[i] as tf.Tensor;
      const s = slots.get('square', i, theta);
      s.assign(tf.add(tf.mul(s, decay), tf.mul(tf.square(g), 1 - decay)));
      stepWithMomentum(slots, i, theta, tf.div(g, tf.add(tf.sqrt(s), epsilon)), momentum, learningRate);
    });
  }, kernel);
}
