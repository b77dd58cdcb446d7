// Cloudflare Workers entry: `export default { fetch }` over the same handler as the Node, Bun and Deno
// entries, with onnxruntime-web (WASM, one thread) and the models bundled into the Worker.
//
//   node apps/edge/workers/models.mjs ./models            # writes the module that imports every .onnx file
//   npx wrangler dev -c apps/edge/workers/wrangler.json --ip 127.0.0.1
//
// workerd forbids compiling WebAssembly from bytes at run time, and onnxruntime-web only takes bytes. So
// the `.wasm` file is imported as a module (wrangler compiles it at upload), onnxruntime-web is given a
// placeholder `wasmBinary` so it does not fetch, and while the first session is created a call to
// `WebAssembly.instantiate(bytes, imports)` instantiates the imported module instead (platform.md).
import * as ort from 'onnxruntime-web/wasm';
import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.wasm';
import bundledModels from 'unfold-edge-models';
import { createRuntime, type LoadedModel, type Runtime } from '@unfold/runtime';
import { createHandler, type FetchHandler } from '../handler';
import { hostName, type AllowedHosts } from '../hosts';
import type { EdgeLimits } from '../limits';
import { lazyRegistry } from '../registry';

/** The Worker's bindings this entry reads: optional limits as plain-text vars (wrangler `[vars]` or `--var`). */
export interface WorkerEnv {
  readonly UNFOLD_MAX_BODY_BYTES?: string;
  readonly UNFOLD_MAX_BATCH?: string;
  readonly UNFOLD_MAX_TIME?: string;
  readonly UNFOLD_MAX_ELEMENTS?: string;
  readonly UNFOLD_MAX_ROLLOUT_STEPS?: string;
  readonly UNFOLD_MAX_STEPS?: string;
  readonly UNFOLD_MAX_OUTPUT_ELEMENTS?: string;
  readonly UNFOLD_MAX_NODES?: string;
  readonly UNFOLD_MAX_DEPTH?: string;
  readonly UNFOLD_MAX_JSON_DEPTH?: string;
  readonly UNFOLD_MAX_RESPONSE_BYTES?: string;
  readonly UNFOLD_MAX_CONCURRENT?: string;
  readonly UNFOLD_MAX_QUEUE?: string;
  readonly UNFOLD_HEAVY_BODY_BYTES?: string;
  readonly UNFOLD_MAX_HEAVY_CONCURRENT?: string;
  readonly UNFOLD_MAX_HEAVY_QUEUE?: string;
  readonly UNFOLD_MAX_REQUEST_MS?: string;
  /** Comma-separated Host names answered (default: any; a deployed Worker is reached by its own domain). */
  readonly UNFOLD_ALLOWED_HOSTS?: string;
}

export interface WorkerOptions {
  /**
   * Model bytes by name, as wrangler's `Data` rule imports `.onnx` files (ArrayBuffer) or as Uint8Array; a
   * multi-entry model (a seq2seq model's folder) is an object of its files' bytes by file name.
   */
  readonly models: Readonly<Record<string, ModelBytes | Readonly<Record<string, ModelBytes>>>>;
  /** onnxruntime-web's `ort-wasm-simd-threaded.wasm`, compiled by the platform (a `.wasm` module import). */
  readonly wasm: WebAssembly.Module;
}

export interface Worker {
  fetch(request: Request, env?: WorkerEnv): Promise<Response>;
}

const LIMIT_VARS: readonly (readonly [keyof WorkerEnv, keyof EdgeLimits])[] = [
  ['UNFOLD_MAX_BODY_BYTES', 'maxBodyBytes'],
  ['UNFOLD_MAX_BATCH', 'maxBatch'],
  ['UNFOLD_MAX_TIME', 'maxTime'],
  ['UNFOLD_MAX_ELEMENTS', 'maxElements'],
  ['UNFOLD_MAX_ROLLOUT_STEPS', 'maxRolloutSteps'],
  ['UNFOLD_MAX_STEPS', 'maxSteps'],
  ['UNFOLD_MAX_OUTPUT_ELEMENTS', 'maxOutputElements'],
  ['UNFOLD_MAX_NODES', 'maxNodes'],
  ['UNFOLD_MAX_DEPTH', 'maxDepth'],
  ['UNFOLD_MAX_JSON_DEPTH', 'maxJsonDepth'],
  ['UNFOLD_MAX_RESPONSE_BYTES', 'maxResponseBytes'],
  ['UNFOLD_MAX_CONCURRENT', 'maxConcurrent'],
  ['UNFOLD_MAX_QUEUE', 'maxQueue'],
  ['UNFOLD_HEAVY_BODY_BYTES', 'heavyBodyBytes'],
  ['UNFOLD_MAX_HEAVY_CONCURRENT', 'maxHeavyConcurrent'],
  ['UNFOLD_MAX_HEAVY_QUEUE', 'maxHeavyQueue'],
  ['UNFOLD_MAX_REQUEST_MS', 'maxRequestMs'],
];

