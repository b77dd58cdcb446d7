// Public API of @unfold/core. An explicit list: what is not named here is internal.
export { bindNode } from './bind';
export { requireGradients, setupBackend, type BackendName, type BackendOptions } from './backend';
export {
  CHECKPOINT_FORMAT,
  CHECKPOINT_FORMAT_VERSION,
  deserializeModel,
  deserializeTrainingCheckpoint,
  migrateSpec,
  readCheckpoint,
  serializeModel,
  serializeTrainingCheckpoint,
  type CheckpointContents,
  type ModelData,
  type PluginStamp,
} from './checkpoint';
export {
  defineConfig,
  editDistance,
  field,
  suggestion,
  type ConfigInput,
  type ConfigOf,
  type ConfigSchema,
  type Field,
  type FieldValue,
  type Fields,
} from './config-schema';
export { crc32 } from './crc32';
export {
  cellFamily,
  defineCell,
  defineHead,
  defineLayer,
  defineLoss,
  headFamily,
  isLoss,
  isMap,
  isRecurrence,
  isSequenceComponent,
  isSequenceLayer,
  layerFamily,
  lossFamily,
  type CellDefinition,
  type HeadDefinition,
  type LayerDefinition,
  type LossDefinition,
} from './define';
export { checkPolicy, feedsTruth, inferenceContext, trainingContext, type DecoderInputPolicy, type ForwardContext, type TrainingContextOptions } from './context';
export { defineFamily, type Family, type FamilyDefinition, type FamilyKit, type FamilyRole, type PluginDefinition } from './family';
export {
  BackendError,
  composeErrorMessage,
  ConfigError,
  DataError,
  DivergenceError,
  ExportError,
  isUnfoldError,
  RegistryError,
  SerializationError,
  ShapeError,
  UnfoldError,
  type ErrorCode,
  type ErrorDetails,
} from './errors';
export { DEFAULT_MAX_JSON_DEPTH, jsonNestingDepth, parseJsonLimited, scanJson, type JsonParseResult, type JsonScan } from './json';
export {
  isReservedTensorName,
  OPTIMIZER_PREFIX,
  TRAINING_PREFIX,
  TRAINING_STATE_FORMAT,
  TRAINING_STATE_VERSION,
  type CallbackSnapshot,
  type OptimizerSnapshot,
  type TrainingHistoryEntry,
  type TrainingState,
} from './training-state';
export { formatShape, hostTensor, sameShape, shapeSize, type HostTensor, type WeightMap } from './host-tensor';
export { constant, glorotUniform, normal, uniform, zeros, type Initializer } from './initializers';
export { int32Constant, int64Constant, ONNX_BOOL, ONNX_FLOAT, ONNX_INT32, ONNX_INT64, zerosConstant } from './onnx-constants';
export type {
  CellOnnxCarryContext,
  CellOnnxContext,
  CellOnnxMapping,
  CellOnnxPrepareContext,
  CellOnnxResult,
  CellOnnxStepContext,
  CellOnnxStepMapping,
  CellOnnxStepResult,
  ComponentOnnxContext,
  HeadOnnxMapping,
  LayerOnnxContext,
  LayerOnnxMapping,
  OnnxAttributeValue,
  OnnxConstant,
  OnnxDataType,
  OnnxGraphBuilder,
  OnnxMappingContext,
  OnnxSubgraph,
  OnnxSubgraphSignature,
  OnnxValueType,
  SequenceOnnxResult,
} from './onnx-hooks';
export { inputSizeOf, inputSpecOf, outputSizeOf, portsOf, semanticsOf, stateOf, type InputSpec } from './parts';
export type { EntryContext, EntryInputPort, EntryInputValue, EntryOutputPort, EntryResult, EntrySequenceOutput, ExportEntry, ModelExports } from './export-entry';
export { DECODER_INPUT_PORT, DEFAULT_INPUT_PORT, DEFAULT_OUTPUT_PORT, type PortKind, type PortSpec, type PortValue, type TreeValue } from './ports';
export type {
  AnyPlugin,
  BoundNode,
  BuiltInFamily,
  CellPlugin,
  CellSequenceOptions,
  CellSequenceResult,
  CellStepResult,
  ChildSlot,
  HeadPlugin,
  LayerPlugin,
  LossPlugin,
  ParamSpec,
  ParamTensors,
  Plugin,
  PluginFamily,
  PluginMeta,
  ResolvedNode,
  SequenceInput,
  SequenceOutput,
} from './plugins';
export { createRegistry, type Registry } from './registry';
export { checkWeights, initWeights, modelParameters, ownParameters, resolveModel, type NamedParam } from './resolve';
export { Rng } from './rng';
export { DEFAULT_SEMANTICS, type ModelSemantics } from './semantics';
export {
  BOS_ID,
  buildTokenizer,
  checkTokenizer,
  decodeIds,
  encodeText,
  EOS_ID,
  PAD_ID,
  SPECIAL_TOKENS,
  splitText,
  tokenizerJson,
  UNKNOWN_ID,
  type BuildTokenizerOptions,
  type TokenizerSpec,
} from './tokenizer';
export { stateSpec, stateTensorShape, type StateDeclaration, type StateSpec } from './state';
export { decodeSafetensors, encodeSafetensors, type SafetensorsContents } from './safetensors';
export { parseModelSpec, type JsonValue, type ModelSpec } from './spec';
export { CORE_PACKAGE, CORE_VERSION } from './version';
