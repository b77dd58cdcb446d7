import * as tf from '@tensorflow/tfjs-core';

/**
 * An optimizer updates variables from their gradients. Per-variable slots (moments, momentum buffers)
 * are created on first use, keyed by the variable's position, and disposed with the optimizer.
 * `learningRate` is passed on every step so that schedules live outside the update rule.
 */
export interface Optimizer {
  readonly kind: OptimizerConfig['kind'];
  /** One update: θ ← update(θ, g). Runs its own tidy; the gradients are not disposed. */
  apply(variables: readonly tf.Variable[], gradients: readonly tf.Tensor[], learningRate: number): void;
  /** Number of updates applied so far. */
  readonly steps: number;
  dispose(): void;
}

/** A learning rate: a constant, or a schedule from the (0-based) step number. */
export type LearningRate = number | ((step: number) => number);

export type OptimizerConfig =
  | { readonly kind: 'sgd'; readonly learningRate: LearningRate; readonly momentum?: number; readonly nesterov?: boolean }
  | { readonly kind: 'adam'; readonly learningRate: LearningRate; readonly beta1?: number; readonly beta2?: number; readonly epsilon?: number }
  | { readonly kind: 'rmsprop'; readonly learningRate: LearningRate; readonly decay?: number; readonly momentum?: number; readonly epsilon?: number };

/** Lazily created per-variable state tensors (kept out of tidy). */
export class Slots {
  private readonly slots = new Map<string, tf.Variable>();

  get(name: string, index: number, like: tf.Tensor): tf.Variable {
    const key = `${name}:${index}`;
    let slot = this.slots.get(key);
    if (!slot) {
      slot = tf.tidy(() => tf.variable(tf.zerosLike(like), false));
      this.slots.set(key, slot);
    }
    return slot;
  }

  dispose(): void {
    for (const slot of this.slots.values()) slot.dispose();
    this.slots.clear();
  }
}

/**
 * θ ← θ − η·d with an optional momentum buffer over the step s (PyTorch's form, shared by SGD and RMSProp):
 * b ← μ b + s, d = b (or s + μ b with Nesterov); with μ = 0, d = s and no buffer is kept.
 */
export function stepWithMomentum(slots: Slots, index: number, theta: tf.Variable, step: tf.Tensor, momentum: number, learningRate: number, nesterov = false): void {
  if (momentum === 0) {
    theta.assign(tf.sub(theta, tf.mul(step, learningRate)));
    return;
  }
  const b = slots.get('momentum', index, theta);
  b.assign(tf.add(tf.mul(b, momentum), step));
  const direction = nesterov ? tf.add(step, tf.mul(b, momentum)) : b;
  theta.assign(tf.sub(theta, tf.mul(direction, learningRate)));
}
