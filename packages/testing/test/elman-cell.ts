import * as tf from '@tensorflow/tfjs-core';
import { defineCell, defineConfig, field, uniform, type CellDefinition, type ParamTensors } from '@unfold/core';
import { matVec, tanh, type CellReference } from '../src/index';

/**
 * A small Elman cell for testing the conformance suite itself (not shipped):
 *   h' = tanh(x Wᵀ + h Rᵀ + B)      x [B, I], W [H, I], R [H, H], B [H], h [B, H]; output h'.
 * Its fused `sequence` loops `step` with the mask applied by `tf.where` (independently of the suite's
 * own oracle, which blends with arithmetic). `fixedRecurrent` makes R non-trainable, like a reservoir.
 */
const config = defineConfig({
  inputSize: field.int({ doc: 'input features I', min: 1 }),
  hiddenSize: field.int({ doc: 'hidden units H', min: 1 }),
  fixedRecurrent: field.boolean({ doc: 'R is fixed (not trainable)', default: false }),
});

export type ElmanConfig = ReturnType<typeof config.validate>;

function elmanStep(params: ParamTensors, x: tf.Tensor2D, state: readonly tf.Tensor2D[]): { output: tf.Tensor2D; state: tf.Tensor2D[] } {
  const h = state[0] as tf.Tensor2D;
  const pre = tf.add(tf.add(tf.matMul(x, params.W as tf.Tensor2D, false, true), tf.matMul(h, params.R as tf.Tensor2D, false, true)), params.B as tf.Tensor1D);
  const hNext = tf.tanh(pre) as tf.Tensor2D;
  return { output: hNext, state: [hNext] };
}

/** Loops a step function over x [T, B, I] with an optional mask, using tf.where for padded steps. */
export function loopWithWhere(
  step: (x: tf.Tensor2D, state: readonly tf.Tensor2D[]) => { output: tf.Tensor2D; state: readonly tf.Tensor[] },
  x: tf.Tensor3D,
  state: readonly tf.Tensor[],
  outputSize: number,
  mask: tf.Tensor2D | undefined,
): { outputs: tf.Tensor3D; state: tf.Tensor2D[] } {
  const [T, B] = x.shape;
  const xs = tf.unstack(x) as tf.Tensor2D[];
  const masks = mask ? (tf.unstack(mask) as tf.Tensor1D[]) : [];
  let current = [...state] as tf.Tensor2D[]; // an Elman cell's states are [B, H]
  const outputs: tf.Tensor2D[] = [];
  for (let t = 0; t < T; t++) {
    const result = step(xs[t] as tf.Tensor2D, current);
    const m = masks[t];
    if (!m) {
      outputs.push(result.output);
      current = [...result.state] as tf.Tensor2D[];
      continue;
    }
    const real = tf.greater(tf.reshape(m, [B, 1]), 0);
    outputs.push(tf.where(tf.broadcastTo(real, result.output.shape), result.output, tf.zerosLike(result.output)) as tf.Tensor2D);
    current = result.state.map((next, k) => tf.where(tf.broadcastTo(real, next.shape), next, current[k] as tf.Tensor2D) as tf.Tensor2D);
  }
  return { outputs: (T === 0 ? tf.zeros([0, B, outputSize]) : tf.stack(outputs)) as tf.Tensor3D, state: current };
}

export const elmanDefinition: CellDefinition<'test-elman', ElmanConfig> = {
  kind: 'test-elman',
  meta: { package: '@unfold/testing-tests', version: '0.0.0' },
  schemaVersion: 1,
  summary: "h' = tanh(x Wᵀ + h Rᵀ + B)",
  config,
  inputSize: (c) => c.inputSize,
  outputSize: (c) => c.hiddenSize,
  state: (c) => [{ name: 'h', size: c.hiddenSize }],
  parameters: (c) => [
    { name: 'W', shape: [c.hiddenSize, c.inputSize], init: uniform(-0.5, 0.5) },
    { name: 'R', shape: [c.hiddenSize, c.hiddenSize], init: uniform(-0.5, 0.5), trainable: !c.fixedRecurrent },
    { name: 'B', shape: [c.hiddenSize], init: uniform(-0.1, 0.1) },
  ],
  step: (params, x, state) => elmanStep(params, x, state as readonly tf.Tensor2D[]),
  sequence: (params, x, state, c, options) => loopWithWhere((xt, s) => elmanStep(params, xt, s), x, state, c.hiddenSize, options.mask),
};

export const elmanCell = defineCell(elmanDefinition);

/** The Elman recurrence in float64: h_t = tanh(W x_t + R h_{t−1} + bias), all batch rows. */
export function elmanForward64(
  W: ArrayLike<number>,
  R: ArrayLike<number>,
  bias: ArrayLike<number>,
  x: ArrayLike<number>,
  h0: ArrayLike<number>,
  dims: { T: number; B: number; I: number; H: number },
): { outputs: Float64Array; h: Float64Array } {
  const { T, B, I, H } = dims;
  const h = Float64Array.from(h0);
  const outputs = new Float64Array(T * B * H);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const xt = Array.prototype.slice.call(x, (t * B + b) * I, (t * B + b + 1) * I) as number[];
      const wx = matVec(W, H, I, xt);
      const rh = matVec(R, H, H, h.subarray(b * H, (b + 1) * H));
      for (let j = 0; j < H; j++) {
        const value = tanh((wx[j] as number) + (rh[j] as number) + (bias[j] as number));
        outputs[(t * B + b) * H + j] = value;
      }
    }
    h.set(outputs.subarray(t * B * H, (t + 1) * B * H));
  }
  return { outputs, h };
}

export const elmanReference: CellReference<ElmanConfig> = (params, x, state0, c, dims) => {
  const { outputs, h } = elmanForward64(params.W as Float64Array, params.R as Float64Array, params.B as Float64Array, x, state0[0] as Float64Array, { ...dims, I: c.inputSize, H: c.hiddenSize });
  return { outputs, state: [h] };
};
