// Cloudflare Workers entry, the compact engine: `export default { fetch }` over the same handler as the
// Node, Bun and Deno entries, with @unfold/engine (TypeScript, no onnxruntime) and the models bundled into
// the Worker. Small enough for the Workers free plan (tools/bench/results/workers-size.md). workerd forbids
// compiling WebAssembly from bytes at run time, so the engine's recurrent kernels come as the `.wasm` module
// @unfold/cells ships (wrangler compiles it at upload) and are handed over with useKernelModule.
//
//   node apps/edge/workers/models.mjs ./models            # writes the module that imports every .onnx file
//   npx wrangler dev -c apps/edge/workers/wrangler.json --ip 127.0.0.1
//
// Files with operators outside the compact engine's set fail to load with the node, the operator and the
// fix; serve those with the onnxruntime-web Worker (entries/workers-ort.ts, workers/wrangler.ort.json).
import { useKernelModule } from '@unfold/cells/kernels';
import kernelsWasm from '@unfold/cells/kernels-simd.wasm';
import * as engine from '@unfold/engine';
import bundledModels from 'unfold-edge-models';
import { createRuntime, type OrtModule, type Runtime } from '@unfold/runtime';
import { createWorker, type BundledModels, type Worker } from '../workers/worker';

export { allowedHostsFromEnv, limitsFromEnv, type WorkerEnv } from '../workers/env';
export type { Worker } from '../workers/worker';

/**
 * A Worker over `models` on the compact engine; `kernels`, the compiled kernels-simd.wasm, runs its
 * recurrent operators (without it, the engine's plain loops do).
 */
export function createCompactWorker(models: BundledModels, kernels?: WebAssembly.Module): Worker {
  let runtime: Runtime | undefined;
  return createWorker(models, {
    names: ['compact', 'auto'],
    elsewhere: 'the onnxruntime-web Worker (apps/edge/workers/wrangler.ort.json)',
    runtime: () => {
      if (runtime) return runtime;
      if (kernels) useKernelModule(kernels);
      return (runtime = createRuntime(engine as unknown as OrtModule));
    },
    about: { engine: 'compact', compact: { version: engine.version } },
  });
}

/** The deployed Worker: the models the `unfold-edge-models` module imports (see apps/edge/workers). */
const worker: Worker = createCompactWorker(bundledModels, kernelsWasm);

export default worker;
