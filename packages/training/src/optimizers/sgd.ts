import * as tf from '@tensorflow/tfjs-core';
import { optimizerOf, Slots, stepWithMomentum, type Optimizer } from './optimizer';

/**
 * SGD with optional (Nesterov) momentum, as PyTorch's torch.optim.SGD:
 *
 *   b ← μ b + g                       (momentum buffer, μ = 0 means plain SGD)
 *   θ ← θ − η (g + μ b)   (Nesterov)   or   θ ← θ − η b
 */
export function sgd(momentum = 0, nesterov = false): Optimizer {
  const slots = new Slots();
  return optimizerOf('sgd', slots, (variables, gradients, learningRate) => {
    variables.forEach((theta, i) => stepWithMomentum(slots, i, theta, gradients[i] as tf.Tensor, momentum, learningRate, nesterov));
  });
}
