import * as tf from '@tensorflow/tfjs-core';
import { offset, type KernelCall, type Kernels, type KernelSession, type Pointer } from '@unfold/cells/kernels';
import { ConfigError, hostTensor, type HostTensor } from '@unfold/core';
import { KernelSlots } from './kernel-slots';

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
  /** The same update on the WebAssembly kernels (kernel-step.ts runs it), for the built-in rules. */
  readonly inKernels?: KernelOptimizer;
  dispose(): void;
}

/**
 * An update rule on the kernels, in two phases around the step's temporaries: `prepare` makes the slots
 * (kept in the kernels' memory between updates; state made by tfjs updates moves there), then `apply`
 * updates every parameter whose θ and g the step put in the kernels' memory, as one update.
 */
export interface KernelOptimizer {
  prepare(kernels: Kernels, shapes: readonly (readonly number[])[]): void;
  apply(session: KernelSession, parameters: readonly KernelParameter[], learningRate: number, scale: number): void;
}

/** One parameter on the kernel path: its n values θ and gradient g (byte addresses in the kernels' memory). */
export interface KernelParameter {
  readonly n: number;
  readonly theta: Pointer;
  readonly g: Pointer;
}

/** A contiguous part of one parameter, with its slots at the same offset: what one kernel call updates. */
export interface KernelPart extends KernelParameter {
  slot(name: string): Pointer;
}

/**
 * An update rule's kernel form: the call updating one part, with the learning rate, the 1-based number of
 * the update and the clipping factor applied to g first (updates.as.ts in @unfold/cells holds the math).
 */
export type KernelRule = (part: KernelPart, learningRate: number, t: number, scale: number) => KernelCall;

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

  get size(): number {
    return this.slots.size;
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

/** The kernel form of an update rule and the slots it uses (made for every parameter). */
export interface KernelForm {
  readonly rule: KernelRule;
  readonly slots: readonly string[];
}

/**
 * An optimizer from its update rule: `update(variables, gradients, learningRate, t)` with t the 1-based
 * number of this update, run in a tidy; the step count, state export/import and disposal are shared.
 * With `kernel`, the same rule runs on the WebAssembly kernels too; the state lives where the last update
 * ran (tfjs variables or the kernels' memory) and moves when the path changes, so either path continues
 * the other exactly.
 */
export function optimizerOf(kind: Optimizer['kind'], slots: Slots, update: (variables: readonly tf.Variable[], gradients: readonly tf.Tensor[], learningRate: number, t: number) => void, kernel?: KernelForm): Optimizer {
  let steps = 0;
  let kernelSlots: KernelSlots | undefined;
  const inKernels: KernelOptimizer | undefined = kernel && {
    prepare(kernels, shapes) {
      if (kernelSlots && kernelSlots.kernels !== kernels) kernelSlots.dispose();
      if (!kernelSlots || kernelSlots.kernels !== kernels) kernelSlots = new KernelSlots(kernels, optimizer);
      if (slots.size > 0) {
        kernelSlots.import(slots.export());
        slots.dispose();
      }
      const store = kernelSlots;
      shapes.forEach((shape, index) => kernel.slots.forEach((name) => store.get(name, index, shape)));
    },
    apply(session, parameters, learningRate, scale) {
      const store = kernelSlots;
      if (!store) throw new Error(`${kind}: inKernels.apply before prepare`);
      const t = steps + 1;
      const parts: KernelCall[][] = [[], []];
      parameters.forEach((parameter, index) => {
        session.split(parameter.n, 4).forEach((part, k) => {
          const at = (p: Pointer) => offset(p, part.start);
          (parts[k] as KernelCall[]).push(kernel.rule({ n: part.size, theta: at(parameter.theta), g: at(parameter.g), slot: (name) => at(store.get(name, index, [parameter.n])) }, learningRate, t, scale));
        });
      });
      session.parallel(parts);
      steps++;
    },
  };
  const toTfjs = () => {
    if (!kernelSlots?.size) return;
    slots.import(kernelSlots.export());
    kernelSlots.dispose();
  };
  const optimizer: Optimizer = {
    kind,
    get steps() {
      return steps;
    },
    apply(variables, gradients, learningRate) {
      toTfjs();
      tf.tidy(() => update(variables, gradients, learningRate, steps + 1));
      steps++;
    },
    exportState: () => ({ steps, slots: kernelSlots?.size ? kernelSlots.export() : slots.export() }),
    importState(state) {
      if (!Number.isSafeInteger(state?.steps) || state.steps < 0 || !Array.isArray(state.slots)) {
        throw new ConfigError('invalid optimizer state', { where: `${kind} importState`, expected: '{ steps: integer >= 0, slots: [...] } from exportState()', got: JSON.stringify(state)?.slice(0, 80) ?? String(state) });
      }
      kernelSlots?.dispose();
      slots.import(state.slots);
      steps = state.steps;
    },
    ...(inKernels ? { inKernels } : {}),
    dispose: () => {
      kernelSlots?.dispose();
      slots.dispose();
    },
  };
  return optimizer;
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
