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

/** The time step batch row `b` takes at step `s` (reverse runs each sequence backward within its length). */
export const timeOf = (s: number, length: number, reverse: boolean): number => (reverse ? length - 1 - s : s);

/**
 * X·Wᵀ for every step and batch row at once: X [rows, inputSize] times W [gates, inputSize] transposed,
 * plus `bias` (the first `gates` entries of the node's bias, Wb) when given. Returns [rows, gates].
 */
export function projectInputs(x: Float32Array, rows: number, inputSize: number, w: Float32Array, gates: number, bias: Float32Array | undefined): Float32Array {
  const out = new Float32Array(rows * gates);
  const wt = transpose(w, gates, inputSize);
  for (let r = 0; r < rows; r++) {
    const o = r * gates;
    if (bias) for (let g = 0; g < gates; g++) out[o + g] = bias[g] as number;
    for (let k = 0; k < inputSize; k++) {
      const v = x[r * inputSize + k] as number;
      const wrow = k * gates;
      for (let g = 0; g < gates; g++) out[o + g]! += v * (wt[wrow + g] as number);
    }
  }
  return out;
}

/** A rows×cols matrix transposed (cols×rows): R [gates, H] → Rᵀ [H, gates] so the step's inner loop is contiguous. */
export function transpose(m: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = m[r * cols + c] as number;
  return out;
}

/** out[0..gates) += h·Rᵀ for one batch row (h of `hidden` values, rt = Rᵀ [hidden, gates]). */
export function addRecurrent(h: Float32Array, hOffset: number, hidden: number, rt: Float32Array, gates: number, out: Float32Array): void {
  for (let k = 0; k < hidden; k++) {
    const v = h[hOffset + k] as number;
    const row = k * gates;
    for (let g = 0; g < gates; g++) out[g]! += v * (rt[row + g] as number);
  }
}
