import { connect } from 'node:net';
import { createRng, type Rng } from '@unfold/runtime';
import type { FuzzRequest } from './fuzz';

/**
 * The hostile request shapes of the adversarial audit (issue 15), for the fuzz test on Node and the
 * end-to-end suites of every runtime: deep nesting, huge numbers, giant batches, amplifying requests and
 * bodies over the cap (sent with fetch), and, on raw sockets, what fetch cannot send: TRACE, TRACK and
 * CONNECT, a foreign Host header, slow readers that never take their answer, and bodies cut short.
 * Models are those of support/fixtures.ts (tagger: 3 features; forecaster: 1; charlm: 7 token ids).
 */
const ids = (rng: Rng, batch: number, time: number) => Array.from({ length: batch }, () => Array.from({ length: time }, () => Math.floor(rng.next() * 7)));
const features = (rng: Rng, batch: number, time: number, size: number) => Array.from({ length: batch }, () => Array.from({ length: time }, () => Array.from({ length: size }, () => rng.next())));

function post(path: string, body: string, describe: string): FuzzRequest {
  return { path, init: { method: 'POST', headers: { 'content-type': 'application/json' }, body }, describe };
}

/** One hostile fetch request per kind, `seed` varying sizes; every one must get a 4xx (never a 5xx). */
export function hostileFetchRequests(seed: number): FuzzRequest[] {
  const rng = createRng(seed);
  const depth = 1000 + Math.floor(rng.next() * 500_000);
  const huge = [1e308, -1e308, 1e39, 2 ** 53 + 2, 3.5e38][Math.floor(rng.next() * 5)] as number;
  return [
    post('/models/tagger/predict', `{"inputs": ${'['.repeat(depth)}${']'.repeat(depth)}}`, `deep nesting ${depth}`),
    post('/models/charlm/predict', `{"inputs": ${'['.repeat(depth)}`, `deep unterminated ${depth}`),
    post('/models/tagger/predict', JSON.stringify({ inputs: [[[huge, 0, 0]]] }), `huge number ${huge}`),
    post('/models/charlm/predict', JSON.stringify({ inputs: [[1e300, 2, 3]] }), 'huge token id'),
    post('/models/forecaster/rollout', JSON.stringify({ inputs: [[0.5, 0.6]], steps: 1e300 }), 'huge steps'),
    post('/models/forecaster/predict', JSON.stringify({ inputs: Array.from({ length: 5000 + Math.floor(rng.next() * 5000) }, () => [0.5]) }), 'giant batch'),
    post('/models/charlm/predict', JSON.stringify({ inputs: ids(rng, 64, 4096) }), 'amplifying predict 64 × 4096 ids'),
    post('/models/charlm/rollout', JSON.stringify({ inputs: ids(rng, 64, 4), steps: 1024 }), 'amplifying rollout 64 × 1024 steps'),
    post('/models/charlm/generate', JSON.stringify({ prompt: Array.from({ length: 64 }, () => 'ab'), maxLength: 1024 }), 'amplifying generate 64 × 1024'),
    post('/models/tagger/stream', JSON.stringify({ inputs: features(rng, 32, 1024, 3) }), 'amplifying stream 32 × 1024'),
    post('/models/tagger/predict', `{"inputs": [[${'[0.1, 0.2, 0.3],'.repeat(80_000)}[0, 0, 0]]]}`, 'body over the cap'),
    { path: '/models/tagger/predict', init: { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' }, describe: 'PUT' },
    { path: '/health', init: { method: 'DELETE' }, describe: 'DELETE' },
    { path: '/models', init: { method: 'PATCH', body: '{}' }, describe: 'PATCH' },
    { path: '/models/tagger', init: { method: 'OPTIONS' }, describe: 'OPTIONS' },
  ];
}

export interface RawOutcome {
  /** The status of the answer's first line, or null when the server closed without one (or none was awaited). */
  readonly status: number | null;
  /** The start of the answer, for failure messages. */
  readonly head: string;
  readonly ms: number;
}

/**
 * Writes `text` on a fresh connection to `url`'s host and port. `read: 'status'` waits for the status line
 * and then stops reading (a slow reader: the rest of the answer stays unread until `holdMs` passes);
 * `read: 'none'` closes after `holdMs` without reading (an aborted body when `text` is cut short).
 */
export function rawRequest(url: string, text: string, options: { read: 'status' | 'none'; holdMs?: number }): Promise<RawOutcome> {
  const { hostname, port } = new URL(url);
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let status: number | null = null;
    let head = '';
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve({ status, head, ms: performance.now() - started });
    };
    socket.on('error', finish);
    socket.on('close', finish);
    socket.once('data', (chunk: Buffer) => {
      head = chunk.toString('latin1').slice(0, 400);
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(head);
      status = match ? Number(match[1]) : null;
      if (options.read === 'status') {
        socket.pause(); // takes nothing more: the server must drop it after its write timeout
        setTimeout(finish, options.holdMs ?? 0);
      }
    });
    socket.write(text);
    if (options.read === 'none') setTimeout(finish, options.holdMs ?? 50);
  });
}

