import { addRecurrent, clamp, projectInputs, summedBias, type Activation } from './activations';
import { eachStep, type DirectionInput } from './direction';

/**
 * One direction of ONNX's RNN in Float32Array loops: h' = f(x·Wᵀ + h·Rᵀ + Wb + Rb), clip bounding f's
 * input; lengths, reverse and Y as direction.ts says.
 */
export interface RnnDirection extends DirectionInput {
  readonly activations: readonly [Activation];
}

export function rnnDirection(d: RnnDirection): { readonly h: Float32Array } {
  const { steps, batch, hidden: H, lengths, clip } = d;
  const [f] = d.activations;
  const xw = projectInputs(d.x, steps * batch, d.inputSize, d.w, H, summedBias(d.bias, H));
  const h = d.h0.slice();
  const pre = new Float32Array(H);
  eachStep(d, (t, b) => {
    const row = b * H;
    pre.set(xw.subarray((t * batch + b) * H, (t * batch + b + 1) * H));
    addRecurrent(h, row, H, d.r, H, pre);
    for (let j = 0; j < H; j++) h[row + j] = f(clamp(pre[j] as number, clip));
    if (d.y) d.y.set(h.subarray(row, row + H), d.yOffset + t * d.yStride + row);
  });
  return { h };
}
