import { OPERATION_NAMES, type LoadedModel } from '@unfold/runtime';
import { createAdmission, type Admitted } from './admission';
import { readJsonBody } from './body';
import { isAllowedHost, type AllowedHosts } from './hosts';
import { callLimits, resolveEdgeLimits, type EdgeLimits } from './limits';
import type { ModelRegistry } from './registry';
import { eventStream, wantsEvents } from './events';
import { errorResponse, json, jsonText, responseFor } from './responses';

/**
 * The one fetch handler every entry uses unchanged: `(Request) => Promise<Response>`, web APIs only (no
 * Node built-ins), so it runs on Node, Bun, Deno, Workers and in a browser's service worker alike.
 *
 *   GET  /health                      liveness, model names, onnxruntime versions
 *   GET  /models                      every model's description
 *   GET  /models/:name                one model's description
 *   POST /models/:name/:operation     an operation the model offers (its entries' declared tasks):
 *        predict                      a batch of sequences → outputs
 *        stream                       a chunk + the previous state → outputs + the new state
 *        rollout                      a context → generated steps
 *
 * Operations are the runtime's operation modules (OPERATION_NAMES): a new one is routed with no edit here.
 * The handler never rejects: every failure becomes a JSON error (see responses.ts and API.md).
 *
 * Every request's cost is bounded before work starts (limits.ts): the Host is checked (hosts.ts), methods
 * other than GET and POST are 405, bodies are capped in bytes and JSON depth, an operation call waits for
 * one of `maxConcurrent` inference slots in a queue of `maxQueue` (503 E_BUSY beyond, admission.ts; calls
 * with bodies over `heavyBodyBytes` in a lane of their own, `maxHeavyConcurrent` and `maxHeavyQueue`), the
 * runtime refuses calls over its work and answer caps, and a request still unanswered after
 * `maxRequestMs` gets 503 E_TIMEOUT.
 */
export type FetchHandler = (request: Request) => Promise<Response>;

export interface HandlerOptions {
  readonly models: ModelRegistry;
  readonly limits?: Partial<EdgeLimits>;
  /**
   * Host header values answered (hosts.ts): by default (`undefined`) every Host, as a handler embedded
   * behind another server or on Workers needs; the server entries pass `defaultAllowedHosts(--host)`, so a
   * local server answers only its own names (DNS rebinding). `*` allows any.
   */
  readonly allowedHosts?: AllowedHosts;
  /** Shown by /health: the JavaScript runtime, the onnxruntime flavour and versions, … */
  readonly about?: Readonly<Record<string, unknown>>;
  /** Called with every internal fault (a 500), for the server's log; the client sees no details. */
  readonly onInternalError?: (error: unknown, request: Request) => void;
  /** Called when a client goes away before its body is complete: the client's doing, not a fault (not a 500). */
  readonly onClientAbort?: (request: Request) => void;
}

type Route = { readonly kind: 'health' } | { readonly kind: 'models' } | { readonly kind: 'model'; readonly name: string } | { readonly kind: 'operation'; readonly name: string; readonly operation: string };

const ENDPOINTS = `GET /health, GET /models, GET /models/:name, POST /models/:name/(${OPERATION_NAMES.join('|')})`;

/** The URL's path, or undefined for a target that is not a URL (CONNECT's `host:port` on some servers). */
function pathOf(url: string): string | undefined {
  try {
    return new URL(url).pathname;
  } catch {
    return undefined;
  }
}

function route(pathname: string): Route | undefined {
  const parts = pathname.replace(/^\/+|\/+$/g, '').split('/'); // a trailing slash names the same resource
  if (parts.length === 1 && parts[0] === 'health') return { kind: 'health' };
  if (parts[0] !== 'models') return undefined;
  if (parts.length === 1) return { kind: 'models' };
  let name: string;
  try {
    name = decodeURIComponent(parts[1] ?? '');
  } catch {
    return undefined;
  }
  if (parts.length === 2) return { kind: 'model', name };
  const operation = OPERATION_NAMES.find((o) => o === parts[2]);
  return parts.length === 3 && operation ? { kind: 'operation', name, operation } : undefined;
}

