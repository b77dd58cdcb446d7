import { OPERATION_NAMES, type LoadedModel } from '@unfold/runtime';
import { readJsonBody } from './body';
import { resolveEdgeLimits, type EdgeLimits } from './limits';
import type { ModelRegistry } from './registry';
import { errorResponse, json, responseFor } from './responses';

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
 */
export type FetchHandler = (request: Request) => Promise<Response>;

export interface HandlerOptions {
  readonly models: ModelRegistry;
  readonly limits?: Partial<EdgeLimits>;
  /** Shown by /health: the JavaScript runtime, the onnxruntime flavour and versions, … */
  readonly about?: Readonly<Record<string, unknown>>;
  /** Called with every internal fault (a 500), for the server's log; the client sees no details. */
  readonly onInternalError?: (error: unknown, request: Request) => void;
}

type Route = { readonly kind: 'health' } | { readonly kind: 'models' } | { readonly kind: 'model'; readonly name: string } | { readonly kind: 'operation'; readonly name: string; readonly operation: string };

const ENDPOINTS = `GET /health, GET /models, GET /models/:name, POST /models/:name/(${OPERATION_NAMES.join('|')})`;

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

function methodNotAllowed(allowed: string): Response {
  return errorResponse({ code: 'E_METHOD', message: `use ${allowed} here`, expected: allowed }, { allow: allowed });
}

function modelNotFound(name: string, registry: ModelRegistry): Response {
  const names = registry.names();
  return errorResponse({ code: 'E_MODEL_NOT_FOUND', message: `no model named ${JSON.stringify(name.slice(0, 100))}`, expected: names.length ? `one of ${names.slice(0, 20).map((n) => JSON.stringify(n)).join(', ')}${names.length > 20 ? `, … (${names.length} models)` : ''}` : 'a model (none are loaded)', got: JSON.stringify(name.slice(0, 100)), fix: 'GET /models lists the models' });
}

/** Runs one operation; `body` is untrusted JSON, which the runtime checks field by field. */
async function runOperation(model: LoadedModel, operation: string, body: unknown, limits: EdgeLimits): Promise<Response> {
  if (model.format === 'onnx' && !model.describe().operations.includes(operation)) {
    return errorResponse({ code: 'E_UNSUPPORTED', message: `${operation} needs a model exported by unfold`, where: model.name, expected: 'an unfold export (its metadata names the sequence input and the states)', got: 'a plain ONNX graph', fix: 'use predict with named inputs' });
  }
  return json({ model: model.name, ...(await model.run(operation, body, { limits })) });
}

export function createHandler(options: HandlerOptions): FetchHandler {
  const limits = resolveEdgeLimits(options.limits);
  const registry = options.models;
  const report = options.onInternalError ?? (() => undefined);

  const handle = async (request: Request): Promise<Response> => {
    const target = route(new URL(request.url).pathname);
    if (!target) return errorResponse({ code: 'E_NOT_FOUND', message: 'no such endpoint', expected: ENDPOINTS, got: `${request.method} ${new URL(request.url).pathname.slice(0, 100)}` });
    const method = request.method.toUpperCase();
    if (target.kind !== 'operation' && method !== 'GET') return methodNotAllowed('GET');
    if (target.kind === 'operation' && method !== 'POST') return methodNotAllowed('POST');
    if (target.kind === 'health') return json({ status: 'ok', models: registry.names(), ...options.about });
    if (target.kind === 'models') {
      const models = await Promise.all(registry.names().map((name) => registry.get(name)));
      return json({ models: models.filter((m): m is LoadedModel => m !== undefined).map((m) => m.describe()) });
    }
    const model = await registry.get(target.name);
    if (!model) return modelNotFound(target.name, registry);
    if (target.kind === 'model') return json(model.describe());
    const body = await readJsonBody(request, limits.maxBodyBytes);
    if (!body.ok) return errorResponse(body.error);
    return runOperation(model, target.operation, body.value, limits);
  };

  return async (request) => {
    try {
      return await handle(request);
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
