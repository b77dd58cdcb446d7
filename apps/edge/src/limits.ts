import { DEFAULT_LIMITS, resolveLimits, type RuntimeLimits } from '@unfold/runtime';

/** The handler's caps: the request body's size, plus the runtime's caps on every call. */
export interface EdgeLimits extends RuntimeLimits {
  /** Request body bytes, counted while reading, before JSON parsing (default 1 MiB). */
  readonly maxBodyBytes: number;
}

export const DEFAULT_EDGE_LIMITS: EdgeLimits = Object.freeze({ ...DEFAULT_LIMITS, maxBodyBytes: 1 << 20 });

export function resolveEdgeLimits(limits: Partial<EdgeLimits> = {}): EdgeLimits {
  const { maxBodyBytes = DEFAULT_EDGE_LIMITS.maxBodyBytes, ...runtime } = limits;
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 1) throw new RangeError(`maxBodyBytes must be a positive integer; got ${maxBodyBytes}`);
  return Object.freeze({ ...resolveLimits(runtime), maxBodyBytes });
}