export function methodNotAllowed(allowed: string, got?: string): Response {
  return errorResponse({ code: 'E_METHOD', message: `use ${allowed} here`, expected: allowed, ...(got ? { got: got.slice(0, 20) } : {}) }, { allow: allowed });
}

/** Methods the API uses; anything else (TRACE, CONNECT, PUT, …) is 405 on every path, a known one or not. */
const KNOWN_METHODS = ['GET', 'POST'];

function shed(code: 'E_BUSY' | 'E_TIMEOUT', limits: EdgeLimits): Response {
  const message = code === 'E_BUSY' ? 'the server is busy: every inference slot and queue place is taken' : `the request did not finish within ${limits.maxRequestMs} ms`;
  const limit = code === 'E_BUSY' ? 'maxQueue' : 'maxRequestMs';
  return errorResponse({ code, message, fix: 'retry after the Retry-After seconds, or send smaller requests', limit }, { 'retry-after': '1' });
}

function modelNotFound(name: string, registry: ModelRegistry): Response {
  const names = registry.names();
  return errorResponse({ code: 'E_MODEL_NOT_FOUND', message: `no model named ${JSON.stringify(name.slice(0, 100))}`, expected: names.length ? `one of ${names.slice(0, 20).map((n) => JSON.stringify(n)).join(', ')}${names.length > 20 ? `, … (${names.length} models)` : ''}` : 'a model (none are loaded)', got: JSON.stringify(name.slice(0, 100)), fix: 'GET /models lists the models' });
}

/**
 * Runs one operation; `body` is untrusted JSON, which the runtime checks field by field. With `"stream": true`
 * the answer is an event stream (events.ts) whose decoding goes on after the response starts: `done` settles
 * when it ends, so the call keeps its slot until then.
 */
async function runOperation(model: LoadedModel, operation: string, body: unknown, limits: EdgeLimits): Promise<{ response: Response; done?: Promise<unknown> }> {
  if (model.format === 'onnx' && !model.describe().operations.includes(operation)) {
    return { response: errorResponse({ code: 'E_UNSUPPORTED', message: `${operation} needs a model exported by unfold`, where: model.name, expected: 'an unfold export (its metadata names the sequence input and the states)', got: 'a plain ONNX graph', fix: 'use predict with named inputs' }) };
  }
  if (wantsEvents(body)) return eventStream(model, (onEvent) => model.run(operation, body, { limits: callLimits(limits), onEvent }));
  const text = JSON.stringify({ model: model.name, ...(await model.run(operation, body, { limits: callLimits(limits) })) });
  // Unfold models' answers are sized before they run (maxOutputElements); this also bounds plain graphs'.
  if (text.length > limits.maxResponseBytes) {
    return { response: errorResponse({ code: 'E_LIMIT', message: 'the answer is too large', expected: `at most ${limits.maxResponseBytes} bytes (maxResponseBytes)`, got: `${text.length} bytes`, fix: 'send fewer or shorter sequences per request', limit: 'maxResponseBytes' }) };
  }
  return { response: jsonText(text) };
}

