/**
 * Decoding a sequence from a decoder step, the same everywhere: the library (tfjs) and the runtime
 * (onnxruntime) hand these searches their own step function, so the same scores give the same tokens and
 * n-best lists in both. An entry of its own (`@unfold/core/decoding`, no tfjs).
 *
 * A decoder is a step over rows (one row per hypothesis): given each row's previous token and the state,
 * the log-probabilities of the next token, log softmax of the logits, [rows × V], and the next state.
 * The first previous token is <bos>; a row ends when it chooses <eos> or after `maxLength` tokens.
 *
 *   greedy / sample  (`sampleSearch`) one row per source; each step picks with `chooseToken` (sampling.ts):
 *                    the argmax, or a draw after temperature, top-k and top-p from one seeded stream,
 *                    drawn for the unfinished rows in row order
 *   beam             (`beamSearch`) `width` rows per source (Graves 2012; Sutskever et al. 2014). Each step
 *                    extends every live hypothesis by every token and ranks the extensions by total
 *                    log-probability (ties: lower row, then lower token first); an extension by <eos>
 *                    among the first `width` finishes, and the first `width` others stay alive (so
 *                    width 1 is greedy search). A source is
 *                    done once `width` hypotheses have finished and no live one can still score better
 *                    than the width-th best of them (`settled`); at `maxLength` the live ones finish as
 *                    they are. Finished hypotheses are ranked by log P / lp(n) with the length penalty
 *                    lp(n) = ((5 + n) / 6)^α (Wu et al. 2016), n counting the <eos>; α = 0 ranks by log P.
 *
 * A hypothesis's `tokens` exclude <bos> and <eos>; `logProb` is the model's log-probability of them and the
 * <eos> (when it ended), whatever the temperature; `score` is the ranking value (beam), or `logProb`.
 */
import { chooseToken, createTokenRng, readSamplingRequest, type TokenSampling } from './sampling';
import { BOS_ID, EOS_ID } from './tokenizer';

export interface DecoderStepResult<S> {
  /** [rows × V] row-major log-probabilities of the next token. */
  readonly logProbs: Float32Array;
  readonly state: S;
}

/**
 * A decoder seen by the searches. `step` and `select` consume the state they are given (a tfjs state may
 * dispose it), so the searches never use a state twice.
 */
export interface SearchDecoder<S> {
  /** V: tokens scored per row. */
  readonly vocabulary: number;
  step(previous: Int32Array, state: S): DecoderStepResult<S> | Promise<DecoderStepResult<S>>;
  /** The state of rows `rows` (indices into the current rows, repeats allowed), in that order. */
  select(state: S, rows: Int32Array): S | Promise<S>;
  /** Releases a state the search no longer needs (optional). */
  release?(state: S): void;
}

export interface Hypothesis {
  readonly tokens: readonly number[];
  readonly logProb: number;
  readonly score: number;
  /** Whether it ended with <eos> (false: cut at maxLength). */
  readonly finished: boolean;
}

export interface SampleSearchOptions {
  readonly maxLength: number;
  readonly sampling: TokenSampling;
  /** Safe non-negative integer (default 0). */
  readonly seed?: number;
  /** Called with each token as it is chosen (row, id; <eos> included), in row order within a step. */
  readonly onToken?: (row: number, token: number) => void;
}

/** Greedy or sampled decoding: one hypothesis per source row. */
export async function sampleSearch<S>(decoder: SearchDecoder<S>, initial: S, rows: number, options: SampleSearchOptions): Promise<Hypothesis[]> {
  const V = decoder.vocabulary;
  const rng = createTokenRng(options.seed ?? 0);
  const tokens: number[][] = Array.from({ length: rows }, () => []);
  const logProbs = new Float64Array(rows);
  const finished = new Array<boolean>(rows).fill(false);
  const previous = new Int32Array(rows).fill(BOS_ID);
  let state = initial;
  for (let t = 0; t < options.maxLength && finished.some((done) => !done); t++) {
    const result = await decoder.step(previous, state);
    state = result.state;
    for (let r = 0; r < rows; r++) {
      if (finished[r]) continue;
      const row = result.logProbs.subarray(r * V, (r + 1) * V);
      const id = chooseToken(row, 'logits', options.sampling, rng);
      logProbs[r] = (logProbs[r] as number) + (row[id] as number);
      previous[r] = id;
      options.onToken?.(r, id);
      if (id === EOS_ID) finished[r] = true;
      else tokens[r]?.push(id);
    }
  }
  decoder.release?.(state);
  return tokens.map((list, r) => ({ tokens: list, logProb: logProbs[r] as number, score: logProbs[r] as number, finished: finished[r] as boolean }));
}

