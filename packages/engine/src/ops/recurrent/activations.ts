import { sigmoid } from '../unary';

/**
 * The recurrent operators' activation functions the engine implements: ONNX's defaults (Sigmoid, Tanh)
 * and Relu, which unfold's RNN export names. Others (with alpha/beta) are refused at load.
 */
export type Activation = (x: number) => number;

export const ACTIVATIONS: Readonly<Record<string, Activation>> = {
  Sigmoid: sigmoid,
  Tanh: Math.tanh,
  Relu: (x) => (x > 0 ? x : 0),
};

/** Wb + Rb for gates that add both biases (all of LSTM's and RNN's): [Wb (n), Rb (n)] → n sums, or undefined. */
export function summedBias(bias: Float32Array | undefined, n: number): Float32Array | undefined {
  return bias?.subarray(0, n).map((v, i) => v + (bias[n + i] as number));
}

/** x clamped to [-clip, clip] (clip is Infinity when the node sets none). */
export const clamp = (x: number, clip: number): number => (x > clip ? clip : x < -clip ? -clip : x);


/**
 * X·Wᵀ for every step and batch row at once: X [rows, inputSize] times W [gates, inputSize] transposed,
 * plus `bias` (gates values) when given. Returns [rows, gates]. Each entry is a dot product of two
 * contiguous rows summed in a local (double) variable: no store per multiply-add.
 */
export function projectInputs(x: Float32Array, rows: number, inputSize: number, w: Float32Array, gates: number, bias: Float32Array | undefined): Float32Array {
  const out = new Float32Array(rows * gates);
  for (let r = 0; r < rows; r++) {
    const xo = r * inputSize;
    for (let g = 0; g < gates; g++) {
      const wo = g * inputSize;
      let sum = bias ? (bias[g] as number) : 0;
      for (let k = 0; k < inputSize; k++) sum += (x[xo + k] as number) * (w[wo + k] as number);
      out[r * gates + g] = sum;
    }
  }
  return out;
}

/** out[g] += h·R[g] for g < gates: one batch row's h (`hidden` values from hOffset) against R [gates, H] as ONNX stores it. */
export function addRecurrent(h: Float32Array, hOffset: number, hidden: number, r: Float32Array, gates: number, out: Float32Array): void {
  for (let g = 0; g < gates; g++) {
    const ro = g * hidden;
    // Four independent sums: the multiply-adds of one do not wait on the previous one's result.
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let k = 0;
    for (; k + 3 < hidden; k += 4) {
      s0 += (h[hOffset + k] as number) * (r[ro + k] as number);
      s1 += (h[hOffset + k + 1] as number) * (r[ro + k + 1] as number);
      s2 += (h[hOffset + k + 2] as number) * (r[ro + k + 2] as number);
      s3 += (h[hOffset + k + 3] as number) * (r[ro + k + 3] as number);
    }
    for (; k < hidden; k++) s0 += (h[hOffset + k] as number) * (r[ro + k] as number);
    out[g]! += s0 + s1 + (s2 + s3);
  }
}
