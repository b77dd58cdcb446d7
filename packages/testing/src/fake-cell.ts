import * as tf from '@tensorflow/tfjs-core';
import { constant, defineCell, defineConfig, field } from '@unfold/core';

/**
 * A hand-computable cell for testing architectures without any recurrent math (the role tfjs-layers'
 * `RNNCellForTest` plays).
 *
 *   h'     = h + x Wᵀ          x [B, I], W [H, I], h [B, H]
 *   count' = count + 1         count [B, 1]
 *   output = h'                [B, H]
 *
 * With W at its initial value (all ones) every output unit is the running sum of all inputs seen so
 * far, and `count` is the number of real steps taken: masking, reversal, chunked streaming and stacking
 * can be checked by hand. W is trainable (gradients are simple sums of inputs). No fused `sequence`.
 */
export const fakeCell = defineCell({
  kind: 'fake-accumulator',
  meta: { package: '@unfold/testing', version: '0.1.0' },
  schemaVersion: 1,
  summary: "test cell: h' = h + x Wᵀ, count' = count + 1, output h' (hand-computable running sums)",
  config: defineConfig({
    inputSize: field.int({ doc: 'input features I', min: 1 }),
    hiddenSize: field.int({ doc: 'hidden units H (= output size)', min: 1 }),
  }),
  inputSize: (config) => config.inputSize,
  outputSize: (config) => config.hiddenSize,
  state: (config) => [
    { name: 'h', size: config.hiddenSize },
    { name: 'count', size: 1 },
  ],
  parameters: (config) => [
    { name: 'W', shape: [config.hiddenSize, config.inputSize], init: constant(1), doc: 'input weights [H, I]; all ones initially' },
  ],
  step(params, x, state) {
    const [h, count] = state as [tf.Tensor2D, tf.Tensor2D];
    const hNext = tf.add(h, tf.matMul(x, params.W as tf.Tensor2D, false, true)) as tf.Tensor2D; // [B, H]
    const countNext = tf.add(count, tf.scalar(1)) as tf.Tensor2D; // [B, 1]
    return { output: hNext, state: [hNext, countNext] };
  },
});

/**
 * The fake cell in float64 over a whole time-major sequence (no mask), in the form `describeCell`
 * takes as `reference`: params { W [H, I] }, x [T, B, I], state [h [B, H], count [B, 1]].
 */
export function fakeCellReference(
  params: Readonly<Record<string, Float64Array>>,
  x: Float64Array,
  state0: readonly Float64Array[],
  config: { readonly inputSize: number; readonly hiddenSize: number },
  dims: { readonly T: number; readonly B: number },
): { outputs: Float64Array; state: Float64Array[] } {
  const { inputSize: I, hiddenSize: H } = config;
  const { T, B } = dims;
  const W = params.W as Float64Array;
  const h = Float64Array.from(state0[0] as Float64Array);
  const count = Float64Array.from(state0[1] as Float64Array);
  const outputs = new Float64Array(T * B * H);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < H; j++) {
        let sum = 0;
        for (let i = 0; i < I; i++) sum += (x[(t * B + b) * I + i] as number) * (W[j * I + i] as number);
        h[b * H + j] = (h[b * H + j] as number) + sum;
        outputs[(t * B + b) * H + j] = h[b * H + j] as number;
      }
      count[b] = (count[b] as number) + 1;
    }
  }
  return { outputs, state: [h, count] };
}

