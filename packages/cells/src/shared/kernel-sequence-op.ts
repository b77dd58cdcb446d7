/**
 * The fused op (fused-sequence.ts) run by a cell's WebAssembly kernel: the parameters are read to the
 * host once, one kernel call runs the forward over all T steps, and the backward is one more call on
 * the host copies the forward kept. Same inputs, outputs and packing as the tfjs implementation.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import type { FusedCall, FusedOp } from './fused-sequence';
import type { Kernels } from './kernels/module';
import type { SequenceKernel } from './kernels/sequence-kernel';

export function kernelSequenceOp<C>(kernel: SequenceKernel<C>, kernels: Kernels, call: FusedCall<C>): FusedOp {
  const { where, config, T, B, I, sizes, paramNames, xData, maskData } = call;
  const O = sizes[0] as number;
  const stateCount = sizes.length;
  // Read before the op runs: inside its forward the engine reports no tape (the op is a kernel then).
  const forBackward = tf.engine().isTapeOn();
  return tf.customGrad((...args: unknown[]) => {
    const inputs = args.slice(0, 1 + stateCount + paramNames.length) as Tensor[];
    const paramTensors = inputs.slice(1 + stateCount);
    // Read-only host views (the kernels copy them into their memory): no second copy.
    const params = Object.fromEntries(paramNames.map((name, k) => [name, (paramTensors[k] as Tensor).dataSync() as Float32Array]));
    const state = inputs.slice(1, 1 + stateCount).map((s) => s.dataSync() as Float32Array);
    const tensors = Object.fromEntries(paramNames.map((name, k) => [name, paramTensors[k] as Tensor]));
    const result = kernel.forward(kernels, { T, B, I, params, tensors, x: xData, state, mask: maskData, config, forBackward });
    const packed = new Float32Array(T * B * O + sizes.reduce((sum, size) => sum + B * size, 0));
    packed.set(result.outputs);
    let offset = T * B * O;
    for (const s of result.state) {
      packed.set(s, offset);
      offset += s.length;
    }
    const gradFunc = (dy: Tensor): Tensor[] => {
      const dyData = dy.dataSync() as Float32Array;
      let at = T * B * O;
      const dState = sizes.map((size) => dyData.subarray(at, (at += B * size)));
      const grads = result.backward(dyData.subarray(0, T * B * O), dState);
      return [
        tf.tensor3d(grads.x, [T, B, I]),
        ...grads.state.map((d, k) => tf.tensor2d(d, [B, sizes[k] as number])),
        ...paramNames.map((name, k) => {
          const g = grads.params[name];
          if (!g) throw new Error(`${where}: the kernel backward produced no gradient for ${name}`);
          return tf.tensor(g, (paramTensors[k] as Tensor).shape);
        }),
      ];
    };
    return { value: tf.tensor1d(packed), gradFunc };
  }) as FusedOp;
}
