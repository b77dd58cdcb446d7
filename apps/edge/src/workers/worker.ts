// The Worker around the one fetch handler: models bundled into the Worker and loaded on first use, the
// engine set up on the first request (nothing happens on import), limits and hosts from the Worker's vars.
// The entries (entries/workers.ts: the compact engine; entries/workers-ort.ts: onnxruntime-web) differ
// only in the engine they hand over.
import type { LoadedModel, Runtime } from '@unfold/runtime';
import { createHandler, type FetchHandler } from '../handler';
import type { EngineName } from '../engines/names';
import { lazyRegistry } from '../registry';
import { allowedHostsFromEnv, engineFromEnv, limitsFromEnv, type WorkerEnv } from './env';

export type ModelBytes = ArrayBuffer | Uint8Array;

/**
 * Model bytes by name, as wrangler's `Data` rule imports `.onnx` files (ArrayBuffer) or as Uint8Array; a
 * multi-entry model (a seq2seq model's folder) is an object of its files' bytes by file name.
 */
export type BundledModels = Readonly<Record<string, ModelBytes | Readonly<Record<string, ModelBytes>>>>;

/** The engine of a Worker: the runtime over it (made on first use) and what /health says of it. */
export interface WorkerEngine {
  /** The engines this Worker can serve with (UNFOLD_ENGINE picks among them; the first is the default). */
  readonly names: readonly EngineName[];
  /** Where the other engines are, for the error when UNFOLD_ENGINE asks for one of them. */
  readonly elsewhere: string;
  /** The runtime, made once, on the first request. */
  runtime(): Runtime;
  readonly about: Readonly<Record<string, unknown>>;
  /**
   * Runs the first model load; the engine may set itself up around it (onnxruntime-web instantiates its
   * precompiled WebAssembly there). Every later load waits for the first.
   */
  firstLoad?<T>(load: () => Promise<T>): Promise<T>;
}

export interface Worker {
  fetch(request: Request, env?: WorkerEnv): Promise<Response>;
}

const internalError = () => new Response('{"error":{"code":"E_INTERNAL","message":"internal error"}}', { status: 500, headers: { 'content-type': 'application/json; charset=utf-8' } });

function asBytes(data: ModelBytes): Uint8Array {
  return data instanceof Uint8Array ? data : new Uint8Array(data);
}

function isBytes(data: unknown): data is ModelBytes {
  return data instanceof Uint8Array || data instanceof ArrayBuffer;
}

/** A Worker serving `models` with `engine`; each model is loaded on first use. */
export function createWorker(models: BundledModels, engine: WorkerEngine): Worker {
  const names = Object.keys(models);
  let ready: Promise<unknown> | undefined;
  let handler: FetchHandler | undefined;

  const load = (name: string): Promise<LoadedModel> => {
    const given = models[name] as ModelBytes | Readonly<Record<string, ModelBytes>>;
    const runtime = engine.runtime();
    const open = (): Promise<LoadedModel> => (isBytes(given) ? runtime.load(asBytes(given), { name }) : runtime.loadEntries(name, Object.fromEntries(Object.entries(given).map(([file, bytes]) => [file, asBytes(bytes)]))));
    if (!ready) {
      const first = engine.firstLoad ? engine.firstLoad(open) : open();
      ready = first.catch(() => undefined);
      return first;
    }
    return ready.then(open);
  };

  const handlerFor = (env: WorkerEnv = {}): FetchHandler => {
    if (handler) return handler;
    engineFromEnv(env, engine.names, engine.elsewhere); // a Worker asked for an engine it does not carry fails here, loudly
    handler = createHandler({
      models: lazyRegistry(names, load),
      limits: limitsFromEnv(env),
      allowedHosts: allowedHostsFromEnv(env),
      about: { runtime: 'workerd', ...engine.about },
      onInternalError: (error, request) => {
        const detail = error instanceof Error ? `${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ''}` : String(error);
        console.error(`unfold-edge: internal error on ${request.method} ${new URL(request.url).pathname}: ${detail}`);
      },
      onClientAbort: () => undefined, // the platform reports dropped connections; not a fault of the Worker
    });
    return handler;
  };

  return {
    async fetch(request, env) {
      try {
        return await handlerFor(env)(request);
      } catch (error) {
        console.error(`unfold-edge: ${error instanceof Error ? error.message : String(error)}`);
        return internalError();
      }
    },
  };
}