/** `UNFOLD_ALLOWED_HOSTS` as the handler's allowed hosts; unset: any Host (see hosts.ts). */
export function allowedHostsFromEnv(env: WorkerEnv = {}): AllowedHosts {
  const names = (env.UNFOLD_ALLOWED_HOSTS ?? '').split(',').map((h) => h.trim()).filter(Boolean);
  return names.length === 0 || names.includes('*') ? '*' : names.map(hostName);
}

/** Limits from the Worker's vars; a var that is not a positive integer is a configuration fault (thrown). */
export function limitsFromEnv(env: WorkerEnv = {}): Partial<EdgeLimits> {
  const limits: Partial<Record<keyof EdgeLimits, number>> = {};
  for (const [name, key] of LIMIT_VARS) {
    const text = env[name];
    if (text === undefined || text === '') continue;
    const value = Number(text);
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer; got ${JSON.stringify(text)}`);
    limits[key] = value;
  }
  return limits;
}

const internalError = () => new Response('{"error":{"code":"E_INTERNAL","message":"internal error"}}', { status: 500, headers: { 'content-type': 'application/json; charset=utf-8' } });

type Instantiate = typeof WebAssembly.instantiate;

/**
 * Runs `create` (which makes onnxruntime-web initialise its WASM) with `WebAssembly.instantiate` answering
 * calls with bytes from the precompiled module; restores the original afterwards, whatever happens.
 */
async function withPrecompiledWasm<T>(module: WebAssembly.Module, create: () => Promise<T>): Promise<T> {
  const original: Instantiate = WebAssembly.instantiate;
  const replacement = (async (source: unknown, imports?: WebAssembly.Imports) => {
    if (source instanceof WebAssembly.Module) return original(source, imports);
    return { module, instance: await original(module, imports) };
  }) as Instantiate;
  WebAssembly.instantiate = replacement;
  try {
    return await create();
  } finally {
    WebAssembly.instantiate = original;
  }
}

type ModelBytes = ArrayBuffer | Uint8Array;

function asBytes(data: ModelBytes): Uint8Array {
  return data instanceof Uint8Array ? data : new Uint8Array(data);
}

function isBytes(data: unknown): data is ModelBytes {
  return data instanceof Uint8Array || data instanceof ArrayBuffer;
}

/**
 * A Worker over `models`: the handler and onnxruntime are set up on the first request (nothing happens on
 * import), and each model is loaded on first use. The first load initialises onnxruntime's WASM; every
 * other load waits for it, so the `WebAssembly.instantiate` swap is never visible to two loads at once.
 */
export function createWorker(options: WorkerOptions): Worker {
  const names = Object.keys(options.models);
  let runtime: Runtime | undefined;
  let wasmReady: Promise<unknown> | undefined;
  let handler: FetchHandler | undefined;

  const load = (name: string): Promise<LoadedModel> => {
    const given = options.models[name] as ModelBytes | Readonly<Record<string, ModelBytes>>;
    if (!runtime) {
      ort.env.wasm.numThreads = 1; // workerd has no Web Workers for wasm threads
      ort.env.wasm.wasmBinary = new Uint8Array(8); // non-empty: onnxruntime-web then does not fetch the .wasm
      ort.env.logLevel = 'error';
      runtime = createRuntime(ort);
    }
    const onnx = runtime;
    const open = (): Promise<LoadedModel> => (isBytes(given) ? onnx.load(asBytes(given), { name }) : onnx.loadEntries(name, Object.fromEntries(Object.entries(given).map(([file, bytes]) => [file, asBytes(bytes)]))));
    if (!wasmReady) {
      const first = withPrecompiledWasm(options.wasm, open);
      wasmReady = first.catch(() => undefined);
      return first;
    }
    return wasmReady.then(open);
  };

  const handlerFor = (env: WorkerEnv | undefined): FetchHandler => {
    handler ??= createHandler({
      models: lazyRegistry(names, load),
      limits: limitsFromEnv(env),
      allowedHosts: allowedHostsFromEnv(env),
      about: { runtime: 'workerd', onnxruntime: { flavour: 'onnxruntime-web', common: ort.env.versions.common, web: ort.env.versions.web } },
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

/** The deployed Worker: the models the `unfold-edge-models` module imports (see apps/edge/workers). */
const worker: Worker = createWorker({ models: bundledModels, wasm: ortWasm });

export default worker;
