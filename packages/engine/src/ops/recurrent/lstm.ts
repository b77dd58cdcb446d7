import { addRecurrent, clamp, projectInputs, timeOf, transpose, type Activation } from './activations';

/**
 * One direction of ONNX's LSTM in Float32Array loops (gate order i, o, f, c as ONNX stores them):
 *   i = f(x·Wiᵀ + h·Riᵀ + Pi⊙c + Wbi + Rbi)      f = f(… Pf⊙c …), or 1 − i with input_forget
 *   g = g(x·Wcᵀ + h·Rcᵀ + Wbc + Rbc)             c' = f⊙c + i⊙g
 *   o = f(x·Woᵀ + h·Roᵀ + Po⊙c' + Wbo + Rbo)     h' = o⊙h(c')
 * clip bounds every activation's input. Batch row b runs its first lengths[b] steps (backward within them
 * when reversed); past its length its state is carried and its Y is left 0. A WebAssembly path may replace
 * this function: it takes and returns flat arrays only.
 */
export interface LstmDirection {
  /** X [steps, batch, inputSize]. */
  readonly x: Float32Array;
  readonly steps: number;
  readonly batch: number;
  readonly inputSize: number;
  readonly hidden: number;
  /** W [4H, inputSize] and R [4H, H] of this direction. */
  readonly w: Float32Array;
  readonly r: Float32Array;
  /** [Wb (4H), Rb (4H)], or undefined for zeros. */
  readonly bias: Float32Array | undefined;
  /** [Pi, Po, Pf] (3H), or undefined for none. */
  readonly peepholes: Float32Array | undefined;
  /** Steps per batch row. */
  readonly lengths: ArrayLike<number>;
  /** Initial h and c [batch, H]. */
  readonly h0: Float32Array;
  readonly c0: Float32Array;
  /** Activation input bound (Infinity for none). */
  readonly clip: number;
  readonly inputForget: boolean;
  readonly reverse: boolean;
  readonly activations: readonly [Activation, Activation, Activation];
  /** Y to write: y[yOffset + t·yStride + b·H + j], or undefined when Y is not wanted. */
  readonly y: Float32Array | undefined;
  readonly yOffset: number;
  readonly yStride: number;
}

export function lstmDirection(d: LstmDirection): { readonly h: Float32Array; readonly c: Float32Array } {
  const { steps, batch, hidden: H, lengths, clip, peepholes: P } = d;
  const [f, g, hAct] = d.activations;
  const gates = 4 * H;
  const bias = d.bias ? d.bias.subarray(0, gates).map((v, i) => v + (d.bias?.[gates + i] as number)) : undefined;
  const xw = projectInputs(d.x, steps * batch, d.inputSize, d.w, gates, bias);
  const rt = transpose(d.r, gates, H);
  const h = d.h0.slice();
  const c = d.c0.slice();
  const pre = new Float32Array(gates);
  for (let s = 0; s < steps; s++) {
    for (let b = 0; b < batch; b++) {
      const length = lengths[b] as number;
      if (s >= length) continue;
      const t = timeOf(s, length, d.reverse);
      pre.set(xw.subarray((t * batch + b) * gates, (t * batch + b + 1) * gates));
      addRecurrent(h, b * H, H, rt, gates, pre);
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
    }
  }
  return { h, c };
}
