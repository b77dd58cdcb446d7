import * as tf from '@tensorflow/tfjs-core';
import type { Tensor2D } from '@tensorflow/tfjs-core';

/**
 * Per-step views of time-major data, made from host memory: the fused paths read a [T, B, N] tensor
 * once (`dataSync`) and create one [B, N] tensor per step from consecutive subarrays.
 *
 * Measured here (tfjs-wasm 4.22, T 64, B 32, N 512, one split of the whole tensor, medians):
 *   tf.unstack 150 ms, tf.split 117 ms, T × tf.slice 158 ms, T × tf.gather 75 ms, this 4–17 ms;
 *   (N 32: unstack 10 ms, gather 5 ms, this 1 ms; cpu backend N 512: unstack 0.5 ms, this 0.2 ms).
 * The wasm Slice kernel (which Unpack and SplitV call once per piece) starts with `readSync` of the
 * *whole* input, so splitting into T pieces copies T times the tensor (O(T²)); its Gather kernel costs
 * ~1 ms a call at this size. A read plus T small writes is linear and needs no kernel at all.
 */
export function stepTensors(data: Float32Array, T: number, B: number, N: number): Tensor2D[] {
  const size = B * N;
  return Array.from({ length: T }, (_, t) => tf.tensor2d(data.subarray(t * size, (t + 1) * size), [B, N]));
}

/** The mask of one step as [B, 1] columns m and 1 − m, or undefined when every sequence is real at t. */
export interface StepMask {
  /** [B, 1], 1 at real steps. */
  readonly m: Tensor2D;
  /** [B, 1], 1 − m: 1 where the state is carried through padding. */
  readonly keep: Tensor2D;
}

/** Step t of a [T, B] 0/1 mask in host memory; undefined when the whole column is 1 (nothing to mask). */
export function stepMask(mask: Float32Array | undefined, t: number, B: number): StepMask | undefined {
  if (!mask) return undefined;
  const m = mask.subarray(t * B, (t + 1) * B);
  if (m.every((value) => value === 1)) return undefined;
  return { m: tf.tensor2d(m, [B, 1]), keep: tf.tensor2d(m.map((value) => 1 - value), [B, 1]) };
}
