// Public API of @unfold/runtime. An explicit list: what is not named here is internal.
// The package imports no onnxruntime flavour: pass `onnxruntime-node` or `onnxruntime-web` to createRuntime.
export { FULL_LENGTH, METADATA_FORMAT as UNFOLD_FORMAT, METADATA_FORMAT_V1 as UNFOLD_FORMAT_V1 } from '@unfold/core/interface';
export { parseJsonLimited, type JsonParseResult } from '@unfold/core/json';
export { fetchModelBytes, readStreamLimited, type FetchModelOptions } from './bytes';
export { isRuntimeError, RUNTIME_ERROR_CODES, RuntimeError, type RuntimeErrorCode, type RuntimeErrorDetails } from './errors';
export { isEntryFile, type Normalisation, type OutputKind } from './info/unfold-info';
export { DEFAULT_LIMITS, resolveLimits, type RuntimeLimits } from './limits';
export type {
  CallOptions,
  OperationEvent,
  EntryDescription,
  EntrySelection,
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
export type { OperationModule, OperationResult, OperationTarget } from './operations/operation';
export { DEFAULT_GENERATE_LENGTH, type GenerateRequest, type GenerateResult } from './operations/generate';
export { OPERATION_NAMES } from './operations/registry';
export { readModelInfo, type GraphDim, type GraphDtype, type GraphValue, type ModelInfo } from './proto/model-info';
export type { PredictRequest, RolloutRequest, SamplingOptions, StreamRequest, Units } from './requests';
export { createRng, type Rng } from './rng';
export { createRuntime, type LoadOptions, type OrtModule, type Runtime } from './runtime';
export type { Sequences } from './sequences';
export type { OrtFlavour, SessionOptions } from './session';
export type { ReadonlyStateTensor, StateTensor } from './states';
