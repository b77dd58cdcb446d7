import { Rng, shapeSize } from '@unfold/core';

/**
 * Float64 building blocks for plain-JS reference implementations. A cell's test re-implements its
 * equations with these (one line per equation), and the conformance suite compares the float32 tfjs
 * cell with it and differentiates it numerically. Nothing here touches tfjs.
 */

/** Logistic sigmoid 1 / (1 + e^−x), written so neither branch overflows. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** Hyperbolic tangent. */
export function tanh(x: number): number {
  return Math.tanh(x);
}

/** max(0, x). */
export function relu(x: number): number {
  return x > 0 ? x : 0;
}

/** y = W x for a row-major W of shape [rows, cols] and x of length cols; y has length rows. */
export function matVec(W: ArrayLike<number>, rows: number, cols: number, x: ArrayLike<number>): Float64Array {
  if (W.length !== rows * cols) throw new Error(`matVec: W has ${W.length} values; expected rows·cols = ${rows}·${cols} = ${rows * cols}`);
  if (x.length !== cols) throw new Error(`matVec: x has ${x.length} values; expected cols = ${cols}`);
  const y = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += (W[r * cols + c] as number) * (x[c] as number);
    y[r] = sum;
  }
  return y;
}

/** A float64 copy of any numeric array (exact for float32 input). */
export function toFloat64(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values as ArrayLike<number>);
}

/**
 * Fixed random loss weights G of the given shape, uniform in [−1, 1), rounded to float32 so the very
 * same values feed the float32 tfjs loss (`tf.tensor(G, shape)`) and the float64 reference
 * (`weightedSum(outputs, G)`). A loss Σ outputs ⊙ G with random G reaches every output element with a
 * distinct weight, unlike a plain sum whose symmetric gradient can hide swapped or transposed terms.
 */
export function randomLossWeights(shape: readonly number[], seed: number | string): Float32Array {
  const rng = new Rng(seed).fork(`loss-weights[${shape.join(',')}]`);
  const out = new Float32Array(shapeSize(shape));
  for (let i = 0; i < out.length; i++) out[i] = rng.uniformIn(-1, 1);
  return out;
}

/** Σ values[i] · weights[i], accumulated in float64. Lengths must match. */
export function weightedSum(values: ArrayLike<number>, weights: ArrayLike<number>): number {
  if (values.length !== weights.length) throw new Error(`weightedSum: ${values.length} values but ${weights.length} weights; give one weight per value`);
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += (values[i] as number) * (weights[i] as number);
  return sum;
}
