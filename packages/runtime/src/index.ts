// Public API of @unfold/runtime. An explicit list: what is not named here is internal.
// The package imports no onnxruntime flavour: pass `onnxruntime-node` or `onnxruntime-web` to createRuntime.
export { fetchModelBytes, readStreamLimited, type FetchModelOptions } from './bytes';
export { isRuntimeError, RUNTIME_ERROR_CODES, RuntimeError, type RuntimeErrorCode, type RuntimeErrorDetails } from './errors';
export { DEFAULT_LIMITS, resolveLimits, type RuntimeLimits } from './limits';
export type {
  CallOptions,
  GraphModel,
  GraphPredictRequest,
  LoadedModel,
  ModelDescription,
  NamedTensors,
  Operation,
  PredictResult,
  RolloutResult,
  StateMap,
  StreamResult,
  UnfoldModel,
} from './model';
export { readModelInfo, type GraphDim, type GraphDtype, type GraphValue, type ModelInfo } from './proto/model-info';
export type { PredictRequest, RolloutRequest, SamplingOptions, StreamRequest, Units } from './requests';
export { createRng, type Rng } from './rng';
export { createRuntime, type LoadOptions, type OrtModule, type Runtime } from './runtime';
export type { Sequences } from './sequences';
export type { OrtFlavour, SessionOptions } from './session';
export { FULL_LENGTH, UNFOLD_FORMAT, type Normalisation, type OutputKind } from './unfold-info';
