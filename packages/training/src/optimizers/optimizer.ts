import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, hostTensor, type HostTensor } from '@unfold/core';

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
  /** A copy of the state in host memory: the number of updates and every slot created so far. */
  exportState(): OptimizerState;
  /** Replaces the state with an exported one (of an optimizer of the same kind): the run continues exactly. */
  importState(state: OptimizerState): void;
  dispose(): void;
}

/** An optimizer's state: updates applied, and its slots (Adam's `m` and `v`, `momentum`, `square`) by variable index. */
export interface OptimizerState {
  readonly steps: number;
  readonly slots: readonly { readonly slot: string; readonly index: number; readonly tensor: HostTensor }[];
}

/** A learning rate: a constant, or a schedule from the (0-based) step number. */
export type LearningRate = number | ((step: number) => number);

export type OptimizerConfig =
  | { readonly kind: 'sgd'; readonly learningRate: LearningRate; readonly momentum?: number; readonly nesterov?: boolean }
  | {
      readonly kind: 'adam';
      readonly learningRate: LearningRate;
      readonly beta1?: number;
      readonly beta2?: number;
      readonly epsilon?: number;
      /** Restart the moments (m = v = 0, bias correction from t = 1) every this many updates; default never. See `adam`. */
      readonly restartEvery?: number;
    }
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

  export(): OptimizerState['slots'] {
    return [...this.slots].map(([key, variable]) => {
      const at = key.lastIndexOf(':');
      return { slot: key.slice(0, at), index: Number(key.slice(at + 1)), tensor: hostTensor(variable.shape, variable.dataSync() as Float32Array, key) };
    });
  }

  import(slots: OptimizerState['slots']): void {
    this.dispose();
    for (const { slot, index, tensor } of slots) this.slots.set(`${slot}:${index}`, tf.tidy(() => tf.variable(tf.tensor(tensor.data, [...tensor.shape]), false)));
  }
}

/**
 * An optimizer from its update rule: `update(variables, gradients, learningRate, t)` with t the 1-based
 * number of this update, run in a tidy; the step count, state export/import and disposal are shared.
 */
export function optimizerOf(kind: Optimizer['kind'], slots: Slots, update: (variables: readonly tf.Variable[], gradients: readonly tf.Tensor[], learningRate: number, t: number) => void): Optimizer {
  let steps = 0;
  return {
    kind,
    get steps() {
      return steps;
    },
    apply(variables, gradients, learningRate) {
      tf.tidy(() => update(variables, gradients, learningRate, steps + 1));
      steps++;
    },
    exportState: () => ({ steps, slots: slots.export() }),
    importState(state) {
      if (!Number.isSafeInteger(state?.steps) || state.steps < 0 || !Array.isArray(state.slots)) {
        throw new ConfigError('invalid optimizer state', { where: `${kind} importState`, expected: '{ steps: integer >= 0, slots: [...] } from exportState()', got: JSON.stringify(state)?.slice(0, 80) ?? String(state) });
      }
      slots.import(state.slots);
      steps = state.steps;
    },
    dispose: () => slots.dispose(),
  };
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
