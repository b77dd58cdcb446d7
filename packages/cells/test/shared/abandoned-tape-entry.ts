// Bundled by kernel-heap.test.ts and run with `node --expose-gc`: LSTM forwards recorded by a gradient tape
// whose loss then throws (the tape is dropped, no backward ever runs). Their kept blocks must be freed
// once the forwards' results are garbage collected. Prints the live block counts as JSON.
import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from '@unfold/core';
import { lstmCell } from '../../src/index';
import { activeKernels, useKernels } from '../../src/shared/kernels/module';

await setupBackend({ backend: 'cpu' });
const config = lstmCell.validate({ inputSize: 4, hiddenSize: 8 }, 'abandoned');
const params = Object.fromEntries(lstmCell.parameters(config).map((p) => [p.name, tf.variable(tf.randomUniform([...p.shape], -0.3, 0.3))]));
const x = tf.randomNormal([6, 10, 4]) as tf.Tensor3D;
const state = [tf.zeros([10, 8]) as tf.Tensor2D, tf.zeros([10, 8]) as tf.Tensor2D];
useKernels('auto'); // asked for explicitly: the parent may run under UNFOLD_KERNELS=off (the tfjs-path suite)
const heap = activeKernels()!.heap;
const before = heap.live;
for (let i = 0; i < 5; i++) {
  try {
    tf.variableGrads(() => {
      lstmCell.sequence!(params, x, state, config, {});
      throw new Error('the loss failed');
    });
  } catch {
    // the tape is dropped with the forward's kept blocks
  }
}
const abandoned = heap.live;
async function collect(): Promise<number> {
  for (let i = 0; i < 20 && heap.live > before; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return heap.live;
}
const afterCollect = await collect();
// tfjs keeps the last tape until the next one starts: one more taped step, then nothing is left.
tf.dispose(tf.variableGrads(() => tf.sum(lstmCell.sequence!(params, x, state, config, {}).outputs) as tf.Scalar).grads);
console.log(JSON.stringify({ before, abandoned, afterCollect, after: await collect() }));
