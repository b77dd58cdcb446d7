import { addRecurrent, clamp, projectInputs, summedBias, type Activation } from './activations';
import { eachStep, type DirectionInput } from './direction';

/**
 * One direction of ONNX's LSTM in Float32Array loops (gate order i, o, f, c as ONNX stores them):
 *   i = f(x·Wiᵀ + h·Riᵀ + Pi⊙c + Wbi + Rbi)      f = f(… Pf⊙c …), or 1 − i with input_forget
 *   g = g(x·Wcᵀ + h·Rcᵀ + Wbc + Rbc)             c' = f⊙c + i⊙g
 *   o = f(x·Woᵀ + h·Roᵀ + Po⊙c' + Wbo + Rbo)     h' = o⊙h(c')
 * clip bounds every activation's input; lengths, reverse and Y as direction.ts says. The kernel path
 * (kernel-path.ts) runs the same equations on WebAssembly where it can: this takes and returns flat arrays only.
 */
export interface LstmDirection extends DirectionInput {
  /** [Pi, Po, Pf] (3H), or undefined for none. */
  readonly peepholes: Float32Array | undefined;
  /** Initial c [batch, H]. */
  readonly c0: Float32Array;
  readonly inputForget: boolean;
  readonly activations: readonly [Activation, Activation, Activation];
}

export function lstmDirection(d: LstmDirection): { readonly h: Float32Array; readonly c: Float32Array } {
  const { steps, batch, hidden: H, lengths, clip, peepholes: P } = d;
  const [f, g, hAct] = d.activations;
  const gates = 4 * H;
  const xw = projectInputs(d.x, steps * batch, d.inputSize, d.w, gates, summedBias(d.bias, gates));
  const h = d.h0.slice();
  const c = d.c0.slice();
  const pre = new Float32Array(gates);
  eachStep(d, (t, b) => {
    pre.set(xw.subarray((t * batch + b) * gates, (t * batch + b + 1) * gates));
    addRecurrent(h, b * H, H, d.r, gates, pre);
    const row = b * H;
    for (let j = 0; j < H; j++) {
      const cPrev = c[row + j] as number;
      const i = f(clamp((pre[j] as number) + (P ? (P[j] as number) * cPrev : 0), clip));
      const forget = d.inputForget ? 1 - i : f(clamp((pre[2 * H + j] as number) + (P ? (P[2 * H + j] as number) * cPrev : 0), clip));
      const cell = g(clamp(pre[3 * H + j] as number, clip));
      const cNext = forget * cPrev + i * cell;
      const o = f(clamp((pre[H + j] as number) + (P ? (P[H + j] as number) * cNext : 0), clip));
      c[row + j] = cNext;
      h[row + j] = o * hAct(cNext);
    }
    if (d.y) d.y.set(h.subarray(row, row + H), d.yOffset + t * d.yStride + row);
  });
  return { h, c };
}
