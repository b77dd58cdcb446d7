import { parseJsonLimited, readStreamLimited } from '@unfold/runtime';
import type { ErrorBody } from './responses';

/**
 * Reading a JSON request body safely: the content type must be JSON (415), the size is capped by the
 * Content-Length header when there is one and by counting while reading either way (413, before any
 * parsing), and the bytes must be UTF-8 JSON (400).
 */
export type BodyResult = { readonly ok: true; readonly value: unknown; readonly bytes: number } | { readonly ok: false; readonly error: ErrorBody };

const utf8 = new TextDecoder('utf-8', { fatal: true });
const DEFAULT_JSON_DEPTH = 64;

/** `application/json` or any `+json` type, parameters (charset) ignored. */
export function isJsonContentType(header: string | null): boolean {
  if (header === null) return false;
  const type = header.split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || /^application\/[a-z0-9.!#$&^_-]+\+json$/.test(type);
}

function tooLarge(maxBytes: number, got: string): BodyResult {
  return { ok: false, error: { code: 'E_BODY_TOO_LARGE', message: `the request body is larger than ${maxBytes} bytes`, expected: `at most ${maxBytes} bytes (maxBodyBytes)`, got, fix: 'send fewer or shorter sequences per request, or raise --max-body-bytes', limit: 'maxBodyBytes' } };
}

/**
 * `maxDepth` bounds the JSON's nesting, measured before parsing (a body nested 500,000 deep is refused
 * after a few hundred characters, not parsed). A client that goes away before its body ends gets
 * E_BODY_ABORTED: the client's doing, so the handler reports it as a client abort, never an internal error.
 */
export async function readJsonBody(request: Request, maxBytes: number, maxDepth = DEFAULT_JSON_DEPTH): Promise<BodyResult> {
  const type = request.headers.get('content-type');
  if (!isJsonContentType(type)) {
    return { ok: false, error: { code: 'E_CONTENT_TYPE', message: 'the request body must be JSON', expected: 'Content-Type: application/json', got: type === null ? 'no Content-Type' : JSON.stringify(type.slice(0, 100)) } };
  }
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBytes) return tooLarge(maxBytes, `Content-Length ${declared.slice(0, 20)}`);
  let bytes: Uint8Array | null;
  try {
    bytes = await readStreamLimited(request.body, maxBytes);
  } catch {
    return { ok: false, error: { code: 'E_BODY_ABORTED', message: 'the request body ended before it was complete', expected: 'the whole body', got: 'a connection closed or reset mid-body' } };
  }
  if (bytes === null) return tooLarge(maxBytes, 'more');
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { ok: false, error: { code: 'E_JSON', message: 'the request body is not UTF-8 text', expected: 'UTF-8 JSON', got: `${bytes.length} bytes` } };
  }
  const parsed = parseJsonLimited(text, maxDepth);
  if (parsed.ok) return { ok: true, value: parsed.value, bytes: bytes.length };
  if (parsed.reason === 'depth') return { ok: false, error: { code: 'E_JSON', message: 'the request body is nested too deeply', expected: `JSON at most ${maxDepth} levels deep (maxJsonDepth)`, got: parsed.message, limit: 'maxJsonDepth' } };
  return { ok: false, error: { code: 'E_JSON', message: 'the request body is not valid JSON', expected: 'a JSON object', got: parsed.message, fix: 'JSON has no NaN or Infinity; send finite numbers' } };
}
