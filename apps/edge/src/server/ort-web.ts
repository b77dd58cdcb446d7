import type { OrtModule } from '@unfold/runtime';

/** onnxruntime-web (WASM), loaded on demand, with `threads` wasm threads (Deno supports only 1). */
export async function loadOrtWeb(threads: number): Promise<OrtModule> {
  const module = (await import('onnxruntime-web')) as typeof import('onnxruntime-web') & { default?: typeof import('onnxruntime-web') };
  const ort = module.default ?? module;
  ort.env.wasm.numThreads = threads;
  ort.env.logLevel = 'error';
  return ort;
}
