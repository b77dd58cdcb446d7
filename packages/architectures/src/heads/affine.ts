/**
 * The dense head's affine map z = x · Wᵀ + b (x [N, I], W [O, I], b [O]): on the WebAssembly kernels of
 * @unfold/cells where they run (one op, its gradient one more call: dense.ts in the kernels), else as a
 * tfjs matMul. Both compute the same products (tests compare them).
 */
import * as tf from '@tensorflow/tfjs-core';
import { activeKernels, denseBackward, denseForward, type Kernels } from '@unfold/cells/kernels';

function onKernels(kernels: Kernels, x: tf.Tensor2D, W: tf.Tensor2D, b: tf.Tensor1D | undefined): tf.Tensor2D {
  const [N, I] = x.shape;
  const O = W.shape[0];
  const shape = { N, I, O };
  const op = tf.customGrad((...args: unknown[]) => {
    // customGrad passes its `save` function after the inputs: the bias is an input only when there is one.
    const [xs, Ws] = args as [tf.Tensor2D, tf.Tensor2D];
    const bs = b ? (args[2] as tf.Tensor1D) : undefined;
    const xData = xs.dataSync() as Float32Array;
    const WData = Ws.dataSync() as Float32Array;
    const y = denseForward(kernels, shape, xData, WData, bs?.dataSync() as Float32Array | undefined);
    const gradFunc = (dy: tf.Tensor): tf.Tensor[] => {
      const g = denseBackward(kernels, shape, xData, WData, dy.dataSync() as Float32Array, bs !== undefined);
      return [tf.tensor2d(g.dx, [N, I]), tf.tensor2d(g.dW, [O, I]), ...(g.db ? [tf.tensor1d(g.db)] : [])];
    };
    return { value: tf.tensor2d(y, [N, O]), gradFunc };
  });
  return (b ? op(x, W, b) : op(x, W)) as tf.Tensor2D;
}

/** z [N, O] = x · Wᵀ + b (float32). */
export function affine(x: tf.Tensor2D, W: tf.Tensor2D, b: tf.Tensor1D | undefined): tf.Tensor2D {
  const kernels = x.dtype === 'float32' ? activeKernels() : undefined;
  if (kernels) return onKernels(kernels, x, W, b);
  // An explicit transpose then a plain matMul: transposed matMuls are ~10× slower on tfjs-wasm.
  const linear = tf.matMul(x, tf.transpose(W)) as tf.Tensor2D;
  return b ? (tf.add(linear, b) as tf.Tensor2D) : linear;
}
