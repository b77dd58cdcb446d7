import * as tf from '@tensorflow/tfjs-core';
import { Slots, type Optimizer } from './optimizer';

/**
 * SGD with optional (Nesterov) momentum, as PyTorch's torch.optim.SGD:
 *
 *   b ← μ b + g                       (momentum buffer, μ = 0 means plain SGD)
 *   θ ← θ − η (g + μ b)   (Nesterov)   or   θ ← θ − η b
 */
export function sgd(momentum = 0, nesterov = false): Optimizer {
  const slots = new Slots();
  let steps = 0;
  return {
    kind: 'sgd',
    get steps() {
      return steps;
    },
    apply(variables, gradients, learningRate) {
      tf.tidy(() => {
        variables.forEach((theta, i) => {
          const g = gradients[i] as tf.Tensor;
          if (momentum === 0) {
            theta.assign(tf.sub(theta, tf.mul(g, learningRate)));
            return;
          }
          const b = slots.get('momentum', i, theta);
          b.assign(tf.add(tf.mul(b, momentum), g));
          const direction = nesterov ? tf.add(g, tf.mul(b, momentum)) : b;
          theta.assign(tf.sub(theta, tf.mul(direction, learningRate)));
        });
      });
      steps++;
    },
    dispose: () => slots.dispose(),
  };
}
