import { createRng, type Rng } from '@unfold/runtime';

/**
 * Seeded random requests for the fuzz test: mostly well-aimed (real endpoints, JSON bodies shaped like
 * real requests with one thing wrong, or right), plus garbage (wrong methods and content types,
 * truncated or non-UTF-8 bodies, deep nesting, oversized bodies). The same seed gives the same requests.
 */
export interface FuzzRequest {
  readonly path: string;
  readonly init: RequestInit;
  readonly describe: string;
}

const MODELS = ['tagger', 'charlm', 'forecaster', 'torch-lstm', 'reverse'] as const;
const OPERATIONS = ['predict', 'stream', 'rollout', 'generate'] as const;
const ODD_PATHS = ['/models/%E0%A4%A/predict', '/models/../health', `/models/${'x'.repeat(300)}/predict`, '/models/tagger/predict/extra', '/models//predict', '/'];
const CONTENT_TYPES = ['application/json', 'application/json', 'application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'application/vnd.unfold+json', ''];

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng.next() * items.length)] as T;
}

function int(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng.next() * (max - min + 1));
}

/** A leaf that is sometimes not a usable number. */
function leaf(rng: Rng): unknown {
  const r = rng.next();
  if (r < 0.85) return Math.round((rng.next() * 4 - 2) * 1000) / 1000;
  return pick(rng, [null, 'NaN', '1', true, {}, [], 1e39, -1e308, 7, -1, 0.5, 2 ** 31, 'x'.repeat(50)]);
}

function array(rng: Rng, dims: readonly number[], make: () => unknown): unknown {
  if (dims.length === 0) return make();
  return Array.from({ length: dims[0] as number }, () => array(rng, dims.slice(1), make));
}

function validInputs(rng: Rng, model: (typeof MODELS)[number]): unknown {
  const batch = int(rng, 1, 4);
  const lengths = Array.from({ length: batch }, () => int(rng, 1, 8));
  if (model === 'tagger') return lengths.map((t) => array(rng, [t, 3], () => rng.next() - 0.5));
  if (model === 'forecaster') return lengths.map((t) => array(rng, [t], () => 0.5 + rng.next()));
  if (model === 'charlm') return lengths.map((t) => array(rng, [t], () => int(rng, 0, 6)));
  if (model === 'reverse') return lengths.map((t) => array(rng, [t], () => int(rng, 0, 20)));
  const time = int(rng, 1, 6);
  return { x: array(rng, [batch, time, 3], () => rng.next()), lengths: array(rng, [batch], () => int(rng, 1, time)), h0: array(rng, [2, batch, 4], () => 0), c0: array(rng, [2, batch, 4], () => 0) };
}

/** A generate request: text prompts (in and out of the vocabulary), sometimes a wrong value. */
function generateRequest(rng: Rng): Record<string, unknown> {
  const text = () => Array.from({ length: int(rng, 0, 12) }, () => pick(rng, ['a', 'b', ' ', 'a', 'b', 'é', '\u0000', '😀'])).join('');
  const body: Record<string, unknown> = { prompt: rng.next() < 0.5 ? text() : Array.from({ length: int(rng, 1, 4) }, text) };
  if (rng.next() < 0.8) body.maxLength = rng.next() < 0.9 ? int(rng, 1, 40) : pick(rng, [0, -3, 2.5, 1e7, '10']);
  if (rng.next() < 0.4) body.temperature = pick(rng, [0.5, 1, 0, -1, 3, 1e308]);
  if (rng.next() < 0.4) body.topK = pick(rng, [1, 3, 7, 8, 0]);
  if (rng.next() < 0.3) body.topP = pick(rng, [0.9, 1, 0, 1.5, 0.01]);
  if (rng.next() < 0.2) body.strategy = pick(rng, ['sample', 'greedy', 'beam']);
  if (rng.next() < 0.7) body.seed = rng.next() < 0.9 ? int(rng, 0, 99) : pick(rng, [-1, 2 ** 53, 0.5]);
  if (rng.next() < 0.2) body.stopAtEos = pick(rng, [true, false, 'no']);
  return body;
}

/** A seq2seq generate request: source texts or ids, any strategy, sometimes a wrong or misplaced value. */
function seq2seqRequest(rng: Rng): Record<string, unknown> {
  const text = () => Array.from({ length: int(rng, 0, 14) }, () => pick(rng, ['a', 'b', 'c', 'h', 'o', ' ', 'é', '\u0000', '😀'])).join('');
  const source = () => (rng.next() < 0.8 ? text() : Array.from({ length: int(rng, 1, 6) }, () => int(rng, -1, 30)));
  const body: Record<string, unknown> = { inputs: rng.next() < 0.3 ? text() : Array.from({ length: int(rng, 1, 5) }, source) };
  const strategy = pick(rng, ['greedy', 'beam', 'beam', 'sample', 'viterbi']);
  if (rng.next() < 0.8) body.strategy = strategy;
  if (rng.next() < 0.7) body.maxLength = rng.next() < 0.9 ? int(rng, 1, 30) : pick(rng, [0, -3, 2.5, 1e7, '10']);
  if (strategy === 'beam' || rng.next() < 0.1) {
    if (rng.next() < 0.8) body.beamWidth = pick(rng, [1, 2, 4, 8, 16, 0, 17, 1.5]);
    if (rng.next() < 0.4) body.nBest = pick(rng, [1, 2, 3, 9, 0]);
    if (rng.next() < 0.3) body.alpha = pick(rng, [0, 0.6, 1, -1, 1e308]);
  }
  if (strategy === 'sample' || rng.next() < 0.1) {
    if (rng.next() < 0.5) body.temperature = pick(rng, [0.5, 1, 0, -1, 3]);
    if (rng.next() < 0.4) body.topK = pick(rng, [1, 3, 7, 0, 999]);
    if (rng.next() < 0.3) body.topP = pick(rng, [0.9, 1, 0, 1.5]);
    if (rng.next() < 0.6) body.seed = rng.next() < 0.9 ? int(rng, 0, 99) : pick(rng, [-1, 2 ** 53, 0.5]);
  }
  return body;
}

