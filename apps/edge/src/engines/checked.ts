import { createRuntime, isRuntimeError, type OrtModule, type Runtime } from '@unfold/runtime';

/**
 * The runtime's loader wraps whatever an engine throws while opening a session in its own E_MODEL
 * ("onnxruntime could not load the model"). The compact engine's refusals are already typed errors that
 * name the node, the operator and the fix, so they are passed on as they are.
 */
function engineError(error: unknown): unknown {
  return isRuntimeError(error, 'E_MODEL') && isRuntimeError(error.cause) ? error.cause : error;
}

/**
 * The runtime over the compact engine. The engine checks every file when it opens it (operators and their
 * opsets, attributes, dtypes) and refuses one outside its set, before any run, with E_MODEL naming the
 * node, the operator and the fix (serve it with onnxruntime). Imports no onnxruntime: the compact Worker
 * bundles this and the engine only.
 */
export function compactRuntime(compact: OrtModule): Runtime {
  const runtime = createRuntime(compact);
  return {
    versions: runtime.versions,
    load: (bytes, options) => runtime.load(bytes, options).catch((error: unknown) => Promise.reject(engineError(error))),
    loadEntries: (name, files, options) => runtime.loadEntries(name, files, options).catch((error: unknown) => Promise.reject(engineError(error))),
  };
}
