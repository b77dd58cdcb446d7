import { RuntimeError } from './errors';

/**
 * Reading bytes with a cap, counted while reading: a stream longer than `maxBytes` is cancelled as soon
 * as the cap is passed, so nothing larger is ever buffered. Works on any web ReadableStream (fetch
 * bodies in Node, Deno, Bun, Workers and browsers).
 */
export async function readStreamLimited(stream: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<Uint8Array | null> {
  if (stream === null) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        return null;
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

export interface FetchModelOptions {
  /** Largest model accepted (default 256 MiB). */
  readonly maxBytes?: number;
  /** The fetch to use (default: the global one). */
  readonly fetch?: typeof fetch;
}

/** Downloads a model's bytes for `runtime.load`; a failed or oversized download is E_MODEL. */
export async function fetchModelBytes(url: string | URL, options: FetchModelOptions = {}): Promise<Uint8Array> {
  const maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
  const where = String(url);
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url);
  } catch (cause) {
    throw new RuntimeError('E_MODEL', 'the model could not be fetched', { where, got: cause instanceof Error ? cause.message : String(cause) }, { cause });
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw new RuntimeError('E_MODEL', 'the model could not be fetched', { where, expected: 'HTTP 200', got: `HTTP ${response.status}` });
  }
  const bytes = await readStreamLimited(response.body, maxBytes);
  if (bytes === null) throw new RuntimeError('E_MODEL', 'the model is too large', { where, expected: `at most ${maxBytes} bytes`, got: 'more', fix: 'raise maxBytes' });
  return bytes;
}