export interface BeamSearchOptions {
  readonly maxLength: number;
  /** Hypotheses kept per source, ≥ 1. */
  readonly width: number;
  /** Length penalty exponent α ≥ 0 (default 0.6). */
  readonly alpha?: number;
  /** Hypotheses returned per source, 1 ≤ nBest ≤ width (default width). */
  readonly nBest?: number;
}

/** lp(n) = ((5 + n) / 6)^α. */
export function lengthPenalty(length: number, alpha: number): number {
  return ((5 + length) / 6) ** alpha;
}

/**
 * A source is settled when `width` hypotheses have finished and none of the live ones can still beat the
 * worst of the best `width` finished: a live hypothesis's score is at most its log-probability now over
 * the length penalty of ending at the next step (log-probabilities only fall; with α > 0 a longer ending
 * divides by more, which this bound ignores, as Wu et al.'s and most implementations' heuristic does).
 */
function settled(finished: readonly Hypothesis[], alive: readonly Live[], width: number, alpha: number): boolean {
  if (finished.length < width) return false;
  const worstKept = [...finished].sort((x, y) => y.score - x.score)[width - 1] as Hypothesis;
  const bestLive = Math.max(...alive.map((hyp) => hyp.logProb / lengthPenalty(hyp.tokens.length + 1, alpha)));
  return bestLive <= worstKept.score;
}

interface Live {
  readonly tokens: number[];
  readonly logProb: number;
  /** Row of the parent in the previous step's rows. */
  readonly parent: number;
}

/** Beam search: per source, the n best hypotheses, best first. `initial` has one row per source. */
export async function beamSearch<S>(decoder: SearchDecoder<S>, initial: S, sources: number, options: BeamSearchOptions): Promise<Hypothesis[][]> {
  const V = decoder.vocabulary;
  const K = options.width;
  const alpha = options.alpha ?? 0.6;
  const nBest = options.nBest ?? K;
  const rank = (tokens: readonly number[], logProb: number, ended: boolean): Hypothesis => ({ tokens, logProb, score: logProb / lengthPenalty(tokens.length + (ended ? 1 : 0), alpha), finished: ended });
  // Each source's K rows start as copies of its encoding; only the first is alive, so the first step does not pick K copies of one token.
  let state = await decoder.select(initial, Int32Array.from({ length: sources * K }, (_, i) => Math.floor(i / K)));
  let beams: Live[][] = Array.from({ length: sources }, (_, b) => [{ tokens: [], logProb: 0, parent: b * K }]);
  const finished: Hypothesis[][] = Array.from({ length: sources }, () => []);
  const done = new Array<boolean>(sources).fill(false);
  for (let t = 0; t < options.maxLength && done.some((d) => !d); t++) {
    const previous = new Int32Array(sources * K).fill(EOS_ID);
    beams.forEach((beam, b) => beam.forEach((hyp, k) => (previous[b * K + k] = hyp.tokens.length > 0 ? (hyp.tokens[hyp.tokens.length - 1] as number) : BOS_ID)));
    const result = await decoder.step(previous, state);
    const parents = new Int32Array(sources * K);
    const next: Live[][] = beams.map((beam, b) => {
      if (done[b]) {
        parents.fill(b * K, b * K, (b + 1) * K);
        return beam;
      }
      const candidates: { k: number; v: number; logProb: number }[] = [];
      beam.forEach((hyp, k) => {
        const row = (b * K + k) * V;
        for (let v = 0; v < V; v++) {
          const lp = result.logProbs[row + v] as number;
          if (Number.isFinite(lp)) candidates.push({ k, v, logProb: hyp.logProb + lp });
        }
      });
      candidates.sort((x, y) => y.logProb - x.logProb || x.k - y.k || x.v - y.v);
      const alive: Live[] = [];
      candidates.slice(0, 2 * K).forEach((c, order) => {
        const hyp = beam[c.k] as Live;
        if (c.v === EOS_ID) {
          if (order < K) finished[b]?.push(rank(hyp.tokens, c.logProb, true));
        } else if (alive.length < K) alive.push({ tokens: [...hyp.tokens, c.v], logProb: c.logProb, parent: b * K + c.k });
      });
      if (alive.length === 0 || settled(finished[b] ?? [], alive, K, alpha)) done[b] = true;
      for (let k = 0; k < K; k++) parents[b * K + k] = alive[k]?.parent ?? b * K;
      return alive;
    });
    beams = next;
    state = await decoder.select(result.state, parents);
  }
  decoder.release?.(state);
  return finished.map((list, b) => {
    const all = done[b] ? list : [...list, ...(beams[b] ?? []).map((hyp) => rank(hyp.tokens, hyp.logProb, false))];
    return all
      .map((hyp, order) => ({ hyp, order }))
      .sort((x, y) => y.hyp.score - x.hyp.score || x.order - y.order)
      .slice(0, nBest)
      .map((entry) => entry.hyp);
  });
}

