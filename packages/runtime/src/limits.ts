import { RuntimeError } from './errors';

/**
 * Caps the caller sets on one call, checked before any tensor is built. They bound the memory and time a
 * single request can take, so one caller cannot starve a server.
 */
export interface RuntimeLimits {
  /** Sequences per call (default 64). */
  readonly maxBatch: number;
  /** Steps per sequence per call, and the longest rollout window (default 4096). */
  readonly maxTime: number;
  /** Input numbers per call, padding included; for a rollout, all its model calls together (default 1,048,576). */
  readonly maxElements: number;
  /** Steps one rollout may generate (default 1024). */
  readonly maxRolloutSteps: number;
  /**
   * Model steps one call may run: batch × the longest sequence (padding included); for a rollout, the
   * context's plus batch × generated steps (× window with `feedback: "window"`). Bounds a call's time
   * (default 32,768).
   */
  readonly maxSteps: number;
  /**
   * Numbers one answer may hold: outputs (each sequence's steps × outputs) plus returned states. Bounds
   * the response, about 24 bytes of JSON per number at most (default 262,144: ≤ 6 MB).
   */
  readonly maxOutputElements: number;
  /** Tree models: nodes in all the trees of one call (default 65,536). */
  readonly maxNodes: number;
  /** Tree models: the deepest node of a tree, the root at depth 0 (default 256). */
  readonly maxDepth: number;
}

export const DEFAULT_LIMITS: RuntimeLimits = Object.freeze({ maxBatch: 64, maxTime: 4096, maxElements: 1 << 20, maxRolloutSteps: 1024, maxSteps: 1 << 15, maxOutputElements: 1 << 18, maxNodes: 1 << 16, maxDepth: 256 });

/** Defaults overlaid with the caller's caps; each cap must be a positive integer. */
export function resolveLimits(limits: Partial<RuntimeLimits> | undefined): RuntimeLimits {
  const resolved = { ...DEFAULT_LIMITS, ...limits };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isSafeInteger(value) || (value as number) < 1) {
      throw new RuntimeError('E_REQUEST', 'invalid limit', { where: `limits.${name}`, expected: 'a positive integer', got: String(value), fix: `omit ${name} for its default (${DEFAULT_LIMITS[name as keyof RuntimeLimits]})` });
    }
  }
  return resolved;
}

export function checkLimit(limit: keyof RuntimeLimits, value: number, limits: RuntimeLimits, where: string, what: string): void {
  if (value > limits[limit]) {
    throw new RuntimeError('E_LIMIT', `too many ${what}`, { where, expected: `at most ${limits[limit]} (${limit})`, got: String(value), fix: `split the request, or raise ${limit} where the server is configured`, limit });
  }
}
