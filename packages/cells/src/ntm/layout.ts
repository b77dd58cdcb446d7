/** Sizes, constants and the weight layout of `ntm` (equations in ntm.ts), shared by the step and the ONNX mapping. */
import type { NtmConfig } from './ntm';

/** ε inside the norms of the cosine similarity (3). */
export const NTM_NORM_EPSILON = 1e-8;
/** ε_w added before the log of the sharpening (7). */
export const NTM_SHARPEN_EPSILON = 1e-6;

/** Sizes derived from a config. */
export interface NtmSizes {
  readonly I: number;
  readonly O: number;
  readonly H: number;
  readonly N: number;
  readonly M: number;
  readonly R: number;
  readonly W: number;
  readonly K: number;
  /** Shifts, 2S+1. */
  readonly S: number;
  /** Rows of Wh. */
  readonly P: number;
  /** [start, size] of each quantity in the head projection p. */
  readonly slices: Readonly<Record<'k' | 'beta' | 'g' | 's' | 'gamma' | 'e' | 'a', readonly [number, number]>>;
}

export function ntmSizes(config: NtmConfig): NtmSizes {
  const { inputSize: I, outputSize: O, controllerSize: H, memorySlots: N, memoryWidth: M, readHeads: R, writeHeads: W } = config;
  const K = R + W;
  const S = 2 * config.shiftRange + 1;
  const sizes: [keyof NtmSizes['slices'], number][] = [['k', K * M], ['beta', K], ['g', K], ['s', K * S], ['gamma', K], ['e', W * M], ['a', W * M]];
  const slices: Record<string, [number, number]> = {};
  let start = 0;
  for (const [name, size] of sizes) {
    slices[name] = [start, size];
    start += size;
  }
  return { I, O, H, N, M, R, W, K, S, P: start, slices: slices as unknown as NtmSizes['slices'] };
}

/**
 * The permutation that rolls a weighting by every shift: column j·N + n of the [N, (2S+1)·N] 0/1 matrix
 * has its 1 at row (n − δ) mod N, δ = j − S, so (w · P)[j·N + n] = w((n − δ) mod N), equation (6).
 */
export function shiftPermutation(N: number, shiftRange: number): Float32Array {
  const S = 2 * shiftRange + 1;
  const data = new Float32Array(N * S * N);
  for (let j = 0; j < S; j++) {
    const delta = j - shiftRange;
    for (let n = 0; n < N; n++) data[(((((n - delta) % N) + N) % N) * S * N) + j * N + n] = 1;
  }
  return data;
}

