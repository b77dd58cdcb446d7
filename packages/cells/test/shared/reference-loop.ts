/**
 * The time and batch loop of the float64 references: runs a one-sequence step over x [T, B, I]
 * (time-major), the states given as [B, size] arrays. `step` gets one input row and that sequence's
 * states and returns its next states; the output is the first of them. No mask (the references are
 * compared on unpadded inputs; padding is the fused path's business, checked against the step loop).
 */
export function referenceLoop(
  x: Float64Array,
  state0: readonly Float64Array[],
  dims: { readonly T: number; readonly B: number },
  inputSize: number,
  step: (x: Float64Array, state: readonly Float64Array[]) => Float64Array[],
): { outputs: Float64Array; state: Float64Array[] } {
  const { T, B } = dims;
  const state = state0.map((s) => Float64Array.from(s));
  const sizes = state.map((s) => s.length / B);
  const O = sizes[0] as number;
  const outputs = new Float64Array(T * B * O);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const row = t * B + b;
      const next = step(
        x.subarray(row * inputSize, (row + 1) * inputSize),
        state.map((s, k) => s.slice(b * (sizes[k] as number), (b + 1) * (sizes[k] as number))),
      );
      next.forEach((s, k) => (state[k] as Float64Array).set(s, b * (sizes[k] as number)));
      outputs.set(next[0] as Float64Array, row * O);
    }
  }
  return { outputs, state };
}

/** Element k of an optional bias, or 0 when the cell has none. */
export function biasAt(bias: Float64Array | undefined, k: number): number {
  return bias ? (bias[k] as number) : 0;
}
