import * as tf from '@tensorflow/tfjs-core';
import type { Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';

/**
 * Parameter gradients of the fused paths, each summed over all N = T·B rows at once.
 *
 * A weight used as pre = operand · Wᵀ in every step has dW = Σ_rows dpreᵀ · operand. tfjs-wasm runs
 * only the plain A·B matMul on XNNPACK (32×128×512: 20.7 GFLOP/s as A·B, 1.9 as A·Bᵀ, 0.93 as Aᵀ·B,
 * platform.md), and its Transpose kernel is slow on big tensors (~10 ms for [2048, 512] here). So the
 * narrow operand [N, K] is transposed explicitly, once, the product is ONE plain matMul
 * [K, N] · [N, G] → [K, G], and the small result is transposed to [G, K]. Measured here for an LSTM's
 * dW and dR (N 2048, G 512, K 32 and 128): 28–37 ms this way, 54–58 ms transposing the [N, G] stack.
 */
export function weightGradient(dPre: Tensor2D, operand: Tensor2D): Tensor2D {
  return tf.transpose(tf.matMul(tf.transpose(operand), dPre));
}

/**
 * Σ_rows dpre [N, G] → [G], the gradient of a bias added to every row, as the product 1ᵀ · dpre
 * [1, N] · [N, G]: the wasm Sum kernel reduces the last axis and transposes first for axis 0
 * (15–22 ms for [2048, 512] here, against 0.4–1.9 ms for the product).
 */
export function biasGradient(dPre: Tensor2D): Tensor1D {
  const [N, G] = dPre.shape;
  return tf.reshape(tf.matMul(tf.ones([1, N]), dPre), [G]);
}

/** d[Wb; Rb] for B = [Wb; Rb], from the gradients of the input-side and recurrent-side pre-activations [N, G·H]. */
export function stackedBiasGradient(dInput: Tensor2D, dRecurrent: Tensor2D): Tensor1D {
  const dWb = biasGradient(dInput);
  return tf.concat([dWb, dRecurrent === dInput ? dWb : biasGradient(dRecurrent)]);
}
