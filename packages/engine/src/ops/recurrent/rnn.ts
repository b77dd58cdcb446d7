import { addRecurrent, clamp, projectInputs, timeOf, transpose, type Activation } from './activations';

/**
 * One direction of ONNX's RNN in Float32Array loops: h' = f(x·Wᵀ + h·Rᵀ + Wb + Rb), clip bounding f's
 * input; lengths, reverse and Y as in lstm.ts.
 */
export interface RnnDirection {
  readonly x: Float32Array;
  readonly steps: number;
  readonly batch: number;
  readonly inputSize: number;
  readonly hidden: number;
  /** W [H, inputSize] and R [H, H] of this direction. */
  readonly w: Float32Array;
  readonly r: Float32Array;
  /** [Wb (H), Rb (H)], or undefined for zeros. */
  readonly bias: Float32Array | undefined;
  readonly lengths: ArrayLike<number>;
  readonly h0: Float32Array;
  readonly clip: number;
  readonly reverse: boolean;
  readonly activations: readonly [Activation];
  readonly y: Float32Array | undefined;
  readonly yOffset: number;
  readonly yStride: number;
}

export function rnnDirection(d: RnnDirection): { readonly h: Float32Array } {
  const { steps, batch, hidden: H, lengths, clip } = d;
  const [f] = d.activations;
  const bias = d.bias ? d.bias.subarray(0, H).map((v, i) => v + (d.bias?.[H + i] as number)) : undefined;
  const xw = projectInputs(d.x, steps * batch, d.inputSize, d.w, H, bias);
  const rt = transpose(d.r, H, H);
  const h = d.h0.slice();
  const pre = new Float32Array(H);
  for (let s = 0; s < steps; s++) {
    for (let b = 0; b < batch; b++) {
      const length = lengths[b] as number;
      if (s >= length) continue;
      const t = timeOf(s, length, d.reverse);
      const row = b * H;
      pre.set(xw.subarray((t * batch + b) * H, (t * batch + b + 1) * H));
      addRecurrent(h, row, H, rt, H, pre);
      for (let j = 0; j < H; j++) h[row + j] = f(clamp(pre[j] as number, clip));
      if (d.y) d.y.set(h.subarray(row, row + H), d.yOffset + t * d.yStride + row);
    }
  }
  return { h };
}
