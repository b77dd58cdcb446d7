import * as tf from '@tensorflow/tfjs-core';
import type { Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import type { Initializer, ParamSpec, ParamTensors } from '@unfold/core';
import { recurrentUniform } from './init';

/**
 * ONNX's weight layout for a recurrent cell with G gates of H units, without ONNX's leading
 * num_directions axis (a layer owns direction):
 *
 *   W [G·H, I]   gate g in rows [g·H, (g+1)·H), in the cell's ONNX gate order
 *   R [G·H, H]
 *   B [2·G·H] = [Wb; Rb]   only with bias
 *
 * All initialised U(−1/√H, 1/√H) (PyTorch's default) unless `biasInit` says otherwise.
 */
export function onnxParameters(G: number, inputSize: number, hiddenSize: number, options: { bias: boolean; gates: string; biasInit?: Initializer }): ParamSpec[] {
  const init = recurrentUniform(hiddenSize);
  const specs: ParamSpec[] = [
    { name: 'W', shape: [G * hiddenSize, inputSize], init, doc: `input weights [${options.gates}] stacked by rows, [${G}·H, I]` },
    { name: 'R', shape: [G * hiddenSize, hiddenSize], init, doc: `recurrent weights [${options.gates}] stacked by rows, [${G}·H, H]` },
  ];
  if (options.bias) specs.push({ name: 'B', shape: [2 * G * hiddenSize], init: options.biasInit ?? init, doc: `biases [Wb; Rb], each [${options.gates}], [2·${G}·H]` });
  return specs;
}

/**
 * x · Wᵀ (+ Wb): the input projection of every gate at once, [B, G·H]. The plain path used by `step`
 * (autodiff); W is transposed explicitly so the product runs as a plain A·B.
 */
export function inputProjection(x: Tensor2D, params: ParamTensors): Tensor2D {
  const W = params.W as Tensor2D;
  const xW: Tensor2D = tf.matMul(x, tf.transpose(W));
  const B = params.B as Tensor1D | undefined;
  return B ? tf.add(xW, tf.slice(B, [0], [W.shape[0]])) : xW;
}

/** h · Rᵀ (+ Rb): the recurrent projection of every gate at once, [B, G·H]. */
export function recurrentProjection(h: Tensor2D, params: ParamTensors): Tensor2D {
  const R = params.R as Tensor2D;
  const hR: Tensor2D = tf.matMul(h, tf.transpose(R));
  const B = params.B as Tensor1D | undefined;
  return B ? tf.add(hR, tf.slice(B, [R.shape[0]], [R.shape[0]])) : hR;
}

/** Splits [B, G·H] into its G gates [B, H] in layout order. */
export function splitGates(pre: Tensor2D, G: number): Tensor2D[] {
  return tf.split(pre, G, 1);
}

/** v · R_gᵀ (+ Rb_g): gate g's recurrent projection of v [B, H] alone, [B, H] (plain path). */
export function recurrentGate(v: Tensor2D, params: ParamTensors, g: number, G: number): Tensor2D {
  const R = params.R as Tensor2D;
  const H = R.shape[1];
  const vR: Tensor2D = tf.matMul(v, tf.transpose(tf.slice(R, [g * H, 0], [H, H])));
  const B = params.B as Tensor1D | undefined;
  return B ? tf.add(vR, tf.slice(B, [(G + g) * H], [H])) : vR;
}