const JSON_HEADERS = (host: string, length: number) => `host: ${host}\r\ncontent-type: application/json\r\ncontent-length: ${length}\r\n\r\n`;

/** Raw hostile requests: methods fetch refuses to send, a foreign Host, aborted bodies, and slow readers. */
export function hostileRawRequests(url: string, seed: number): { readonly describe: string; readonly run: () => Promise<RawOutcome> }[] {
  const rng = createRng(seed);
  const host = new URL(url).host;
  // ~480 KB of short numbers in, ~96,000 numbers (~2 MB) out: within every limit, so it is answered in full.
  const big = JSON.stringify({ inputs: features(rng, 64, 500, 3).map((s) => s.map((step) => step.map((x) => Math.round(x * 100) / 100))) });
  return [
    { describe: 'TRACE', run: () => rawRequest(url, `TRACE /health HTTP/1.1\r\nhost: ${host}\r\n\r\n`, { read: 'status', holdMs: 0 }) },
    { describe: 'TRACK', run: () => rawRequest(url, `TRACK /health HTTP/1.1\r\nhost: ${host}\r\n\r\n`, { read: 'status', holdMs: 0 }) },
    { describe: 'CONNECT', run: () => rawRequest(url, `CONNECT ${host} HTTP/1.1\r\nhost: ${host}\r\n\r\n`, { read: 'status', holdMs: 0 }) },
    { describe: 'foreign Host', run: () => rawRequest(url, `GET /models HTTP/1.1\r\nhost: rebound.example:${new URL(url).port}\r\n\r\n`, { read: 'status', holdMs: 0 }) },
    { describe: 'aborted body', run: () => rawRequest(url, `POST /models/tagger/predict HTTP/1.1\r\n${JSON_HEADERS(host, big.length)}${big.slice(0, Math.floor(big.length / 3))}`, { read: 'none', holdMs: 20 }) },
    // Takes the status line of a ~2 MB answer and nothing more for 3 s (the loopback socket buffers hold much of
    // it; what they cannot, the server drops after its write timeout).
    { describe: 'slow reader', run: () => rawRequest(url, `POST /models/tagger/predict HTTP/1.1\r\n${JSON_HEADERS(host, big.length)}${big}`, { read: 'status', holdMs: 3000 }) },
  ];
}

/**
 * Sends the hostile set once (every fetch shape, then every raw one but the slow reader, which only Node's
 * fuzz test waits out) and returns what went wrong: a 5xx (but a platform's 501 for a raw method), or an
 * error answer without a code.
 */
export async function hostileSetFailures(url: string, seed = 1, platform: { readonly answersItself?: readonly string[] } = {}): Promise<string[]> {
  const failures: string[] = [];
  for (const request of hostileFetchRequests(seed)) {
    const response = await fetch(`${url}${request.path}`, request.init);
    const text = await response.text();
    let code: unknown;
    try {
      code = (JSON.parse(text) as { error?: { code?: unknown } }).error?.code;
    } catch {
      code = undefined;
    }
    if (response.status >= 500 || (response.status >= 400 && typeof code !== 'string')) failures.push(`${request.describe}: ${response.status} ${text.slice(0, 120)}`);
  }
  for (const raw of hostileRawRequests(url, seed).filter((r) => r.describe !== 'slow reader')) {
    const outcome = await raw.run();
    // 501 Not Implemented is what a platform in front of the handler may say for a method it does not
    // implement at all (workerd for TRACK): an answer about the method, not a fault.
    // A raw method the platform answers itself, before the handler, with a plain-text 5xx (wrangler dev's
    // local proxy for CONNECT): not the server's answer, and the handler never saw the request.
    const byPlatform = platform.answersItself?.includes(raw.describe) && !/"error":\{"code"/.test(outcome.head);
    if (outcome.status !== null && outcome.status >= 500 && outcome.status !== 501 && !byPlatform) failures.push(`${raw.describe}: ${outcome.status} ${outcome.head.replace(/\r\n/g, ' | ')}`);
  }
  return failures;
}
