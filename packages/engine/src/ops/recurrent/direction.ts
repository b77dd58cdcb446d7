/**
 * What every recurrent direction function (lstm.ts, gru.ts, rnn.ts, and the kernel path) takes: flat
 * Float32Arrays in ONNX's layout for one direction, the lengths, and where to write Y. Batch row b runs
 * its first lengths[b] steps (backward within them when reversed); past its length its state is carried
 * and its Y is left 0.
 */
export interface DirectionInput {
  /** X [steps, batch, inputSize]. */
  readonly x: Float32Array;
  readonly steps: number;
  readonly batch: number;
  readonly inputSize: number;
  readonly hidden: number;
  /** W [gates·H, inputSize] and R [gates·H, H] of this direction. */
  readonly w: Float32Array;
  readonly r: Float32Array;
  /** W and R are the model's initializers (the same arrays on every run): the kernel path packs them once. */
  readonly fixedWeights: boolean;
  /** [Wb (gates·H), Rb (gates·H)], or undefined for zeros. */
  readonly bias: Float32Array | undefined;
  /** Steps per batch row. */
  readonly lengths: ArrayLike<number>;
  /** Initial h [batch, H]. */
  readonly h0: Float32Array;
  /** Activation input bound (Infinity for none). */
  readonly clip: number;
  readonly reverse: boolean;
  /** Y to write: y[yOffset + t·yStride + b·H + j], or undefined when Y is not wanted. */
  readonly y: Float32Array | undefined;
  readonly yOffset: number;
  readonly yStride: number;
}

/**
 * Calls `step(t, b)` for every batch row's real steps in run order: step s of every row, then step s + 1.
 * A row stops at its length; a reverse direction runs it backward within its length (step s is time
 * length − 1 − s), as ReverseSequence would.
 */
export function eachStep(d: DirectionInput, step: (t: number, b: number) => void): void {
  for (let s = 0; s < d.steps; s++) {
    for (let b = 0; b < d.batch; b++) {
      const length = d.lengths[b] as number;
      if (s < length) step(d.reverse ? length - 1 - s : s, b);
    }
  }
}
