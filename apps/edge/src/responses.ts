import { isRuntimeError, type RuntimeErrorCode } from '@unfold/runtime';

/**
 * Every answer is JSON. Errors are `{ "error": { "code", "message", … } }` with a stable code and the
 * HTTP status that code always maps to; internal faults say nothing about the server's inside.
 */
export type EdgeErrorCode = 'E_NOT_FOUND' | 'E_MODEL_NOT_FOUND' | 'E_METHOD' | 'E_CONTENT_TYPE' | 'E_BODY_TOO_LARGE' | 'E_BODY_ABORTED' | 'E_JSON' | 'E_HOST' | 'E_BUSY' | 'E_TIMEOUT' | 'E_INTERNAL';

export type ErrorCode = EdgeErrorCode | RuntimeErrorCode;

/** The status of every error code: 4xx for what the caller can fix, 503 for load shed (retry later), 500 for faults of the server. */
export const ERROR_STATUS: Readonly<Record<ErrorCode, number>> = Object.freeze({
  E_NOT_FOUND: 404,
  E_MODEL_NOT_FOUND: 404,
  E_METHOD: 405,
  E_CONTENT_TYPE: 415,
  E_BODY_TOO_LARGE: 413,
  E_BODY_ABORTED: 400,
  E_JSON: 400,
  E_HOST: 403,
  E_BUSY: 503,
  E_TIMEOUT: 503,
  E_REQUEST: 400,
  E_SHAPE: 422,
  E_DTYPE: 422,
  E_NON_FINITE: 422,
  E_TOKEN_RANGE: 422,
  E_TREE: 422,
  E_LIMIT: 422,
  E_UNSUPPORTED: 422,
  E_GRAPH_RUN: 422,
  E_MODEL: 500,
  E_INFERENCE: 500,
  E_INTERNAL: 500,
});

const HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return jsonText(JSON.stringify(body), status, headers);
}

/** An answer whose JSON is already written. */
export function jsonText(text: string, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(text, { status, headers: { ...HEADERS, ...headers } });
}

export interface ErrorBody {
  readonly code: ErrorCode;
  readonly message: string;
  readonly where?: string;
  readonly expected?: string;
  readonly got?: string;
  readonly fix?: string;
  readonly limit?: string;
}

export function errorResponse(body: ErrorBody, headers: Record<string, string> = {}): Response {
  return json({ error: body }, ERROR_STATUS[body.code], headers);
}

/** A RuntimeError the caller caused, with its details; anything else (or a server-side runtime code) as a bare 500. */
export function responseFor(error: unknown): { response: Response; internal: boolean } {
  if (isRuntimeError(error) && ERROR_STATUS[error.code] < 500) {
    const { where, expected, got, fix, limit } = error.details;
    return { response: errorResponse({ code: error.code, message: error.message, ...defined({ where, expected, got, fix, limit }) }), internal: false };
  }
  const code: ErrorCode = isRuntimeError(error, 'E_INFERENCE') ? 'E_INFERENCE' : 'E_INTERNAL';
  return { response: errorResponse({ code, message: code === 'E_INFERENCE' ? 'the model failed to run; the server log has details' : 'internal error; the server log has details' }), internal: true };
}

function defined<T extends Record<string, string | undefined>>(fields: T): Partial<Record<keyof T, string>> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<Record<keyof T, string>>;
}
