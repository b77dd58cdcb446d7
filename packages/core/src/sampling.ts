/**
 * Choosing a token from a model's scores, the same everywhere: the library's `generate` (tfjs) and the
 * runtime's `rollout` and `generate` (onnxruntime) import this one module, so the same scores and seed give
 * the same token in both. An entry of its own (`@unfold/core/sampling`, no imports, no tfjs).
 *
 * **The generator**: SFC32 (Chris Doty-Humphrey's Small Fast Counting generator, 32-bit) with its 128-bit
 * state filled by SplitMix32 from the seed. The seed is any safe non-negative integer; its low and high
 * 32-bit halves are both mixed in. `next()` returns a float in [0, 1) with 32 random bits (x / 2³²).
 * Reproducing a stream elsewhere takes these twenty lines; nothing depends on Math.random.
 *
 * **The choice** from one row of scores:
 *
 *   scores s_i = log p_i (a softmax head: probabilities) or z_i (a linear head: logits)
 *   greedy:  argmax_i s_i (the lowest index on ties)
 *   sample:  keep the topK largest s_i (lowest index first on ties), w_i = exp((s_i − max s) / T);
 *            topP < 1 (nucleus): order the kept by w_i (largest first, lowest index on ties) and keep the
 *            shortest prefix whose weights reach topP · Σ w (at least one token);
 *            draw u = rng.next() · Σ_kept w and take the first kept i (in index order) with u < Σ_{j ≤ i} w_j
 *
 * Sums run in float64 over the float32 scores, so the same scores and seed give the same token on every
 * engine. Non-finite scores (log 0, a NaN from a broken model) never win: they get weight 0.
 */
export interface TokenRng {
  next(): number;
}

export interface TokenSampling {
  readonly strategy: 'greedy' | 'sample';
  /** > 0; divides the scores before the softmax. */
  readonly temperature: number;
  /** Keep only the k best tokens (null: all). */
  readonly topK: number | null;
  /** Nucleus sampling: keep the most likely tokens up to this probability mass, in (0, 1] (null or absent: 1). */
  readonly topP?: number | null;
}

/** How a generator chooses tokens, as callers write it (the library's `generate`, the runtime's `generate` request). */
export interface SamplingRequest {
  /** `sample` (default) or `greedy` (the most likely token; temperature, topK and topP must be left out). */
  readonly strategy?: 'sample' | 'greedy';
  /** > 0, default 1: below 1 sharpens, above 1 flattens. */
  readonly temperature?: number;
  /** Sample among the k most likely tokens only (1 ≤ k ≤ vocabulary; default all). */
  readonly topK?: number;
  /** Nucleus: sample among the most likely tokens holding this probability mass, in (0, 1] (default 1). */
  readonly topP?: number;
  /** A safe non-negative integer (default 0): the same seed, model and options give the same tokens. */
  readonly seed?: number;
}

/** A value of a SamplingRequest that is wrong: the caller turns it into its own error type. */
export interface SamplingProblem {
  readonly field: keyof SamplingRequest;
  readonly summary: string;
  readonly expected: string;
  readonly fix?: string;
}

/** Checks a SamplingRequest's values (untrusted: any types) against a vocabulary; the sampling and seed, or the first problem. */
export function readSamplingRequest(request: Readonly<Record<string, unknown>>, vocabulary: number): { readonly sampling: TokenSampling; readonly seed: number } | SamplingProblem {
  const { strategy = 'sample', temperature = 1, topK = null, topP = null, seed = 0 } = request;
  if (strategy !== 'sample' && strategy !== 'greedy') return { field: 'strategy', summary: 'unknown strategy', expected: '"sample" or "greedy"' };
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) return { field: 'seed', summary: 'invalid seed', expected: 'a safe non-negative integer' };
  if (strategy === 'greedy') {
    const extra = (['temperature', 'topK', 'topP'] as const).find((k) => request[k] !== undefined);
    if (extra) return { field: extra, summary: `${extra} applies to sampling only`, expected: 'no temperature, topK or topP with strategy "greedy"', fix: 'leave it out, or use strategy "sample"' };
    return { sampling: { strategy, temperature: 1, topK: null }, seed };
  }
  if (typeof temperature !== 'number' || !Number.isFinite(temperature) || temperature <= 0) return { field: 'temperature', summary: 'invalid temperature', expected: 'a finite number > 0 (for the most likely token, strategy "greedy")' };
  if (topK !== null && (typeof topK !== 'number' || !Number.isSafeInteger(topK) || topK < 1 || topK > vocabulary)) return { field: 'topK', summary: 'invalid topK', expected: `an integer in [1, ${vocabulary}] (the vocabulary)` };
  if (topP !== null && (typeof topP !== 'number' || !(topP > 0 && topP <= 1))) return { field: 'topP', summary: 'invalid topP', expected: 'a number in (0, 1]' };
  return { sampling: { strategy, temperature, topK: topK as number | null, topP: topP as number | null }, seed };
}

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export function createTokenRng(seed: number): TokenRng {
  const low = splitmix32(seed >>> 0);
  const high = splitmix32(Math.floor(seed / 2 ** 32) ^ 0x5bd1e995);
  let a = low() ^ high();
  let b = low();
  let c = low();
  let d = 1; // SFC32's counter
  const step = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) step(); // discard the first outputs, which still echo the seed
  return { next: () => step() / 4294967296 };
}

export function chooseToken(row: ArrayLike<number>, kind: 'probabilities' | 'logits', sampling: TokenSampling, rng: TokenRng): number {
  const size = row.length;
  const scores = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const value = row[i] as number;
    const score = kind === 'probabilities' ? Math.log(value) : value;
    scores[i] = Number.isNaN(score) ? -Infinity : score;
  }
  if (sampling.strategy === 'greedy') return argmax(scores);
  let kept = keptIndices(scores, sampling.topK ?? size);
  const best = Math.max(...kept.map((i) => scores[i] as number));
  if (best === -Infinity) return kept[0] as number; // nothing has weight: fall back to the first candidate
  const weightOf = (i: number) => Math.exp(((scores[i] as number) - best) / sampling.temperature);
  if (sampling.topP !== undefined && sampling.topP !== null && sampling.topP < 1) kept = nucleus(kept, weightOf, sampling.topP);
  const weights = kept.map(weightOf);
  const total = weights.reduce((a, b) => a + b, 0);
  const u = rng.next() * total;
  let cumulative = 0;
  for (let k = 0; k < kept.length; k++) {
    cumulative += weights[k] as number;
    if (u < cumulative) return kept[k] as number;
  }
  return kept[kept.length - 1] as number;
}

function argmax(scores: Float64Array): number {
  let best = 0;
  for (let i = 1; i < scores.length; i++) if ((scores[i] as number) > (scores[best] as number)) best = i;
  return best;
}

/** The indices of the k largest scores, in index order (so cumulative sums are taken in a fixed order). */
function keptIndices(scores: Float64Array, k: number): number[] {
  const order = Array.from(scores.keys()).sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b);
  return order.slice(0, k).sort((a, b) => a - b);
}

/** The shortest most-likely prefix of `kept` holding `topP` of its weight (at least one), in index order. */
function nucleus(kept: readonly number[], weightOf: (i: number) => number, topP: number): number[] {
  const order = [...kept].sort((a, b) => weightOf(b) - weightOf(a) || a - b);
  const total = order.reduce((sum, i) => sum + weightOf(i), 0);
  const chosen: number[] = [];
  let mass = 0;
  for (const i of order) {
    chosen.push(i);
    mass += weightOf(i);
    if (mass >= topP * total) break;
  }
  return chosen.sort((a, b) => a - b);
}
