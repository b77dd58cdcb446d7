import { DEFAULT_LIMITS, resolveLimits, type RuntimeLimits } from '@unfold/runtime';

/**
 * The handler's caps: the runtime's caps on every call (batch, steps, elements, answer numbers), plus what
 * only a server has — the body, its JSON nesting, the answer's bytes, how many inferences run and wait at
 * once, each request's time budget, and how long an answer may take to write. All are positive integers,
 * the same on Node, Bun, Deno and Workers (API.md, "Limits").
 */
export interface EdgeLimits extends RuntimeLimits {
  /** Request body bytes, counted while reading, before JSON parsing (default 1 MiB). */
  readonly maxBodyBytes: number;
  /** Nesting depth of a request body's JSON, measured before it is parsed (default 64). */
  readonly maxJsonDepth: number;
  /** Bytes of one answer's JSON (default 8 MiB); also caps maxOutputElements at maxResponseBytes / 24 before work starts. */
  readonly maxResponseBytes: number;
  /** Light operation calls (bodies up to heavyBodyBytes) running at once (default 4). */
  readonly maxConcurrent: number;
  /** Light operation calls waiting for a free slot; beyond it: 503 E_BUSY with Retry-After (default 64). */
  readonly maxQueue: number;
  /** A body larger than this makes a call heavy: it runs in its own narrow lane, so light calls never queue behind many of them (default 65,536). */
  readonly heavyBodyBytes: number;
  /** Heavy operation calls running at once (default 1). */
  readonly maxHeavyConcurrent: number;
  /** Heavy operation calls waiting; beyond it: 503 E_BUSY (default 2). */
  readonly maxHeavyQueue: number;
  /** Milliseconds a request may take, reading, queueing and running; beyond it: 503 E_TIMEOUT (default 10,000). */
  readonly maxRequestMs: number;
  /** Milliseconds a server entry gives a client to take the answer before dropping the connection (default 10,000). */
  readonly maxWriteMs: number;
}

/** The most bytes one number takes in an answer's JSON (`-1.2345678901234567e-10,`): sizes answers before work. */
export const MAX_JSON_NUMBER_BYTES = 24;

export const DEFAULT_EDGE_LIMITS: EdgeLimits = Object.freeze({
  ...DEFAULT_LIMITS,
  maxBodyBytes: 1 << 20,
  maxJsonDepth: 64,
  maxResponseBytes: 8 << 20,
  maxConcurrent: 4,
  maxQueue: 64,
  heavyBodyBytes: 1 << 16,
  maxHeavyConcurrent: 1,
  maxHeavyQueue: 2,
  maxRequestMs: 10_000,
  maxWriteMs: 10_000,
});

const EDGE_KEYS = ['maxBodyBytes', 'maxJsonDepth', 'maxResponseBytes', 'maxConcurrent', 'maxQueue', 'heavyBodyBytes', 'maxHeavyConcurrent', 'maxHeavyQueue', 'maxRequestMs', 'maxWriteMs'] as const;

export function resolveEdgeLimits(limits: Partial<EdgeLimits> = {}): EdgeLimits {
  const edge: Record<string, number> = {};
  const runtime: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(limits)) ((EDGE_KEYS as readonly string[]).includes(key) ? edge : runtime)[key] = value;
  for (const key of EDGE_KEYS) {
    const value = edge[key] ?? DEFAULT_EDGE_LIMITS[key];
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${key} must be a positive integer; got ${value}`);
    edge[key] = value;
  }
  return Object.freeze({ ...resolveLimits(runtime as Partial<RuntimeLimits>), ...(edge as unknown as Pick<EdgeLimits, (typeof EDGE_KEYS)[number]>) });
}

/** The runtime's caps for one call: maxOutputElements no larger than the answer bytes allow. */
export function callLimits(limits: EdgeLimits): RuntimeLimits {
  return { ...limits, maxOutputElements: Math.max(1, Math.min(limits.maxOutputElements, Math.floor(limits.maxResponseBytes / MAX_JSON_NUMBER_BYTES))) };
}
