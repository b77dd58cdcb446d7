import { ConfigError } from './errors';
import { Rng } from './rng';

/**
 * What a model does with its own outputs where it feeds them back as inputs (an output-feedback forecaster,
 * a language model, a seq2seq decoder), Bengio et al. 2015:
 *
 * - `teacher-forcing`: the next input is the ground truth (the usual training mode);
 * - `free-running`: the next input is the model's own prediction (as at generation time);
 * - `scheduled-sampling`: the ground truth with probability `truthProbability` (ε), else the prediction,
 *   drawn per sequence and step from the context's seeded `rng`.
 */
export type DecoderInputPolicy =
  | { readonly kind: 'teacher-forcing' }
  | { readonly kind: 'free-running' }
  | { readonly kind: 'scheduled-sampling'; readonly truthProbability: number };

/**
 * What a forward pass knows beyond its inputs, passed to every `step` and `forward`: whether it trains
 * (dropout is on, decoders follow `decoderInputs`), a seeded random stream for anything stochastic, and the
 * optimizer step (for schedules). Plugins keep no mutable state: everything per-call lives here.
 */
export interface ForwardContext {
  readonly training: boolean;
  /** Seeded; a training loop forks it per step, so a run is reproducible. */
  readonly rng: Rng;
  /** Optimizer steps taken so far (0 at inference). */
  readonly step: number;
  readonly decoderInputs: DecoderInputPolicy;
}

const TEACHER_FORCING: DecoderInputPolicy = Object.freeze({ kind: 'teacher-forcing' });

/**
 * The context of inference: not training, step 0, a fixed-seed rng (nothing should draw from it), and
 * teacher forcing: inputs given to a forward pass are used as given (a decoder scores the target it is
 * handed). Free-running generation is the decoding loops' business (`freeRun`, rollout, generate), or
 * ask for it explicitly with `{ ...inferenceContext(), decoderInputs: { kind: 'free-running' } }`.
 */
export function inferenceContext(): ForwardContext {
  return Object.freeze({ training: false, rng: new Rng(0), step: 0, decoderInputs: TEACHER_FORCING });
}

export interface TrainingContextOptions {
  readonly seed?: number | string;
  readonly step?: number;
  readonly decoderInputs?: DecoderInputPolicy;
}

/** A training context: teacher forcing unless told otherwise; the rng is forked from the seed by step. */
export function trainingContext(options: TrainingContextOptions = {}): ForwardContext {
  const step = options.step ?? 0;
  const decoderInputs = checkPolicy(options.decoderInputs ?? TEACHER_FORCING, 'trainingContext');
  return Object.freeze({ training: true, rng: new Rng(options.seed ?? 0).fork(`step ${step}`), step, decoderInputs });
}

/** Checks a policy from user input: a known kind, and for scheduled sampling 0 <= ε <= 1. */
export function checkPolicy(policy: DecoderInputPolicy, where: string): DecoderInputPolicy {
  const kind = (policy as { kind?: unknown } | undefined)?.kind;
  if (kind === 'teacher-forcing' || kind === 'free-running') return policy;
  if (kind === 'scheduled-sampling') {
    const p = (policy as { truthProbability?: unknown }).truthProbability;
    if (typeof p === 'number' && p >= 0 && p <= 1) return policy;
    throw new ConfigError('invalid scheduled-sampling probability', { where, expected: 'truthProbability in [0, 1] (the probability of feeding the ground truth)', got: String(p) });
  }
  throw new ConfigError('unknown decoder-input policy', { where, expected: '{ kind: "teacher-forcing" | "free-running" | "scheduled-sampling", truthProbability? }', got: JSON.stringify(policy) });
}

/**
 * Whether this position feeds the ground truth (true) or the model's prediction (false). Scheduled sampling
 * draws one uniform number from `rng` per call, so callers draw in a fixed order (step-major, then batch).
 */
export function feedsTruth(context: ForwardContext): boolean {
  const policy = context.decoderInputs;
  if (policy.kind === 'teacher-forcing') return true;
  if (policy.kind === 'free-running') return false;
  return context.rng.uniform() < policy.truthProbability;
}
