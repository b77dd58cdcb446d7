import * as tf from '@tensorflow/tfjs-core';
import { optimizerOf, Slots, stepWithMomentum, type KernelForm, type Optimizer } from './optimizer';

/**
 * SGD with optional (Nesterov) momentum, as PyTorch's torch.optim.SGD:
 *
 *   b ← μ b + g                       (momentum buffer, μ = 0 means plain SGD)
 *   θ ← θ − η (g + μ b)   (Nesterov)   or   θ ← θ − η b
 */
export function sgd(momentum = 0, nesterov = false): Optimizer {
  const slots = new Slots();
  const kernel: KernelForm = {
    slots: momentum > 0 ? ['momentum'] : [],
    rule: (p, learningRate, _step, scale) => ({ fn: 'sgdUpdate', args: [p.n, p.theta, p.g, momentum > 0 ? p.slot('momentum') : 0, scale, learningRate, momentum, nesterov ? 1 : 0] }),
  };
  return optimizerOf('sgd', slots, (variables, gradients, learningRate) => {
    variables.forEach((theta, i) => stepWithMomentum(slots, i, theta, gradients[i] as tf.Tensor, momentum, learningRate, nesterov));
  }, kernel);
}
