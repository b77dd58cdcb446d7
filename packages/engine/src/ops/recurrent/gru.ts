import { addRecurrent, clamp, projectInputs, type Activation } from './activations';
import { eachStep, type DirectionInput } from './direction';

/**
 * One direction of ONNX's GRU in Float32Array loops (gate order z, r, h as ONNX stores them):
 *   z = f(x·Wzᵀ + h·Rzᵀ + Wbz + Rbz)     r = f(x·Wrᵀ + h·Rrᵀ + Wbr + Rbr)
 *   ĥ = g(x·Whᵀ + (r⊙h)·Rhᵀ + Rbh + Wbh)            (linear_before_reset = 0)
 *   ĥ = g(x·Whᵀ + r⊙(h·Rhᵀ + Rbh) + Wbh)            (linear_before_reset ≠ 0)
 *   h' = (1 − z)⊙ĥ + z⊙h
 * clip bounds every activation's input; lengths, reverse and Y as direction.ts says.
 */
export interface GruDirection extends DirectionInput {
  readonly linearBeforeReset: boolean;
  readonly activations: readonly [Activation, Activation];
}

export function gruDirection(d: GruDirection): { readonly h: Float32Array } {
  const { steps, batch, hidden: H, lengths, clip } = d;
  const [f, g] = d.activations;
  const gates = 3 * H;
  const wb = d.bias?.subarray(0, gates);
  const rb = d.bias?.subarray(gates, 2 * gates);
  const xw = projectInputs(d.x, steps * batch, d.inputSize, d.w, gates, wb);
  // z and r take h·[Rz; Rr]ᵀ; the candidate takes (r⊙h)·Rhᵀ, or r⊙(h·Rhᵀ + Rbh): Rh is R's last H rows.
  const rh = d.r.subarray(2 * H * H);
  const h = d.h0.slice();
  const pre = new Float32Array(gates);
  const hr = new Float32Array(gates);
  const reset = new Float32Array(H);
  eachStep(d, (t, b) => {
    const row = b * H;
    const x = xw.subarray((t * batch + b) * gates, (t * batch + b + 1) * gates);
    if (d.linearBeforeReset) {
      hr.fill(0);
      addRecurrent(h, row, H, d.r, gates, hr);
    } else {
      hr.fill(0, 0, 2 * H);
      addRecurrent(h, row, H, d.r, 2 * H, hr);
    }
    for (let j = 0; j < 2 * H; j++) pre[j] = f(clamp((x[j] as number) + (hr[j] as number) + (rb ? (rb[j] as number) : 0), clip));
    if (!d.linearBeforeReset) {
      for (let j = 0; j < H; j++) reset[j] = (pre[H + j] as number) * (h[row + j] as number);
      const candidate = hr.subarray(2 * H);
      candidate.fill(0);
      addRecurrent(reset, 0, H, rh, H, candidate);
    }
    for (let j = 0; j < H; j++) {
      const rbh = rb ? (rb[2 * H + j] as number) : 0;
      const recurrent = d.linearBeforeReset ? (pre[H + j] as number) * ((hr[2 * H + j] as number) + rbh) : (hr[2 * H + j] as number) + rbh;
      const candidate = g(clamp((x[2 * H + j] as number) + recurrent, clip));
      const z = pre[j] as number;
      h[row + j] = (1 - z) * candidate + z * (h[row + j] as number);
    }
    if (d.y) d.y.set(h.subarray(row, row + H), d.yOffset + t * d.yStride + row);
  });
  return { h };
}
