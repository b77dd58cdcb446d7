import { composeErrorMessage } from '@unfold/core/errors';

/**
 * The runtime's one error class. Callers branch on the stable `code` (`isRuntimeError(e, 'E_SHAPE')`),
 * never on `instanceof`, because the ESM and CJS builds hold separate class objects.
 *
 * The message has @unfold/core's shape (`where: what; expected …; got …. Fix: …`), composed by core's
 * `composeErrorMessage` from `@unfold/core/errors`, a subpath with no other imports.
 *
 * | code | meaning |
 * |---|---|
 * | `E_MODEL` | the bytes are not a model this runtime can serve (not ONNX, broken unfold metadata) |
 * | `E_REQUEST` | the request object has the wrong structure: a missing or unknown field, a wrong field type |
 * | `E_SHAPE` | an input or state has the wrong shape (ragged rows, wrong feature count, wrong batch) |
 * | `E_DTYPE` | a value has the wrong type (a string where a number belongs, a fraction where an id belongs) |
 * | `E_NON_FINITE` | NaN, ±Infinity, a JSON null, or a number beyond float32's range |
 * | `E_TOKEN_RANGE` | a token id outside [0, vocabulary) |
 * | `E_TREE` | a tree that is not one: a cycle, a node with two parents or none, a child index out of range, more children than an N-ary model's N, an empty tree, a malformed node (`where` names the node's path) |
 * | `E_LIMIT` | a caller-set cap exceeded: batch, sequence length, elements, rollout steps, tree nodes or depth |
 * | `E_UNSUPPORTED` | the operation does not apply to this model (stream without state inputs, …) |
 * | `E_GRAPH_RUN` | onnxruntime rejected the inputs of a model without unfold metadata, whose values the runtime cannot check (lengths or indices out of range) |
 * | `E_INFERENCE` | onnxruntime failed on inputs that passed every check: an internal fault |
 */
export type RuntimeErrorCode = 'E_MODEL' | 'E_REQUEST' | 'E_SHAPE' | 'E_DTYPE' | 'E_NON_FINITE' | 'E_TOKEN_RANGE' | 'E_TREE' | 'E_LIMIT' | 'E_UNSUPPORTED' | 'E_GRAPH_RUN' | 'E_INFERENCE';

export const RUNTIME_ERROR_CODES: readonly RuntimeErrorCode[] = Object.freeze(['E_MODEL', 'E_REQUEST', 'E_SHAPE', 'E_DTYPE', 'E_NON_FINITE', 'E_TOKEN_RANGE', 'E_TREE', 'E_LIMIT', 'E_UNSUPPORTED', 'E_GRAPH_RUN', 'E_INFERENCE']);

export interface RuntimeErrorDetails {
  /** Where: a JSON path into the request (`inputs[1][3]`), an input name, a model. */
  readonly where?: string;
  readonly expected?: string;
  readonly got?: string;
  /** What the caller can do about it. */
  readonly fix?: string;
  /** For E_LIMIT: which limit (`maxBatch`, `maxTime`, `maxElements`, `maxRolloutSteps`, `maxNodes`, `maxDepth`). */
  readonly limit?: string;
}

const RUNTIME_ERROR = Symbol.for('unfold.runtime.error');

export class RuntimeError extends Error {
  readonly code: RuntimeErrorCode;
  readonly summary: string;
  readonly details: RuntimeErrorDetails;
  readonly [RUNTIME_ERROR] = true;

  constructor(code: RuntimeErrorCode, summary: string, details: RuntimeErrorDetails = {}, options?: { cause?: unknown }) {
    super(composeErrorMessage(summary, details), options);
    this.code = code;
    this.summary = summary;
    this.details = details;
    this.name = 'RuntimeError';
  }
}

export function isRuntimeError(error: unknown, code?: RuntimeErrorCode): error is RuntimeError {
  if (typeof error !== 'object' || error === null || (error as { [RUNTIME_ERROR]?: unknown })[RUNTIME_ERROR] !== true) return false;
  return code === undefined || (error as RuntimeError).code === code;
}

/** A short, safe rendering of a received value for an error message. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'string') return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
  if (typeof value === 'object') return 'an object';
  return String(value);
}
