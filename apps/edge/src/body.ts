import { readStreamLimited } from '@unfold/runtime';
import type { ErrorBody } from './responses';

/**
 * Reading a JSON request body safely: the content type must be JSON (415), the size is capped by the
 * Content-Length header when there is one and by counting while reading either way (413, before any
 * parsing), and the bytes must be UTF-8 JSON (400).
 */
export type BodyResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: ErrorBody };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** `application/json` or any `+json` type, parameters (charset) ignored. */
export function isJsonContentType(header: string | null): boolean {
  if (header === null) return false;
  const type = header.split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || /^application\/[a-z0-9.!#$&^_-]+\+json$/.test(type);
}

function tooLarge(maxBytes: number, got: string): BodyResult {
  return { ok: false, error: { code: 'E_BODY_TOO_LARGE', message: `the request body is larger than ${maxBytes} bytes`, expected: `at most ${maxBytes} bytes (maxBodyBytes)`, got, fix: 'send fewer or shorter sequences per request, or raise --max-body-bytes', limit: 'maxBodyBytes' } };
}

export async function readJsonBody(request: Request, maxBytes: number): Promise<BodyResult> {
  const type = request.headers.get('content-type');
  if (!isJsonContentType(type)) {
    return { ok: false, error: { code: 'E_CONTENT_TYPE', message: 'the request body must be JSON', expected: 'Content-Type: application/json', got: type === null ? 'no Content-Type' : JSON.stringify(type.slice(0, 100)) } };
  }
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBytes) return tooLarge(maxBytes, `Content-Length ${declared.slice(0, 20)}`);
  const bytes = await readStreamLimited(request.body, maxBytes);
  if (bytes === null) return tooLarge(maxBytes, 'more');
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { ok: false, error: { code: 'E_JSON', message: 'the request body is not UTF-8 text', expected: 'UTF-8 JSON', got: `${bytes.length} bytes` } };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    const reason = error instanceof Error ? error.message.slice(0, 160) : 'unparsable';
    return { ok: false, error: { code: 'E_JSON', message: 'the request body is not valid JSON', expected: 'a JSON object', got: reason, fix: 'JSON has no NaN or Infinity; send finite numbers' } };
  }
}