function request(rng: Rng, model: (typeof MODELS)[number], operation: (typeof OPERATIONS)[number]): Record<string, unknown> {
  if (operation === 'generate') return model === 'reverse' ? seq2seqRequest(rng) : generateRequest(rng);
  const body: Record<string, unknown> = { inputs: validInputs(rng, model) };
  if (operation === 'rollout') body.steps = rng.next() < 0.9 ? int(rng, 1, 40) : pick(rng, [0, -3, 2.5, 1e7, '10', 300]);
  if (operation === 'rollout' && model === 'charlm' && rng.next() < 0.7) body.sampling = { strategy: pick(rng, ['sample', 'greedy', 'beam']), seed: int(rng, 0, 99), ...(rng.next() < 0.5 ? { temperature: pick(rng, [0.5, 1, 0, -1, 3]) } : {}), ...(rng.next() < 0.5 ? { topK: pick(rng, [1, 3, 7, 8, 0]) } : {}) };
  if (operation === 'rollout' && model === 'forecaster' && rng.next() < 0.5) body.feedback = pick(rng, ['window', 'state', 'other']);
  if (operation !== 'predict' && rng.next() < 0.3) body.state = { 'body.h': array(rng, [int(rng, 1, 3), int(rng, 4, 6)], () => leaf(rng)), 'body.c': array(rng, [1, 5], () => 0) };
  if (rng.next() < 0.2) body.units = pick(rng, ['data', 'normalised', 'si']);
  return body;
}

/** Changes one thing somewhere in a JSON value: a leaf, a missing or extra key, a wrapping array. */
function mutate(rng: Rng, value: unknown, depth = 0): unknown {
  if (Array.isArray(value) && value.length > 0 && rng.next() < 0.8) {
    const copy = [...value];
    const i = int(rng, 0, copy.length - 1);
    copy[i] = mutate(rng, copy[i], depth + 1);
    if (rng.next() < 0.1) copy.push(copy[0]);
    return copy;
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && rng.next() < 0.8) {
    const copy: Record<string, unknown> = { ...value };
    const keys = Object.keys(copy);
    const r = rng.next();
    if (r < 0.1 && keys.length > 0) delete copy[pick(rng, keys)];
    else if (r < 0.2) copy[pick(rng, ['extra', '__proto__', 'constructor', 'inputs', 'state'])] = leaf(rng);
    else if (keys.length > 0) {
      const key = pick(rng, keys);
      copy[key] = mutate(rng, copy[key], depth + 1);
    }
    return copy;
  }
  return rng.next() < 0.5 ? leaf(rng) : [value];
}

function rawBody(rng: Rng, valid: string): BodyInit {
  const r = rng.next();
  if (r < 0.25) return valid.slice(0, int(rng, 0, valid.length - 1));
  if (r < 0.4) return Uint8Array.from({ length: int(rng, 1, 200) }, () => int(rng, 0, 255));
  if (r < 0.55) return `{"inputs": ${'['.repeat(int(rng, 10, 20_000))}1`;
  if (r < 0.65) return `{"inputs": [[${'1,'.repeat(40_000)}1]]}`; // above the 64 KiB cap
  return pick(rng, ['NaN', '[]', '"inputs"', 'null', '{}', '{"inputs": [[[Infinity, 0, 0]]]}', '{"inputs": []}', '{"inputs": [[]]}', '\u0000', '']);
}

export function fuzzRequests(seed: number, count: number): FuzzRequest[] {
  const rng = createRng(seed);
  return Array.from({ length: count }, (_, n): FuzzRequest => {
    const model = pick(rng, MODELS);
    const operation = pick(rng, OPERATIONS);
    const path = rng.next() < 0.93 ? `/models/${model}/${operation}` : pick(rng, ODD_PATHS);
    const method = rng.next() < 0.95 ? 'POST' : pick(rng, ['GET', 'PUT', 'DELETE', 'PATCH']);
    const contentType = rng.next() < 0.9 ? 'application/json' : pick(rng, CONTENT_TYPES);
    const valid = request(rng, model, operation);
    const kind = rng.next();
    const body = kind < 0.3 ? JSON.stringify(valid) : kind < 0.8 ? JSON.stringify(mutate(rng, valid)) : rawBody(rng, JSON.stringify(valid));
    const headers = contentType ? { 'content-type': contentType } : undefined;
    return { path, init: { method, ...(headers ? { headers } : {}), ...(method === 'GET' ? {} : { body }) }, describe: `#${n} ${method} ${path} ${String(typeof body === 'string' ? body : '<bytes>').slice(0, 120)}` };
  });
}