/** Resolves with `work`'s answer, or with `late()` once `deadline` passes (the work still runs to its end). */
function within(work: Promise<Response>, deadline: number, late: () => Response): Promise<Response> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<Response>((resolve) => {
    timer = setTimeout(() => resolve(late()), Math.max(0, deadline - Date.now()));
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

export function createHandler(options: HandlerOptions): FetchHandler {
  const limits = resolveEdgeLimits(options.limits);
  const registry = options.models;
  const report = options.onInternalError ?? (() => undefined);
  // Two lanes: light calls (small bodies, the common case) and heavy ones (large bodies), each with its own
  // slots and queue, so a burst of large calls is queued or shed without light calls waiting behind it.
  const light = createAdmission(limits.maxConcurrent, limits.maxQueue);
  const heavy = createAdmission(limits.maxHeavyConcurrent, limits.maxHeavyQueue);
  const laneFor = (bytes: number) => (bytes > limits.heavyBodyBytes ? heavy : light);
  const allowedHosts = options.allowedHosts ?? '*';

  /**
   * An operation call: refused at once when its lane has no queue place left; then its body, a slot, and
   * the run, within the budget. A body declared larger than heavyBodyBytes takes its heavy slot before it is
   * read, so parsing large bodies (the main thread's cost of an amplifying request) is part of the narrow lane
   * too; a large body sent without Content-Length is moved to the heavy lane once read.
   */
  const operate = async (request: Request, model: LoadedModel, operation: string, deadline: number): Promise<Response> => {
    const declared = Number(request.headers.get('content-length') ?? 0);
    const early = laneFor(Number.isFinite(declared) ? declared : 0);
    if (!early.hasRoom()) return shed('E_BUSY', limits);
    let slot: Admitted | undefined = early === heavy ? await heavy.acquire(deadline) : undefined;
    if (slot && !slot.ok) return shed(slot.reason === 'busy' ? 'E_BUSY' : 'E_TIMEOUT', limits);
    try {
      const body = await readJsonBody(request, limits.maxBodyBytes, limits.maxJsonDepth);
      if (!body.ok) {
        if (body.error.code === 'E_BODY_ABORTED') options.onClientAbort?.(request);
        return errorResponse(body.error);
      }
      if (Date.now() >= deadline) return shed('E_TIMEOUT', limits); // answered already: run nothing for it
      slot ??= await laneFor(body.bytes).acquire(deadline);
      if (!slot.ok) return shed(slot.reason === 'busy' ? 'E_BUSY' : 'E_TIMEOUT', limits);
      const held = slot;
      slot = undefined; // released by the run from here on
      const work = runOperation(model, operation, body.value, limits);
      // The slot frees when the run ends (an event stream's decoding included), even after a timeout answer.
      work.then((answer) => (answer.done ?? Promise.resolve()).then(held.release, held.release), held.release);
      return (await work).response;
    } finally {
      if (slot?.ok) slot.release();
    }
  };

  const handle = async (request: Request, deadline: number): Promise<Response> => {
    const method = request.method.toUpperCase();
    if (!isAllowedHost(request.headers.get('host'), allowedHosts)) {
      return errorResponse({ code: 'E_HOST', message: 'this server does not answer that Host', got: JSON.stringify((request.headers.get('host') ?? '').slice(0, 100)), expected: 'a name of the address the server listens on (localhost, its --host)', fix: 'use http://localhost or the address it listens on, or start the server with --allowed-hosts <name>' });
    }
    const pathname = pathOf(request.url);
    const target = pathname === undefined ? undefined : route(pathname);
    if (!target && !KNOWN_METHODS.includes(method)) return methodNotAllowed(KNOWN_METHODS.join(', '), method);
    if (!target) return errorResponse({ code: 'E_NOT_FOUND', message: 'no such endpoint', expected: ENDPOINTS, got: `${request.method} ${(pathname ?? request.url).slice(0, 100)}` });
    if (target.kind !== 'operation' && method !== 'GET') return methodNotAllowed('GET', method);
    if (target.kind === 'operation' && method !== 'POST') return methodNotAllowed('POST', method);
    if (target.kind === 'health') return json({ status: 'ok', models: registry.names(), ...options.about });
    if (target.kind === 'models') {
      const models = await Promise.all(registry.names().map((name) => registry.get(name)));
      return json({ models: models.filter((m): m is LoadedModel => m !== undefined).map((m) => m.describe()) });
    }
    const model = await registry.get(target.name);
    if (!model) return modelNotFound(target.name, registry);
    if (target.kind === 'model') return json(model.describe());
    return within(operate(request, model, target.operation, deadline), deadline, () => shed('E_TIMEOUT', limits));
  };

  return async (request) => {
    try {
      return await handle(request, Date.now() + limits.maxRequestMs);
    } catch (error) {
      const { response, internal } = responseFor(error);
      if (internal) {
        try {
          report(error, request);
        } catch {
          // A failing logger must not turn an answer into a crash.
        }
      }
      return response;
    }
  };
}
