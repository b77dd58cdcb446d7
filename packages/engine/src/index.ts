// Public API of @unfold/engine: onnxruntime's InferenceSession/Tensor shape, so that
// `createRuntime(await import('@unfold/engine'))` serves unfold's exports without onnxruntime.
// An explicit list: what is not named here is internal.
export { isRuntimeError, RuntimeError, type RuntimeErrorCode } from '@unfold/runtime/proto';
export { supportedOperators } from './operators';
export { InferenceSession } from './session';
export { Tensor, type TensorData, type TensorType } from './tensor';
export { version } from './version';
import { version } from './version';

/** Versions as onnxruntime flavours report them (`env.versions`), read by the runtime's `versions`. */
export const env: { readonly versions: Readonly<Record<string, string>> } = Object.freeze({ versions: Object.freeze({ engine: version }) });
