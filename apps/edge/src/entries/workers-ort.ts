// Cloudflare Workers entry, onnxruntime-web: for any ONNX file, on the paid plan (onnxruntime-web's
// WebAssembly alone is 3.5 MiB gzipped, over the free plan's 3 MiB). The same handler as every entry.
//
//   node apps/edge/workers/models.mjs ./models
//   npx wrangler dev -c apps/edge/workers/wrangler.ort.json --ip 127.0.0.1
//
// workerd forbids compiling WebAssembly from bytes at run time, and onnxruntime-web only takes bytes. So
// the `.wasm` file is imported as a module (wrangler compiles it at upload), onnxruntime-web is given a
// placeholder `wasmBinary` so it does not fetch, and while the first session is created a call to
// `WebAssembly.instantiate(bytes, imports)` instantiates the imported module instead (platform.md).
import * as ort from 'onnxruntime-web/wasm';
import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.wasm';
import bundledModels from 'unfold-edge-models';
import { createRuntime, type Runtime } from '@unfold/runtime';
import { createWorker, type BundledModels, type Worker } from '../workers/worker';

export { allowedHostsFromEnv, limitsFromEnv, type WorkerEnv } from '../workers/env';
export type { Worker } from '../workers/worker';

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

/**
 * A Worker over `models` on onnxruntime-web, `wasm` being its `ort-wasm-simd-threaded.wasm` compiled by the
 * platform (a `.wasm` module import). The first load initialises onnxruntime's WASM; every other load waits
 * for it, so the `WebAssembly.instantiate` swap is never visible to two loads at once.
 */
export function createOrtWorker(models: BundledModels, wasm: WebAssembly.Module): Worker {
  let runtime: Runtime | undefined;
  return createWorker(models, {
    names: ['ort-web', 'auto'],
    elsewhere: 'the compact Worker (apps/edge/workers/wrangler.json)',
    runtime: () => {
      if (runtime) return runtime;
      ort.env.wasm.numThreads = 1; // workerd has no Web Workers for wasm threads
      ort.env.wasm.wasmBinary = new Uint8Array(8); // non-empty: onnxruntime-web then does not fetch the .wasm
      ort.env.logLevel = 'error';
      return (runtime = createRuntime(ort));
    },
    about: { engine: 'ort-web', onnxruntime: { flavour: 'onnxruntime-web', common: ort.env.versions.common, web: ort.env.versions.web } },
    firstLoad: (load) => withPrecompiledWasm(wasm, load),
  });
}

/** The deployed Worker: the models the `unfold-edge-models` module imports (see apps/edge/workers). */
const worker: Worker = createOrtWorker(bundledModels, ortWasm);

export default worker;