/** How to decode, as the library and the runtime run it. */
export type DecodeStrategy =
  | { readonly strategy: 'greedy'; readonly maxLength: number }
  | { readonly strategy: 'sample'; readonly maxLength: number; readonly sampling: TokenSampling; readonly seed: number }
  | { readonly strategy: 'beam'; readonly maxLength: number; readonly width: number; readonly alpha: number; readonly nBest: number };

/** How callers ask for decoding (the library's `translate`, the runtime's `generate` request). */
export interface DecodeRequest {
  /** `greedy` (default), `beam` or `sample`. */
  readonly strategy?: 'greedy' | 'beam' | 'sample';
  /** Tokens to produce at most, <eos> included (1 ≤ maxLength ≤ the limit). */
  readonly maxLength?: number;
  /** Beam: hypotheses kept (1 ≤ beamWidth ≤ the limit; default 4). */
  readonly beamWidth?: number;
  /** Beam: the length penalty exponent α ≥ 0 (default 0.6). */
  readonly alpha?: number;
  /** Beam: hypotheses returned, 1 ≤ nBest ≤ beamWidth (default 1). */
  readonly nBest?: number;
  /** Sample: see SamplingRequest. */
  readonly temperature?: number;
  readonly topK?: number;
  readonly topP?: number;
  readonly seed?: number;
}

export interface DecodeLimits {
  readonly maxLength: number;
  readonly maxBeamWidth: number;
}

export const DEFAULT_DECODE_LIMITS: DecodeLimits = Object.freeze({ maxLength: 512, maxBeamWidth: 16 });

/** A request value that is wrong; the caller turns it into its own error type. */
export interface DecodeProblem {
  readonly field: string;
  readonly summary: string;
  readonly expected: string;
  readonly fix?: string;
}

const SAMPLE_ONLY = ['temperature', 'topK', 'topP', 'seed'] as const;
const BEAM_ONLY = ['beamWidth', 'alpha', 'nBest'] as const;

function integerIn(value: unknown, low: number, high: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= low && value <= high;
}

/** Checks a DecodeRequest's values (untrusted: any types) against a vocabulary and limits; the strategy, or the first problem. */
export function readDecodeRequest(request: Readonly<Record<string, unknown>>, vocabulary: number, defaultMaxLength: number, limits: DecodeLimits = DEFAULT_DECODE_LIMITS): DecodeStrategy | DecodeProblem {
  const { strategy = 'greedy', maxLength = Math.min(defaultMaxLength, limits.maxLength) } = request;
  if (strategy !== 'greedy' && strategy !== 'beam' && strategy !== 'sample') return { field: 'strategy', summary: 'unknown strategy', expected: '"greedy", "beam" or "sample"' };
  if (!integerIn(maxLength, 1, limits.maxLength)) return { field: 'maxLength', summary: 'invalid maxLength', expected: `an integer in [1, ${limits.maxLength}]`, fix: 'ask for fewer tokens, or raise the limit' };
  const misplaced = [...(strategy === 'sample' ? [] : SAMPLE_ONLY), ...(strategy === 'beam' ? [] : BEAM_ONLY)].find((key) => request[key] !== undefined);
  if (misplaced) return { field: misplaced, summary: `${misplaced} does not apply to strategy "${strategy}"`, expected: `${(BEAM_ONLY as readonly string[]).includes(misplaced) ? 'strategy "beam"' : 'strategy "sample"'} for ${misplaced}`, fix: 'leave it out, or change the strategy' };
  if (strategy === 'greedy') return { strategy, maxLength };
  if (strategy === 'beam') {
    const { beamWidth = 4, alpha = 0.6 } = request;
    if (!integerIn(beamWidth, 1, limits.maxBeamWidth)) return { field: 'beamWidth', summary: 'invalid beamWidth', expected: `an integer in [1, ${limits.maxBeamWidth}]` };
    if (typeof alpha !== 'number' || !Number.isFinite(alpha) || alpha < 0) return { field: 'alpha', summary: 'invalid alpha', expected: 'a finite number ≥ 0 (0: rank by log-probability alone)' };
    const nBest = request.nBest ?? 1;
    if (!integerIn(nBest, 1, beamWidth)) return { field: 'nBest', summary: 'invalid nBest', expected: `an integer in [1, ${beamWidth}] (the beam width)` };
    return { strategy, maxLength, width: beamWidth, alpha, nBest };
  }
  const sampled = readSamplingRequest({ ...request, strategy: 'sample' }, vocabulary);
  if ('field' in sampled) return sampled;
  return { strategy, maxLength, sampling: sampled.sampling, seed: sampled.seed };
}
