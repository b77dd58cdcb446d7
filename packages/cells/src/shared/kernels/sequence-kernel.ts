/**
 * What a cell's whole-sequence WebAssembly kernel looks like to the fused op (fused-sequence.ts): host
 * arrays in, host arrays out, one call for the forward over all T steps and one for the backward.
 *
 * The forward returns the outputs, the final states and a `backward` closure. While a gradient tape
 * records the op, what the backward reads stays in the kernels' memory where the forward wrote it
 * (kept blocks, heap.ts), so any number of other kernel calls may run in between; inference keeps nothing. The kernel reuses the fused op's input checks: it runs only on
 * checked shapes and finite values, with T·B > 0.
 */
import type { ParamTensors } from '@unfold/core';
import type { Kernels } from './module';
import { KernelSession } from './session';

/** Parameters by name as host copies, in the cell's own (ONNX) layout. */
export type HostParams = Readonly<Record<string, Float32Array>>;

export interface KernelInputs<C> {
  readonly T: number;
  readonly B: number;
  readonly I: number;
  readonly params: HostParams;
  /** The same parameters as the op's tensors (for a cell whose kernel sees them through a layout). */
  readonly tensors: ParamTensors;
  /** [T·B, I], time-major. */
  readonly x: Float32Array;
  /** The initial states in the cell's state order, [B, size] each. */
  readonly state: readonly Float32Array[];
  /** [T·B] of 0/1, or undefined when every step is real. */
  readonly mask: Float32Array | undefined;
  readonly config: C;
  /** Whether a gradient tape records the op: only then does the forward keep what a backward needs. */
  readonly forBackward: boolean;
  /** Inference over weights that never change (the compact engine): pack them once and keep them while the arrays live (session.packed). */
  readonly cacheWeights?: boolean;
}

export interface KernelGradients {
  /** dL/dx [T·B, I]. */
  readonly x: Float32Array;
  /** dL/d(initial state), in state order. */
  readonly state: readonly Float32Array[];
  /** dL/dparam for every parameter, in the parameter's layout. */
  readonly params: HostParams;
}

export interface KernelForward {
  /** [T·B, O], 0 at padded steps. */
  readonly outputs: Float32Array;
  /** The final states, in state order. */
  readonly state: readonly Float32Array[];
  /** dOutputs [T·B, O] and the gradients reaching the final states. */
  backward(dOutputs: Float32Array, dState: readonly Float32Array[]): KernelGradients;
}

export interface SequenceKernel<C> {
  forward(kernels: Kernels, inputs: KernelInputs<C>): KernelForward;
}


/** d[Wb; Rb] for B = [Wb; Rb] when both biases enter every pre-activation alike: the one gradient twice. */
export function stackedBias(dbias: Float32Array): Float32Array {
  const stacked = new Float32Array(2 * dbias.length);
  stacked.set(dbias);
  stacked.set(dbias, dbias.length);
  return stacked;
}

/**
 * A forward's result whose backward runs `backward` in a fresh session once: it reads what the forward
 * kept (session.keep), which is freed when it returns, or when the result is garbage collected without a
 * backward. A backward of a forward that kept nothing (no tape recorded it), or a second backward of the
 * same forward, throws instead of reading freed memory.
 */
export function kernelResult<C>(
  session: KernelSession,
  inputs: KernelInputs<C>,
  forward: Pick<KernelForward, 'outputs' | 'state'>,
  backward: (b: KernelSession, dOutputs: Float32Array, dState: readonly Float32Array[]) => KernelGradients,
): KernelForward {
  let claimed = false;
  const result: KernelForward = {
    ...forward,
    backward(dOutputs, dState) {
      if (!free) throw new Error('unfold kernels: a backward was asked of a forward that ran while no gradient tape recorded it');
      if (claimed) throw new Error('unfold kernels: a second backward of the same forward (its buffers are freed after the first)');
      claimed = true;
      try {
        return backward(new KernelSession(session.kernels), dOutputs, dState);
      } finally {
        free();
      }
    },
  };
  const free = inputs.forBackward ? session.owned(result) : undefined;
  return result;
}
