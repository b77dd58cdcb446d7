import { describeValue, RuntimeError } from './errors';
import { checkLimit, type RuntimeLimits } from './limits';
import type { Sequences } from './sequences';
import type { StateMap } from './states';

/**
 * The request objects of an unfold model's operations, and their structural checks (E_REQUEST): a plain
 * object, only known fields, each field of the right kind. Values inside `inputs` and `state` are checked
 * later against the model (shape, dtype, finiteness).
 */

/**
 * `data` (default): inputs are in the units the model was trained on before normalisation, and outputs
 * are returned in them; `normalised`: both are in the model's own units. Only matters for a model whose
 * metadata has `normalisation: { mean, std }`; state is always in model units.
 */
export type Units = 'data' | 'normalised';

export interface PredictRequest {
  /** A batch of sequences: `[[[x…], …], …]` feature steps (a bare number per step when I = 1) or `[[id, …], …]` token ids. */
  readonly inputs: Sequences;
  readonly units?: Units;
}

export interface StreamRequest extends PredictRequest {
  /** The `state` a previous call returned; omitted or null starts every sequence fresh. */
  readonly state?: StateMap | null;
}

export interface SamplingOptions {
  /** `greedy` (default): the most likely token; `sample`: a draw from the (tempered, top-k) distribution. */
  readonly strategy?: 'greedy' | 'sample';
  /** Divides log-probabilities before sampling (default 1); below 1 sharpens, above 1 flattens. */
  readonly temperature?: number;
  /** Sample only among the k most likely tokens (default: all). */
  readonly topK?: number;
  /** Seed of the generator (default 0): the same seed, model and request give the same tokens. */
  readonly seed?: number;
}

export interface RolloutRequest extends StreamRequest {
  /** How many steps to generate after the context. */
  readonly steps: number;
  /**
   * `state` (default): carry the recurrent state and feed each output back as the next one-step input.
   * `window`: re-run the model from a fresh state on the last `window` values each step, as a forecaster
   * trained on fixed windows saw them (features models only).
   */
  readonly feedback?: 'state' | 'window';
  /** The window for `feedback: "window"` (default: the model's `metadata.window`). */
  readonly window?: number;
  /** Token models only: how the next token is chosen. */
  readonly sampling?: SamplingOptions;
}

export interface ParsedSampling {
  readonly strategy: 'greedy' | 'sample';
  readonly temperature: number;
  readonly topK: number | null;
  readonly seed: number;
}

function requestError(where: string, summary: string, expected: string, got: string, fix?: string): RuntimeError {
  return new RuntimeError('E_REQUEST', summary, { where, expected, got, ...(fix ? { fix } : {}) });
}

/** The request as a record with only `allowed` keys; `inputs` is required. */
export function readRequest(value: unknown, allowed: readonly string[], where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw requestError(where, 'the request must be an object', `{ ${allowed.map((k) => `"${k}"`).join(', ')} }`, describeValue(value));
  }
  const record = value as Record<string, unknown>;
  const unknown = Object.keys(record).find((k) => !allowed.includes(k));
  if (unknown !== undefined) throw requestError(`${where}.${unknown}`, 'unknown field', `one of ${allowed.map((k) => `"${k}"`).join(', ')}`, JSON.stringify(unknown), 'remove the field or fix its spelling');
  if (record.inputs === undefined) throw requestError(`${where}.inputs`, 'missing field', 'a batch of sequences', 'nothing');
  return record;
}

export function readChoice<T extends string>(value: unknown, choices: readonly T[], fallback: T, where: string): T {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T;
  throw requestError(where, 'unknown choice', `one of ${choices.map((c) => JSON.stringify(c)).join(', ')}`, describeValue(value));
}

/** A positive integer field; `limit` caps it (E_LIMIT) after the type check. */
export function readCount(value: unknown, where: string, limits?: { readonly name: keyof RuntimeLimits; readonly limits: RuntimeLimits; readonly what: string }): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) throw requestError(where, 'expected a positive integer', 'an integer ≥ 1', describeValue(value));
  if (limits) checkLimit(limits.name, value, limits.limits, where, limits.what);
  return value;
}

export function readSampling(value: unknown, vocabulary: number, where: string): ParsedSampling {
  if (value === undefined || value === null) return { strategy: 'greedy', temperature: 1, topK: null, seed: 0 };
  if (typeof value !== 'object' || Array.isArray(value)) throw requestError(where, 'sampling must be an object', '{ "strategy", "temperature", "topK", "seed" }', describeValue(value));
  const record = value as Record<string, unknown>;
  const unknown = Object.keys(record).find((k) => !['strategy', 'temperature', 'topK', 'seed'].includes(k));
  if (unknown !== undefined) throw requestError(`${where}.${unknown}`, 'unknown field', 'one of "strategy", "temperature", "topK", "seed"', JSON.stringify(unknown));
  const strategy = readChoice(record.strategy, ['greedy', 'sample'] as const, 'greedy', `${where}.strategy`);
  const temperature = record.temperature ?? 1;
  if (typeof temperature !== 'number' || !Number.isFinite(temperature) || temperature <= 0) throw requestError(`${where}.temperature`, 'invalid temperature', 'a finite number > 0', describeValue(record.temperature));
  const topK = record.topK === undefined || record.topK === null ? null : readCount(record.topK, `${where}.topK`);
  if (topK !== null && topK > vocabulary) throw requestError(`${where}.topK`, 'topK is larger than the vocabulary', `at most ${vocabulary}`, String(topK));
  const seed = record.seed ?? 0;
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) throw requestError(`${where}.seed`, 'invalid seed', 'a non-negative integer', describeValue(record.seed));
  if (strategy === 'greedy' && (record.temperature !== undefined || record.topK !== undefined)) {
    throw requestError(where, 'temperature and topK apply to sampling only', '"strategy": "sample" with them, or neither', '"strategy": "greedy"', 'set "strategy": "sample"');
  }
  return { strategy, temperature, topK, seed };
}
