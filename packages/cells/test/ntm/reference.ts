import { sigmoid, tanh, type CellReference } from '@unfold/testing';
import type { NtmConfig } from '../../src/ntm/ntm';

/**
 * `ntm` in float64 plain JS, written from the equations in src/ntm/ntm.ts and independent of it (loops,
 * no matrices; the LSTM controller written out too, not the lstm cell's step): one sequence at a time, weightings as arrays of heads, each an array of N numbers.
 */
export const NORM_EPSILON = 1e-8;
export const SHARPEN_EPSILON = 1e-6;

export function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

export function softmax(z: readonly number[]): number[] {
  const top = Math.max(...z);
  const e = z.map((v) => Math.exp(v - top));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/** (3)–(4): one head's key [M], memory rows [N][M], key strength β. */
export function contentWeighting(key: readonly number[], memory: readonly (readonly number[])[], beta: number): number[] {
  const keyNorm = Math.sqrt(key.reduce((a, v) => a + v * v, 0) + NORM_EPSILON);
  return softmax(memory.map((row) => {
    const dot = row.reduce((a, v, m) => a + v * (key[m] as number), 0);
    const rowNorm = Math.sqrt(row.reduce((a, v) => a + v * v, 0) + NORM_EPSILON);
    return beta * (dot / (keyNorm * rowNorm));
  }));
}

/** (5), the previous weighting's missing mass 1 − Σ w at slot 0. */
export function interpolate(g: number, content: readonly number[], previous: readonly number[]): number[] {
  const missing = 1 - previous.reduce((a, v) => a + v, 0);
  return content.map((c, n) => g * c + (1 - g) * ((previous[n] as number) + (n === 0 ? missing : 0)));
}

/** (6): s over shifts −S..S (length 2S+1). */
export function circularShift(w: readonly number[], s: readonly number[]): number[] {
  const N = w.length;
  const range = (s.length - 1) / 2;
  return w.map((_, n) => {
    let sum = 0;
    for (let j = 0; j < s.length; j++) sum += (s[j] as number) * (w[((((n - (j - range)) % N) + N) % N)] as number);
    return sum;
  });
}

/** (7). */
export function sharpen(w: readonly number[], gamma: number): number[] {
  const powered = w.map((v) => Math.pow(Math.max(v, 0) + SHARPEN_EPSILON, gamma));
  const sum = powered.reduce((a, b) => a + b, 0);
  return powered.map((v) => v / sum);
}

function affine(W: Float64Array, b: Float64Array, rows: number, input: readonly number[]): number[] {
  const cols = input.length;
  return Array.from({ length: rows }, (_, j) => {
    let sum = b[j] as number;
    for (let c = 0; c < cols; c++) sum += (W[j * cols + c] as number) * (input[c] as number);
    return sum;
  });
}

interface SequenceState {
  memory: number[][];
  weights: number[][]; // K heads, read heads first
  reads: number[]; // R·M
  controller: number[][]; // [h, c] of the LSTM controller, none for the feed-forward one
}

/** (1) or (1'): the controller's h on u = [x, rₜ₋₁]; updates the LSTM controller's [h, c] in `state`. */
function controllerOutput(params: Record<string, Float64Array>, config: NtmConfig, u: readonly number[], state: SequenceState): number[] {
  const H = config.controllerSize;
  if (config.controller !== 'lstm') return affine(params.Wc as Float64Array, params.bc as Float64Array, H, u).map(tanh);
  const [hPrev, cPrev] = state.controller as [number[], number[]];
  const bias = params.bc as Float64Array;
  const fromInput = affine(params.Wc as Float64Array, bias.subarray(0, 4 * H), 4 * H, u);
  const fromState = affine(params.Uc as Float64Array, bias.subarray(4 * H), 4 * H, hPrev);
  const gate = (g: number, j: number) => (fromInput[g * H + j] as number) + (fromState[g * H + j] as number); // gates i, o, f, c
  const c = cPrev.map((cj, j) => sigmoid(gate(2, j)) * cj + sigmoid(gate(0, j)) * tanh(gate(3, j)));
  const h = c.map((cj, j) => sigmoid(gate(1, j)) * tanh(cj));
  state.controller = [h, c];
  return h;
}

/** One step of one sequence; returns the output [O] and updates `state`. */
export function referenceStep(params: Record<string, Float64Array>, config: NtmConfig, x: readonly number[], state: SequenceState): number[] {
  const { memorySlots: N, memoryWidth: M, readHeads: R, writeHeads: W, outputSize: O } = config;
  const K = R + W;
  const S = 2 * config.shiftRange + 1;
  const h = controllerOutput(params, config, [...x, ...state.reads], state);
  const p = affine(params.Wh as Float64Array, params.bh as Float64Array, params.bh?.length as number, h);
  let at = 0;
  const take = (size: number) => {
    const part = p.slice(at, at + size);
    at += size;
    return part;
  };
  const keys = take(K * M).map(tanh);
  const betas = take(K).map(softplus);
  const gates = take(K).map(sigmoid);
  const shifts = take(K * S);
  const gammas = take(K).map((v) => 1 + softplus(v));
  const erase = take(W * M).map(sigmoid);
  const add = take(W * M).map(tanh);
  const weights = Array.from({ length: K }, (_, i) => {
    const content = contentWeighting(keys.slice(i * M, (i + 1) * M), state.memory, betas[i] as number);
    const gated = interpolate(gates[i] as number, content, state.weights[i] as number[]);
    const shifted = circularShift(gated, softmax(shifts.slice(i * S, (i + 1) * S)));
    return sharpen(shifted, gammas[i] as number);
  });
  const memory = state.memory.map((row, n) =>
    row.map((v, m) => {
      let kept = v;
      for (let j = 0; j < W; j++) kept *= 1 - (weights[R + j]?.[n] as number) * (erase[j * M + m] as number);
      let added = 0;
      for (let j = 0; j < W; j++) added += (weights[R + j]?.[n] as number) * (add[j * M + m] as number);
      return kept + added;
    }),
  );
  const reads: number[] = [];
  for (let i = 0; i < R; i++) for (let m = 0; m < M; m++) reads.push(memory.reduce((a, row, n) => a + (weights[i]?.[n] as number) * (row[m] as number), 0));
  state.memory = memory;
  state.weights = weights;
  state.reads = reads;
  void N;
  return affine(params.Wy as Float64Array, params.by as Float64Array, O, [...h, ...reads]);
}

/** The whole cell over x [T, B, I] (time-major), states [B, ...shape] flat. */
export const ntmReference: CellReference<NtmConfig> = (params, x, state0, config, dims) => {
  const { T, B } = dims;
  const { inputSize: I, outputSize: O, memorySlots: N, memoryWidth: M, readHeads: R, writeHeads: W } = config;
  const [memory0, read0, write0, reads0, h0, c0] = state0 as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array?, Float64Array?];
  const H = config.controllerSize;
  const rows = (flat: Float64Array, b: number, count: number, width: number) => Array.from({ length: count }, (_, i) => Array.from(flat.subarray((b * count + i) * width, (b * count + i + 1) * width)));
  const states: SequenceState[] = Array.from({ length: B }, (_, b) => ({
    memory: rows(memory0, b, N, M),
    weights: [...rows(read0, b, R, N), ...rows(write0, b, W, N)],
    reads: Array.from(reads0.subarray(b * R * M, (b + 1) * R * M)),
    controller: h0 && c0 ? [Array.from(h0.subarray(b * H, (b + 1) * H)), Array.from(c0.subarray(b * H, (b + 1) * H))] : [],
  }));
  const outputs = new Float64Array(T * B * O);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const row = t * B + b;
      outputs.set(referenceStep(params as Record<string, Float64Array>, config, Array.from(x.subarray(row * I, (row + 1) * I)), states[b] as SequenceState), row * O);
    }
  }
  return {
    outputs,
    state: [
      Float64Array.from(states.flatMap((s) => s.memory.flat())),
      Float64Array.from(states.flatMap((s) => s.weights.slice(0, R).flat())),
      Float64Array.from(states.flatMap((s) => s.weights.slice(R).flat())),
      Float64Array.from(states.flatMap((s) => s.reads)),
      ...(config.controller === 'lstm' ? [0, 1].map((i) => Float64Array.from(states.flatMap((s) => s.controller[i] as number[]))) : []),
    ],
  };
};
